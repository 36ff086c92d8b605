/* ipcspec-driver: the portable C driver for ipcspec (spec/driver-protocol.md, protocol 1).
 *
 *   cd harness/drivers/c && cc -O2 -pthread -o ipcspec-driver *.c
 *   npx ipcspec run --target exec:./ipcspec-driver
 *   (-DIPCSPEC_NO_PROC: behave as on a system without /proc: settle "unknown", traces not settled;
 *    -DIPCSPEC_POSIX_ONLY: build the POSIX fallback of every Linux-only part, to test it on Linux)
 *   One file for a port: harness/drivers/c/amalgamate.sh > ipcspec-driver.c (README.md beside it).
 *
 * POSIX only, no libraries: cross-compile it for an OS port and run it there. It performs
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
 * and pipelines (dd or yes | cat or head, as the host target runs them). Not: test hosts (network namespaces).
 *
 * This header holds what the files share: the build switches, the types, and every function one file
 * calls in another. The ops are listed once, in ops.c (name, function, capability). */
#ifndef IPCSPEC_DRIVER_H
#define IPCSPEC_DRIVER_H
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
/* The loopback waits read what Linux shows of a socket (netwait-linux.c). */
#if IPCSPEC_LINUX && defined(TCP_INFO)
#define NET_FACTS 1
#ifndef SO_MEMINFO
#define SO_MEMINFO 55
#endif
#else
#define NET_FACTS 0
#endif
/* The syscall numbers a pending call may sleep in (what /proc/self/task/TID/syscall names). */
#if IPCSPEC_LINUX
#ifndef SYS_open
#define SYS_open SYS_openat
#endif
#define NR(x) SYS_##x
#else
#define NR(x) -1
#endif

#define NEVER_OPEN 0x3fffffff /* above any RLIMIT_NOFILE: a closed handle whose number was reused */
/* Loopback must do it: at expiry the step reports detail.arrival "not-seen", for the model to judge.
   10 s; IPCSPEC_NETWORK_DEADLINE_MS (at least 100) shortens it for tests of targets that never deliver. */
long network_deadline_ms(void);
#define NETWORK_DEADLINE_MS network_deadline_ms()
#define CONNECT_WAIT_MS 30000     /* connect-wait: SYN retransmits come at 1, 3, 7, 15 s */

/* ---- json.c: requests in, one reply line out ---- */

typedef struct J {
  char t; /* o(bject) a(rray) s(tring) n(umber) b(oolean) z(null) */
  double n;
  char *s;
  size_t len; /* string bytes, or member count */
  char **keys;
  struct J **vals;
} J;

extern const char *jp; /* where jvalue parses next */
void die(const char *fmt, ...);
void *xmalloc(size_t n);
J *jvalue(void);
void jfree(J *j);
J *jget(J *o, const char *k);
const char *js(J *o, const char *k);
long jnum(J *o, const char *k);
void puts_(const char *s);
void putf(const char *fmt, ...);
void putstr(const char *s);
void putb64(const unsigned char *d, size_t n);
void flush_line(void);
unsigned char *b64decode(const char *s, size_t *n);

/* ---- protocol.c: errno names, handles, the scratch dir, outcomes, the step and the hello ---- */

/* closed: the number it had, -1 if never open; seen: its last name a sendto looked up (a datagram may still be sent there after it closed) */
typedef struct { char name[64]; int fd, closed; char seen[600]; } Handle;
extern Handle **handles; /* pointers, so a Handle never moves: connect-fill makes thousands */
extern int nhandles;
extern int maxfd; /* the highest descriptor this driver has made: a forked child closes everything up to it but its own */
extern char dir[512];

const char *errname(int e);
Handle *handle(const char *name);
void seen_fd(int fd);
void bind_(const char *name, int fd);
int fd_of(const char *name);
void make_dir(void);
void remove_dir(void);
const char *path_of(const char *rel, char *buf, size_t n);
void ok_head(long v);
/* The result of a call, errno read after it (argument evaluation order is unspecified). */
#define RESULT(expr) do { long v_ = (expr); outcome_sys(v_, errno); } while (0)
void outcome_sys(long v, int err);
void outcome_unseen(long v, int err);
void outcome_after(long v, int err, int seen);
void unsupported(const char *why);
void outcome_data_(long v, int err, const unsigned char *d, size_t size, int close);
void outcome_data(long v, int err, const unsigned char *d, size_t size);
void error_outcome(const char *what);
void step_(J *req);
void hello(void);

/* Any socket address; room beyond sun_path: a bind with a too-long path must reach the kernel (EINVAL). */
typedef union { struct sockaddr sa; struct sockaddr_un un; struct sockaddr_in in4; struct sockaddr_in6 in6; struct sockaddr_storage ss; char raw[512]; } Addr;

