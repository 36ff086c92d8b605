#ifndef IPCSPEC_DRIVER_H /* the one-file form (amalgamate.sh) has the header above */
#include "ipcspec-driver.h"
#endif

/* Actors and settle: one thread per actor runs a call that may block; settle reports every outstanding call
 * once it has returned, or says it is asleep in it (proven by /proc, probed at start), or, where nothing can
 * be proven, after a quiet moment. */

/* ---- actors: one thread each; a call that may block runs there ---- */

Actor *actors[64];
int nactors;

/* accept4(SOCK_CLOEXEC) where it exists, else accept and FD_CLOEXEC. */
int accept_cloexec(int fd, Addr *sa, socklen_t *len) {
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

void on_usr1(int sig) { (void)sig; }

Actor *actor(const char *name) {
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

void start(Actor *a, int step, int op, long sys_a, long sys_b) {
  pthread_mutex_lock(&a->mu);
  a->step = step; a->op = op; a->sys_a = sys_a; a->sys_b = sys_b;
  a->done = 0; a->busy = 1; a->has_job = 1; a->returned_at = 0; a->unseen = 0; a->watch = 0; a->peer = -1;
  pthread_cond_signal(&a->cv);
  pthread_mutex_unlock(&a->mu);
}

int is_done(Actor *a) {
  pthread_mutex_lock(&a->mu);
  int d = a->done;
  pthread_mutex_unlock(&a->mu);
  return d;
}

/* Is the actor asleep inside its call? Linux: thread state S and /proc naming that syscall. */
#if PROVEN
/* A /proc stat file says state S (asleep); the state follows the ')' that ends the command name. */
int stat_says_asleep(const char *path) {
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

/* A call's outcome, once it returned (on its actor, or inline): what it read, accepted, opened or returned. */
void finish_actor_outcome(Actor *a) {
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
long quiet_override = -1;
#define UNKNOWN_CAP_MS 2000

int proven; /* /proc shows a call asleep inside it: checked at start (probe_proc) */
int stat_shows_sleep; /* /proc shows a thread's sleep state, at least */

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

void settle(void) {
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
int probe_proc(void) {
  int best = 0;
  for (int k = 0; k < 3 && best != (PROC_STAT | PROC_SYSCALL); k++) {
    int r = probe_proc_once();
    if (r > best) best = r;
  }
  return best;
}

/* TCP and UDP over loopback: family:inet/inet6 only where the kernel shows what the host target waits for. */
