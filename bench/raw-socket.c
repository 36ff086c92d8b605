// Socket ops for bench/raw-loop.c: the calls ipcspec's host target makes for each socket step, as a
// C program would make them. Every step's call is here with the same sizes and flags, and so is
// what the step itself is defined to report (bind and connect: getsockname; accept: the peer's
// address). So are the waits for loopback effects, because a C program needs them too: loopback
// TCP and UDP deliver in softirq context, usually before send/connect returns but not always (under
// load, ksoftirqd), and the next step (a MSG_DONTWAIT recv, a nonblocking accept) would see EAGAIN.
// They end on the conditions the host target waits for, checked in a busy loop: after a TCP connect,
// until the listener queued the connection or dropped the SYN; after a TCP send, until the peer has
// received the bytes (its tcpi_bytes_received grew by them; the host target compares the sender's
// tcpi_bytes_sent, which comes to the same), or all are acknowledged, or the connection broke; after a
// UDP send, until the receiver queued the datagram or counted it dropped. But C waits after a send only
// where it needs to: when a later step receives (bench/raw-c.ts marks those sends). The host target
// cannot know the future: it waits after every send, and over TCP before every recv too. Also left
// out is what C knows without asking: a descriptor's family and type, its peer, the receiver of a
// connected sender.
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/sockios.h>
#include "raw-loop.h"

#ifndef SO_MEMINFO
#define SO_MEMINFO 55
#endif

/** What C knows about each handle from the calls that made it. */
static struct {
  int family, dgram;
  int to;                         // the peer: the other end of a socketpair or of an accepted connection; UDP: the receiver (-1: none)
  int queue[4], queued;           // a listener: its connecting sockets not yet accepted, in order
  struct sockaddr_storage name;   // bind: the bound name (what connect to this handle uses)
  socklen_t namelen;
  int path_bound;                 // bind made a socket file (removed at the end of the scenario)
} hs[MAXH];

int socket_parse(char k, FILE *f, struct op *o, long *bytes) {
  switch (k) {
    case 'K': o->h = rd(f); o->h2 = rd(f); o->nonblock = rd(f); o->dgram = rd(f); return 1;
    case 'O': o->h = rd(f); o->family = rd(f); o->nonblock = rd(f); o->dgram = rd(f); return 1;
    case 'B':
      o->h = rd(f);
      if (fscanf(f, " %31s", o->path) != 1) die("malformed ops file");
      if (!strcmp(o->path, "-")) o->path[0] = 0;
      return 1;
    case 'L': o->h = rd(f); o->size = rd(f); return 1;
    case 'X': o->h = rd(f); o->h2 = rd(f); return 1;
    case 'A': o->h = rd(f); o->h2 = rd(f); return 1;
    case 'E': o->h = rd(f); o->size = *bytes = rd(f); o->nonblock = rd(f); return 1; // nonblock: 1 if a later recv sees it
    case 'Y': case 'J': o->h = rd(f); *bytes = o->v[0] = rd(f); o->size = rd(f); return 1;
    case 'F': o->h = rd(f); o->size = rd(f); return 1;
    default: return 0;
  }
}

static int sys_(long r) { syscalls++; return r < 0 ? -errno : (int)r; }
#define SYS(call) sys_((long)(call))

static int tcp(int h) { return hs[h].family != AF_UNIX && !hs[h].dgram; }

/** SO_MEMINFO: [0] bytes queued for receiving, [8] drops (SYNs a listener dropped, datagrams a socket dropped). */
static int meminfo(int fd, unsigned m[9]) { socklen_t n = 9 * sizeof *m; return SYS(getsockopt(fd, SOL_SOCKET, SO_MEMINFO, m, &n)); }
/** TCP_INFO tcpi_unacked: a listener's accept queue length. */
static long accept_queue(int fd) {
  struct tcp_info t;
  socklen_t n = sizeof t;
  return SYS(getsockopt(fd, IPPROTO_TCP, TCP_INFO, &t, &n)) < 0 ? -1 : (long)t.tcpi_unacked;
}

/** TCP_INFO tcpi_bytes_received (offset 128; glibc's struct tcp_info stops short of it), plus 1; 0 if it fails. */
static unsigned long long bytes_received(int fd) {
  unsigned char t[232];
  socklen_t n = sizeof t;
  unsigned long long v;
  if (SYS(getsockopt(fd, IPPROTO_TCP, TCP_INFO, t, &n)) < 0 || n < 136) return 0;
  memcpy(&v, t + 128, sizeof v);
  return v + 1;
}
/** The peer acknowledged all data (SIOCOUTQ 0), or the connection broke. */
static int acked(int fd) {
  int q;
  if (SYS(ioctl(fd, SIOCOUTQ, &q)) < 0 || q == 0) return 1;
  struct pollfd p = { fd, 0, 0 };
  return SYS(poll(&p, 1, 0)) >= 0 && (p.revents & (POLLERR | POLLHUP));
}

static void name_of(const struct op *o, struct sockaddr_storage *a, socklen_t *len) {
  memset(a, 0, sizeof *a);
  if (o->path[0] && hs[o->h].family == AF_UNIX) {
    struct sockaddr_un *u = (struct sockaddr_un *)a;
    u->sun_family = AF_UNIX;
    if (snprintf(u->sun_path, sizeof u->sun_path, "%s/%s", work_dir, o->path) >= (int)sizeof u->sun_path) die("socket path too long (TMPDIR)");
    *len = sizeof *u;
  } else if (hs[o->h].family == AF_INET) {
    struct sockaddr_in *in = (struct sockaddr_in *)a;
    in->sin_family = AF_INET;
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    *len = sizeof *in;
  } else {
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)a;
    in6->sin6_family = AF_INET6;
    in6->sin6_addr = in6addr_loopback;
    *len = sizeof *in6;
  }
}

