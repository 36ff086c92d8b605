/* ipcspec-driver.c: the portable C driver for ipcspec (spec/driver-protocol.md, protocol 1).
 *
 *   cc -O2 -pthread -o ipcspec-driver ipcspec-driver.c
 *   npx ipcspec run --target exec:./ipcspec-driver
 *   (-DIPCSPEC_NO_PROC: behave as on a system without /proc: settle "unknown", traces not settled;
 *    -DIPCSPEC_POSIX_ONLY: build the POSIX fallback of every Linux-only part, to test it on Linux)
 *
 * POSIX only, one file, no libraries: cross-compile it for an OS port and run it there. It performs
 * each scenario step with real syscalls and reports what it saw; it never judges. Calls that may block
 * run on one thread per actor. On Linux it proves a pending call is asleep in its syscall by reading
 * /proc/self/task/TID/{stat,syscall} (settle "proven"), after checking at start that those files say
 * what they should for a thread it blocks in read itself; elsewhere, or where they do not (gVisor has
 * no .../syscall), it cannot know (settle "unknown": it waits until nothing has returned for a moment
 * and, where /proc still shows sleep states, every thread and child sleeps, at most 2 s).
 * Supported: pipes and FIFOs (make-pipe in all variants, read, readv, write, writev, close, dup,
 * set-nonblock, poll, get/set-pipe-size where F_GETPIPE_SZ exists, mkfifo, open, unlink, stat),
 * child-write and child-read (a forked child inherits the end), concurrent-writes, AF_UNIX stream and
 * datagram sockets (path, path-length and, on Linux, abstract names), and, where the kernel shows
 * what the host target waits for after a TCP or UDP call (Linux: TCP_INFO byte counts, a listener's
 * accept queue and drops, SO_MEMINFO, the ICMP counters; probed at start), TCP and UDP over 127.0.0.1
 * and ::1, connect-wait, connect-fill, set-buffers and bind-unprivileged (a child drops to uid 65534),
 * and pipelines (dd or yes | cat or head, as the host target runs them). Not: test hosts (network namespaces). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sys/ioctl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <grp.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif
/* The Linux-only parts; -DIPCSPEC_POSIX_ONLY builds the POSIX fallback on Linux too, to test it there. */
#if defined(__linux__) && !defined(IPCSPEC_POSIX_ONLY)
#define IPCSPEC_LINUX 1
#else
#define IPCSPEC_LINUX 0
#endif
/* -DIPCSPEC_NO_PROC builds the driver an OS without /proc gets: it cannot prove a call is blocked. */
#if IPCSPEC_LINUX && !defined(IPCSPEC_NO_PROC)
#define PROVEN 1
#else
#define PROVEN 0
#endif

#define NEVER_OPEN 0x3fffffff /* above any RLIMIT_NOFILE: a closed handle whose number was reused */

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("ipcspec-driver: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(2);
}

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) die("out of memory (%zu bytes)", n);
  return p;
}

/* ---- JSON in: a small tree parser; requests have a fixed, small shape ---- */

typedef struct J {
  char t; /* o(bject) a(rray) s(tring) n(umber) b(oolean) z(null) */
  double n;
  char *s;
  size_t len; /* string bytes, or member count */
  char **keys;
  struct J **vals;
} J;

static const char *jp;

static void ws(void) { while (*jp == ' ' || *jp == '\t' || *jp == '\r' || *jp == '\n') jp++; }

static J *jnew(char t) {
  J *j = xmalloc(sizeof *j);
  memset(j, 0, sizeof *j);
  j->t = t;
  return j;
}

static char *jstr(size_t *len) {
  if (*jp != '"') die("bad request: expected a string at %.20s", jp);
  jp++;
  size_t cap = 16, n = 0;
  char *s = xmalloc(cap);
  for (;;) {
    unsigned c = (unsigned char)*jp++;
    if (!c) die("bad request: unterminated string");
    if (c == '"') break;
    if (c == '\\') {
      c = (unsigned char)*jp++;
      switch (c) {
        case 'n': c = '\n'; break;
        case 't': c = '\t'; break;
        case 'r': c = '\r'; break;
        case 'b': c = '\b'; break;
        case 'f': c = '\f'; break;
        case 'u': {
          unsigned u = 0;
          for (int k = 0; k < 4; k++) {
            char h = *jp++;
            u = u * 16 + (unsigned)(h >= 'a' ? h - 'a' + 10 : h >= 'A' ? h - 'A' + 10 : h - '0');
          }
          if (n + 4 >= cap) s = realloc(s, cap *= 2);
          if (u < 0x80) s[n++] = (char)u;
          else if (u < 0x800) { s[n++] = (char)(0xc0 | u >> 6); s[n++] = (char)(0x80 | (u & 63)); }
          else { s[n++] = (char)(0xe0 | u >> 12); s[n++] = (char)(0x80 | ((u >> 6) & 63)); s[n++] = (char)(0x80 | (u & 63)); }
          continue;
        }
        default: break; /* " \ / */
      }
    }
    if (n + 1 >= cap) s = realloc(s, cap *= 2);
    if (!s) die("out of memory");
    s[n++] = (char)c;
  }
  s[n] = 0;
  *len = n;
  return s;
}

static J *jvalue(void) {
  ws();
  J *j;
  if (*jp == '{' || *jp == '[') {
    char close = *jp == '{' ? '}' : ']';
    j = jnew(*jp == '{' ? 'o' : 'a');
    jp++;
    size_t cap = 0;
    ws();
    while (*jp != close) {
      if (j->len == cap) {
        cap = cap ? cap * 2 : 8;
        j->keys = realloc(j->keys, cap * sizeof *j->keys);
        j->vals = realloc(j->vals, cap * sizeof *j->vals);
      }
      j->keys[j->len] = NULL;
      if (j->t == 'o') {
        size_t kl;
        ws();
        j->keys[j->len] = jstr(&kl);
        ws();
        if (*jp++ != ':') die("bad request: expected :");
      }
      j->vals[j->len++] = jvalue();
      ws();
      if (*jp == ',') jp++, ws();
      else if (*jp != close) die("bad request: expected , or %c", close);
    }
    jp++;
  } else if (*jp == '"') {
    j = jnew('s');
    j->s = jstr(&j->len);
  } else if (!strncmp(jp, "true", 4) || !strncmp(jp, "false", 5)) {
    j = jnew('b');
    j->n = *jp == 't';
    jp += *jp == 't' ? 4 : 5;
  } else if (!strncmp(jp, "null", 4)) {
    j = jnew('z');
    jp += 4;
  } else {
    char *end;
    j = jnew('n');
    j->n = strtod(jp, &end);
    if (end == jp) die("bad request: unexpected %.20s", jp);
    jp = end;
  }
  return j;
}

static void jfree(J *j) {
  if (!j) return;
  for (size_t i = 0; (j->t == 'o' || j->t == 'a') && i < j->len; i++) { free(j->keys[i]); jfree(j->vals[i]); }
  free(j->keys); free(j->vals); free(j->s); free(j);
}

static J *jget(J *o, const char *k) {
  for (size_t i = 0; o && o->t == 'o' && i < o->len; i++) if (!strcmp(o->keys[i], k)) return o->vals[i];
  return NULL;
}
static const char *js(J *o, const char *k) { J *v = jget(o, k); return v && v->t == 's' ? v->s : ""; }
static long jnum(J *o, const char *k) { J *v = jget(o, k); return v && (v->t == 'n' || v->t == 'b') ? (long)v->n : 0; }

/* ---- JSON out ---- */

typedef struct { char *p; size_t n, cap; } Buf;
static Buf out;

static void put(const char *s, size_t n) {
  if (out.n + n + 1 > out.cap) { out.cap = (out.n + n + 1) * 2; out.p = realloc(out.p, out.cap); if (!out.p) die("out of memory"); }
  memcpy(out.p + out.n, s, n);
  out.n += n;
}
static void puts_(const char *s) { put(s, strlen(s)); }
static void putf(const char *fmt, ...) {
  char tmp[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  put(tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}
static void putstr(const char *s) {
  put("\"", 1);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') { put("\\", 1); put(s, 1); }
    else if ((unsigned char)*s < 0x20) putf("\\u%04x", (unsigned char)*s);
    else put(s, 1);
  }
  put("\"", 1);
}
static void putb64(const unsigned char *d, size_t n) {
  static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  puts_("{\"$base64\":\"");
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = d[i] << 16 | (i + 1 < n ? d[i + 1] << 8 : 0) | (i + 2 < n ? d[i + 2] : 0);
    char q[4] = { A[v >> 18], A[(v >> 12) & 63], i + 1 < n ? A[(v >> 6) & 63] : '=', i + 2 < n ? A[v & 63] : '=' };
    put(q, 4);
  }
  puts_("\"}");
}
static void flush_line(void) {
  put("\n", 1);
  if (fwrite(out.p, 1, out.n, stdout) != out.n || fflush(stdout)) exit(0); /* the harness is gone */
  out.n = 0;
}

static unsigned char *b64decode(const char *s, size_t *n) {
  size_t L = strlen(s);
  unsigned char *d = xmalloc(L / 4 * 3 + 3);
  size_t k = 0;
  unsigned v = 0;
  int bits = 0;
  static signed char T[256];
  if (!T['B']) {
    const char *A = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    memset(T, -1, sizeof T);
    for (int i = 0; i < 64; i++) T[(unsigned char)A[i]] = (signed char)i;
  }
  for (; *s && *s != '='; s++) {
    int x = T[(unsigned char)*s];
    if (x < 0) die("bad request: not base64");
    v = v << 6 | (unsigned)x;
    bits += 6;
    if (bits >= 8) { bits -= 8; d[k++] = (unsigned char)(v >> bits); }
  }
  *n = k;
  return d;
}

/* ---- errno names: numbers differ between systems, names do not ---- */

static const char *errname(int e) {
  switch (e) {
#define E(x) case x: return #x;
    E(EPERM) E(ENOENT) E(EINTR) E(EIO) E(ENXIO) E(E2BIG) E(EBADF) E(ECHILD) E(ENOMEM) E(EACCES) E(EFAULT) E(EBUSY)
    E(EEXIST) E(EXDEV) E(ENODEV) E(ENOTDIR) E(EISDIR) E(EINVAL) E(ENFILE) E(EMFILE) E(ENOTTY) E(EFBIG) E(ENOSPC)
    E(ESPIPE) E(EROFS) E(EMLINK) E(EPIPE) E(ERANGE) E(ENAMETOOLONG) E(ENOSYS) E(ENOTEMPTY) E(ELOOP) E(EOVERFLOW)
    E(ENOTSOCK) E(EDESTADDRREQ) E(EMSGSIZE) E(EPROTOTYPE) E(ENOPROTOOPT) E(EPROTONOSUPPORT) E(EOPNOTSUPP)
    E(EAFNOSUPPORT) E(EADDRINUSE) E(EADDRNOTAVAIL) E(ENETUNREACH) E(ECONNABORTED) E(ECONNRESET) E(ENOBUFS)
    E(EISCONN) E(ENOTCONN) E(ETIMEDOUT) E(ECONNREFUSED) E(EHOSTUNREACH) E(EALREADY) E(EINPROGRESS) E(EAGAIN)
#undef E
    default: { static char tmp[32]; snprintf(tmp, sizeof tmp, "E#%d", e); return tmp; }
  }
}

/* ---- handles ---- */

/* closed: the number it had, -1 if never open; seen: its last name a sendto looked up (a datagram may still be sent there after it closed) */
typedef struct { char name[64]; int fd, closed; char seen[600]; } Handle;
static Handle **handles; /* pointers, so a Handle never moves: connect-fill makes thousands */
static int nhandles, cap_handles;

static Handle *handle(const char *name) {
  for (int i = nhandles - 1; i >= 0; i--) if (!strcmp(handles[i]->name, name)) return handles[i];
  if (nhandles == cap_handles) {
    cap_handles = cap_handles ? cap_handles * 2 : 64;
    handles = realloc(handles, (size_t)cap_handles * sizeof *handles);
    if (!handles) die("out of memory");
  }
  Handle *h = handles[nhandles++] = xmalloc(sizeof *h);
  snprintf(h->name, sizeof h->name, "%s", name);
  h->fd = h->closed = -1;
  h->seen[0] = 0;
  return h;
}
/* The highest descriptor this driver has made: a forked child closes everything up to it but its own. */
static int maxfd = 2;
static pthread_mutex_t maxfd_mu = PTHREAD_MUTEX_INITIALIZER;
static void seen_fd(int fd) { pthread_mutex_lock(&maxfd_mu); if (fd > maxfd) maxfd = fd; pthread_mutex_unlock(&maxfd_mu); }

static void bind_(const char *name, int fd) { Handle *h = handle(name); h->fd = fd; h->closed = -1; seen_fd(fd); }
static int fd_of(const char *name) {
  Handle *h = handle(name);
  if (h->fd >= 0) return h->fd;
  if (h->closed < 0) return -1; /* never bound, or its open failed */
  return fcntl(h->closed, F_GETFL) < 0 ? h->closed : NEVER_OPEN;
}

/* ---- the scenario's scratch dir ---- */

static char dir[512];

