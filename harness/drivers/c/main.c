#ifndef IPCSPEC_DRIVER_H /* the one-file form (amalgamate.sh) has the header above */
#include "ipcspec-driver.h"
#endif
/* main: the probes at start, then one request line at a time (hello, begin, step, settle, end, shutdown). */

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
