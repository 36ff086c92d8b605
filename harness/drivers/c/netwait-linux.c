#ifndef IPCSPEC_DRIVER_H /* the one-file form (amalgamate.sh) has the header above */
#include "ipcspec-driver.h"
#endif

/* ---- sockets: what loopback must do after a TCP or UDP call (Linux: the kernel shows it) ---- */

/* The waits read what Linux shows of a socket (NET_FACTS: TCP_INFO, SO_MEMINFO, the ICMP counters); on
 * another system they are over at once and probe_family leaves TCP and UDP out of the hello. */

long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

#if NET_FACTS
typedef struct { int ok; unsigned unacked, notsent; unsigned long long sent, received; } TcpInfo;
/* TCP_INFO by the kernel's layout (it only grows): tcpi_unacked, tcpi_notsent_bytes, tcpi_bytes_sent - tcpi_bytes_retrans, tcpi_bytes_received. */
static TcpInfo tcp_info(int fd) {
  unsigned char b[232];
  socklen_t l = sizeof b;
  TcpInfo t;
  unsigned long long retrans;
  memset(&t, 0, sizeof t);
  memset(b, 0, sizeof b);
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, b, &l) < 0 || l < 216) return t;
  t.ok = 1;
  memcpy(&t.unacked, b + 24, 4);
  memcpy(&t.notsent, b + 144, 4);
  memcpy(&t.sent, b + 200, 8);
  memcpy(&retrans, b + 208, 8);
  memcpy(&t.received, b + 128, 8);
  t.sent -= retrans;
  return t;
}
/* A listener's accept queue length (its tcpi_unacked), -1 if unreadable. */
long accept_queue(int fd) {
  unsigned char b[232];
  socklen_t l = sizeof b;
  unsigned v;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, b, &l) < 0 || l < 28) return -1;
  memcpy(&v, b + 24, 4);
  return v;
}
/* SO_MEMINFO: SK_MEMINFO_RMEM_ALLOC (bytes queued for receiving) and SK_MEMINFO_DROPS (a listener's dropped SYNs). */
static int meminfo(int fd, long *rmem, long *drops) {
  unsigned v[9];
  socklen_t l = sizeof v;
  *rmem = *drops = -1;
  if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, v, &l) < 0 || l < sizeof v) return -1;
  *rmem = v[0];
  *drops = v[8];
  return 0;
}
static long inq(int fd) { int v = 0; return ioctl(fd, FIONREAD, &v) < 0 ? -1 : v; }
static long outq(int fd) { int v = 0; return ioctl(fd, TIOCOUTQ, &v) < 0 ? -1 : v; }
/* ICMP (v4) or ICMPv6 destination unreachables received in this network namespace, -1 if unreadable. */
static long icmp_unreach(int fam) {
  char line[4096], keys[4096];
  long v = -1;
  FILE *f = fopen(fam == AF_INET6 ? "/proc/net/snmp6" : "/proc/net/snmp", "r");
  if (!f) return -1;
  keys[0] = 0;
  while (fgets(line, sizeof line, f)) {
    if (fam == AF_INET6) { if (sscanf(line, "Icmp6InDestUnreachs %ld", &v) == 1) break; continue; }
    if (strncmp(line, "Icmp:", 5)) continue;
    if (!keys[0]) { snprintf(keys, sizeof keys, "%s", line); continue; }
    /* the values line: the field at the position of InDestUnreachs in the keys line */
    char *ks, *vs, *k = strtok_r(keys, " \n", &ks), *x = strtok_r(line, " \n", &vs);
    while (k && x && strcmp(k, "InDestUnreachs")) { k = strtok_r(NULL, " \n", &ks); x = strtok_r(NULL, " \n", &vs); }
    if (k && x) v = atol(x);
    break;
  }
  fclose(f);
  return v;
}
/* The connection broke (POLLERR or POLLHUP): nothing more will move. */
int tcp_broken(int fd) { struct pollfd p = { fd, 0, 0 }; return poll(&p, 1, 0) >= 0 && (p.revents & (POLLERR | POLLHUP)); }
/* Every data byte sent has arrived (a FIN counts one more in tcpi_bytes_received). */
static int arrived(TcpInfo i, TcpInfo j) { return j.received >= i.sent; }
/* sender -> receiver has nothing in flight and no window update pending (harness/host/tcp-quiet.ts). */
static int tcp_quiet(int sender, int receiver) {
  TcpInfo i = tcp_info(sender), j = tcp_info(receiver);
  if (!i.ok || !j.ok) return 1;
  return arrived(i, j) && (i.notsent == 0 || (i.unacked == 0 && inq(receiver) > 0));
}
/* A sender asleep in sendto may stay so: its unsent bytes wait behind a receiver holding data, nothing unacknowledged. */
int tcp_sender_may_wait(int sender, int receiver) {
  TcpInfo i = tcp_info(sender), j = tcp_info(receiver);
  if (!i.ok || !j.ok) return 1;
  return arrived(i, j) && i.unacked == 0 && i.notsent > 0 && inq(receiver) > 0;
}
/* A receiver asleep in recvfrom may stay so: every byte the sender queued has arrived and it queues no more. */
int tcp_nothing_coming(int sender, int receiver) {
  TcpInfo i = tcp_info(sender), j = tcp_info(receiver);
  if (!i.ok || !j.ok) return 1;
  return arrived(i, j) && i.notsent == 0;
}
#endif


