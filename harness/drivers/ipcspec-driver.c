/* ipcspec-driver.c: the portable C driver for ipcspec (spec/driver-protocol.md, protocol 1).
 *
 *   cc -O2 -pthread -o ipcspec-driver ipcspec-driver.c
 *   npx ipcspec run --target exec:./ipcspec-driver
 *   (-DIPCSPEC_NO_PROC: behave as on a system without /proc: settle "unknown", traces not settled)
 *
 * POSIX only, one file, no libraries: cross-compile it for an OS port and run it there. It performs
 * each scenario step with real syscalls and reports what it saw; it never judges. Calls that may block
 * run on one thread per actor. On Linux it proves a pending call is asleep in its syscall by reading
 * /proc/self/task/TID/{stat,syscall} (settle "proven"); elsewhere it cannot know (settle "unknown").
 * Supported: pipes and FIFOs (make-pipe in all variants, read, readv, write, writev, close, dup,
 * set-nonblock, poll, get/set-pipe-size where F_GETPIPE_SZ exists, mkfifo, open, unlink, stat),
 * child-write and child-read (a forked child inherits the end), concurrent-writes, and AF_UNIX
 * stream sockets (socketpair, socket, bind, listen, connect, accept, send, recv, shutdown, sockname,
 * connect-status; path, path-length and, on Linux, abstract names). Not yet: pipeline, datagram
 * sockets, AF_INET/AF_INET6 (TCP needs the arrival waits of harness/host/tcp-quiet.ts), test hosts. */
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
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif
/* -DIPCSPEC_NO_PROC builds the driver an OS without /proc gets: it cannot prove a call is blocked. */
#if defined(__linux__) && !defined(IPCSPEC_NO_PROC)
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
            u = u * 16 + (h >= 'a' ? h - 'a' + 10 : h >= 'A' ? h - 'A' + 10 : h - '0');
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

typedef struct { char name[64]; int fd, closed; } Handle; /* closed: the number it had, -1 if never open */
static Handle handles[256];
static int nhandles;

static Handle *handle(const char *name) {
  for (int i = 0; i < nhandles; i++) if (!strcmp(handles[i].name, name)) return &handles[i];
  if (nhandles == 256) die("too many handles");
  Handle *h = &handles[nhandles++];
  snprintf(h->name, sizeof h->name, "%s", name);
  h->fd = h->closed = -1;
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
    snprintf(dir, sizeof dir, "%s/ipcspec-driver-XXXXXX", tries[i]);
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
  struct sockaddr_un sa; /* connect: where to; accept: the peer */
  socklen_t salen;
  long value;
  int err;
  unsigned char *rdata;
  long sys_a, sys_b; /* the syscall numbers it may sleep in */
} Actor;

static Actor *actors[64];
static int nactors;

