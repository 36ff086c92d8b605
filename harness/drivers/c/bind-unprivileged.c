#ifndef IPCSPEC_DRIVER_H /* the one-file form (amalgamate.sh) has the header above */
#include "ipcspec-driver.h"
#endif

/* ---- bind-unprivileged: a child process (this driver, exec'd afresh) drops to uid/gid 65534, then binds ---- */

#define UNPRIVILEGED_UID 65534
char *self_exe;

/* In the child: one line "ok ADDR UID EUID NBS", "err ERRNO UID EUID NBS" or "fail WHY", on stdout. */
int unprivileged_main(const char *family, const char *port) {
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

void op_bind_unprivileged(int step, J *c, J *data) {
  (void)step; (void)data;
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

/* bind-unprivileged: can a child of this root process drop to UNPRIVILEGED_UID? (`unshare -r` maps uid 0 only: EINVAL) */
static char no_drop[200]; /* why not, or empty */
void probe_drop(void) {
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

/* The op's capability (ops.c): why a child cannot drop privileges here, or NULL if it can. */
const char *bind_unprivileged_lacks(void) { return no_drop[0] ? no_drop : NULL; }
