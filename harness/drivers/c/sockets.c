#ifndef IPCSPEC_DRIVER_H /* the one-file form (amalgamate.sh) has the header above */
#include "ipcspec-driver.h"
#endif

/* ---- sockets: the steps (socketpair, socket, bind, listen, connect, accept, send, recv, ...) ---- */

static void sock_create(J *c, const char *op) {
  int nb = (int)jnum(c, "nonblock"), type = jnum(c, "dgram") ? SOCK_DGRAM : SOCK_STREAM;
  if (!strcmp(op, "socketpair")) {
    int sv[2];
    if (socketpair(AF_UNIX, type, 0, sv)) { outcome_sys(-1, errno); return; }
    bind_(js(c, "a"), sock_cloexec(sv[0], nb));
    bind_(js(c, "b"), sock_cloexec(sv[1], nb));
    outcome_sys(0, 0);
    return;
  }
  if (jget(c, "host")) { unsupported("test hosts are not implemented by ipcspec-driver.c"); return; }
  int fd = socket(family_of(js(c, "family")), type, 0), e = errno;
  if (fd >= 0) bind_(js(c, "as"), sock_cloexec(fd, nb));
  outcome_sys(fd, e);
}

static void sock_bind(J *c) {
  int fd = fd_of(js(c, "fd"));
  Addr ua;
  socklen_t len = 0;
  char str[600];
  int kind = sock_addr(jget(c, "addr"), fd, &ua, &len, str, sizeof str);
  if (addr_unsupported(kind)) return;
  if (bind(fd, &ua.sa, len) < 0) { outcome_sys(-1, errno); return; }
  ok_head(0);
  if (kind == 3 || kind == 4) {
    /* The bound name as the kernel has it: absolute for a path (its length is the point), "@NAME" for an abstract one. */
    Addr got;
    socklen_t gl = sizeof got;
    memset(&got, 0, sizeof got);
    char shown[sizeof got.un.sun_path + 8];
    getsockname(fd, &got.sa, &gl);
    size_t off = offsetof(struct sockaddr_un, sun_path), n = gl > off ? gl - off : 0, dl = strlen(dir);
    if (n > sizeof got.un.sun_path) n = sizeof got.un.sun_path;
    if (kind == 3) snprintf(shown, sizeof shown, "unix:%.*s", (int)strnlen(got.un.sun_path, n), got.un.sun_path);
    else {
      const char *name = got.un.sun_path + 1;
      int nl = n > 0 ? (int)n - 1 : 0;
      if (nl > (int)dl && !strncmp(name, dir, dl) && name[dl] == '/') { name += dl + 1; nl -= (int)dl + 1; }
      snprintf(shown, sizeof shown, "unix:@%.*s", nl, name);
    }
    puts_(",\"detail\":{\"addr\":");
    putstr(shown);
    puts_("}");
  } else sockname_of(fd);
  puts_("}");
}

/* connect: a TCP connect waits until the listener queued the handshake or dropped the SYN; a blocking one runs on its actor. */
static void sock_connect(int step, J *c) {
  int fd = fd_of(js(c, "fd"));
  J *to = jget(c, "to");
  Addr ua;
  socklen_t len = 0;
  char str[600];
  int kind = sock_addr(to, fd, &ua, &len, str, sizeof str);
  if (addr_unsupported(kind)) return;
  Wait w;
  int watch = is_tcp(fd) && jget(to, "of") && handshake_watch(fd_of(js(to, "of")), &w);
  /* A datagram connect only sets the default destination: it never blocks. A name longer than sun_path fails at once (EINVAL). */
  if (may_block(fd) && !is_dgram(fd) && len <= sizeof(struct sockaddr_un)) {
    Actor *a = actor(js(c, "actor"));
    a->fd = fd; a->sa = ua; a->salen = len; a->data = NULL;
    start(a, step, OP_CONNECT, NR(connect), NR(connect));
    /* the handshake not seen within the deadline: the connect is still out, and the settle says where it is */
    if (watch) { w.actor = a; until(&w); }
    puts_("{\"kind\":\"pending\"}");
    return;
  }
  int r = connect(fd, &ua.sa, len), e = errno;
  int unseen = watch && (r == 0 || e == EINPROGRESS) && !until(&w);
  if (r < 0 && e != EINPROGRESS) { outcome_sys(-1, e); return; }
  if (r < 0) { puts_("{\"kind\":\"err\",\"errno\":\"EINPROGRESS\""); sockname_detail(fd, unseen); puts_("}"); return; }
  ok_head(0);
  sockname_detail(fd, unseen);
  puts_("}");
}

