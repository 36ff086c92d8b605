#ifndef IPCSPEC_DRIVER_H /* the one-file form (amalgamate.sh) has the header above */
#include "ipcspec-driver.h"
#endif
/* The protocol's vocabulary as this driver speaks it: errno names, handles, the scratch dir, outcomes;
 * one step request dispatched through the op table (ops.c), and the hello. */

/* ---- errno names: numbers differ between systems, names do not ---- */

const char *errname(int e) {
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

Handle **handles;
int nhandles;
static int cap_handles;

Handle *handle(const char *name) {
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
int maxfd = 2;
static pthread_mutex_t maxfd_mu = PTHREAD_MUTEX_INITIALIZER;
void seen_fd(int fd) { pthread_mutex_lock(&maxfd_mu); if (fd > maxfd) maxfd = fd; pthread_mutex_unlock(&maxfd_mu); }

void bind_(const char *name, int fd) { Handle *h = handle(name); h->fd = fd; h->closed = -1; seen_fd(fd); }
int fd_of(const char *name) {
  Handle *h = handle(name);
  if (h->fd >= 0) return h->fd;
  if (h->closed < 0) return -1; /* never bound, or its open failed */
  return fcntl(h->closed, F_GETFL) < 0 ? h->closed : NEVER_OPEN;
}

/* ---- the scenario's scratch dir ---- */

char dir[512];

void make_dir(void) {
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
void remove_dir(void) {
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
const char *path_of(const char *rel, char *buf, size_t n) { snprintf(buf, n, "%s/%s", dir, rel); return buf; }

/* ---- outcomes ---- */

void ok_head(long v) { putf("{\"kind\":\"ok\",\"value\":%ld", v); }
void outcome_sys(long v, int err) {
  if (v < 0) { puts_("{\"kind\":\"err\",\"errno\":"); putstr(errname(err)); puts_("}"); }
  else { ok_head(v); puts_("}"); }
}
/* The outcome of a call whose wait for what must follow it (long deadline) expired: detail.arrival "not-seen". */
void outcome_unseen(long v, int err) {
  if (v < 0) { puts_("{\"kind\":\"err\",\"errno\":"); putstr(errname(err)); }
  else ok_head(v);
  puts_(",\"detail\":{\"arrival\":\"not-seen\"}}");
}
/* The outcome of a call followed by a wait: plain when what must follow was seen. */
void outcome_after(long v, int err, int seen) { if (seen) outcome_sys(v, err); else outcome_unseen(v, err); }
void unsupported(const char *why) { puts_("{\"kind\":\"unsupported\",\"reason\":"); putstr(why); puts_("}"); }
/* What a read or receive returned: MSG_TRUNC may report more than it copied (size). */
void outcome_data_(long v, int err, const unsigned char *d, size_t size, int close) {
  if (v < 0) { outcome_sys(v, err); return; }
  ok_head(v);
  puts_(",\"data\":");
  putb64(d, (size_t)v < size ? (size_t)v : size);
  if (close) puts_("}");
}
void outcome_data(long v, int err, const unsigned char *d, size_t size) { outcome_data_(v, err, d, size, 1); }

void error_outcome(const char *what) { puts_("{\"kind\":\"error\",\"message\":"); putstr(what); puts_("}"); }

/* ---- a step: the op table (ops.c) says which function performs it ---- */

void step_(J *req) {
  J *c = jget(req, "call");
  int step = (int)jnum(req, "step");
  const OpEntry *op = find_op(js(c, "op"));
  putf("{\"type\":\"result\",\"step\":%d,\"outcome\":", step);
  /* An op the hello left out (it lacks a capability) still runs if asked: the harness never asks. */
  if (op) op->run(step, c, jget(req, "data"));
  else { puts_("{\"kind\":\"unsupported\",\"reason\":"); putstr("op not implemented by ipcspec-driver.c"); puts_("}"); }
  puts_("}");
  flush_line();
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
  put_op_lacks();
  puts_("],");
}

void hello(void) {
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
  puts_(",");
  put_ops();
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

long network_deadline_ms(void) {
  static long v; /* read once; a race between actors only reads the same value twice */
  if (!v) {
    const char *e = getenv("IPCSPEC_NETWORK_DEADLINE_MS");
    long x = e ? atol(e) : 0;
    v = x >= 100 ? x : 10000;
  }
  return v;
}