/* The session's TCP socket connected to fd (its name is fd's peer name), or -1. */
int peer_of(int fd) {
  char me[600], mine[600], a[600], b[600];
  if (name_of(fd, 0, me, sizeof me) < 0 || name_of(fd, 1, mine, sizeof mine) < 0) return -1;
  for (int i = 0; i < nhandles; i++) {
    int o = handles[i]->fd;
    if (o < 0 || o == fd || !is_tcp(o)) continue;
    if (name_of(o, 1, a, sizeof a) == 0 && !strcmp(a, me) && name_of(o, 0, b, sizeof b) == 0 && !strcmp(b, mine)) return o;
  }
  return -1;
}

/* Is w over? (Wait and its kinds W_*: ipcspec-driver.h) */
int wait_over(const Wait *w) {
#if NET_FACTS
  struct pollfd p = { w->peer, 0, 0 };
  long r, d;
  switch (w->kind) {
    case W_FIN: /* the peer has seen the FIN (or a reset) */
      p.events = POLLRDHUP;
      return poll(&p, 1, 0) < 0 || (p.revents & (POLLRDHUP | POLLERR | POLLHUP));
    case W_SEND: return tcp_quiet(w->fd, w->peer) || tcp_broken(w->fd);
    case W_SEND_NOPEER: { long q = outq(w->fd); return q <= 0 || tcp_broken(w->fd); }
    case W_ARRIVALS: return tcp_quiet(w->peer, w->fd) || tcp_broken(w->fd);
    case W_HANDSHAKE:
      meminfo(w->peer, &r, &d);
      if (accept_queue(w->peer) > w->q || d > w->drops) return 1;
      return w->actor && is_done(w->actor) && w->actor->value < 0;
    case W_UDP_RECEIVER: meminfo(w->peer, &r, &d); return r != w->rmem || d != w->drops;
    case W_UDP_POLLERR: p.fd = w->fd; p.events = POLLERR; return poll(&p, 1, 0) > 0 && (p.revents & POLLERR);
    case W_UDP_ICMP: return icmp_unreach(w->fam) > w->icmp; /* another sender's unreachable could end this early: then the check can only miss */
  }
#else
  (void)w;
#endif
  return 1;
}

/* Wait (long deadline) until w is over. 0 at expiry: the step then reports its outcome with
 * detail.arrival "not-seen" (what must follow never did), and the model judges whether the profile
 * promised it; a harness error is kept for a target that is itself broken. */