static void sock_accept(int step, J *c) {
  int fd = fd_of(js(c, "fd"));
  Actor tmp, *a = &tmp;
  if (may_block(fd)) a = actor(js(c, "actor"));
  a->fd = fd; a->op = OP_ACCEPT; a->data = NULL;
  snprintf(a->as, sizeof a->as, "%s", js(c, "as"));
  if (a != &tmp) { start(a, step, OP_ACCEPT, NR(accept4), NR(accept)); puts_("{\"kind\":\"pending\"}"); return; }
  a->salen = sizeof a->sa;
  a->value = accept_cloexec(fd, &a->sa, &a->salen);
  a->err = errno;
  finish_actor_outcome(a);
}

/* The bytes a send carries; 0 (and a fatal diagnostic) if they do not match its size. */
static unsigned char *send_bytes(int step, J *c, J *data, size_t *size) {
  size_t n;
  *size = (size_t)jnum(c, "size");
  unsigned char *d = b64decode(data ? js(data, "$base64") : "", &n);
  if (n != *size) die("bad request: step %d carries %zu bytes for a %zu-byte send", step, n, *size);
  return d;
}
static int recv_flags(J *c) {
  return (jnum(c, "waitall") ? MSG_WAITALL : 0) | (jnum(c, "dontwait") ? MSG_DONTWAIT : 0) | (jnum(c, "peek") ? MSG_PEEK : 0) | (jnum(c, "trunc") ? MSG_TRUNC : 0);
}
static int send_dontwait(J *c) { return !(jget(c, "dontwait") && !jnum(c, "dontwait")); }

/* Over TCP a send waits until the connection is quiet: what it sent has arrived, or waits behind the peer's full window. */
static void stream_send(int step, J *c, J *data, int fd) {
  size_t size;
  unsigned char *bytes = send_bytes(step, c, data, &size);
  Wait w;
  memset(&w, 0, sizeof w);
  if (is_tcp(fd)) { w.fd = fd; w.peer = peer_of(fd); w.kind = w.peer >= 0 ? W_SEND : W_SEND_NOPEER; }
  int dontwait = send_dontwait(c);
  if (!dontwait && may_block(fd)) {
    Actor *a = actor(js(c, "actor"));
    a->fd = fd; a->data = bytes; a->size = size; a->mflags = MSG_NOSIGNAL;
    start(a, step, OP_SEND, NR(sendto), NR(sendto));
    a->watch = w.kind; a->peer = w.peer;
    puts_("{\"kind\":\"pending\"}");
    return;
  }
  long r = send(fd, bytes, size, (dontwait ? MSG_DONTWAIT : 0) | MSG_NOSIGNAL);
  int e = errno;
  free(bytes);
  outcome_after(r, e, r < 0 || !w.kind || until(&w));
}

/* Over TCP a recv first waits until what the peer sent has arrived; a blocking one counts as blocked only once nothing more is coming. */
static void stream_recv(int step, J *c, int fd) {
  int flags = recv_flags(c), peer = is_tcp(fd) ? peer_of(fd) : -1;
  if (peer >= 0) {
    /* expiry: the recv runs anyway, and what it returns is the observation */
    Wait w = { W_ARRIVALS, fd, peer, 0, 0, 0, 0, 0, 0, NULL };
    until(&w);
  }
  Actor tmp, *a = &tmp;
  if (!(flags & MSG_DONTWAIT) && may_block(fd)) a = actor(js(c, "actor"));
  a->fd = fd; a->op = OP_RECV; a->mflags = flags; a->size = (size_t)jnum(c, "size");
  a->data = xmalloc(a->size);
  if (a != &tmp) {
    start(a, step, OP_RECV, NR(recvfrom), NR(recvfrom));
    if (peer >= 0) { a->watch = W_RECV; a->peer = peer; }
    puts_("{\"kind\":\"pending\"}");
    return;
  }
  a->value = recv(fd, a->data, a->size, flags);
  a->err = errno;
  finish_actor_outcome(a);
}