/* ---- actors.c: one thread per actor runs a call that may block; settle; the /proc probe ---- */

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

extern Actor *actors[64];
extern int nactors;
extern int proven; /* /proc shows a call asleep inside it: checked at start (probe_proc) */
extern int stat_shows_sleep; /* /proc shows a thread's sleep state, at least */
extern long quiet_override; /* IPCSPEC_SETTLE_QUIET_MS, -1 if unset */

/* What /proc shows (probe_proc): a thread's sleep state, and the syscall it sleeps in. */
enum { PROC_STAT = 1, PROC_SYSCALL = 2 };

int accept_cloexec(int fd, Addr *sa, socklen_t *len);
void on_usr1(int sig);
Actor *actor(const char *name);
void start(Actor *a, int step, int op, long sys_a, long sys_b);
int is_done(Actor *a);
int stat_says_asleep(const char *path);
void finish_actor_outcome(Actor *a);
void settle(void);
int probe_proc(void);

/* ---- pipes.c and children.c ---- */

/* A child-write or child-read child, or a pipeline: pid the producer, pid2 the consumer (exited/status: each once reaped). */
typedef struct { pid_t pid, pid2; int step, reader, pipeline, status_fd, busy, exited[2], status[2]; char out[1100]; } Child;
extern Child children[64];
extern int nchildren;

int may_block(int fd);
int cloexec_pipe(int fds[2], int nonblock);
int child_done(Child *ch);
int child_asleep(Child *ch);

/* ---- sockaddr.c: socket addresses as the vocabulary writes them ---- */

int domain_of(int fd);
int is_dgram(int fd);
int is_tcp(int fd);
void fmt_addr(const Addr *a, socklen_t len, char *text, size_t n);
int name_of(int fd, int peer, char *text, size_t n);
void put_addr_detail(const Addr *sa, socklen_t len);
void sockname_detail(int fd, int unseen);
void sockname_of(int fd);
int encode_addr(const char *s, Addr *a, socklen_t *len);
int sock_addr(J *a, int fd, Addr *ua, socklen_t *len, char *str, size_t n);
int addr_unsupported(int kind);
int sock_cloexec(int fd, int nonblock);
int family_of(const char *f);

/* ---- netwait-linux.c: what loopback must do after a TCP or UDP call, and waiting for it ---- */

/* Something loopback must do, as a condition to wait for (harness/host/exec-*.ts). */
enum { W_NONE, W_FIN, W_SEND, W_SEND_NOPEER, W_ARRIVALS, W_RECV, W_HANDSHAKE, W_UDP_RECEIVER, W_UDP_POLLERR, W_UDP_ICMP };
typedef struct { int kind, fd, peer, fam; long q, d, rmem, drops, icmp; Actor *actor; } Wait;

extern int net_ok[2]; /* AF_INET, AF_INET6: the kernel shows what the host target waits for */
long now_ms(void);
#if NET_FACTS
long accept_queue(int fd);
int tcp_broken(int fd);
int tcp_sender_may_wait(int sender, int receiver);
int tcp_nothing_coming(int sender, int receiver);
#endif
int peer_of(int fd);
int wait_over(const Wait *w);
int until(const Wait *w);
int handshake_watch(int listener, Wait *w);
int udp_settle(int fd, const char *to, Wait *w);
int probe_family(int fam);

/* ---- bind-unprivileged.c ---- */

extern char *self_exe;
int unprivileged_main(const char *family, const char *port);
void probe_drop(void);
const char *bind_unprivileged_lacks(void);

/* ---- ops.c: the one op table; each op's function is in its area's file ---- */

/* Every op runs as op_NAME(step, call, data): data is the request's "data" (the bytes a write carries), or NULL. */
typedef void OpFn(int step, J *call, J *data);
typedef struct {
  const char *name;
  OpFn *run;
  /* The capability: NULL if the driver always has it, else why it cannot do it here (NULL if it can, after
   * the probes at start). The hello lists only ops it can do, and names the others with their reason. */
  const char *(*lacks)(void);
} OpEntry;

const OpEntry *find_op(const char *name);
void put_ops(void);
void put_op_lacks(void);

OpFn op_make_pipe, op_read, op_readv, op_write, op_writev, op_close, op_dup, op_set_nonblock, op_poll,
  op_get_pipe_size, op_set_pipe_size, op_mkfifo, op_open, op_unlink, op_stat, op_concurrent_writes;
OpFn op_child_write, op_child_read, op_pipeline;
OpFn op_socketpair, op_socket, op_bind, op_listen, op_connect, op_accept, op_send, op_recv, op_shutdown,
  op_sockname, op_connect_status, op_connect_wait, op_connect_fill, op_set_buffers;
OpFn op_bind_unprivileged;

#endif
