// The floor for `ipcspec bench`: replay the syscalls of recorded ipcspec scenarios in a tight C
// loop, with the same sizes, and check every result against the recorded trace. Pipe ops are here,
// socket ops in bench/raw-socket.c.
// usage: raw-loop OPS_FILE WORK_DIR SECONDS    (OPS_FILE is written by bench/raw-c.ts)
// Prints one JSON object: scenarios replayed, wall and CPU ns per scenario, syscalls per scenario,
// and how many results differed from the recorded traces (in the first, verifying pass).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include "raw-loop.h"

struct scen { int first, count; };

static struct op *ops;
static struct scen *scens;
static int nops, nscens;
static long maxbuf = 1;
unsigned char *wbuf, *rbuf;
long syscalls;
static long mismatches;
static char first_mismatch[256];
static char fifo_path[4200];
char work_dir[4096];

void die(const char *m) { fprintf(stderr, "raw-loop: %s\n", m); exit(2); }

long rd(FILE *f) {
  long x;
  if (fscanf(f, "%ld", &x) != 1) die("malformed ops file");
  return x;
}

static void load(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) die("cannot open ops file");
  int capo = 1024, caps = 64;
  ops = malloc(sizeof *ops * capo);
  scens = malloc(sizeof *scens * caps);
  char k;
  while (fscanf(f, " %c", &k) == 1) {
    if (k == 'S') {
      if (nscens == caps) scens = realloc(scens, sizeof *scens * (caps *= 2));
      scens[nscens++] = (struct scen){ nops, 0 };
      continue;
    }
    if (!nscens) die("op before the first scenario");
    if (nops == capo) ops = realloc(ops, sizeof *ops * (capo *= 2));
    struct op o = { .kind = k };
    long total = 0;
    switch (k) {
      case 'M': o.h = rd(f); o.h2 = rd(f); o.fifo = rd(f); o.nonblock = rd(f); break;
      case 'W': case 'R': o.h = rd(f); o.size = total = rd(f); break;
      case 'V': case 'Q':
        o.h = rd(f); o.nv = rd(f);
        if (o.nv < 1 || o.nv > MAXV) die("too many iovecs");
        for (int i = 0; i < o.nv; i++) total += (o.v[i] = rd(f));
        break;
      case 'P': case 'C': case 'G': o.h = rd(f); break;
      case 'D': o.h = rd(f); o.h2 = rd(f); break;
      case 'N': case 'Z': o.h = rd(f); o.size = rd(f); break;
      default: if (!socket_parse(k, f, &o, &total)) die("unknown op");
    }
    if (o.h >= MAXH || o.h2 >= MAXH) die("too many handles");
    o.expect = rd(f);
    if (k == 'P' || k == 'J') o.revents = rd(f);
    if (total > maxbuf) maxbuf = total;
    ops[nops++] = o;
    scens[nscens - 1].count++;
  }
  fclose(f);
}

static void mismatch(int s, int i, long got, int revents) {
  if (!mismatches++) {
    const struct op *o = &ops[scens[s].first + i];
    snprintf(first_mismatch, sizeof first_mismatch, "scenario %d op %d (%c): got %ld revents %d, recorded %ld revents %d", s, i, o->kind, got, revents, o->expect, o->revents);
  }
}