/* Where a sendto goes: {of: H} is H's name now, or the last one seen while it was open. 0 if never seen. */
static int destination(J *to, int fd, Addr *ua, socklen_t *len, char *str, size_t n) {
  if (!jget(to, "of")) return sock_addr(to, fd, ua, len, str, n);
  Handle *h = handle(js(to, "of"));
  if (h->fd >= 0 && name_of(h->fd, 0, str, n) == 0) snprintf(h->seen, sizeof h->seen, "%s", str);
  if (!h->seen[0]) return -3;
  snprintf(str, n, "%s", h->seen);
  return encode_addr(str, ua, len);
}

static void dgram_send(int step, J *c, J *data, int fd) {
  J *to = jget(c, "to");
  Addr ua;
  socklen_t len = 0;
  char str[600];
  if (to) {
    int kind = destination(to, fd, &ua, &len, str, sizeof str);
    if (kind == -3) { snprintf(str, sizeof str, "sendto %s: its address was never seen while it was open", js(to, "of")); error_outcome(str); return; }
    if (addr_unsupported(kind)) return;
  }
  size_t size;
  unsigned char *bytes = send_bytes(step, c, data, &size);
  if (!send_dontwait(c) && may_block(fd)) {
    /* an AF_UNIX send into a full queue sleeps until a receive makes room */
    if (to) { free(bytes); error_outcome("a blocking sendto is not a step the walks make"); return; }
    Actor *a = actor(js(c, "actor"));
    a->fd = fd; a->data = bytes; a->size = size; a->mflags = MSG_NOSIGNAL;
    start(a, step, OP_SEND, NR(sendto), NR(sendto));
    puts_("{\"kind\":\"pending\"}");
    return;
  }
  Wait w;
  int settle = udp_settle(fd, to ? str : NULL, &w);
  long r = to ? sendto(fd, bytes, size, MSG_DONTWAIT | MSG_NOSIGNAL, &ua.sa, len) : send(fd, bytes, size, MSG_DONTWAIT | MSG_NOSIGNAL);
  int e = errno;
  free(bytes);
  /* the datagram queued or dropped at its receiver, or the ICMP port unreachable back; else "not-seen" */
  outcome_after(r, e, r < 0 || !settle || until(&w));
}

/* A nonblocking datagram receive is recvmsg: msg_flags (MSG_TRUNC) and the sender's address come with it. */
static void dgram_recv(int step, J *c, int fd) {
  int flags = recv_flags(c);
  size_t size = (size_t)jnum(c, "size");
  if (flags & MSG_DONTWAIT) {
    unsigned char *d = xmalloc(size);
    Addr nm;
    struct iovec iov = { d, size };
    struct msghdr m;
    memset(&m, 0, sizeof m);
    memset(&nm, 0, sizeof nm);
    m.msg_name = &nm;
    m.msg_namelen = sizeof nm.ss;
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    long v;
    while ((v = recvmsg(fd, &m, flags)) < 0 && errno == EINTR) {}
    if (v < 0) { outcome_sys(-1, errno); free(d); return; }
    char a[600];
    if (m.msg_namelen < 2) snprintf(a, sizeof a, "unix:");
    else fmt_addr(&nm, m.msg_namelen, a, sizeof a);
    outcome_data_(v, 0, d, size, 0);
    puts_(",\"detail\":{\"msgFlags\":[");
    if (m.msg_flags & MSG_TRUNC) putstr("MSG_TRUNC");
    puts_("],\"addr\":");
    putstr(a);
    puts_("}}");
    free(d);
    return;
  }
  Actor tmp, *a = &tmp;
  if (may_block(fd)) a = actor(js(c, "actor"));
  a->fd = fd; a->op = OP_RECV; a->mflags = flags; a->size = size;
  a->data = xmalloc(size);
  if (a != &tmp) { start(a, step, OP_RECV, NR(recvfrom), NR(recvfrom)); puts_("{\"kind\":\"pending\"}"); return; }
  a->value = recv(fd, a->data, size, flags);
  a->err = errno;
  finish_actor_outcome(a);
}