static void *actor_main(void *arg) {
  Actor *a = arg;
  sigset_t s;
  sigfillset(&s);
  sigdelset(&s, SIGUSR1); /* only the driver's own teardown interrupts a call */
  pthread_sigmask(SIG_SETMASK, &s, NULL);
#ifdef __linux__
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
      case OP_CONNECT: v = connect(a->fd, (struct sockaddr *)&a->sa, a->salen); break;
      case OP_ACCEPT:
        a->salen = sizeof a->sa;
        v = accept(a->fd, (struct sockaddr *)&a->sa, &a->salen);
        if (v >= 0) { fcntl((int)v, F_SETFD, FD_CLOEXEC); seen_fd((int)v); }
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
  a->done = 0; a->busy = 1; a->has_job = 1;
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

static int asleep(Actor *a) {
#if PROVEN
  char p[96];
  snprintf(p, sizeof p, "/proc/self/task/%ld/stat", a->tid);
  if (!stat_says_asleep(p)) return 0;
  snprintf(p, sizeof p, "/proc/self/task/%ld/syscall", a->tid);
  FILE *f = fopen(p, "r");
  if (!f) return 0;
  long nr = -1;
  if (fscanf(f, "%ld", &nr) != 1) nr = -1;
  fclose(f);
  return nr >= 0 && (nr == a->sys_a || nr == a->sys_b);
#else
  (void)a;
  return 0;
#endif
}

#ifdef __linux__
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
static void outcome_data(long v, int err, const unsigned char *d) {
  if (v < 0) { outcome_sys(v, err); return; }
  ok_head(v);
  puts_(",\"data\":");
  putb64(d, (size_t)v);
  puts_("}");
}
static void put_addr_detail(const struct sockaddr_un *sa, socklen_t len);
static void sockname_of(int fd);

static void finish_actor_outcome(Actor *a) {
  if (a->op == OP_READ || a->op == OP_READV || a->op == OP_RECV) outcome_data(a->value, a->err, a->data);
  else if ((a->op == OP_ACCEPT || a->op == OP_CONNECT) && a->value >= 0) {
    ok_head(a->value);
    if (a->op == OP_ACCEPT) { bind_(a->as, (int)a->value); put_addr_detail(&a->sa, a->salen); }
    else sockname_of(a->fd);
    puts_("}");
  }
  else {
    if (a->op == OP_OPEN && a->value >= 0) bind_(a->as, (int)a->value);
    outcome_sys(a->value, a->err);
  }
  free(a->data);
  a->data = NULL;
}

static int may_block(int fd) { int fl = fcntl(fd, F_GETFL); return fl >= 0 && !(fl & O_NONBLOCK); }

static int cloexec_pipe(int fds[2], int nonblock) {
#ifdef __linux__
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
static void concurrent_writes(J *c, J *data);

static void socket_step(int step, J *c, J *data, const char *op);
static const char *const SOCKET_OPS[] = { "socketpair", "socket", "bind", "listen", "connect", "accept", "send", "recv", "shutdown", "sockname", "connect-status", NULL };
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
  else if (!strcmp(op, "close")) {
    Handle *h = handle(js(c, "fd"));
    int fd = fd_of(h->name), r = close(fd), e = errno;
    if (h->fd == fd && fd >= 0) { h->closed = fd; h->fd = -1; }
    outcome_sys(r, e);
  } else if (!strcmp(op, "dup")) {
    int fd = fcntl(fd_of(js(c, "fd")), F_DUPFD_CLOEXEC, 0);
    int e = errno;
    if (fd >= 0) bind_(js(c, "as"), fd);
    outcome_sys(fd, e);
  } else if (!strcmp(op, "set-nonblock")) {
    int fd = fd_of(js(c, "fd")), fl = fcntl(fd, F_GETFL);
    if (fl < 0) outcome_sys(-1, errno);
    else RESULT(fcntl(fd, F_SETFL, jnum(c, "on") ? fl | O_NONBLOCK : fl & ~O_NONBLOCK));
  } else if (!strcmp(op, "poll")) poll_step(fd_of(js(c, "fd")));
#ifdef F_GETPIPE_SZ
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
  else if (!strcmp(op, "concurrent-writes")) concurrent_writes(c, jget(req, "data"));
  else if (is_socket_op(op)) socket_step(step, c, jget(req, "data"), op);
  else { puts_("{\"kind\":\"unsupported\",\"reason\":"); putstr("op not implemented by ipcspec-driver.c"); puts_("}"); }
  puts_("}");
  flush_line();
}

/* ---- children: a real process inherits one descriptor (fork; it closes every other descriptor we made) ---- */

typedef struct { pid_t pid; int step, reader, status_fd, busy; char out[1100]; } Child;
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
  int st[2] = { -1, -1 }, out = -1;
  size_t n = 0;
  unsigned char *bytes = NULL;
  if (reader) {
    char name[64];
    snprintf(name, sizeof name, ".out-%d", step);
    path_of(name, ch->out, sizeof ch->out);
    if ((out = open(ch->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) { outcome_sys(-1, errno); return; }
  } else {
    bytes = b64decode(data ? js(data, "$base64") : "", &n);
    if (cloexec_pipe(st, 0)) { free(bytes); outcome_sys(-1, errno); return; }
  }
  seen_fd(out); seen_fd(st[0]); seen_fd(st[1]);
  pid_t pid = fork();
  if (pid == 0) {
    if (reader) {
      child_prepare(fd, out, -1, 1);
      char buf[65536];
      for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) _exit(r < 0 ? 1 : 0);
        for (ssize_t off = 0; off < r;) { ssize_t w = write(out, buf + off, (size_t)(r - off)); if (w <= 0) _exit(1); off += w; }
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
  if (out >= 0) close(out);
  if (st[1] >= 0) close(st[1]);
  if (pid < 0) { if (st[0] >= 0) close(st[0]); outcome_sys(-1, e); return; }
  ch->pid = pid; ch->step = step; ch->reader = reader; ch->status_fd = st[0]; ch->busy = 1;
  nchildren++;
  puts_("{\"kind\":\"pending\"}");
}

/* Reaped: report its exit (and what it saw or copied). Returns 0 while it still runs. */
static int child_done(Child *ch) {
  int status;
  pid_t r = waitpid(ch->pid, &status, WNOHANG);
  if (r == 0 || (r < 0 && errno == EINTR)) return 0;
  putf("{\"type\":\"complete\",\"step\":%d,\"outcome\":{\"kind\":\"ok\",\"value\":0,\"detail\":{\"exit\":", ch->step);
  if (r > 0 && WIFSIGNALED(status)) { puts_("{\"code\":null,\"signal\":"); putstr(signame(WTERMSIG(status))); puts_("}"); }
  else putf("{\"code\":%d,\"signal\":null}", r > 0 ? WEXITSTATUS(status) : 127);
  if (ch->reader) {
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

static int child_asleep(Child *ch) {
#if PROVEN
  char p[64];
  snprintf(p, sizeof p, "/proc/%ld/stat", (long)ch->pid);
  return stat_says_asleep(p);
#else
  (void)ch;
  return 0;
#endif
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

/* ---- AF_UNIX stream sockets ---- */

/* Room for sun_path beyond its declared size: a bind with a too-long path must reach the kernel (EINVAL). */
typedef union { struct sockaddr_un un; char raw[512]; } UnixAddr;

/* ",\"detail\":{\"addr\":\"unix:PATH\"}": paths in the scratch dir relative to it, "unix:" when unnamed. */
static void put_addr_detail(const struct sockaddr_un *sa, socklen_t len) {
  char p[sizeof sa->sun_path + 1];
  size_t off = offsetof(struct sockaddr_un, sun_path), n = len > off ? len - off : 0;
  if (n > sizeof sa->sun_path) n = sizeof sa->sun_path;
  memcpy(p, sa->sun_path, n);
  p[n] = 0;
  size_t dl = strlen(dir);
  const char *shown = !strncmp(p, dir, dl) && p[dl] == '/' ? p + dl + 1 : p;
  char a[sizeof p + 8];
  snprintf(a, sizeof a, "unix:%s", shown);
  puts_(",\"detail\":{\"addr\":");
  putstr(a);
  puts_("}");
}

static void sockname_of(int fd) {
  struct sockaddr_un sa;
  socklen_t len = sizeof sa;
  memset(&sa, 0, sizeof sa);
  if (getsockname(fd, (struct sockaddr *)&sa, &len) == 0) put_addr_detail(&sa, len);
}

/* A SockAddr of the vocabulary as sockaddr_un: {path} in the scratch dir, or {of: handle}'s name. Returns 0 if not expressible. */
static int unix_addr(J *a, UnixAddr *ua, socklen_t *len) {
  struct sockaddr_un *sa = &ua->un;
  memset(ua, 0, sizeof *ua);
  sa->sun_family = AF_UNIX;
  if (jget(a, "path")) {
    char p[1100];
    path_of(js(a, "path"), p, sizeof p);
    if (strlen(p) >= sizeof sa->sun_path) return -2;
    strcpy(sa->sun_path, p);
    *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(p) + 1);
    return 1;
  }
  if (jget(a, "pathLength")) {
    /* An absolute path of exactly N bytes in the scratch dir, NUL-terminated: "DIR/lenN-xxx". */
    long n = jnum(a, "pathLength");
    size_t off = offsetof(struct sockaddr_un, sun_path);
    char head[600];
    int hl = snprintf(head, sizeof head, "%s/len%ld-", dir, n);
    if (n - hl < 1) return -1;
    if ((size_t)n + 1 + off > sizeof ua->raw) return -2;
    memcpy(ua->raw + off, head, (size_t)hl);
    memset(ua->raw + off + hl, 'x', (size_t)(n - hl));
    *len = (socklen_t)(off + (size_t)n + 1);
    return 3;
  }
  if (jget(a, "abstract")) {
#ifdef __linux__
    /* A Linux abstract name, unique to the scenario: "\0DIR/NAME"; addrlen counts no terminator. */
    int k = snprintf(sa->sun_path + 1, sizeof sa->sun_path - 1, "%s/%s", dir, js(a, "abstract"));
    *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)k);
    return 4;
#else
    return 0;
#endif
  }
  if (jget(a, "of")) {
    *len = sizeof *sa;
    if (getsockname(fd_of(js(a, "of")), (struct sockaddr *)sa, len) < 0 || sa->sun_family != AF_UNIX) {
      strcpy(sa->sun_path, "/nonexistent"); /* as the host target does for a name it cannot read */
      *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(sa->sun_path) + 1);
    }
    return 1;
  }
  return 0;
}

static void unsupported(const char *why) { puts_("{\"kind\":\"unsupported\",\"reason\":"); putstr(why); puts_("}"); }

static int sock_cloexec(int fd, int nonblock) {
  if (fd < 0) return fd;
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  if (nonblock) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  seen_fd(fd);
  return fd;
}

static void socket_step(int step, J *c, J *data, const char *op) {
  int nb = (int)jnum(c, "nonblock");
  if (jnum(c, "dgram")) { unsupported("datagram sockets are not implemented by ipcspec-driver.c"); return; }
  if (!strcmp(op, "socketpair")) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) { outcome_sys(-1, errno); return; }
    bind_(js(c, "a"), sock_cloexec(sv[0], nb));
    bind_(js(c, "b"), sock_cloexec(sv[1], nb));
    outcome_sys(0, 0);
  } else if (!strcmp(op, "socket")) {
    if (strcmp(js(c, "family"), "unix") || jget(c, "host")) { unsupported("only AF_UNIX sockets are implemented by ipcspec-driver.c"); return; }
    int fd = socket(AF_UNIX, SOCK_STREAM, 0), e = errno;
    if (fd >= 0) bind_(js(c, "as"), sock_cloexec(fd, nb));
    outcome_sys(fd, e);
  } else if (!strcmp(op, "bind") || !strcmp(op, "connect")) {
    int bindop = op[0] == 'b', fd = fd_of(js(c, "fd"));
    UnixAddr ua;
    socklen_t len;
    int kind = unix_addr(jget(c, bindop ? "addr" : "to"), &ua, &len);
    if (kind == 0) { unsupported("only AF_UNIX addresses are implemented by ipcspec-driver.c"); return; }
    if (kind == -1) { unsupported("the scratch dir is too long to build a path of that length in it"); return; }
    if (kind == -2) { unsupported("a path that long cannot be expressed"); return; }
    if (!bindop && may_block(fd) && len <= sizeof(struct sockaddr_un)) { /* longer: EINVAL at once */
      Actor *a = actor(js(c, "actor"));
      a->fd = fd; a->sa = ua.un; a->salen = len; a->data = NULL;
      start(a, step, OP_CONNECT, NR(connect), NR(connect));
      puts_("{\"kind\":\"pending\"}");
      return;
    }
    int r = bindop ? bind(fd, (struct sockaddr *)&ua, len) : connect(fd, (struct sockaddr *)&ua, len), e = errno;
    if (r < 0) { outcome_sys(-1, e); return; }
    ok_head(0);
    if (bindop && (kind == 3 || kind == 4)) {
      /* The bound name as the kernel has it: absolute for a path (its length is the point), "@NAME" for an abstract one. */
      struct sockaddr_un got;
      socklen_t gl = sizeof got;
      memset(&got, 0, sizeof got);
      char shown[sizeof got.sun_path + 8];
      getsockname(fd, (struct sockaddr *)&got, &gl);
      size_t off = offsetof(struct sockaddr_un, sun_path), n = gl > off ? gl - off : 0, dl = strlen(dir);
      if (kind == 3) snprintf(shown, sizeof shown, "unix:%.*s", (int)strnlen(got.sun_path, n), got.sun_path);
      else {
        const char *name = got.sun_path + 1;
        int nl = n > 0 ? (int)n - 1 : 0;
        if (nl > (int)dl && !strncmp(name, dir, dl) && name[dl] == '/') { name += dl + 1; nl -= (int)dl + 1; }
        snprintf(shown, sizeof shown, "unix:@%.*s", nl, name);
      }
      puts_(",\"detail\":{\"addr\":");
      putstr(shown);
      puts_("}");
    } else sockname_of(fd);
    puts_("}");
  } else if (!strcmp(op, "listen")) RESULT(listen(fd_of(js(c, "fd")), (int)jnum(c, "backlog")));
  else if (!strcmp(op, "accept")) {
    int fd = fd_of(js(c, "fd"));
    Actor tmp, *a = &tmp;
    if (may_block(fd)) a = actor(js(c, "actor"));
    a->fd = fd; a->op = OP_ACCEPT; a->data = NULL;
    snprintf(a->as, sizeof a->as, "%s", js(c, "as"));
    if (a != &tmp) { start(a, step, OP_ACCEPT, NR(accept4), NR(accept)); puts_("{\"kind\":\"pending\"}"); return; }
    a->salen = sizeof a->sa;
    a->value = accept(fd, (struct sockaddr *)&a->sa, &a->salen);
    a->err = errno;
    if (a->value >= 0) sock_cloexec((int)a->value, 0);
    finish_actor_outcome(a);
  } else if (!strcmp(op, "send") || !strcmp(op, "recv")) {
    int sendop = op[0] == 's', fd = fd_of(js(c, "fd"));
    if (sendop && jget(c, "to")) { unsupported("sendto is for datagram sockets, not implemented by ipcspec-driver.c"); return; }
    if (!sendop && jnum(c, "trunc")) { unsupported("MSG_TRUNC is for datagram sockets, not implemented by ipcspec-driver.c"); return; }
    Actor tmp, *a = &tmp;
    int dontwait = sendop ? !(jget(c, "dontwait") && !jnum(c, "dontwait")) : (int)jnum(c, "dontwait");
    int flags = sendop ? MSG_NOSIGNAL : (jnum(c, "waitall") ? MSG_WAITALL : 0) | (jnum(c, "peek") ? MSG_PEEK : 0);
    if (dontwait) flags |= MSG_DONTWAIT;
    if (!dontwait && may_block(fd)) a = actor(js(c, "actor"));
    a->fd = fd; a->op = sendop ? OP_SEND : OP_RECV; a->mflags = flags; a->size = (size_t)jnum(c, "size");
    if (sendop) {
      size_t n;
      a->data = b64decode(data ? js(data, "$base64") : "", &n);
      if (n != a->size) die("bad request: step %d carries %zu bytes for a %zu-byte send", step, n, a->size);
    } else a->data = xmalloc(a->size);
    if (a != &tmp) { start(a, step, a->op, sendop ? NR(sendto) : NR(recvfrom), sendop ? NR(sendto) : NR(recvfrom)); puts_("{\"kind\":\"pending\"}"); return; }
    a->value = sendop ? send(fd, a->data, a->size, flags) : recv(fd, a->data, a->size, flags);
    a->err = errno;
    finish_actor_outcome(a);
  } else if (!strcmp(op, "shutdown")) {
    const char *how = js(c, "how");
    RESULT(shutdown(fd_of(js(c, "fd")), !strcmp(how, "wr") ? SHUT_WR : !strcmp(how, "rd") ? SHUT_RD : SHUT_RDWR));
  } else if (!strcmp(op, "sockname")) {
    struct sockaddr_un sa;
    socklen_t len = sizeof sa;
    int fd = fd_of(js(c, "fd"));
    memset(&sa, 0, sizeof sa);
    int r = jnum(c, "peer") ? getpeername(fd, (struct sockaddr *)&sa, &len) : getsockname(fd, (struct sockaddr *)&sa, &len);
    if (r < 0) { outcome_sys(-1, errno); return; }
    ok_head(0);
    put_addr_detail(&sa, len);
    puts_("}");
  } else if (!strcmp(op, "connect-status")) {
    struct pollfd p = { fd_of(js(c, "fd")), POLLOUT, 0 };
    int r = poll(&p, 1, 0), e = errno, soerr = 0;
    socklen_t l = sizeof soerr;
    if (r < 0) { outcome_sys(-1, e); return; }
    if (!(p.revents & (POLLOUT | POLLERR | POLLHUP))) { outcome_sys(0, 0); return; }
    if (getsockopt(p.fd, SOL_SOCKET, SO_ERROR, &soerr, &l) < 0) { outcome_sys(-1, errno); return; }
    if (soerr) outcome_sys(-1, soerr); else outcome_sys(1, 0);
  }
}