static void replay(int s) {
  struct scenario_fds sf;
  int *fd = sf.fd, *open_ = sf.open_, made_fifo = 0;
  for (int i = 0; i < MAXH; i++) { fd[i] = -1; open_[i] = 0; }
  struct iovec iov[MAXV];
  for (int i = 0; i < scens[s].count; i++) {
    const struct op *o = &ops[scens[s].first + i];
    long r = 0;
    int revents = 0, f = fd[o->h];
    switch (o->kind) {
      case 'M': {
        int nb = o->nonblock ? O_NONBLOCK : 0;
        if (o->fifo) {
          syscalls += 3;
          if (mkfifo(fifo_path, 0600) < 0) { r = -errno; break; }
          made_fifo = 1;
          int a = open(fifo_path, O_RDONLY | O_CLOEXEC | nb);
          if (a < 0) { r = -errno; break; }
          int b = open(fifo_path, O_WRONLY | O_CLOEXEC | nb);
          if (b < 0) { r = -errno; close(a); break; }
          fd[o->h] = a; fd[o->h2] = b;
        } else {
          int p[2];
          syscalls++;
          if (pipe2(p, O_CLOEXEC | nb) < 0) { r = -errno; break; }
          fd[o->h] = p[0]; fd[o->h2] = p[1];
        }
        open_[o->h] = open_[o->h2] = 1;
        break;
      }
      case 'W': r = write(f, wbuf, o->size); syscalls++; break;
      case 'R': r = read(f, rbuf, o->size); syscalls++; break;
      case 'V': case 'Q': {
        long at = 0;
        for (int k = 0; k < o->nv; k++) { iov[k].iov_base = (o->kind == 'V' ? wbuf : rbuf) + at; iov[k].iov_len = o->v[k]; at += o->v[k]; }
        r = o->kind == 'V' ? writev(f, iov, o->nv) : readv(f, iov, o->nv);
        syscalls++;
        break;
      }
      case 'P': {
        struct pollfd p = { f, POLLIN | POLLOUT, 0 };
        r = poll(&p, 1, 0);
        revents = p.revents;
        syscalls++;
        break;
      }
      case 'C': r = close(f); open_[o->h] = 0; syscalls++; break;
      case 'D': r = fcntl(f, F_DUPFD_CLOEXEC, 0); if (r >= 0) { fd[o->h2] = r; open_[o->h2] = 1; } syscalls++; break;
      case 'N': {
        int fl = fcntl(f, F_GETFL);
        syscalls += 2;
        r = fl < 0 ? -1 : fcntl(f, F_SETFL, o->size ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
        break;
      }
      case 'G': r = fcntl(f, F_GETPIPE_SZ); syscalls++; break;
      case 'Z': r = fcntl(f, F_SETPIPE_SZ, (int)o->size); syscalls++; break;
      default: r = socket_run(o, &sf, &revents); break; // returns -errno itself
    }
    if (r < 0 && strchr("WRVQPCDNGZ", o->kind)) r = -errno;
    if (r >= 0 && (o->kind == 'P' || o->kind == 'J') && revents != o->revents) mismatch(s, i, r, revents);
    else if (r != o->expect) mismatch(s, i, r, revents);
  }
  for (int i = 0; i < MAXH; i++) if (open_[i]) { close(fd[i]); syscalls++; }
  if (made_fifo) { unlink(fifo_path); syscalls++; }
  socket_end();
}

static double clock_s(clockid_t c) {
  struct timespec t;
  clock_gettime(c, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}
static double now(void) { return clock_s(CLOCK_MONOTONIC); }

int main(int argc, char **argv) {
  if (argc != 4) die("usage: raw-loop OPS_FILE WORK_DIR SECONDS");
  load(argv[1]);
  if (!nscens) die("no scenarios");
  snprintf(work_dir, sizeof work_dir, "%s", argv[2]);
  snprintf(fifo_path, sizeof fifo_path, "%s/fifo", argv[2]);
  double budget = atof(argv[3]);
  wbuf = malloc(maxbuf);
  rbuf = malloc(maxbuf);
  memset(wbuf, 'a', maxbuf);
  for (int s = 0; s < nscens; s++) replay(s); // warm-up and verification pass
  long checked = mismatches;
  syscalls = 0;
  long passes = 0;
  double t0 = now(), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), t;
  do {
    for (int s = 0; s < nscens; s++) replay(s);
    passes++;
    t = now();
  } while (t - t0 < budget);
  double cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
  long replayed = passes * nscens;
  printf("{\"scenarios\": %d, \"ops\": %d, \"passes\": %ld, \"seconds\": %.6f, \"nsPerScenario\": %.1f, \"cpuNsPerScenario\": %.1f, "
         "\"syscallsPerScenario\": %.2f, \"mismatches\": %ld, \"firstMismatch\": \"%s\"}\n",
         nscens, nops, passes, t - t0, (t - t0) * 1e9 / replayed, cpu * 1e9 / replayed, (double)syscalls / replayed, checked, first_mismatch);
  return 0;
}