/* Before closing or shutting down a TCP socket: its peer, to wait until it has seen the FIN; -1 if none. */
static int fin_watch(int fd) { return is_tcp(fd) ? peer_of(fd) : -1; }
static int fin_seen(int peer) {
  Wait w = { W_FIN, -1, peer, 0, 0, 0, 0, 0, 0, NULL };
  return peer < 0 || until(&w);
}

static void sock_shutdown(J *c) {
  int fd = fd_of(js(c, "fd"));
  const char *how = js(c, "how");
  /* only a write half shut sends a FIN for the peer to see; SHUT_RD has no effect on the wire */
  int peer = strcmp(how, "rd") ? fin_watch(fd) : -1;
  int r = shutdown(fd, !strcmp(how, "wr") ? SHUT_WR : !strcmp(how, "rd") ? SHUT_RD : SHUT_RDWR), e = errno;
  outcome_after(r, e, r != 0 || fin_seen(peer));
}

static void sock_name(J *c) {
  Addr sa;
  socklen_t len = sizeof sa;
  int fd = fd_of(js(c, "fd"));
  memset(&sa, 0, sizeof sa);
  int r = jnum(c, "peer") ? getpeername(fd, &sa.sa, &len) : getsockname(fd, &sa.sa, &len);
  if (r < 0) { outcome_sys(-1, errno); return; }
  ok_head(0);
  put_addr_detail(&sa, len);
  puts_("}");
}

/* poll(POLLOUT) said the connect is over: 1 connected, or its error (SO_ERROR). */
static void connect_result(int fd) {
  int soerr = 0;
  socklen_t l = sizeof soerr;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &l) < 0) outcome_sys(-1, errno);
  else if (soerr) outcome_sys(-1, soerr);
  else outcome_sys(1, 0);
}

/* connect-status (wait 0) and connect-wait: something that must happen, so a long deadline, and at expiry the honest "still in progress" (0). */
static void connect_poll(J *c, int wait) {
  int fd = fd_of(js(c, "fd"));
  long t0 = now_ms();
  for (;;) {
    struct pollfd p = { fd, POLLOUT, 0 };
    if (poll(&p, 1, 0) < 0) { if (errno == EINTR) continue; outcome_sys(-1, errno); return; }
    if (p.revents & (POLLOUT | POLLERR | POLLHUP)) { connect_result(fd); return; }
    if (!wait || now_ms() - t0 > CONNECT_WAIT_MS) { outcome_sys(0, 0); return; }
    struct timespec ts = { 0, 2000000 };
    nanosleep(&ts, NULL);
  }
}

/* connect-fill: nonblocking sockets AS1, AS2, ... connect to `to` until one does not complete at once (AF_UNIX: it fails; TCP: the SYN is dropped). */
static void connect_fill(J *c) {
  int fam = family_of(js(c, "family")), count = (int)jnum(c, "count");
  J *to = jget(c, "to");
  int listener = jget(to, "of") ? fd_of(js(to, "of")) : -1, tcp = fam != AF_UNIX && jget(to, "of");
  for (int n = 0; n < count; n++) {
    int k = socket(fam, SOCK_STREAM, 0), e = errno;
    if (k < 0) { outcome_sys(-1, e); return; }
    char as[80];
    snprintf(as, sizeof as, "%s%d", js(c, "as"), n + 1);
    bind_(as, sock_cloexec(k, 1));
    Addr ua;
    socklen_t len = 0;
    char str[600];
    int kind = sock_addr(to, k, &ua, &len, str, sizeof str);
    if (addr_unsupported(kind)) return;
    Wait w;
    if (tcp && !handshake_watch(listener, &w)) { error_outcome("connect-fill: cannot read the listener's accept queue and drops"); return; }
    int r = connect(k, &ua.sa, len);
    e = errno;
    if (!tcp) { if (r < 0) { outcome_sys(n, 0); return; } continue; }
    if (r == 0) { error_outcome("a nonblocking TCP connect returned 0 at once"); return; }
    if (e != EINPROGRESS) { outcome_sys(n, 0); return; }
    /* neither queued nor dropped within the deadline: it did not complete, and the count says so */
    if (!until(&w)) { outcome_unseen(n, 0); return; }
#if NET_FACTS
    if (accept_queue(listener) <= w.q) { outcome_sys(n, 0); return; } /* dropped */
#endif
  }
  outcome_sys(count, 0);
}