long socket_run(const struct op *o, struct scenario_fds *s, int *flags) {
  int h = o->h, f = s->fd[h];
  struct sockaddr_storage a;
  socklen_t len = sizeof a;
  switch (o->kind) {
    case 'K': {
      int sv[2], r = SYS(socketpair(AF_UNIX, (o->dgram ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC | (o->nonblock ? SOCK_NONBLOCK : 0), 0, sv));
      if (r < 0) return r;
      s->fd[h] = sv[0]; s->fd[o->h2] = sv[1];
      s->open_[h] = s->open_[o->h2] = 1;
      hs[h].family = hs[o->h2].family = AF_UNIX;
      hs[h].dgram = hs[o->h2].dgram = o->dgram;
      hs[h].to = o->h2; hs[o->h2].to = h;
      return 0;
    }
    case 'O': {
      int r = SYS(socket(o->family, (o->dgram ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC | (o->nonblock ? SOCK_NONBLOCK : 0), 0));
      if (r < 0) return r;
      s->fd[h] = r; s->open_[h] = 1;
      hs[h].family = o->family; hs[h].dgram = o->dgram; hs[h].to = -1;
      return 0;
    }
    case 'B': {
      name_of(o, &a, &len);
      int r = SYS(bind(f, (struct sockaddr *)&a, len));
      if (r < 0) return r;
      hs[h].path_bound = hs[h].family == AF_UNIX && o->path[0];
      hs[h].namelen = sizeof hs[h].name;
      return SYS(getsockname(f, (struct sockaddr *)&hs[h].name, &hs[h].namelen));
    }
    case 'L': return SYS(listen(f, (int)o->size));
    case 'X': {
      int l = o->h2, wait = tcp(h) && tcp(l) && s->open_[l];
      long q0 = 0;
      unsigned m0[9], m[9];
      if (wait) { q0 = accept_queue(s->fd[l]); wait = q0 >= 0 && meminfo(s->fd[l], m0) == 0; }
      int r = SYS(connect(f, (struct sockaddr *)&hs[l].name, hs[l].namelen));
      if (wait && (r == 0 || r == -EINPROGRESS)) {
        while (accept_queue(s->fd[l]) <= q0 && !(meminfo(s->fd[l], m) == 0 && m[8] > m0[8])) {}
      }
      if (hs[h].dgram) { if (r == 0) hs[h].to = l; }
      else if ((r == 0 || r == -EINPROGRESS) && hs[l].queued < 4) hs[l].queue[hs[l].queued++] = h;
      if (r == 0 || r == -EINPROGRESS) SYS(getsockname(f, (struct sockaddr *)&a, &len));
      return r;
    }
    case 'A': {
      int r = SYS(accept4(f, (struct sockaddr *)&a, &len, SOCK_CLOEXEC));
      if (r < 0) return r;
      s->fd[o->h2] = r; s->open_[o->h2] = 1;
      hs[o->h2].family = hs[h].family; hs[o->h2].dgram = 0; hs[o->h2].to = -1;
      if (hs[h].queued) {  // the connection accepted is the oldest connect's
        int c = hs[h].queue[0];
        memmove(hs[h].queue, hs[h].queue + 1, sizeof hs[h].queue - sizeof *hs[h].queue);
        hs[h].queued--;
        hs[o->h2].to = c; hs[c].to = o->h2;
      }
      return 0;
    }
    case 'E': {
      int to = hs[h].to, seen = o->nonblock, udp = seen && hs[h].dgram && hs[h].family != AF_UNIX && to >= 0 && s->open_[to];
      unsigned m0[9], m[9];
      if (udp && meminfo(s->fd[to], m0) < 0) udp = 0;
      int peer = seen && tcp(h) && to >= 0 && s->open_[to] ? to : -1;
      unsigned long long got0 = peer >= 0 ? bytes_received(s->fd[peer]) : 0; // 0: unknown, wait for the ACK
      int r = SYS(sendto(f, wbuf, o->size, MSG_DONTWAIT | MSG_NOSIGNAL, NULL, 0));
      if (r < 0) return r;
      if (seen && tcp(h)) {
        for (;;) {  // the same end as the host target's wait (tcpDelivery)
          unsigned long long now = got0 ? bytes_received(s->fd[peer]) : 0;
          if ((got0 && (!now || now >= got0 + (unsigned long long)r)) || acked(f)) break;
        }
      } else if (udp) {
        while (meminfo(s->fd[to], m) == 0 && m[0] == m0[0] && m[8] == m0[8]) {}
      }
      return r;
    }
    case 'Y': return SYS(recvfrom(f, rbuf, o->v[0], (int)o->size, NULL, NULL));
    case 'J': {
      struct iovec iov = { rbuf, o->v[0] };
      struct msghdr msg = { .msg_name = &a, .msg_namelen = len, .msg_iov = &iov, .msg_iovlen = 1 };
      int r = SYS(recvmsg(f, &msg, (int)o->size));
      *flags = msg.msg_flags & MSG_TRUNC;
      return r;
    }
    case 'F': return o->size ? SYS(getpeername(f, (struct sockaddr *)&a, &len)) : SYS(getsockname(f, (struct sockaddr *)&a, &len));
  }
  die("unknown op");
  return 0;
}

void socket_end(void) {
  for (int h = 0; h < MAXH; h++) {
    if (hs[h].path_bound) SYS(unlink(((struct sockaddr_un *)&hs[h].name)->sun_path));
    hs[h].path_bound = 0;
    hs[h].to = -1;
    hs[h].queued = 0;
  }
}