static void make_dir(void) {
  const char *tries[] = { getenv("TMPDIR"), "/tmp", "." };
  for (int i = 0; i < 3; i++) {
    if (!tries[i] || !*tries[i]) continue;
    /* Inside an ipcspec dir (the exec target's TMPDIR, removed by its owner) a short name: AF_UNIX
       paths of a given length must still fit after it (harness/temp-dirs.ts). */
    const char *slash = strrchr(tries[i], '/');
    int nested = strncmp(slash ? slash + 1 : tries[i], "ipcspec-", 8) == 0;
    snprintf(dir, sizeof dir, "%s/%s", tries[i], nested ? "d-XXXXXX" : "ipcspec-driver-XXXXXX");
    if (mkdtemp(dir)) return;
  }
  die("cannot make a scratch directory (TMPDIR, /tmp, .): %s", strerror(errno));
}
static void remove_dir(void) {
  DIR *d = opendir(dir);
  struct dirent *e;
  char p[1100];
  while (d && (e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    unlink(p);
  }
  if (d) closedir(d);
  rmdir(dir);
}
static const char *path_of(const char *rel, char *buf, size_t n) { snprintf(buf, n, "%s/%s", dir, rel); return buf; }

/* Any socket address; room beyond sun_path: a bind with a too-long path must reach the kernel (EINVAL). */
typedef union { struct sockaddr sa; struct sockaddr_un un; struct sockaddr_in in4; struct sockaddr_in6 in6; struct sockaddr_storage ss; char raw[512]; } Addr;

/* ---- actors: one thread each; a call that may block runs there ---- */

enum { OP_READ, OP_READV, OP_WRITE, OP_WRITEV, OP_OPEN, OP_RECV, OP_SEND, OP_ACCEPT, OP_CONNECT };

typedef struct Actor {
  char name[64];
  pthread_t thread;
  long tid;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int has_job, busy, done; /* busy: a call was issued and its completion not yet reported */
  int op, fd, flags, step, nparts;
  size_t size, sizes[64];
  unsigned char *data;
  char path[1100], as[64];
  int mflags; /* send/recv flags */
  Addr sa; /* connect: where to; accept: the peer */
  socklen_t salen;
  int watch, peer; /* TCP: what settles a blocking send or recv (W_*), and the peer's descriptor */
  long returned_at; /* a blocking TCP send: when its call returned, the wire not yet quiet (ms, 0: not yet) */
  int unseen; /* ... and the wire never went quiet within the long deadline: detail.arrival "not-seen" */
  long value;
  int err;
  unsigned char *rdata;
  long sys_a, sys_b; /* the syscall numbers it may sleep in */
} Actor;

static Actor *actors[64];
static int nactors;

/* accept4(SOCK_CLOEXEC) where it exists, else accept and FD_CLOEXEC. */
static int accept_cloexec(int fd, Addr *sa, socklen_t *len) {
#if IPCSPEC_LINUX
  int v = accept4(fd, &sa->sa, len, SOCK_CLOEXEC);
#else
  int v = accept(fd, &sa->sa, len);
  if (v >= 0) fcntl(v, F_SETFD, FD_CLOEXEC);
#endif
  if (v >= 0) seen_fd(v);
  return v;
}

static void *actor_main(void *arg) {
  Actor *a = arg;
  sigset_t s;
  sigfillset(&s);
  sigdelset(&s, SIGUSR1); /* only the driver's own teardown interrupts a call */
  pthread_sigmask(SIG_SETMASK, &s, NULL);
#if IPCSPEC_LINUX
  a->tid = (long)syscall(SYS_gettid);
#endif
  pthread_mutex_lock(&a->mu);
  pthread_cond_broadcast(&a->cv);
  for (;;) {
    while (!a->has_job) pthread_cond_wait(&a->cv, &a->mu);
    a->has_job = 0;
    pthread_mutex_unlock(&a->mu);
    long v = -1;
    struct iovec iov[64];
    size_t off = 0;
    for (int k = 0; k < a->nparts; k++) { iov[k].iov_base = a->data + off; iov[k].iov_len = a->sizes[k]; off += a->sizes[k]; }
    switch (a->op) {
      case OP_READ: v = read(a->fd, a->data, a->size); break;
      case OP_READV: v = readv(a->fd, iov, a->nparts); break;
      case OP_WRITE: v = write(a->fd, a->data, a->size); break;
      case OP_WRITEV: v = writev(a->fd, iov, a->nparts); break;
      case OP_OPEN: v = open(a->path, a->flags, 0600); if (v >= 0) seen_fd((int)v); break;
      case OP_RECV: v = recv(a->fd, a->data, a->size, a->mflags); break;
      case OP_SEND: v = send(a->fd, a->data, a->size, a->mflags); break;
      case OP_CONNECT: v = connect(a->fd, &a->sa.sa, a->salen); break;
      case OP_ACCEPT:
        a->salen = sizeof a->sa;
        v = accept_cloexec(a->fd, &a->sa, &a->salen);
        break;
    }
    int e = errno;
    pthread_mutex_lock(&a->mu);
    a->value = v;
    a->err = v < 0 ? e : 0;
    a->done = 1;
  }
  return NULL;
}

static void on_usr1(int sig) { (void)sig; }

static Actor *actor(const char *name) {
  for (int i = 0; i < nactors; i++) if (!strcmp(actors[i]->name, name)) return actors[i];
  if (nactors == 64) die("too many actors");
  Actor *a = xmalloc(sizeof *a);
  memset(a, 0, sizeof *a);
  snprintf(a->name, sizeof a->name, "%s", name);
  pthread_mutex_init(&a->mu, NULL);
  pthread_cond_init(&a->cv, NULL);
  pthread_mutex_lock(&a->mu);
  if (pthread_create(&a->thread, NULL, actor_main, a)) die("pthread_create failed");
  pthread_cond_wait(&a->cv, &a->mu); /* until it knows its tid */
  pthread_mutex_unlock(&a->mu);
  actors[nactors++] = a;
  return a;
}

static void start(Actor *a, int step, int op, long sys_a, long sys_b) {
  pthread_mutex_lock(&a->mu);
  a->step = step; a->op = op; a->sys_a = sys_a; a->sys_b = sys_b;
  a->done = 0; a->busy = 1; a->has_job = 1; a->returned_at = 0; a->unseen = 0; a->watch = 0; a->peer = -1;
  pthread_cond_signal(&a->cv);
  pthread_mutex_unlock(&a->mu);
}

static int is_done(Actor *a) {
  pthread_mutex_lock(&a->mu);
  int d = a->done;
  pthread_mutex_unlock(&a->mu);
  return d;
}

/* Is the actor asleep inside its call? Linux: thread state S and /proc naming that syscall. */
#if PROVEN
/* A /proc stat file says state S (asleep); the state follows the ')' that ends the command name. */
static int stat_says_asleep(const char *path) {
  char b[512];
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  size_t n = fread(b, 1, sizeof b - 1, f);
  fclose(f);
  b[n] = 0;
  char *rp = strrchr(b, ')');
  return rp && rp[1] == ' ' && rp[2] == 'S';
}
#endif

static int asleep_in(long tid, long sys_a, long sys_b) {
#if PROVEN
  char p[96];
  snprintf(p, sizeof p, "/proc/self/task/%ld/stat", tid);
  if (!stat_says_asleep(p)) return 0;
  snprintf(p, sizeof p, "/proc/self/task/%ld/syscall", tid);
  FILE *f = fopen(p, "r");
  if (!f) return 0;
  long nr = -1;
  if (fscanf(f, "%ld", &nr) != 1) nr = -1;
  fclose(f);
  return nr >= 0 && (nr == sys_a || nr == sys_b);
#else
  (void)tid; (void)sys_a; (void)sys_b;
  return 0;
#endif
}
static int asleep(Actor *a) { return asleep_in(a->tid, a->sys_a, a->sys_b); }

#if IPCSPEC_LINUX
#ifndef SYS_open
#define SYS_open SYS_openat
#endif
#define NR(x) SYS_##x
#else
#define NR(x) -1
#endif

/* ---- outcomes ---- */

static void ok_head(long v) { putf("{\"kind\":\"ok\",\"value\":%ld", v); }
/* The result of a call, errno read after it (argument evaluation order is unspecified). */
#define RESULT(expr) do { long v_ = (expr); outcome_sys(v_, errno); } while (0)
static void outcome_sys(long v, int err) {
  if (v < 0) { puts_("{\"kind\":\"err\",\"errno\":"); putstr(errname(err)); puts_("}"); }
  else { ok_head(v); puts_("}"); }
}
/* The outcome of a call whose wait for what must follow it (long deadline) expired: detail.arrival "not-seen". */
static void outcome_unseen(long v, int err) {
  if (v < 0) { puts_("{\"kind\":\"err\",\"errno\":"); putstr(errname(err)); }
  else ok_head(v);
  puts_(",\"detail\":{\"arrival\":\"not-seen\"}}");
}
/* The outcome of a call followed by a wait: plain when what must follow was seen. */
static void outcome_after(long v, int err, int seen) { if (seen) outcome_sys(v, err); else outcome_unseen(v, err); }
static void unsupported(const char *why) { puts_("{\"kind\":\"unsupported\",\"reason\":"); putstr(why); puts_("}"); }
/* What a read or receive returned: MSG_TRUNC may report more than it copied (size). */
static void outcome_data_(long v, int err, const unsigned char *d, size_t size, int close) {
  if (v < 0) { outcome_sys(v, err); return; }
  ok_head(v);
  puts_(",\"data\":");
  putb64(d, (size_t)v < size ? (size_t)v : size);
  if (close) puts_("}");
}
static void outcome_data(long v, int err, const unsigned char *d, size_t size) { outcome_data_(v, err, d, size, 1); }
static void put_addr_detail(const Addr *sa, socklen_t len);
static void sockname_of(int fd);

static void finish_actor_outcome(Actor *a) {
  if (a->op == OP_READ || a->op == OP_READV || a->op == OP_RECV) outcome_data(a->value, a->err, a->data, a->size);
  else if ((a->op == OP_ACCEPT || a->op == OP_CONNECT) && a->value >= 0) {
    ok_head(a->value);
    if (a->op == OP_ACCEPT) { bind_(a->as, (int)a->value); put_addr_detail(&a->sa, a->salen); }
    else sockname_of(a->fd);
    puts_("}");
  }
  else {
    if (a->op == OP_OPEN && a->value >= 0) bind_(a->as, (int)a->value);
    outcome_after(a->value, a->err, !a->unseen);
  }
  free(a->data);
  a->data = NULL;
}

static int may_block(int fd) { int fl = fcntl(fd, F_GETFL); return fl >= 0 && !(fl & O_NONBLOCK); }

static int cloexec_pipe(int fds[2], int nonblock) {
#if IPCSPEC_LINUX
  return pipe2(fds, O_CLOEXEC | (nonblock ? O_NONBLOCK : 0));
#else
  if (pipe(fds)) return -1;
  for (int k = 0; k < 2; k++) {
    fcntl(fds[k], F_SETFD, FD_CLOEXEC);
    if (nonblock) fcntl(fds[k], F_SETFL, fcntl(fds[k], F_GETFL) | O_NONBLOCK);
  }
  return 0;
#endif
}

static void *open_reader(void *p) { long fd = open((char *)p, O_RDONLY | O_CLOEXEC); return (void *)fd; }

static void make_pipe(int step, J *c) {
  const char *v = js(c, "variant");
  int nb = strstr(v, "nonblock") != NULL, fds[2];
  if (strncmp(v, "fifo", 4)) {
    if (cloexec_pipe(fds, nb)) { outcome_sys(-1, errno); return; }
  } else {
    char path[1100], name[64];
    snprintf(name, sizeof name, ".pipe-%d", step);
    path_of(name, path, sizeof path);
    if (mkfifo(path, 0600)) { outcome_sys(-1, errno); return; }
    if (nb) {
      if ((fds[0] = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0) { int e = errno; unlink(path); { outcome_sys(-1, e); return; } }
      fds[1] = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    } else {
      /* Both opens blocking, as a program would: the reader's open on a thread, the writer's here; they meet. */
      pthread_t t;
      void *r;
      if (pthread_create(&t, NULL, open_reader, path)) die("pthread_create failed");
      fds[1] = open(path, O_WRONLY | O_CLOEXEC);
      int e = errno;
      if (fds[1] < 0) { int x = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC); pthread_join(t, &r); if ((long)r >= 0) close((int)(long)r); if (x >= 0) close(x); errno = e; }
      else { pthread_join(t, &r); fds[0] = (int)(long)r; }
    }
    int e = errno;
    unlink(path);
    if (fds[1] < 0) { if (nb) close(fds[0]); { outcome_sys(-1, e); return; } }
    if (fds[0] < 0) { close(fds[1]); { outcome_sys(-1, e); return; } }
  }
  bind_(js(c, "read"), fds[0]);
  bind_(js(c, "write"), fds[1]);
  outcome_sys(0, 0);
}

/* Set up an I/O call (data and sizes) on an actor, then run it there or inline. */
static void io(int step, J *c, J *data, int op) {
  Actor tmp, *a = &tmp;
  int fd = fd_of(js(c, "fd"));
  int blocking = may_block(fd);
  if (blocking) a = actor(js(c, "actor"));
  memset(a->sizes, 0, sizeof a->sizes);
  a->fd = fd;
  a->op = op;
  a->nparts = 0;
  size_t total = 0;
  if (op == OP_READV || op == OP_WRITEV) {
    J *s = jget(c, "sizes");
    for (size_t k = 0; s && k < s->len && k < 64; k++) total += a->sizes[a->nparts++] = (size_t)s->vals[k]->n;
  } else total = (size_t)jnum(c, "size");
  a->size = total;
  if (op == OP_WRITE || op == OP_WRITEV) {
    size_t n = 0;
    a->data = b64decode(data ? js(data, "$base64") : "", &n);
    if (n != total) die("bad request: step %d carries %zu bytes for a %zu-byte write", step, n, total);
  } else a->data = xmalloc(total);
  if (blocking) {
    long nr = op == OP_READ ? NR(read) : op == OP_READV ? NR(readv) : op == OP_WRITE ? NR(write) : NR(writev);
    start(a, step, op, nr, nr);
    { puts_("{\"kind\":\"pending\"}"); return; }
  }
  struct iovec iov[64];
  size_t off = 0;
  for (int k = 0; k < a->nparts; k++) { iov[k].iov_base = a->data + off; iov[k].iov_len = a->sizes[k]; off += a->sizes[k]; }
  long v = op == OP_READ ? read(fd, a->data, total) : op == OP_READV ? readv(fd, iov, a->nparts)
         : op == OP_WRITE ? write(fd, a->data, total) : writev(fd, iov, a->nparts);
  a->value = v;
  a->err = errno;
  finish_actor_outcome(a);
}

static void open_fifo(int step, J *c) {
  char path[1100];
  int flags = (strcmp(js(c, "mode"), "read") ? O_WRONLY : O_RDONLY) | O_CLOEXEC | (jnum(c, "nonblock") ? O_NONBLOCK : 0);
  path_of(js(c, "path"), path, sizeof path);
  if (flags & O_NONBLOCK) {
    int fd = open(path, flags, 0600), e = errno;
    if (fd >= 0) bind_(js(c, "as"), fd);
    { outcome_sys(fd, e); return; }
  }
  Actor *a = actor(js(c, "actor"));
  snprintf(a->path, sizeof a->path, "%s", path);
  snprintf(a->as, sizeof a->as, "%s", js(c, "as"));
  a->flags = flags;
  a->data = NULL;
  start(a, step, OP_OPEN, NR(openat), NR(open));
  puts_("{\"kind\":\"pending\"}");
}

static void poll_step(int fd) {
  struct pollfd p = { fd, POLLIN | POLLOUT, 0 };
  int r;
  while ((r = poll(&p, 1, 0)) < 0 && errno == EINTR) {}
  if (r < 0) { outcome_sys(-1, errno); return; }
  ok_head(r);
  puts_(",\"detail\":{\"revents\":[");
  const char *names[] = { "POLLIN", "POLLOUT", "POLLERR", "POLLHUP", "POLLNVAL" };
  const short bits[] = { POLLIN, POLLOUT, POLLERR, POLLHUP, POLLNVAL };
  for (int k = 0, first = 1; k < 5; k++) if (p.revents & bits[k]) { if (!first) puts_(","); putstr(names[k]); first = 0; }
  puts_("]}}");
}

static void stat_step(const char *path) {
  struct stat st;
  if (lstat(path, &st)) { outcome_sys(-1, errno); return; }
  const char *t = S_ISFIFO(st.st_mode) ? "fifo" : S_ISREG(st.st_mode) ? "file" : S_ISDIR(st.st_mode) ? "directory" : "other";
  ok_head(0);
  puts_(",\"detail\":{\"type\":");
  putstr(t);
  putf(",\"size\":%lld}}", (long long)st.st_size);
}

static void child_step(int step, J *c, J *data, int reader);
static void pipeline_step(int step, J *c, J *data);
static void concurrent_writes(J *c, J *data);

static void socket_step(int step, J *c, J *data, const char *op);
static void close_step(J *c);
static const char *const SOCKET_OPS[] = { "socketpair", "socket", "bind", "listen", "connect", "accept", "send", "recv", "shutdown", "sockname",
                                          "connect-status", "connect-wait", "connect-fill", "set-buffers", "bind-unprivileged", NULL };
static int is_socket_op(const char *op) { for (int i = 0; SOCKET_OPS[i]; i++) if (!strcmp(op, SOCKET_OPS[i])) return 1; return 0; }

static void step_(J *req) {
  J *c = jget(req, "call");
  int step = (int)jnum(req, "step");
  const char *op = js(c, "op");
  char path[1100];
  putf("{\"type\":\"result\",\"step\":%d,\"outcome\":", step);
  if (!strcmp(op, "make-pipe")) make_pipe(step, c);
  else if (!strcmp(op, "read")) io(step, c, NULL, OP_READ);
  else if (!strcmp(op, "readv")) io(step, c, NULL, OP_READV);
  else if (!strcmp(op, "write")) io(step, c, jget(req, "data"), OP_WRITE);
  else if (!strcmp(op, "writev")) io(step, c, jget(req, "data"), OP_WRITEV);
  else if (!strcmp(op, "close")) close_step(c); else if (!strcmp(op, "dup")) {
    int fd = fcntl(fd_of(js(c, "fd")), F_DUPFD_CLOEXEC, 0);
    int e = errno;
    if (fd >= 0) bind_(js(c, "as"), fd);
    outcome_sys(fd, e);
  } else if (!strcmp(op, "set-nonblock")) {
    int fd = fd_of(js(c, "fd")), fl = fcntl(fd, F_GETFL);
    if (fl < 0) outcome_sys(-1, errno);
    else RESULT(fcntl(fd, F_SETFL, jnum(c, "on") ? fl | O_NONBLOCK : fl & ~O_NONBLOCK));
  } else if (!strcmp(op, "poll")) poll_step(fd_of(js(c, "fd")));
#if IPCSPEC_LINUX && defined(F_GETPIPE_SZ)
  else if (!strcmp(op, "get-pipe-size")) RESULT(fcntl(fd_of(js(c, "fd")), F_GETPIPE_SZ));
  else if (!strcmp(op, "set-pipe-size")) RESULT(fcntl(fd_of(js(c, "fd")), F_SETPIPE_SZ, (int)jnum(c, "size")));
#endif
  else if (!strcmp(op, "mkfifo")) {
    int r = mkfifo(path_of(js(c, "path"), path, sizeof path), 0600), e = errno;
    if (!r) { char keep[1100], name[64]; snprintf(name, sizeof name, ".keep-%d", step); link(path, path_of(name, keep, sizeof keep)); }
    outcome_sys(r, e);
  } else if (!strcmp(op, "open")) open_fifo(step, c);
  else if (!strcmp(op, "unlink")) RESULT(unlink(path_of(js(c, "path"), path, sizeof path)));
  else if (!strcmp(op, "stat")) stat_step(path_of(js(c, "path"), path, sizeof path));
  else if (!strcmp(op, "child-write")) child_step(step, c, jget(req, "data"), 0);
  else if (!strcmp(op, "child-read")) child_step(step, c, NULL, 1);
  else if (!strcmp(op, "pipeline")) pipeline_step(step, c, jget(req, "data"));
  else if (!strcmp(op, "concurrent-writes")) concurrent_writes(c, jget(req, "data"));
  else if (is_socket_op(op)) socket_step(step, c, jget(req, "data"), op);
  else { puts_("{\"kind\":\"unsupported\",\"reason\":"); putstr("op not implemented by ipcspec-driver.c"); puts_("}"); }
  puts_("}");
  flush_line();
}

/* ---- children: a real process inherits one descriptor (fork; it closes every other descriptor we made) ---- */

/* A child-write or child-read child, or a pipeline: pid the producer, pid2 the consumer (exited/status: each once reaped). */
typedef struct { pid_t pid, pid2; int step, reader, pipeline, status_fd, busy, exited[2], status[2]; char out[1100]; } Child;
static Child children[64];
static int nchildren;

static const char *signame(int sig) {
  switch (sig) {
#define S(x) case x: return #x;
    S(SIGPIPE) S(SIGKILL) S(SIGTERM) S(SIGINT) S(SIGHUP) S(SIGSEGV) S(SIGBUS) S(SIGABRT) S(SIGUSR1) S(SIGUSR2) S(SIGALRM) S(SIGQUIT)
#undef S
    default: { static char tmp[32]; snprintf(tmp, sizeof tmp, "SIG#%d", sig); return tmp; }
  }
}

/* In the forked child: only async-signal-safe calls. */
static void child_prepare(int keep1, int keep2, int keep3, int sigpipe_default) {
  sigset_t none;
  sigemptyset(&none);
  signal(SIGPIPE, sigpipe_default ? SIG_DFL : SIG_IGN);
  signal(SIGUSR1, SIG_DFL);
  sigprocmask(SIG_SETMASK, &none, NULL);
  for (int fd = 0; fd <= maxfd + 8; fd++) if (fd != keep1 && fd != keep2 && fd != keep3) close(fd);
}

static void child_step(int step, J *c, J *data, int reader) {
  int fd = fd_of(js(c, "fd"));
  if (fcntl(fd, F_GETFL) < 0) { outcome_sys(-1, errno); return; } /* as dup2 in a spawn would fail */
  if (nchildren == 64) die("too many children");
  Child *ch = &children[nchildren];
  memset(ch, 0, sizeof *ch);
  int st[2] = { -1, -1 }, out_fd = -1;
  size_t n = 0;
  unsigned char *bytes = NULL;
  if (reader) {
    char name[64];
    snprintf(name, sizeof name, ".out-%d", step);
    path_of(name, ch->out, sizeof ch->out);
    if ((out_fd = open(ch->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) { outcome_sys(-1, errno); return; }
  } else {
    bytes = b64decode(data ? js(data, "$base64") : "", &n);
    if (cloexec_pipe(st, 0)) { free(bytes); outcome_sys(-1, errno); return; }
  }
  seen_fd(out_fd); seen_fd(st[0]); seen_fd(st[1]);
  pid_t pid = fork();
  if (pid == 0) {
    if (reader) {
      child_prepare(fd, out_fd, -1, 1);
      char buf[65536];
      for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) _exit(r < 0 ? 1 : 0);
        for (ssize_t off = 0; off < r;) { ssize_t w = write(out_fd, buf + off, (size_t)(r - off)); if (w <= 0) _exit(1); off += w; }
      }
    }
    child_prepare(fd, st[1], -1, !strcmp(js(c, "sigpipe"), "default"));
    /* One write of everything, continued after a partial count, as dd bs=SIZE count=1 does. */
    for (size_t off = 0; off < n || n == 0;) {
      ssize_t w = write(fd, bytes + off, n - off);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) { int e = errno; ssize_t ignored = write(st[1], &e, sizeof e); (void)ignored; _exit(1); }
      off += (size_t)w;
      if (n == 0) break;
    }
    _exit(0);
  }
  int e = errno;
  free(bytes);
  if (out_fd >= 0) close(out_fd);
  if (st[1] >= 0) close(st[1]);
  if (pid < 0) { if (st[0] >= 0) close(st[0]); outcome_sys(-1, e); return; }
  ch->pid = pid; ch->step = step; ch->reader = reader; ch->status_fd = st[0]; ch->busy = 1;
  nchildren++;
  puts_("{\"kind\":\"pending\"}");
}

