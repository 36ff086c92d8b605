// Shared by bench/raw-loop.c (the loop, pipe ops) and bench/raw-socket.c (socket ops).
#include <stdio.h>

#define MAXV 8
#define MAXH 32

struct op {
  char kind;     // see bench/raw-c.ts for the letters
  int h, h2;     // handles (M: read and write ends; D: source and new; K: both ends; X: connect to h2's address; A: new)
  int fifo, nonblock, dgram, family;
  long size;     // bytes, or a flag word (N, Z: the value; L: backlog; Y, J: recv flags; F: 1 for the peer's name)
  int nv;
  long v[MAXV];
  char path[32]; // B: a path in the work dir, "" for port 0 on the family's loopback address
  long expect;   // return value, or -errno (calls returning a descriptor: 0 for any descriptor)
  int revents;   // P: revents; J: msg_flags & MSG_TRUNC
};

/** Per scenario: descriptors by handle, and which are open. */
struct scenario_fds { int fd[MAXH], open_[MAXH]; };

extern unsigned char *wbuf, *rbuf;
extern long syscalls;
extern char work_dir[4096];

void die(const char *m);
long rd(FILE *f);
/** Reads a socket op's arguments (not its expectation); 0 if `kind` is not a socket op. */
int socket_parse(char kind, FILE *f, struct op *o, long *bytes);
/** Runs one socket op: the return value or -errno, and (J) the MSG_TRUNC bit in *flags. */
long socket_run(const struct op *o, struct scenario_fds *s, int *flags);
/** End of a scenario: forget per-handle state, remove socket files. */
void socket_end(void);