/* ---- settle: every outstanding call has returned (reported) or is asleep in it ---- */

static void report_done(Actor *a) {
  putf("{\"type\":\"complete\",\"step\":%d,\"outcome\":", a->step);
  finish_actor_outcome(a);
  puts_("}");
  flush_line();
  a->busy = 0;
}

static void settle(void) {
  int clean = 0;
  for (long spins = 0; clean < 2; spins++) {
    int running = 0;
    for (int i = 0; i < nactors; i++) {
      Actor *a = actors[i];
      if (!a->busy) continue;
      if (is_done(a)) { report_done(a); running++; } /* a completion may wake others: look again */
      else if (!PROVEN || !asleep(a)) running++;
    }
    for (int i = 0; i < nchildren; i++) {
      Child *ch = &children[i];
      if (!ch->busy) continue;
      if (child_done(ch)) running++;
      else if (!PROVEN || !child_asleep(ch)) running++;
    }
    if (!PROVEN) {
      /* Cannot know: give the calls a moment, report what returned, and say it is not proven. */
      if (spins < 20 && running) { struct timespec ts = { 0, 1000000 }; nanosleep(&ts, NULL); continue; }
      break;
    }
    clean = running ? 0 : clean + 1;
    if (running) { if (spins < 200) sched_yield(); else { struct timespec ts = { 0, 1000000 }; nanosleep(&ts, NULL); } }
  }
  putf("{\"type\":\"settled\",\"proven\":%s}", PROVEN ? "true" : "false");
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
    kill(ch->pid, SIGKILL);
    while (waitpid(ch->pid, NULL, 0) < 0 && errno == EINTR) {}
    if (!ch->reader) close(ch->status_fd);
  }
  nchildren = 0;
  for (int i = 0; i < nhandles; i++) if (handles[i].fd >= 0) close(handles[i].fd);
  nhandles = 0;
  remove_dir();
}