/* {"code":N,"signal":null} or {"code":null,"signal":"SIGPIPE"}; -1: it could not be reaped (127). */
static void put_exit(int status) {
  if (status != -1 && WIFSIGNALED(status)) { puts_("{\"code\":null,\"signal\":"); putstr(signame(WTERMSIG(status))); puts_("}"); }
  else putf("{\"code\":%d,\"signal\":null}", status != -1 ? WEXITSTATUS(status) : 127);
}
/* Reap pid (k: which of the child's processes) if it has exited. */
static int reaped(Child *ch, int k) {
  if (ch->exited[k]) return 1;
  int status;
  pid_t r = waitpid(k ? ch->pid2 : ch->pid, &status, WNOHANG);
  if (r == 0 || (r < 0 && errno == EINTR)) return 0;
  ch->exited[k] = 1;
  ch->status[k] = r > 0 ? status : -1;
  return 1;
}

/* Reaped (every process of it): report its exit (and what it saw or copied). Returns 0 while it still runs. */
static int child_done(Child *ch) {
  int prod_done = reaped(ch, 0), cons_done = !ch->pipeline || reaped(ch, 1);
  if (!prod_done || !cons_done) return 0;
  putf("{\"type\":\"complete\",\"step\":%d,\"outcome\":{\"kind\":\"ok\",\"value\":0,\"detail\":{", ch->step);
  puts_(ch->pipeline ? "\"producerExit\":" : "\"exit\":");
  put_exit(ch->status[0]);
  if (ch->pipeline) { puts_(",\"consumerExit\":"); put_exit(ch->status[1]); }
  if (ch->reader || ch->pipeline) {
    FILE *f = fopen(ch->out, "rb");
    size_t cap = 65536, n = 0, k;
    unsigned char *b = xmalloc(cap);
    while (f && (k = fread(b + n, 1, cap - n, f)) > 0) if ((n += k) == cap) b = realloc(b, cap *= 2);
    if (f) fclose(f);
    puts_(",\"output\":");
    putb64(b, n);
    free(b);
  } else {
    int e = 0;
    if (read(ch->status_fd, &e, sizeof e) == (ssize_t)sizeof e) { puts_(",\"errnoSeen\":"); putstr(errname(e)); }
    close(ch->status_fd);
  }
  puts_("}}}");
  flush_line();
  ch->busy = 0;
  return 1;
}

/* Every process of it has exited or sleeps (/proc/PID/stat state S). */
static int child_asleep(Child *ch) {
#if PROVEN
  char p[64];
  for (int k = 0; k <= ch->pipeline; k++) {
    if (ch->exited[k]) continue;
    snprintf(p, sizeof p, "/proc/%ld/stat", (long)(k ? ch->pid2 : ch->pid));
    if (!stat_says_asleep(p)) return 0;
  }
  return 1;
#else
  (void)ch;
  return 0;
#endif
}

/* In a forked child: stdin, stdout and stderr as given (stderr to /dev/null if -1), SIGPIPE at its default, then exec argv. */
static void exec_with(int in, int stdout_fd, char *const argv[]) {
  int null = open("/dev/null", O_RDWR);
  dup2(in >= 0 ? in : null, 0);
  dup2(stdout_fd, 1);
  dup2(null, 2);
  child_prepare(0, 1, 2, 1);
  execvp(argv[0], argv);
  _exit(127);
}

