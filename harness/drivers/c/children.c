#ifndef IPCSPEC_DRIVER_H /* the one-file form (amalgamate.sh) has the header above */
#include "ipcspec-driver.h"
#endif

/* ---- children: a real process inherits one descriptor (fork; it closes every other descriptor we made) ---- */

Child children[64];
int nchildren;

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
int child_done(Child *ch) {
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
int child_asleep(Child *ch) {
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
void op_pipeline(int step, J *c, J *data) {
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

void op_child_write(int step, J *c, J *data) { child_step(step, c, data, 0); }
/* A reader takes no bytes from the request: as before the op table, it is handed none. */
void op_child_read(int step, J *c, J *data) { (void)data; child_step(step, c, NULL, 1); }