static void end_(void) {
  release();
  puts_("{\"type\":\"ended\"}");
  flush_line();
}

static void hello(void) {
  struct utsname u;
  char desc[400];
  if (uname(&u)) strcpy(u.sysname, "unknown"), u.release[0] = u.machine[0] = 0;
  snprintf(desc, sizeof desc, "%s %s %s, C driver (%s)", u.sysname, u.release, u.machine,
           PROVEN ? "pending calls proven asleep via /proc" : "cannot prove a call is blocked");
  int privileged = 0;
#ifdef __linux__
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  while (f && fgets(line, sizeof line, f)) {
    unsigned long long cap;
    if (sscanf(line, "CapEff: %llx", &cap) == 1) privileged = (cap >> 24) & 1; /* CAP_SYS_RESOURCE */
  }
  if (f) fclose(f);
#endif
  puts_("{\"type\":\"hello\",\"protocol\":1,\"driver\":\"ipcspec-driver.c 0.1\",\"description\":");
  putstr(desc);
  puts_(",\"ops\":[\"make-pipe\",\"read\",\"readv\",\"write\",\"writev\",\"close\",\"dup\",\"set-nonblock\",\"poll\",");
#ifdef F_GETPIPE_SZ
  puts_("\"get-pipe-size\",\"set-pipe-size\",");
#endif
  puts_("\"mkfifo\",\"open\",\"unlink\",\"stat\",\"child-write\",\"child-read\",\"concurrent-writes\",");
  puts_("\"socketpair\",\"socket\",\"bind\",\"listen\",\"connect\",\"accept\",\"send\",\"recv\",\"shutdown\",\"sockname\",\"connect-status\"],");
  puts_("\"features\":[\"variant:pipe\",\"variant:pipe2-nonblock\",\"variant:fifo\",\"variant:fifo-nonblock\",\"family:unix\",\"unix-path-length\"");
#ifdef __linux__
  puts_(",\"unix-abstract\"");
#endif
  puts_("],");
  putf("\"settle\":\"%s\",\"privileged\":%s}", PROVEN ? "proven" : "unknown", privileged ? "true" : "false");
  flush_line();
}

int main(void) {
  signal(SIGPIPE, SIG_IGN); /* a write with no reader gets EPIPE */
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