/* pipeline: prog1 | prog2 over a pipe made here, as the host target runs it (dd or yes | cat or head -n N); the driver keeps no end. */
static void pipeline_step(int step, J *c, J *data) {
  if (nchildren == 64) die("too many children");
  Child *ch = &children[nchildren];
  memset(ch, 0, sizeof *ch);
  J *prod = jget(c, "producer"), *cons = jget(c, "consumer");
  int yes = !strcmp(js(prod, "kind"), "yes"), fds[2], out_fd, in = -1;
  char file[1100], name[64], chunk[64], lines[64];
  snprintf(name, sizeof name, ".pipeline-%d", step);
  path_of(name, ch->out, sizeof ch->out);
  if (!yes && !data && jnum(prod, "size") > 0) { unsupported("the harness sent no producer bytes with this pipeline step"); return; }
  if (!yes) {
    /* the producer's bytes come with the step (computed by the harness) */
    size_t n;
    unsigned char *bytes = b64decode(data ? js(data, "$base64") : "", &n);
    snprintf(name, sizeof name, ".producer-%d", step);
    int f = open(path_of(name, file, sizeof file), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    size_t off = 0;
    while (f >= 0 && off < n) { ssize_t w = write(f, bytes + off, n - off); if (w <= 0) break; off += (size_t)w; }
    free(bytes);
    if (f < 0 || off < n) { int e = errno; if (f >= 0) close(f); outcome_sys(-1, e ? e : EIO); return; }
    close(f);
  }
  if (cloexec_pipe(fds, 0)) { outcome_sys(-1, errno); return; }
  if ((out_fd = open(ch->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) { int e = errno; close(fds[0]); close(fds[1]); outcome_sys(-1, e); return; }
  seen_fd(fds[0]); seen_fd(fds[1]); seen_fd(out_fd);
  snprintf(chunk, sizeof chunk, "bs=%ld", jnum(prod, "chunk"));
  snprintf(lines, sizeof lines, "%ld", jnum(cons, "lines"));
  char iff[1110];
  snprintf(iff, sizeof iff, "if=%s", file);
  char *pargv[] = { (char *)(yes ? "yes" : "dd"), yes ? NULL : iff, chunk, (char *)"status=none", NULL };
  char *cargv[] = { (char *)(strcmp(js(cons, "kind"), "cat") ? "head" : "cat"), (char *)"-n", lines, NULL };
  if (!strcmp(js(cons, "kind"), "cat")) cargv[1] = NULL;
  pid_t p1 = fork();
  if (p1 == 0) exec_with(in, fds[1], pargv);
  pid_t p2 = p1 < 0 ? -1 : fork();
  if (p2 == 0) exec_with(fds[0], out_fd, cargv);
  int e = errno;
  close(fds[0]);
  close(fds[1]);
  close(out_fd);
  if (p1 < 0 || p2 < 0) {
    if (p1 > 0) { kill(p1, SIGKILL); while (waitpid(p1, NULL, 0) < 0 && errno == EINTR) {} }
    outcome_sys(-1, e);
    return;
  }
  ch->pid = p1; ch->pid2 = p2; ch->step = step; ch->pipeline = 1; ch->status_fd = -1; ch->busy = 1;
  nchildren++;
  puts_("{\"kind\":\"pending\"}");
}

/* ---- concurrent writes: real threads each write their records; one drains the read end ---- */

typedef struct { int fd; unsigned char *recs; size_t size, count; long value; int err; } Writer;

static void *writer_main(void *p) {
  Writer *w = p;
  w->value = (long)w->count;
  for (size_t q = 0; q < w->count; q++) {
    ssize_t r = write(w->fd, w->recs + q * w->size, w->size);
    if (r < 0) { w->value = -1; w->err = errno; break; }
    if ((size_t)r < w->size) { w->value = -1; w->err = -1; break; } /* a short write: reported as SHORT_WRITE */
  }
  return NULL;
}

static void concurrent_writes(J *c, J *data) {
  int fd = fd_of(js(c, "fd")), rfd = fd_of(js(c, "reader"));
  size_t writers = (size_t)jnum(c, "writers"), records = (size_t)jnum(c, "records"), size = (size_t)jnum(c, "size"), n;
  unsigned char *all = b64decode(data ? js(data, "$base64") : "", &n);
  size_t total = writers * records * size;
  if (n != total || writers > 16) die("bad request: concurrent-writes carries %zu bytes, expected %zu", n, total);
  Writer w[16];
  pthread_t t[16];
  for (size_t k = 0; k < writers; k++) {
    w[k] = (Writer){ fd, all + k * records * size, size, records, 0, 0 };
    if (pthread_create(&t[k], NULL, writer_main, &w[k])) die("pthread_create failed");
  }
  unsigned char *got = xmalloc(total);
  size_t have = 0;
  long v = 0;
  int err = 0;
  while (have < total) {
    ssize_t r = read(rfd, got + have, total - have < 65536 ? total - have : 65536);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) { v = -1; err = errno; break; }
    if (r == 0) break;
    have += (size_t)r;
  }
  for (size_t k = 0; k < writers; k++) pthread_join(t[k], NULL);
  for (size_t k = 0; k < writers && v >= 0; k++) if (w[k].value < 0) { v = -1; err = w[k].err; }
  if (v < 0 && err == -1) puts_("{\"kind\":\"err\",\"errno\":\"SHORT_WRITE\"}");
  else if (v < 0) outcome_sys(-1, err);
  else { ok_head((long)have); puts_(",\"detail\":{\"records\":"); putb64(got, have); puts_("}}"); }
  free(all);
  free(got);
}

/* ---- sockets: addresses ---- */

static void error_outcome(const char *what) { puts_("{\"kind\":\"error\",\"message\":"); putstr(what); puts_("}"); }

/* SO_DOMAIN where it exists, else the family getsockname reports (an unnamed socket has one too). */
static int domain_of(int fd) {
  int d;
  socklen_t l = sizeof d;
#if IPCSPEC_LINUX && defined(SO_DOMAIN)
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &d, &l) == 0) return d;
  return -1;
#else
  Addr a;
  l = sizeof a;
  (void)d;
  return getsockname(fd, &a.sa, &l) == 0 ? a.sa.sa_family : -1;
#endif
}
static int type_of(int fd) { int t; socklen_t l = sizeof t; return getsockopt(fd, SOL_SOCKET, SO_TYPE, &t, &l) == 0 ? t : -1; }
static int is_dgram(int fd) { return type_of(fd) == SOCK_DGRAM; }
static int is_tcp(int fd) { int d = domain_of(fd); return d >= 0 && d != AF_UNIX && type_of(fd) == SOCK_STREAM; }

/* IPv6 text as RFC 5952 writes it (lower case, the longest run of 2+ zero groups as "::"), as the host target does. */
static void ipv6_text(const unsigned char *a, char *text, size_t n) {
  unsigned g[8];
  int at = -1, len = 1;
  for (int i = 0; i < 8; i++) g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
  for (int i = 0; i < 8;) {
    int j = i;
    while (j < 8 && g[j] == 0) j++;
    if (j - i > len) { at = i; len = j - i; }
    i = j == i ? i + 1 : j;
  }
  size_t k = 0;
  text[0] = 0;
  for (int i = 0; i < 8 && k < n; i++) {
    if (i == at) { k += (size_t)snprintf(text + k, n - k, "::"); i += len - 1; continue; }
    int sep = i > 0 && i != at + len;
    k += (size_t)snprintf(text + k, n - k, "%s%x", sep ? ":" : "", g[i]);
  }
}

/* "unix:PATH" (relative to the scratch dir when inside it; "unix:" unnamed or abstract), "A.B.C.D:PORT", "[V6]:PORT". */
static void fmt_addr(const Addr *a, socklen_t len, char *text, size_t n) {
  if (len < sizeof(sa_family_t)) { snprintf(text, n, "unix:"); return; }
  if (a->sa.sa_family == AF_UNIX) {
    char p[sizeof a->raw];
    size_t off = offsetof(struct sockaddr_un, sun_path), k = len > off ? len - off : 0;
    if (k > sizeof a->raw - off) k = sizeof a->raw - off;
    memcpy(p, a->raw + off, k);
    p[k] = 0;
    size_t dl = strlen(dir);
    const char *shown = dl && !strncmp(p, dir, dl) && p[dl] == '/' ? p + dl + 1 : p;
    snprintf(text, n, "unix:%s", shown);
  } else if (a->sa.sa_family == AF_INET) {
    const unsigned char *b = (const unsigned char *)&a->in4.sin_addr;
    snprintf(text, n, "%u.%u.%u.%u:%u", b[0], b[1], b[2], b[3], ntohs(a->in4.sin_port));
  } else if (a->sa.sa_family == AF_INET6) {
    char t[64];
    ipv6_text((const unsigned char *)&a->in6.sin6_addr, t, sizeof t);
    snprintf(text, n, "[%s]:%u", t, ntohs(a->in6.sin6_port));
  } else snprintf(text, n, "family%d", a->sa.sa_family);
}

/* getsockname (peer 0) or getpeername (peer 1) as a string; -1 with errno if the call failed. */
static int name_of(int fd, int peer, char *text, size_t n) {
  Addr a;
  socklen_t len = sizeof a;
  memset(&a, 0, sizeof a);
  if ((peer ? getpeername(fd, &a.sa, &len) : getsockname(fd, &a.sa, &len)) < 0) return -1;
  fmt_addr(&a, len, text, n);
  return 0;
}

static void put_addr_detail(const Addr *sa, socklen_t len) {
  char s[600];
  fmt_addr(sa, len, s, sizeof s);
  puts_(",\"detail\":{\"addr\":");
  putstr(s);
  puts_("}");
}
static void sockname_detail(int fd, int unseen) {
  char s[600];
  int named = name_of(fd, 0, s, sizeof s) == 0;
  if (!named && !unseen) return;
  puts_(",\"detail\":{");
  if (named) { puts_("\"addr\":"); putstr(s); }
  if (unseen) puts_(named ? ",\"arrival\":\"not-seen\"" : "\"arrival\":\"not-seen\"");
  puts_("}");
}
static void sockname_of(int fd) { sockname_detail(fd, 0); }

/* An address string as a sockaddr, as the host target encodes it: 1, or -2 for a path longer than sun_path, 0 if unreadable. */
static int encode_addr(const char *s, Addr *a, socklen_t *len) {
  memset(a, 0, sizeof *a);
  if (!strncmp(s, "unix:", 5)) {
    char p[1100];
    const char *rel = s + 5;
    if (rel[0] == '/' || !rel[0]) snprintf(p, sizeof p, "%s", rel);
    else path_of(rel, p, sizeof p);
    if (strlen(p) >= sizeof a->un.sun_path) return -2;
    a->un.sun_family = AF_UNIX;
    strcpy(a->un.sun_path, p);
    *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(p) + 1);
    return 1;
  }
  const char *colon = strrchr(s, ':');
  if (!colon) return 0;
  char host[100];
  unsigned port = (unsigned)atoi(colon + 1);
  if (s[0] == '[') {
    snprintf(host, sizeof host, "%.*s", (int)(colon - s - 2 > 0 ? colon - s - 2 : 0), s + 1);
    a->in6.sin6_family = AF_INET6;
    a->in6.sin6_port = htons((unsigned short)port);
    if (inet_pton(AF_INET6, host, &a->in6.sin6_addr) != 1) return 0;
    *len = sizeof a->in6;
    return 1;
  }
  snprintf(host, sizeof host, "%.*s", (int)(colon - s), s);
  a->in4.sin_family = AF_INET;
  a->in4.sin_port = htons((unsigned short)port);
  if (inet_pton(AF_INET, host, &a->in4.sin_addr) != 1) return 0;
  *len = sizeof a->in4;
  return 1;
}

/*
 * A SockAddr of the vocabulary for socket fd, as a sockaddr. Returns 1 (str holds it as a string), 3 a path of
 * exactly pathLength bytes, 4 an abstract name; 0 not expressible here, -1 the scratch dir is too long for that
 * path length, -2 a path too long for sun_path. {path} is in the scratch dir, {of: H} is what getsockname(H)
 * says ("unix:/nonexistent" if it cannot), {port: 0} the socket's family's loopback.
 */
static int sock_addr(J *a, int fd, Addr *ua, socklen_t *len, char *str, size_t n) {
  memset(ua, 0, sizeof *ua);
  str[0] = 0;
  if (!a || jget(a, "host")) return 0;
  if (jget(a, "pathLength")) {
    /* An absolute path of exactly N bytes in the scratch dir, NUL-terminated: "DIR/lenN-xxx". */
    long k = jnum(a, "pathLength");
    size_t off = offsetof(struct sockaddr_un, sun_path);
    char head[600];
    int hl = snprintf(head, sizeof head, "%s/len%ld-", dir, k);
    if (k - hl < 1) return -1;
    if ((size_t)k + 1 + off > sizeof ua->raw) return -2;
    ua->un.sun_family = AF_UNIX;
    memcpy(ua->raw + off, head, (size_t)hl);
    memset(ua->raw + off + hl, 'x', (size_t)(k - hl));
    *len = (socklen_t)(off + (size_t)k + 1);
    return 3;
  }
  if (jget(a, "abstract")) {
#if IPCSPEC_LINUX
    /* A Linux abstract name, unique to the scenario: "\0DIR/NAME"; addrlen counts no terminator. */
    ua->un.sun_family = AF_UNIX;
    int k = snprintf(ua->un.sun_path + 1, sizeof ua->un.sun_path - 1, "%s/%s", dir, js(a, "abstract"));
    *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)k);
    return 4;
#else
    return 0;
#endif
  }
  if (jget(a, "path")) snprintf(str, n, "unix:%s", js(a, "path"));
  else if (jget(a, "of")) { if (name_of(fd_of(js(a, "of")), 0, str, n) < 0) snprintf(str, n, "unix:/nonexistent"); }
  else snprintf(str, n, "%s", domain_of(fd) == AF_INET6 ? "[::1]:0" : "127.0.0.1:0");
  return encode_addr(str, ua, len);
}