/* set-buffers: SO_SNDBUF, then SO_RCVBUF, each if given (fixed sizes keep a loopback receiver from outgrowing its memory). */
static void set_buffers(J *c) {
  int fd = fd_of(js(c, "fd"));
  const char *which[2] = { "snd", "rcv" };
  const int opt[2] = { SO_SNDBUF, SO_RCVBUF };
  for (int k = 0; k < 2; k++) {
    if (!jget(c, which[k])) continue;
    int v = (int)jnum(c, which[k]);
    if (setsockopt(fd, SOL_SOCKET, opt[k], &v, sizeof v) < 0) { outcome_sys(-1, errno); return; }
  }
  outcome_sys(0, 0);
}

/* close: a TCP socket's peer must have seen the FIN before the step counts as settled. */
static void close_step(J *c) {
  Handle *h = handle(js(c, "fd"));
  int fd = fd_of(h->name), live = h->fd == fd && fd >= 0;
  int peer = live ? fin_watch(fd) : -1;
  int r = close(fd), e = errno;
  if (live) { h->closed = fd; h->fd = -1; }
  outcome_after(r, e, r != 0 || fin_seen(peer));
}

/* ---- the socket ops the op table (ops.c) runs ---- */

void op_socketpair(int step, J *c, J *data) { (void)step; (void)data; sock_create(c, "socketpair"); }
void op_socket(int step, J *c, J *data) { (void)step; (void)data; sock_create(c, "socket"); }
void op_bind(int step, J *c, J *data) { (void)step; (void)data; sock_bind(c); }
void op_listen(int step, J *c, J *data) { (void)step; (void)data; RESULT(listen(fd_of(js(c, "fd")), (int)jnum(c, "backlog"))); }
void op_connect(int step, J *c, J *data) { (void)data; sock_connect(step, c); }
void op_accept(int step, J *c, J *data) { (void)data; sock_accept(step, c); }
/* A send or recv on a datagram socket keeps message boundaries and addresses; on a stream, the TCP waits. */
void op_send(int step, J *c, J *data) { int fd = fd_of(js(c, "fd")); (is_dgram(fd) ? dgram_send : stream_send)(step, c, data, fd); }
void op_recv(int step, J *c, J *data) {
  (void)data;
  int fd = fd_of(js(c, "fd"));
  if (is_dgram(fd)) dgram_recv(step, c, fd);
  else stream_recv(step, c, fd);
}
void op_shutdown(int step, J *c, J *data) { (void)step; (void)data; sock_shutdown(c); }
void op_sockname(int step, J *c, J *data) { (void)step; (void)data; sock_name(c); }
void op_connect_status(int step, J *c, J *data) { (void)step; (void)data; connect_poll(c, 0); }
void op_connect_wait(int step, J *c, J *data) { (void)step; (void)data; connect_poll(c, 1); }
void op_connect_fill(int step, J *c, J *data) { (void)step; (void)data; connect_fill(c); }
void op_set_buffers(int step, J *c, J *data) { (void)step; (void)data; set_buffers(c); }
/* close is here, not with the pipes: a TCP socket's close waits until its peer saw the FIN. */
void op_close(int step, J *c, J *data) { (void)step; (void)data; close_step(c); }