int until(const Wait *w) {
  long t0 = now_ms();
  for (long spins = 0; !wait_over(w); spins++) {
    if (now_ms() - t0 > NETWORK_DEADLINE_MS) return 0;
    if (spins < 100) sched_yield();
    else { struct timespec ts = { 0, 1000000 }; nanosleep(&ts, NULL); }
  }
  return 1;
}

/* Before a connect to listener: its accept queue and drops now, to see the handshake queued or the SYN dropped. */
int handshake_watch(int listener, Wait *w) {
#if NET_FACTS
  memset(w, 0, sizeof *w);
  w->kind = W_HANDSHAKE;
  w->peer = listener;
  w->q = accept_queue(listener);
  return w->q >= 0 && meminfo(listener, &w->rmem, &w->drops) == 0;
#else
  (void)listener; (void)w;
  return 0;
#endif
}

/* After a UDP datagram left, what loopback must do: the receiver queued or dropped it, or the ICMP unreachable came back. */
int udp_settle(int fd, const char *to, Wait *w) {
  memset(w, 0, sizeof *w);
#if NET_FACTS
  char addr[600], name[600];
  int fam = domain_of(fd);
  if (fam != AF_INET && fam != AF_INET6) return 0;
  if (to) snprintf(addr, sizeof addr, "%s", to);
  else if (name_of(fd, 1, addr, sizeof addr) < 0) return 0;
  w->fd = fd;
  w->fam = fam;
  for (int i = 0; i < nhandles; i++) {
    int o = handles[i]->fd;
    if (o < 0 || o == fd || !is_dgram(o) || name_of(o, 0, name, sizeof name) < 0 || strcmp(name, addr)) continue;
    w->kind = W_UDP_RECEIVER;
    w->peer = o;
    meminfo(o, &w->rmem, &w->drops);
    return 1;
  }
  w->kind = to ? W_UDP_ICMP : W_UDP_POLLERR;
  if (to) w->icmp = icmp_unreach(fam);
  return 1;
#else
  (void)fd; (void)to;
  return 0;
#endif
}

int net_ok[2];
int probe_family(int fam) {
#if NET_FACTS
  int ok = 0, l = socket(fam, SOCK_STREAM, 0), u = socket(fam, SOCK_DGRAM, 0), c = -1, k = -1;
  Addr ua, la;
  socklen_t len, ll = sizeof la;
  long q0, rm, dr, t0;
  encode_addr(fam == AF_INET6 ? "[::1]:0" : "127.0.0.1:0", &ua, &len);
  if (l < 0 || u < 0 || bind(l, &ua.sa, len) || listen(l, 4) || getsockname(l, &la.sa, &ll)) goto out;
  if ((q0 = accept_queue(l)) < 0 || meminfo(l, &rm, &dr) || meminfo(u, &rm, &dr) || icmp_unreach(fam) < 0) goto out;
  if ((c = socket(fam, SOCK_STREAM, 0)) < 0) goto out;
  fcntl(c, F_SETFL, O_NONBLOCK);
  if (connect(c, &la.sa, ll) && errno != EINPROGRESS) goto out;
  /* the handshake shows in the listener's accept queue */
  for (t0 = now_ms(); accept_queue(l) != q0 + 1; sched_yield()) if (now_ms() - t0 > 2000) goto out;
  if ((k = accept(l, NULL, NULL)) < 0 || send(c, "x", 1, MSG_NOSIGNAL) != 1) goto out;
  /* a byte sent shows in both ends' byte counts */
  for (t0 = now_ms();; sched_yield()) {
    TcpInfo i = tcp_info(c), j = tcp_info(k);
    if (i.ok && j.ok && i.sent == 1 && j.received == 1) break;
    if (now_ms() - t0 > 2000) goto out;
  }
  ok = 1;
out:
  if (l >= 0) close(l);
  if (u >= 0) close(u);
  if (c >= 0) close(c);
  if (k >= 0) close(k);
  return ok;
#else
  (void)fam;
  return 0;
#endif
}