/* An address sock_addr could not make: the outcome that says why. Returns 1 if it wrote one. */
static int addr_unsupported(int kind) {
  if (kind == 0) unsupported("this address cannot be expressed by ipcspec-driver.c here");
  else if (kind == -1) unsupported("the scratch dir is too long to build a path of that length in it");
  else if (kind == -2) unsupported("a path that long cannot be expressed");
  else return 0;
  return 1;
}

static int sock_cloexec(int fd, int nonblock) {
  if (fd < 0) return fd;
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  if (nonblock) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  seen_fd(fd);
  return fd;
}

static int family_of(const char *f) { return !strcmp(f, "inet") ? AF_INET : !strcmp(f, "inet6") ? AF_INET6 : AF_UNIX; }

/* ---- sockets: what loopback must do after a TCP or UDP call (Linux: the kernel shows it) ---- */

#if IPCSPEC_LINUX && defined(TCP_INFO)
#define NET_FACTS 1
#ifndef SO_MEMINFO
#define SO_MEMINFO 55
#endif
#else
#define NET_FACTS 0
#endif

#define NETWORK_DEADLINE_MS 10000 /* loopback must do it: at expiry the step reports detail.arrival "not-seen", for the model to judge */
#define CONNECT_WAIT_MS 30000     /* connect-wait: SYN retransmits come at 1, 3, 7, 15 s */

static long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

#if NET_FACTS
typedef struct { int ok; unsigned unacked, notsent; unsigned long long sent, received; } TcpInfo;
/* TCP_INFO by the kernel's layout (it only grows): tcpi_unacked, tcpi_notsent_bytes, tcpi_bytes_sent - tcpi_bytes_retrans, tcpi_bytes_received. */
static TcpInfo tcp_info(int fd) {
  unsigned char b[232];
  socklen_t l = sizeof b;
  TcpInfo t;
  unsigned long long retrans;
  memset(&t, 0, sizeof t);
  memset(b, 0, sizeof b);
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, b, &l) < 0 || l < 216) return t;
  t.ok = 1;
  memcpy(&t.unacked, b + 24, 4);
  memcpy(&t.notsent, b + 144, 4);
  memcpy(&t.sent, b + 200, 8);
  memcpy(&retrans, b + 208, 8);
  memcpy(&t.received, b + 128, 8);
  t.sent -= retrans;
  return t;
}
/* A listener's accept queue length (its tcpi_unacked), -1 if unreadable. */
static long accept_queue(int fd) {
  unsigned char b[232];
  socklen_t l = sizeof b;
  unsigned v;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, b, &l) < 0 || l < 28) return -1;
  memcpy(&v, b + 24, 4);
  return v;
}
/* SO_MEMINFO: SK_MEMINFO_RMEM_ALLOC (bytes queued for receiving) and SK_MEMINFO_DROPS (a listener's dropped SYNs). */
static int meminfo(int fd, long *rmem, long *drops) {
  unsigned v[9];
  socklen_t l = sizeof v;
  *rmem = *drops = -1;
  if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, v, &l) < 0 || l < sizeof v) return -1;
  *rmem = v[0];
  *drops = v[8];
  return 0;
}
static long inq(int fd) { int v = 0; return ioctl(fd, FIONREAD, &v) < 0 ? -1 : v; }
static long outq(int fd) { int v = 0; return ioctl(fd, TIOCOUTQ, &v) < 0 ? -1 : v; }
/* ICMP (v4) or ICMPv6 destination unreachables received in this network namespace, -1 if unreadable. */
static long icmp_unreach(int fam) {
  char line[4096], keys[4096];
  long v = -1;
  FILE *f = fopen(fam == AF_INET6 ? "/proc/net/snmp6" : "/proc/net/snmp", "r");
  if (!f) return -1;
  keys[0] = 0;
  while (fgets(line, sizeof line, f)) {
    if (fam == AF_INET6) { if (sscanf(line, "Icmp6InDestUnreachs %ld", &v) == 1) break; continue; }
    if (strncmp(line, "Icmp:", 5)) continue;
    if (!keys[0]) { snprintf(keys, sizeof keys, "%s", line); continue; }
    /* the values line: the field at the position of InDestUnreachs in the keys line */
    char *ks, *vs, *k = strtok_r(keys, " \n", &ks), *x = strtok_r(line, " \n", &vs);
    while (k && x && strcmp(k, "InDestUnreachs")) { k = strtok_r(NULL, " \n", &ks); x = strtok_r(NULL, " \n", &vs); }
    if (k && x) v = atol(x);
    break;
  }
  fclose(f);
  return v;
}
/* The connection broke (POLLERR or POLLHUP): nothing more will move. */
static int tcp_broken(int fd) { struct pollfd p = { fd, 0, 0 }; return poll(&p, 1, 0) >= 0 && (p.revents & (POLLERR | POLLHUP)); }
/* Every data byte sent has arrived (a FIN counts one more in tcpi_bytes_received). */
static int arrived(TcpInfo i, TcpInfo j) { return j.received >= i.sent; }
/* sender -> receiver has nothing in flight and no window update pending (harness/host/tcp-quiet.ts). */
static int tcp_quiet(int sender, int receiver) {
  TcpInfo i = tcp_info(sender), j = tcp_info(receiver);
  if (!i.ok || !j.ok) return 1;
  return arrived(i, j) && (i.notsent == 0 || (i.unacked == 0 && inq(receiver) > 0));
}
/* A sender asleep in sendto may stay so: its unsent bytes wait behind a receiver holding data, nothing unacknowledged. */
static int tcp_sender_may_wait(int sender, int receiver) {
  TcpInfo i = tcp_info(sender), j = tcp_info(receiver);
  if (!i.ok || !j.ok) return 1;
  return arrived(i, j) && i.unacked == 0 && i.notsent > 0 && inq(receiver) > 0;
}
/* A receiver asleep in recvfrom may stay so: every byte the sender queued has arrived and it queues no more. */
static int tcp_nothing_coming(int sender, int receiver) {
  TcpInfo i = tcp_info(sender), j = tcp_info(receiver);
  if (!i.ok || !j.ok) return 1;
  return arrived(i, j) && i.notsent == 0;
}
#endif


/* The session's TCP socket connected to fd (its name is fd's peer name), or -1. */
static int peer_of(int fd) {
  char me[600], mine[600], a[600], b[600];
  if (name_of(fd, 0, me, sizeof me) < 0 || name_of(fd, 1, mine, sizeof mine) < 0) return -1;
  for (int i = 0; i < nhandles; i++) {
    int o = handles[i]->fd;
    if (o < 0 || o == fd || !is_tcp(o)) continue;
    if (name_of(o, 1, a, sizeof a) == 0 && !strcmp(a, me) && name_of(o, 0, b, sizeof b) == 0 && !strcmp(b, mine)) return o;
  }
  return -1;
}

/* Something loopback must do, as a condition to wait for (harness/host/exec-*.ts). */
enum { W_NONE, W_FIN, W_SEND, W_SEND_NOPEER, W_ARRIVALS, W_RECV, W_HANDSHAKE, W_UDP_RECEIVER, W_UDP_POLLERR, W_UDP_ICMP };
typedef struct { int kind, fd, peer, fam; long q, d, rmem, drops, icmp; Actor *actor; } Wait;

static int wait_over(const Wait *w) {
#if NET_FACTS
  struct pollfd p = { w->peer, 0, 0 };
  long r, d;
  switch (w->kind) {
    case W_FIN: /* the peer has seen the FIN (or a reset) */
      p.events = POLLRDHUP;
      return poll(&p, 1, 0) < 0 || (p.revents & (POLLRDHUP | POLLERR | POLLHUP));
    case W_SEND: return tcp_quiet(w->fd, w->peer) || tcp_broken(w->fd);
    case W_SEND_NOPEER: { long q = outq(w->fd); return q <= 0 || tcp_broken(w->fd); }
    case W_ARRIVALS: return tcp_quiet(w->peer, w->fd) || tcp_broken(w->fd);
    case W_HANDSHAKE:
      meminfo(w->peer, &r, &d);
      if (accept_queue(w->peer) > w->q || d > w->drops) return 1;
      return w->actor && is_done(w->actor) && w->actor->value < 0;
    case W_UDP_RECEIVER: meminfo(w->peer, &r, &d); return r != w->rmem || d != w->drops;
    case W_UDP_POLLERR: p.fd = w->fd; p.events = POLLERR; return poll(&p, 1, 0) > 0 && (p.revents & POLLERR);
    case W_UDP_ICMP: return icmp_unreach(w->fam) > w->icmp; /* another sender's unreachable could end this early: then the check can only miss */
  }
#else
  (void)w;
#endif
  return 1;
}

/* Wait (long deadline) until w is over. 0 at expiry: the step then reports its outcome with
 * detail.arrival "not-seen" (what must follow never did), and the model judges whether the profile
 * promised it; a harness error is kept for a target that is itself broken. */
static int until(const Wait *w) {
  long t0 = now_ms();
  for (long spins = 0; !wait_over(w); spins++) {
    if (now_ms() - t0 > NETWORK_DEADLINE_MS) return 0;
    if (spins < 100) sched_yield();
    else { struct timespec ts = { 0, 1000000 }; nanosleep(&ts, NULL); }
  }
  return 1;
}

/* Before a connect to listener: its accept queue and drops now, to see the handshake queued or the SYN dropped. */
static int handshake_watch(int listener, Wait *w) {
#if NET_FACTS
  memset(w, 0, sizeof *w);
  w->kind = W_HANDSHAKE;
  w->peer = listener;
  w->q = accept_queue(listener);
  return w->q >= 0 && meminfo(listener, &w->rmem, &w->drops) == 0;
#else
  (void)listener; (void)w;
  return 0;
#endif
}

/* ---- sockets: the steps ---- */

static void sock_create(J *c, const char *op) {
  int nb = (int)jnum(c, "nonblock"), type = jnum(c, "dgram") ? SOCK_DGRAM : SOCK_STREAM;
  if (!strcmp(op, "socketpair")) {
    int sv[2];
    if (socketpair(AF_UNIX, type, 0, sv)) { outcome_sys(-1, errno); return; }
    bind_(js(c, "a"), sock_cloexec(sv[0], nb));
    bind_(js(c, "b"), sock_cloexec(sv[1], nb));
    outcome_sys(0, 0);
    return;
  }
  if (jget(c, "host")) { unsupported("test hosts are not implemented by ipcspec-driver.c"); return; }
  int fd = socket(family_of(js(c, "family")), type, 0), e = errno;
  if (fd >= 0) bind_(js(c, "as"), sock_cloexec(fd, nb));
  outcome_sys(fd, e);
}

static void sock_bind(J *c) {
  int fd = fd_of(js(c, "fd"));
  Addr ua;
  socklen_t len = 0;
  char str[600];
  int kind = sock_addr(jget(c, "addr"), fd, &ua, &len, str, sizeof str);
  if (addr_unsupported(kind)) return;
  if (bind(fd, &ua.sa, len) < 0) { outcome_sys(-1, errno); return; }
  ok_head(0);
  if (kind == 3 || kind == 4) {
    /* The bound name as the kernel has it: absolute for a path (its length is the point), "@NAME" for an abstract one. */
    Addr got;
    socklen_t gl = sizeof got;
    memset(&got, 0, sizeof got);
    char shown[sizeof got.un.sun_path + 8];
    getsockname(fd, &got.sa, &gl);
    size_t off = offsetof(struct sockaddr_un, sun_path), n = gl > off ? gl - off : 0, dl = strlen(dir);
    if (n > sizeof got.un.sun_path) n = sizeof got.un.sun_path;
    if (kind == 3) snprintf(shown, sizeof shown, "unix:%.*s", (int)strnlen(got.un.sun_path, n), got.un.sun_path);
    else {
      const char *name = got.un.sun_path + 1;
      int nl = n > 0 ? (int)n - 1 : 0;
      if (nl > (int)dl && !strncmp(name, dir, dl) && name[dl] == '/') { name += dl + 1; nl -= (int)dl + 1; }
      snprintf(shown, sizeof shown, "unix:@%.*s", nl, name);
    }
    puts_(",\"detail\":{\"addr\":");
    putstr(shown);
    puts_("}");
  } else sockname_of(fd);
  puts_("}");
}

/* connect: a TCP connect waits until the listener queued the handshake or dropped the SYN; a blocking one runs on its actor. */
static void sock_connect(int step, J *c) {
  int fd = fd_of(js(c, "fd"));
  J *to = jget(c, "to");
  Addr ua;
  socklen_t len = 0;
  char str[600];
  int kind = sock_addr(to, fd, &ua, &len, str, sizeof str);
  if (addr_unsupported(kind)) return;
  Wait w;
  int watch = is_tcp(fd) && jget(to, "of") && handshake_watch(fd_of(js(to, "of")), &w);
  /* A datagram connect only sets the default destination: it never blocks. A name longer than sun_path fails at once (EINVAL). */
  if (may_block(fd) && !is_dgram(fd) && len <= sizeof(struct sockaddr_un)) {
    Actor *a = actor(js(c, "actor"));
    a->fd = fd; a->sa = ua; a->salen = len; a->data = NULL;
    start(a, step, OP_CONNECT, NR(connect), NR(connect));
    /* the handshake not seen within the deadline: the connect is still out, and the settle says where it is */
    if (watch) { w.actor = a; until(&w); }
    puts_("{\"kind\":\"pending\"}");
    return;
  }
  int r = connect(fd, &ua.sa, len), e = errno;
  int unseen = watch && (r == 0 || e == EINPROGRESS) && !until(&w);
  if (r < 0 && e != EINPROGRESS) { outcome_sys(-1, e); return; }
  if (r < 0) { puts_("{\"kind\":\"err\",\"errno\":\"EINPROGRESS\""); sockname_detail(fd, unseen); puts_("}"); return; }
  ok_head(0);
  sockname_detail(fd, unseen);
  puts_("}");
}

static void sock_accept(int step, J *c) {
  int fd = fd_of(js(c, "fd"));
  Actor tmp, *a = &tmp;
  if (may_block(fd)) a = actor(js(c, "actor"));
  a->fd = fd; a->op = OP_ACCEPT; a->data = NULL;
  snprintf(a->as, sizeof a->as, "%s", js(c, "as"));
  if (a != &tmp) { start(a, step, OP_ACCEPT, NR(accept4), NR(accept)); puts_("{\"kind\":\"pending\"}"); return; }
  a->salen = sizeof a->sa;
  a->value = accept_cloexec(fd, &a->sa, &a->salen);
  a->err = errno;
  finish_actor_outcome(a);
}

/* The bytes a send carries; 0 (and a fatal diagnostic) if they do not match its size. */
static unsigned char *send_bytes(int step, J *c, J *data, size_t *size) {
  size_t n;
  *size = (size_t)jnum(c, "size");
  unsigned char *d = b64decode(data ? js(data, "$base64") : "", &n);
  if (n != *size) die("bad request: step %d carries %zu bytes for a %zu-byte send", step, n, *size);
  return d;
}
static int recv_flags(J *c) {
  return (jnum(c, "waitall") ? MSG_WAITALL : 0) | (jnum(c, "dontwait") ? MSG_DONTWAIT : 0) | (jnum(c, "peek") ? MSG_PEEK : 0) | (jnum(c, "trunc") ? MSG_TRUNC : 0);
}
static int send_dontwait(J *c) { return !(jget(c, "dontwait") && !jnum(c, "dontwait")); }

/* Over TCP a send waits until the connection is quiet: what it sent has arrived, or waits behind the peer's full window. */
static void stream_send(int step, J *c, J *data, int fd) {
  size_t size;
  unsigned char *bytes = send_bytes(step, c, data, &size);
  Wait w;
  memset(&w, 0, sizeof w);
  if (is_tcp(fd)) { w.fd = fd; w.peer = peer_of(fd); w.kind = w.peer >= 0 ? W_SEND : W_SEND_NOPEER; }
  int dontwait = send_dontwait(c);
  if (!dontwait && may_block(fd)) {
    Actor *a = actor(js(c, "actor"));
    a->fd = fd; a->data = bytes; a->size = size; a->mflags = MSG_NOSIGNAL;
    start(a, step, OP_SEND, NR(sendto), NR(sendto));
    a->watch = w.kind; a->peer = w.peer;
    puts_("{\"kind\":\"pending\"}");
    return;
  }
  long r = send(fd, bytes, size, (dontwait ? MSG_DONTWAIT : 0) | MSG_NOSIGNAL);
  int e = errno;
  free(bytes);
  outcome_after(r, e, r < 0 || !w.kind || until(&w));
}

/* Over TCP a recv first waits until what the peer sent has arrived; a blocking one counts as blocked only once nothing more is coming. */
static void stream_recv(int step, J *c, int fd) {
  int flags = recv_flags(c), peer = is_tcp(fd) ? peer_of(fd) : -1;
  if (peer >= 0) {
    /* expiry: the recv runs anyway, and what it returns is the observation */
    Wait w = { W_ARRIVALS, fd, peer, 0, 0, 0, 0, 0, 0, NULL };
    until(&w);
  }
  Actor tmp, *a = &tmp;
  if (!(flags & MSG_DONTWAIT) && may_block(fd)) a = actor(js(c, "actor"));
  a->fd = fd; a->op = OP_RECV; a->mflags = flags; a->size = (size_t)jnum(c, "size");
  a->data = xmalloc(a->size);
  if (a != &tmp) {
    start(a, step, OP_RECV, NR(recvfrom), NR(recvfrom));
    if (peer >= 0) { a->watch = W_RECV; a->peer = peer; }
    puts_("{\"kind\":\"pending\"}");
    return;
  }
  a->value = recv(fd, a->data, a->size, flags);
  a->err = errno;
  finish_actor_outcome(a);
}

/* Where a sendto goes: {of: H} is H's name now, or the last one seen while it was open. 0 if never seen. */
static int destination(J *to, int fd, Addr *ua, socklen_t *len, char *str, size_t n) {
  if (!jget(to, "of")) return sock_addr(to, fd, ua, len, str, n);
  Handle *h = handle(js(to, "of"));
  if (h->fd >= 0 && name_of(h->fd, 0, str, n) == 0) snprintf(h->seen, sizeof h->seen, "%s", str);
  if (!h->seen[0]) return -3;
  snprintf(str, n, "%s", h->seen);
  return encode_addr(str, ua, len);
}

/* After a UDP datagram left, what loopback must do: the receiver queued or dropped it, or the ICMP unreachable came back. */
static int udp_settle(int fd, const char *to, Wait *w) {
  memset(w, 0, sizeof *w);
#if NET_FACTS
  char addr[600], name[600];
  int fam = domain_of(fd);
  if (fam != AF_INET && fam != AF_INET6) return 0;
  if (to) snprintf(addr, sizeof addr, "%s", to);
  else if (name_of(fd, 1, addr, sizeof addr) < 0) return 0;
  w->fd = fd;
  w->fam = fam;
  for (int i = 0; i < nhandles; i++) {
    int o = handles[i]->fd;
    if (o < 0 || o == fd || !is_dgram(o) || name_of(o, 0, name, sizeof name) < 0 || strcmp(name, addr)) continue;
    w->kind = W_UDP_RECEIVER;
    w->peer = o;
    meminfo(o, &w->rmem, &w->drops);
    return 1;
  }
  w->kind = to ? W_UDP_ICMP : W_UDP_POLLERR;
  if (to) w->icmp = icmp_unreach(fam);
  return 1;
#else
  (void)fd; (void)to;
  return 0;
#endif
}

static void dgram_send(int step, J *c, J *data, int fd) {
  J *to = jget(c, "to");
  Addr ua;
  socklen_t len = 0;
  char str[600];
  if (to) {
    int kind = destination(to, fd, &ua, &len, str, sizeof str);
    if (kind == -3) { snprintf(str, sizeof str, "sendto %s: its address was never seen while it was open", js(to, "of")); error_outcome(str); return; }
    if (addr_unsupported(kind)) return;
  }
  size_t size;
  unsigned char *bytes = send_bytes(step, c, data, &size);
  if (!send_dontwait(c) && may_block(fd)) {
    /* an AF_UNIX send into a full queue sleeps until a receive makes room */
    if (to) { free(bytes); error_outcome("a blocking sendto is not a step the walks make"); return; }
    Actor *a = actor(js(c, "actor"));
    a->fd = fd; a->data = bytes; a->size = size; a->mflags = MSG_NOSIGNAL;
    start(a, step, OP_SEND, NR(sendto), NR(sendto));
    puts_("{\"kind\":\"pending\"}");
    return;
  }
  Wait w;
  int settle = udp_settle(fd, to ? str : NULL, &w);
  long r = to ? sendto(fd, bytes, size, MSG_DONTWAIT | MSG_NOSIGNAL, &ua.sa, len) : send(fd, bytes, size, MSG_DONTWAIT | MSG_NOSIGNAL);
  int e = errno;
  free(bytes);
  /* the datagram queued or dropped at its receiver, or the ICMP port unreachable back; else "not-seen" */
  outcome_after(r, e, r < 0 || !settle || until(&w));
}

/* A nonblocking datagram receive is recvmsg: msg_flags (MSG_TRUNC) and the sender's address come with it. */
static void dgram_recv(int step, J *c, int fd) {
  int flags = recv_flags(c);
  size_t size = (size_t)jnum(c, "size");
  if (flags & MSG_DONTWAIT) {
    unsigned char *d = xmalloc(size);
    Addr nm;
    struct iovec iov = { d, size };
    struct msghdr m;
    memset(&m, 0, sizeof m);
    memset(&nm, 0, sizeof nm);
    m.msg_name = &nm;
    m.msg_namelen = sizeof nm.ss;
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    long v;
    while ((v = recvmsg(fd, &m, flags)) < 0 && errno == EINTR) {}
    if (v < 0) { outcome_sys(-1, errno); free(d); return; }
    char a[600];
    if (m.msg_namelen < 2) snprintf(a, sizeof a, "unix:");
    else fmt_addr(&nm, m.msg_namelen, a, sizeof a);
    outcome_data_(v, 0, d, size, 0);
    puts_(",\"detail\":{\"msgFlags\":[");
    if (m.msg_flags & MSG_TRUNC) putstr("MSG_TRUNC");
    puts_("],\"addr\":");
    putstr(a);
    puts_("}}");
    free(d);
    return;
  }
  Actor tmp, *a = &tmp;
  if (may_block(fd)) a = actor(js(c, "actor"));
  a->fd = fd; a->op = OP_RECV; a->mflags = flags; a->size = size;
  a->data = xmalloc(size);
  if (a != &tmp) { start(a, step, OP_RECV, NR(recvfrom), NR(recvfrom)); puts_("{\"kind\":\"pending\"}"); return; }
  a->value = recv(fd, a->data, size, flags);
  a->err = errno;
  finish_actor_outcome(a);
}

/* Before closing or shutting down a TCP socket: its peer, to wait until it has seen the FIN; -1 if none. */
static int fin_watch(int fd) { return is_tcp(fd) ? peer_of(fd) : -1; }
static int fin_seen(int peer) {
  Wait w = { W_FIN, -1, peer, 0, 0, 0, 0, 0, 0, NULL };
  return peer < 0 || until(&w);
}

static void sock_shutdown(J *c) {
  int fd = fd_of(js(c, "fd"));
  const char *how = js(c, "how");
  /* only a write half shut sends a FIN for the peer to see; SHUT_RD has no effect on the wire */
  int peer = strcmp(how, "rd") ? fin_watch(fd) : -1;
  int r = shutdown(fd, !strcmp(how, "wr") ? SHUT_WR : !strcmp(how, "rd") ? SHUT_RD : SHUT_RDWR), e = errno;
  outcome_after(r, e, r != 0 || fin_seen(peer));
}

static void sock_name(J *c) {
  Addr sa;
  socklen_t len = sizeof sa;
  int fd = fd_of(js(c, "fd"));
  memset(&sa, 0, sizeof sa);
  int r = jnum(c, "peer") ? getpeername(fd, &sa.sa, &len) : getsockname(fd, &sa.sa, &len);
  if (r < 0) { outcome_sys(-1, errno); return; }
  ok_head(0);
  put_addr_detail(&sa, len);
  puts_("}");
}

/* poll(POLLOUT) said the connect is over: 1 connected, or its error (SO_ERROR). */
static void connect_result(int fd) {
  int soerr = 0;
  socklen_t l = sizeof soerr;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &l) < 0) outcome_sys(-1, errno);
  else if (soerr) outcome_sys(-1, soerr);
  else outcome_sys(1, 0);
}

/* connect-status (wait 0) and connect-wait: something that must happen, so a long deadline, and at expiry the honest "still in progress" (0). */
static void connect_poll(J *c, int wait) {
  int fd = fd_of(js(c, "fd"));
  long t0 = now_ms();
  for (;;) {
    struct pollfd p = { fd, POLLOUT, 0 };
    if (poll(&p, 1, 0) < 0) { if (errno == EINTR) continue; outcome_sys(-1, errno); return; }
    if (p.revents & (POLLOUT | POLLERR | POLLHUP)) { connect_result(fd); return; }
    if (!wait || now_ms() - t0 > CONNECT_WAIT_MS) { outcome_sys(0, 0); return; }
    struct timespec ts = { 0, 2000000 };
    nanosleep(&ts, NULL);
  }
}

/* connect-fill: nonblocking sockets AS1, AS2, ... connect to `to` until one does not complete at once (AF_UNIX: it fails; TCP: the SYN is dropped). */
static void connect_fill(J *c) {
  int fam = family_of(js(c, "family")), count = (int)jnum(c, "count");
  J *to = jget(c, "to");
  int listener = jget(to, "of") ? fd_of(js(to, "of")) : -1, tcp = fam != AF_UNIX && jget(to, "of");
  for (int n = 0; n < count; n++) {
    int k = socket(fam, SOCK_STREAM, 0), e = errno;
    if (k < 0) { outcome_sys(-1, e); return; }
    char as[80];
    snprintf(as, sizeof as, "%s%d", js(c, "as"), n + 1);
    bind_(as, sock_cloexec(k, 1));
    Addr ua;
    socklen_t len = 0;
    char str[600];
    int kind = sock_addr(to, k, &ua, &len, str, sizeof str);
    if (addr_unsupported(kind)) return;
    Wait w;
    if (tcp && !handshake_watch(listener, &w)) { error_outcome("connect-fill: cannot read the listener's accept queue and drops"); return; }
    int r = connect(k, &ua.sa, len);
    e = errno;
    if (!tcp) { if (r < 0) { outcome_sys(n, 0); return; } continue; }
    if (r == 0) { error_outcome("a nonblocking TCP connect returned 0 at once"); return; }
    if (e != EINPROGRESS) { outcome_sys(n, 0); return; }
    /* neither queued nor dropped within the deadline: it did not complete, and the count says so */
    if (!until(&w)) { outcome_unseen(n, 0); return; }
#if NET_FACTS
    if (accept_queue(listener) <= w.q) { outcome_sys(n, 0); return; } /* dropped */
#endif
  }
  outcome_sys(count, 0);
}

/* set-buffers: SO_SNDBUF, then SO_RCVBUF, each if given (fixed sizes keep a loopback receiver from outgrowing its memory). */
static void set_buffers(J *c) {
  int fd = fd_of(js(c, "fd"));
  const char *which[2] = { "snd", "rcv" };
  const int opt[2] = { SO_SNDBUF, SO_RCVBUF };
  for (int k = 0; k < 2; k++) {
    if (!jget(c, which[k])) continue;
    int v = (int)jnum(c, which[k]);
    if (setsockopt(fd, SOL_SOCKET, opt[k], &v, sizeof v) < 0) { outcome_sys(-1, errno); return; }
  }
  outcome_sys(0, 0);
}

/* ---- bind-unprivileged: a child process (this driver, exec'd afresh) drops to uid/gid 65534, then binds ---- */

#define UNPRIVILEGED_UID 65534
static char *self_exe;

/* In the child: one line "ok ADDR UID EUID NBS", "err ERRNO UID EUID NBS" or "fail WHY", on stdout. */
static int unprivileged_main(const char *family, const char *port) {
  if (getuid() == 0 && (setgroups(0, NULL) || setgid(UNPRIVILEGED_UID) || setuid(UNPRIVILEGED_UID))) {
    printf("fail dropping privileges: %s\n", errname(errno));
    return 0;
  }
  /* The credentials the bind runs with, so that a bind that kept its privilege can never pass. */
  long uid = (long)getuid(), euid = (long)geteuid();
  int nbs = 0;
#if IPCSPEC_LINUX
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  int seen = 0;
  while (f && fgets(line, sizeof line, f)) {
    unsigned long long cap;
    if (sscanf(line, "CapEff: %llx", &cap) == 1) { nbs = (cap >> 10) & 1; seen = 1; } /* CAP_NET_BIND_SERVICE */
  }
  if (f) fclose(f);
  if (!seen) { printf("fail cannot read CapEff from /proc/self/status\n"); return 0; }
#else
  nbs = euid == 0; /* no capabilities: only root binds a protected port */
#endif
  int fam = family_of(family), s = socket(fam, SOCK_STREAM, 0);
  if (s < 0) { printf("fail socket: %s\n", errname(errno)); return 0; }
  char str[100], got[600];
  Addr ua;
  socklen_t len;
  snprintf(str, sizeof str, fam == AF_INET6 ? "[::1]:%s" : "127.0.0.1:%s", port);
  encode_addr(str, &ua, &len);
  if (bind(s, &ua.sa, len) < 0) printf("err %s %ld %ld %d\n", errname(errno), uid, euid, nbs);
  else if (name_of(s, 0, got, sizeof got) < 0) printf("fail getsockname: %s\n", errname(errno));
  else printf("ok %s %ld %ld %d\n", got, uid, euid, nbs);
  return 0;
}

static void bind_unprivileged(J *c) {
  int p[2];
  char port[32], line[800];
  snprintf(port, sizeof port, "%ld", jnum(c, "port"));
  if (cloexec_pipe(p, 0)) { outcome_sys(-1, errno); return; }
  seen_fd(p[0]); seen_fd(p[1]);
  pid_t pid = fork();
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int null = open("/dev/null", O_RDONLY);
    if (null >= 0) dup2(null, 0);
    dup2(p[1], 1);
    char *argv[] = { self_exe, (char *)"--bind-unprivileged", (char *)js(c, "family"), port, NULL };
#if IPCSPEC_LINUX
    execv("/proc/self/exe", argv);
#endif
    execvp(self_exe, argv);
    _exit(127);
  }
  close(p[1]);
  if (pid < 0) { int e = errno; close(p[0]); outcome_sys(-1, e); return; }
  /* Long: expiry means the machine is stuck, a harness error. */
  size_t n = 0;
  long t0 = now_ms();
  for (;;) {
    struct pollfd q = { p[0], POLLIN, 0 };
    int r = poll(&q, 1, 1000);
    if (r < 0 && errno != EINTR) break;
    if (r > 0) { ssize_t k = read(p[0], line + n, sizeof line - 1 - n); if (k <= 0) break; n += (size_t)k; }
    if (now_ms() - t0 > 15000) { kill(pid, SIGKILL); break; }
  }
  line[n] = 0;
  close(p[0]);
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  char what[16], a[600];
  long uid, euid;
  int nbs;
  if (sscanf(line, "%15s %599s %ld %ld %d", what, a, &uid, &euid, &nbs) == 5 && (!strcmp(what, "ok") || !strcmp(what, "err"))) {
    int ok = what[0] == 'o';
    if (ok) puts_("{\"kind\":\"ok\",\"value\":0,\"detail\":{\"addr\":");
    else puts_("{\"kind\":\"err\",\"errno\":");
    putstr(a);
    if (!ok) puts_(",\"detail\":{");
    else puts_(",");
    putf("\"ranAs\":{\"uid\":%ld,\"euid\":%ld,\"netBindService\":%s}}}", uid, euid, nbs ? "true" : "false");
    return;
  }
  char m[900];
  snprintf(m, sizeof m, "unprivileged bind child said nothing usable: %s", n ? line : "(no output)");
  m[strcspn(m, "\n")] = 0;
  error_outcome(m);
}

/* close: a TCP socket's peer must have seen the FIN before the step counts as settled. */
static void close_step(J *c) {
  Handle *h = handle(js(c, "fd"));
  int fd = fd_of(h->name), live = h->fd == fd && fd >= 0;
  int peer = live ? fin_watch(fd) : -1;
  int r = close(fd), e = errno;
  if (live) { h->closed = fd; h->fd = -1; }
  outcome_after(r, e, r != 0 || fin_seen(peer));
}

static void socket_step(int step, J *c, J *data, const char *op) {
  if (!strcmp(op, "socketpair") || !strcmp(op, "socket")) sock_create(c, op);
  else if (!strcmp(op, "bind")) sock_bind(c);
  else if (!strcmp(op, "connect")) sock_connect(step, c);
  else if (!strcmp(op, "listen")) RESULT(listen(fd_of(js(c, "fd")), (int)jnum(c, "backlog")));
  else if (!strcmp(op, "accept")) sock_accept(step, c);
  else if (!strcmp(op, "send") || !strcmp(op, "recv")) {
    int fd = fd_of(js(c, "fd")), dg = is_dgram(fd);
    if (op[0] == 's') (dg ? dgram_send : stream_send)(step, c, data, fd);
    else if (dg) dgram_recv(step, c, fd);
    else stream_recv(step, c, fd);
  } else if (!strcmp(op, "shutdown")) sock_shutdown(c);
  else if (!strcmp(op, "sockname")) sock_name(c);
  else if (!strcmp(op, "connect-status")) connect_poll(c, 0);
  else if (!strcmp(op, "connect-wait")) connect_poll(c, 1);
  else if (!strcmp(op, "connect-fill")) connect_fill(c);
  else if (!strcmp(op, "set-buffers")) set_buffers(c);
  else if (!strcmp(op, "bind-unprivileged")) bind_unprivileged(c);
}

/* ---- settle: every outstanding call has returned (reported) or is asleep in it ---- */

static void report_done(Actor *a) {
  putf("{\"type\":\"complete\",\"step\":%d,\"outcome\":", a->step);
  finish_actor_outcome(a);
  puts_("}");
  flush_line();
  a->busy = 0;
}

/*
 * settle "unknown": how long nothing must return before the calls still out are reported as they are,
 * and, where /proc still shows a thread's sleep state (gVisor has no /proc/.../syscall), also every
 * thread and child asleep twice in a row; at most UNKNOWN_CAP_MS.
 */
#define QUIET_MS 10
#define QUIET_BLIND_MS 50 /* where /proc shows nothing at all: time alone, so longer */
/* IPCSPEC_SETTLE_QUIET_MS=N: another quiet moment (0 to 1000 ms). Shorter reports more calls pending that
 * were about to return: the harsher test of the model's reading of unsettled traces (test/unsettled-soundness.test.ts). */
static long quiet_override = -1;
#define UNKNOWN_CAP_MS 2000

static int proven; /* /proc shows a call asleep inside it: checked at start (probe_proc) */
static int stat_shows_sleep; /* /proc shows a thread's sleep state, at least */

/* Not proven: the actor's thread (or the child's processes) sleep, as far as /proc shows it (1 where it shows nothing). */
static int looks_asleep(long tid) {
#if PROVEN
  char p[96];
  if (!stat_shows_sleep) return 1;
  snprintf(p, sizeof p, "/proc/self/task/%ld/stat", tid);
  return stat_says_asleep(p);
#else
  (void)tid;
  return 1;
#endif
}

/* An outstanding call: 0 running, 1 asleep in it (proven), 2 returned and reportable. */
static int actor_state(Actor *a) {
  Wait w = { a->watch, a->fd, a->peer, 0, 0, 0, 0, 0, 0, NULL };
  /* over TCP a blocking send's return counts once the connection is quiet (harness/host/exec-send.ts) */
  if (is_done(a)) {
    if ((a->watch != W_SEND && a->watch != W_SEND_NOPEER) || wait_over(&w)) return 2;
    if (!a->returned_at) a->returned_at = now_ms();
    if (now_ms() - a->returned_at <= NETWORK_DEADLINE_MS) return 0;
    a->unseen = 1; /* its bytes never reached the peer: report the return, for the model to judge */
    return 2;
  }
  if (!proven || !asleep(a)) return 0;
#if NET_FACTS
  /* asleep counts as blocked only while the connection gives the call reason to be (harness/host/tcp-quiet.ts) */
  if (a->watch == W_SEND) return tcp_broken(a->fd) || tcp_sender_may_wait(a->fd, a->peer);
  if (a->watch == W_RECV) return tcp_broken(a->fd) || tcp_nothing_coming(a->peer, a->fd);
#endif
  return 1;
}

static void settle(void) {
  int clean = 0, sleepy = 0;
  long last = now_ms(), t0 = last;
  for (long spins = 0;; spins++) {
    int running = 0, changed = 0, awake = 0;
    for (int i = 0; i < nactors; i++) {
      Actor *a = actors[i];
      if (!a->busy) continue;
      int st = actor_state(a);
      if (st == 2) { report_done(a); running++; changed = 1; } /* a completion may wake others: look again */
      else if (st == 0) { running++; if (!proven && !looks_asleep(a->tid)) awake++; }
    }
    for (int i = 0; i < nchildren; i++) {
      Child *ch = &children[i];
      if (!ch->busy) continue;
      if (child_done(ch)) { running++; changed = 1; }
      else if (!proven || !child_asleep(ch)) {
        running++;
        if (!proven && stat_shows_sleep && !child_asleep(ch)) awake++;
        /* a pipeline on a correct kernel always finishes: where nothing shows its processes asleep, wait for it (up to UNKNOWN_CAP_MS) */
        else if (!proven && !stat_shows_sleep && ch->pipeline) awake++;
      }
    }
    if (!proven) {
      /* Cannot know: report what returns, until nothing has for QUIET_MS and all sleep, and say it is not proven. */
      if (!running) break;
      sleepy = awake || changed ? 0 : sleepy + 1;
      if (changed) last = now_ms();
      else if ((sleepy >= 2 && now_ms() - last >= (quiet_override >= 0 ? quiet_override : stat_shows_sleep ? QUIET_MS : QUIET_BLIND_MS)) || now_ms() - t0 >= UNKNOWN_CAP_MS) break;
      struct timespec ts = { 0, 1000000 };
      nanosleep(&ts, NULL);
      continue;
    }
    clean = running ? 0 : clean + 1;
    if (clean >= 2) break;
    if (running) { if (spins < 200) sched_yield(); else { struct timespec ts = { 0, 1000000 }; nanosleep(&ts, NULL); } }
  }
  putf("{\"type\":\"settled\",\"proven\":%s}", proven ? "true" : "false");
  flush_line();
}

/* ---- end: release everything the scenario made ---- */

static int in_scenario;

static void release(void) {
  if (!in_scenario) return;
  in_scenario = 0;
  /* Interrupt blocked calls (SIGUSR1 has a handler without SA_RESTART), until each has returned. */
  for (int i = 0; i < nactors; i++) {
    Actor *a = actors[i];
    if (!a->busy) continue;
    for (int k = 0; !is_done(a); k++) {
      if (k > 10000) { fprintf(stderr, "ipcspec-driver: actor %s does not return from its call\n", a->name); exit(3); }
      pthread_kill(a->thread, SIGUSR1);
      struct timespec ts = { 0, 1000000 };
      nanosleep(&ts, NULL);
    }
    if ((a->op == OP_OPEN || a->op == OP_ACCEPT) && a->value >= 0) close((int)a->value);
    free(a->data);
    a->data = NULL;
    a->busy = 0;
  }
  for (int i = 0; i < nchildren; i++) {
    Child *ch = &children[i];
    if (!ch->busy) continue;
    for (int k = 0; k <= ch->pipeline; k++) {
      if (ch->exited[k]) continue;
      kill(k ? ch->pid2 : ch->pid, SIGKILL);
      while (waitpid(k ? ch->pid2 : ch->pid, NULL, 0) < 0 && errno == EINTR) {}
    }
    if (!ch->reader && !ch->pipeline) close(ch->status_fd);
  }
  nchildren = 0;
  for (int i = 0; i < nhandles; i++) { if (handles[i]->fd >= 0) close(handles[i]->fd); free(handles[i]); }
  nhandles = 0;
  remove_dir();
}

static void end_(void) {
  release();
  puts_("{\"type\":\"ended\"}");
  flush_line();
}

/* ---- probes at start: can this system show what the driver must know? ---- */

#if PROVEN
typedef struct { pthread_mutex_t mu; pthread_cond_t cv; long tid; int fd; volatile sig_atomic_t spin; } Probe;
static void *probe_thread(void *p) {
  Probe *q = p;
  pthread_mutex_lock(&q->mu);
  q->tid = (long)syscall(SYS_gettid);
  pthread_cond_signal(&q->cv);
  pthread_mutex_unlock(&q->mu);
  if (q->fd >= 0) { char c; ssize_t r = read(q->fd, &c, 1); (void)r; }
  else while (q->spin) {}
  return NULL;
}
static int probe_start(Probe *q, pthread_t *t) {
  pthread_mutex_init(&q->mu, NULL);
  pthread_cond_init(&q->cv, NULL);
  pthread_mutex_lock(&q->mu);
  if (pthread_create(t, NULL, probe_thread, q)) die("pthread_create failed");
  while (!q->tid) pthread_cond_wait(&q->cv, &q->mu);
  pthread_mutex_unlock(&q->mu);
  return 1;
}
#endif

/*
 * What /proc shows: PROC_STAT if a thread blocked in read shows state S (within 2 s) and a spinning one
 * never does; PROC_SYSCALL if, besides, /proc/self/task/TID/syscall names read for the blocked one.
 */
enum { PROC_STAT = 1, PROC_SYSCALL = 2 };
static int probe_proc_once(void) {
#if PROVEN
  int p[2], ok = 0, bad = 0, stat_ok = 0;
  char path[96];
  pthread_t t;
  if (pipe(p)) return 0;
  Probe r;
  memset(&r, 0, sizeof r);
  r.fd = p[0];
  probe_start(&r, &t);
  snprintf(path, sizeof path, "/proc/self/task/%ld/stat", r.tid);
  char sys_path[96];
  snprintf(sys_path, sizeof sys_path, "/proc/self/task/%ld/syscall", r.tid);
  for (long t0 = now_ms(); !ok && now_ms() - t0 < 2000;) {
    stat_ok = stat_ok || stat_says_asleep(path);
    ok = asleep_in(r.tid, NR(read), NR(read));
    if (stat_ok && !ok && access(sys_path, R_OK)) break; /* no syscall file at all (gVisor): no need to wait */
    if (!ok) { struct timespec ts = { 0, 1000000 }; nanosleep(&ts, NULL); }
  }
  if (write(p[1], "x", 1) != 1) die("probe: cannot write its own pipe");
  pthread_join(t, NULL);
  close(p[0]);
  close(p[1]);
  if (!stat_ok) return 0;
  Probe sp;
  memset(&sp, 0, sizeof sp);
  sp.fd = -1;
  sp.spin = 1;
  probe_start(&sp, &t);
  snprintf(path, sizeof path, "/proc/self/task/%ld/stat", sp.tid);
  for (int k = 0; k < 20 && !bad; k++) {
    bad = stat_says_asleep(path);
    struct timespec ts = { 0, 500000 };
    nanosleep(&ts, NULL);
  }
  sp.spin = 0;
  pthread_join(t, NULL);
  return bad ? 0 : PROC_STAT | (ok ? PROC_SYSCALL : 0);
#else
  return 0;
#endif
}

/*
 * A loaded machine can make one probe miss (the blocked thread not yet seen asleep in time): the
 * best of three, so that a restarted driver declares the same settle as the first one did.
 */
static int probe_proc(void) {
  int best = 0;
  for (int k = 0; k < 3 && best != (PROC_STAT | PROC_SYSCALL); k++) {
    int r = probe_proc_once();
    if (r > best) best = r;
  }
  return best;
}

/* TCP and UDP over loopback: family:inet/inet6 only where the kernel shows what the host target waits for. */
static int net_ok[2]; /* AF_INET, AF_INET6 */
static int probe_family(int fam) {
#if NET_FACTS
  int ok = 0, l = socket(fam, SOCK_STREAM, 0), u = socket(fam, SOCK_DGRAM, 0), c = -1, k = -1;
  Addr ua, la;
  socklen_t len, ll = sizeof la;
  long q0, rm, dr, t0;
  encode_addr(fam == AF_INET6 ? "[::1]:0" : "127.0.0.1:0", &ua, &len);
  if (l < 0 || u < 0 || bind(l, &ua.sa, len) || listen(l, 4) || getsockname(l, &la.sa, &ll)) goto out;
  if ((q0 = accept_queue(l)) < 0 || meminfo(l, &rm, &dr) || meminfo(u, &rm, &dr) || icmp_unreach(fam) < 0) goto out;
  if ((c = socket(fam, SOCK_STREAM, 0)) < 0) goto out;
  fcntl(c, F_SETFL, O_NONBLOCK);
  if (connect(c, &la.sa, ll) && errno != EINPROGRESS) goto out;
  /* the handshake shows in the listener's accept queue */
  for (t0 = now_ms(); accept_queue(l) != q0 + 1; sched_yield()) if (now_ms() - t0 > 2000) goto out;
  if ((k = accept(l, NULL, NULL)) < 0 || send(c, "x", 1, MSG_NOSIGNAL) != 1) goto out;
  /* a byte sent shows in both ends' byte counts */
  for (t0 = now_ms();; sched_yield()) {
    TcpInfo i = tcp_info(c), j = tcp_info(k);
    if (i.ok && j.ok && i.sent == 1 && j.received == 1) break;
    if (now_ms() - t0 > 2000) goto out;
  }
  ok = 1;
out:
  if (l >= 0) close(l);
  if (u >= 0) close(u);
  if (c >= 0) close(c);
  if (k >= 0) close(k);
  return ok;
#else
  (void)fam;
  return 0;
#endif
}

/* bind-unprivileged: can a child of this root process drop to UNPRIVILEGED_UID? (`unshare -r` maps uid 0 only: EINVAL) */
static char no_drop[200]; /* why not, or empty */
static void probe_drop(void) {
  int p[2];
  if (getuid() != 0 || pipe(p)) return; /* not root: the child binds as this user, already unprivileged */
  pid_t pid = fork();
  if (pid == 0) {
    int e = 0;
    if (setgroups(0, NULL)) e = errno;
    else if (setgid(UNPRIVILEGED_UID)) e = errno;
    else if (setuid(UNPRIVILEGED_UID)) e = errno;
    ssize_t w = write(p[1], &e, sizeof e);
    (void)w;
    _exit(0);
  }
  close(p[1]);
  int e = -1;
  if (pid > 0) {
    ssize_t r;
    while ((r = read(p[0], &e, sizeof e)) < 0 && errno == EINTR) {}
    if (r != (ssize_t)sizeof e) e = -1;
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
  }
  close(p[0]);
  if (e) snprintf(no_drop, sizeof no_drop, "a child cannot drop to uid %d here (%s)", UNPRIVILEGED_UID, e > 0 ? errname(e) : "the probe child did not report");
}

/* The hello's "lacks": each start-time probe that left something out, with every capability it left out. */
static void put_lacks(void) {
  puts_("\"lacks\":[");
  if (!net_ok[0] || !net_ok[1]) {
    puts_("{\"features\":[");
    if (!net_ok[0]) puts_("\"family:inet\"");
    if (!net_ok[1]) puts_(!net_ok[0] ? ",\"family:inet6\"" : "\"family:inet6\"");
    puts_("],\"reason\":");
    putstr(NET_FACTS ? "this kernel does not show what loopback delivered (TCP_INFO byte counts, accept queue, SO_MEMINFO, ICMP counters)"
                     : "the loopback waits are implemented with Linux's TCP_INFO and SO_MEMINFO only");
    puts_("},");
  }
  puts_("{\"features\":[\"test-hosts\"],\"reason\":\"the C driver makes no test hosts (network namespaces)\"}");
  if (no_drop[0]) { puts_(",{\"ops\":[\"bind-unprivileged\"],\"reason\":"); putstr(no_drop); puts_("}"); }
  puts_("],");
}

static void hello(void) {
  struct utsname u;
  char desc[800];
  if (uname(&u)) strcpy(u.sysname, "unknown"), u.release[0] = u.machine[0] = 0;
  snprintf(desc, sizeof desc, "%s %s %s, C driver (%s; %s)", u.sysname, u.release, u.machine,
           proven ? "pending calls proven asleep via /proc"
           : stat_shows_sleep ? "cannot prove a call is blocked: /proc/self/task/TID/syscall does not name it; settles by threads asleep and a quiet moment"
           : PROVEN ? "cannot prove a call is blocked: /proc/self/task/TID/stat does not show a thread blocked in read; settles by a quiet moment"
                    : "cannot prove a call is blocked; settles by a quiet moment",
           net_ok[0] || net_ok[1] ? "TCP and UDP with the host target's loopback waits"
           : NET_FACTS ? "no TCP or UDP: this kernel does not show what loopback delivered (TCP_INFO byte counts, accept queue, SO_MEMINFO, ICMP counters)"
                       : "no TCP or UDP: the loopback waits are implemented with Linux's TCP_INFO and SO_MEMINFO only");
  int privileged = 0;
#if IPCSPEC_LINUX
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  while (f && fgets(line, sizeof line, f)) {
    unsigned long long cap;
    if (sscanf(line, "CapEff: %llx", &cap) == 1) privileged = (cap >> 24) & 1; /* CAP_SYS_RESOURCE */
  }
  if (f) fclose(f);
  /* held in a user namespace (`unshare -r`) it does not lift pipe-max-size: only the initial one maps every uid */
  unsigned long in0, out0, count;
  if ((f = fopen("/proc/self/uid_map", "r"))) {
    if (fscanf(f, "%lu %lu %lu", &in0, &out0, &count) == 3 && !(in0 == 0 && out0 == 0 && count == 4294967295UL)) privileged = 0;
    fclose(f);
  }
#endif
  puts_("{\"type\":\"hello\",\"protocol\":1,\"driver\":\"ipcspec-driver.c 0.1\",\"description\":");
  putstr(desc);
  puts_(",\"ops\":[\"make-pipe\",\"read\",\"readv\",\"write\",\"writev\",\"close\",\"dup\",\"set-nonblock\",\"poll\",");
#if IPCSPEC_LINUX && defined(F_GETPIPE_SZ)
  puts_("\"get-pipe-size\",\"set-pipe-size\",");
#endif
  puts_("\"mkfifo\",\"open\",\"unlink\",\"stat\",\"child-write\",\"child-read\",\"pipeline\",\"concurrent-writes\",");
  puts_("\"socketpair\",\"socket\",\"bind\",\"listen\",\"connect\",\"accept\",\"send\",\"recv\",\"shutdown\",\"sockname\",\"connect-status\",");
  puts_(no_drop[0] ? "\"connect-wait\",\"connect-fill\",\"set-buffers\"]," : "\"connect-wait\",\"connect-fill\",\"set-buffers\",\"bind-unprivileged\"],");
  puts_("\"features\":[\"variant:pipe\",\"variant:pipe2-nonblock\",\"variant:fifo\",\"variant:fifo-nonblock\",\"family:unix\",\"dgram\",\"unix-path-length\"");
#if IPCSPEC_LINUX
  puts_(",\"unix-abstract\"");
#endif
  if (net_ok[0]) puts_(",\"family:inet\"");
  if (net_ok[1]) puts_(",\"family:inet6\"");
  puts_("],");
  put_lacks();
  putf("\"settle\":\"%s\",\"privileged\":%s}", proven ? "proven" : "unknown", privileged ? "true" : "false");
  flush_line();
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN); /* a write with no reader gets EPIPE */
  if (argc == 4 && !strcmp(argv[1], "--bind-unprivileged")) return unprivileged_main(argv[2], argv[3]);
  self_exe = argv[0];
  const char *quiet = getenv("IPCSPEC_SETTLE_QUIET_MS");
  if (quiet && *quiet) {
    char *end;
    long q = strtol(quiet, &end, 10);
    if (*end || q < 0 || q > 1000) { fprintf(stderr, "ipcspec-driver: IPCSPEC_SETTLE_QUIET_MS must be 0..1000 (ms), not \"%s\"\n", quiet); return 2; }
    quiet_override = q;
  }
  int procs = probe_proc();
  proven = procs == (PROC_STAT | PROC_SYSCALL);
  stat_shows_sleep = (procs & PROC_STAT) != 0;
  net_ok[0] = probe_family(AF_INET);
  net_ok[1] = probe_family(AF_INET6);
  probe_drop();
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1; /* no SA_RESTART: it cuts a blocked call short at teardown */
  sigaction(SIGUSR1, &sa, NULL);
  sigset_t s;
  sigfillset(&s);
  sigdelset(&s, SIGTERM);
  sigdelset(&s, SIGINT);
  pthread_sigmask(SIG_SETMASK, &s, NULL);
  char *line = NULL;
  size_t cap = 0;
  while (getline(&line, &cap, stdin) > 0) {
    jp = line;
    J *req = jvalue();
    const char *t = js(req, "type");
    if (!strcmp(t, "hello")) {
      if (jnum(req, "protocol") != 1) fprintf(stderr, "ipcspec-driver: harness speaks protocol %ld, this driver 1\n", jnum(req, "protocol"));
      hello();
    } else if (!strcmp(t, "begin")) {
      release(); /* a begin without an end: the previous scenario is over */
      make_dir();
      in_scenario = 1;
      putf("{\"type\":\"begun\",\"scenario\":%ld}", jnum(req, "scenario"));
      flush_line();
    } else if (!strcmp(t, "step")) step_(req);
    else if (!strcmp(t, "settle")) settle();
    else if (!strcmp(t, "end")) end_();
    else if (!strcmp(t, "shutdown")) {
      release();
      puts_("{\"type\":\"bye\"}");
      flush_line();
      exit(0);
    } else die("unknown request type \"%s\"", t);
    jfree(req);
  }
  release(); /* stdin ended: the harness is gone */
  return 0;
}
