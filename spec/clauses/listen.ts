// The listen queue (accept backlog).
import { BOTH, LINUX_ONLY, type ClauseSpec } from '../clause.ts';

export const LISTEN_CLAUSES = [
  {
    id: 'listen.backlog-overflow', area: 'listen-backlog', profiles: BOTH,
    title: 'A listener that never accepts completes only as many connections as its queue holds; the rest are dropped, not refused.',
    behaviour: 'Connections within the queue complete (AF_UNIX connect returns 0; a nonblocking TCP connect returns EINPROGRESS and is then connected). linux (measured: spec/profiles/linux.json listenQueue): the queue holds exactly min(backlog, somaxconn) + 1; beyond it a nonblocking AF_UNIX connect fails with EAGAIN and a TCP connect stays in progress (its SYN is dropped, never refused), seen by poll(POLLOUT) with a zero timeout once the listener has dropped the SYN. When accept frees room, new AF_UNIX connects succeed and a pending TCP connect may complete later through retransmission (listen.dropped-syn-completes-later says when it must); a blocking AF_UNIX connect to a full queue blocks (listen.full-queue-blocks-unix); backlogs linux truncates: listen.backlog-truncated. posix: the backlog is a hint; with backlog >= 1 one connection is surely held, beyond that a connect may complete, stay pending or be refused.',
    citation: {
      posix: 'XSH listen(): "The backlog argument provides a hint to the implementation which the implementation shall use to limit the number of outstanding connections in the socket\'s listen queue."; XSH connect(): "If the connection cannot be established immediately and O_NONBLOCK is set for the file descriptor for the socket, connect() shall fail and set errno to [EINPROGRESS]"',
      man: 'listen(2) NOTES: "If the backlog argument is greater than the value in /proc/sys/net/core/somaxconn, then it is silently truncated"; unix(7) EAGAIN',
      linux: 'measured (harness/measure/listen-facts.ts): net/core/sock.h sk_acceptq_is_full is "> sk_max_ack_backlog"; net/unix/af_unix.c unix_recvq_full is "> sk_max_ack_backlog"',
    },
  },
  {
    id: 'listen.full-queue-blocks-unix', area: 'listen-backlog', profiles: LINUX_ONLY,
    title: 'A blocking AF_UNIX connect to a full listen queue blocks, and completes as soon as accept frees room.',
    behaviour: 'linux (measured): with the queue holding min(backlog, somaxconn) + 1 connections, a blocking AF_UNIX connect neither fails nor returns: the thread sleeps inside connect (seen in /proc, not timed). When accept takes a connection, one sleeping connect wakes and returns 0 (its connection now fills the freed place); the others keep sleeping. posix: the queue length is a hint, so nothing is required beyond listen.backlog-overflow (a blocking connect may block for "an unspecified timeout interval", or be refused).',
    citation: {
      posix: 'XSH connect(): "If the connection cannot be established immediately and O_NONBLOCK is not set for the file descriptor for the socket, connect() shall block for up to an unspecified timeout interval until the connection is established."',
      man: 'unix(7) ERRORS: "EAGAIN ... for connect(2), the listen queue of the server socket is full" (nonblocking); connect(2)',
      linux: 'measured (harness/measure/listen-facts.ts, provenance listenQueue.fullQueue: a blocking connect bounded by SO_SNDTIMEO 250 ms slept 256-265 ms, then EAGAIN; after accept a blocking connect returned 0): net/unix/af_unix.c unix_stream_connect sleeps in unix_wait_for_peer while unix_recvq_full; unix_accept wakes peer_wait',
    },
  },
  {
    id: 'listen.dropped-syn-completes-later', area: 'listen-backlog', profiles: LINUX_ONLY,
    title: 'A TCP connect whose SYN a full listen queue dropped stays in progress (a blocking one blocks), and completes through SYN retransmission once accept frees room.',
    behaviour: 'linux (measured): against a full queue the listener drops the SYN without answering, so a nonblocking connect stays in progress and a blocking one sleeps inside connect; it is never refused, and nothing completes while the queue stays full. The client retransmits the SYN (after 1 s, then 3 s, 7 s, ...); once accept has freed room for every dropped connect still in progress, each completes (connect-wait: poll(POLLOUT) within 30 s; measured about 1 s). With fewer free places than dropped connects, which ones get in is a race (two retransmitted SYNs may both be answered while only one final ACK fits the queue), so nothing is required of any one of them. posix: TCP retransmission is not specified; see listen.backlog-overflow.',
    citation: {
      posix: 'XSH connect(): "If the connection cannot be established immediately and O_NONBLOCK is set ..., connect() shall fail and set errno to [EINPROGRESS], but the connection request shall not be aborted, and the connection shall be established asynchronously."',
      man: 'listen(2) NOTES: "If the underlying protocol supports retransmission, the request may be ignored so that a later reattempt at connection succeeds."; tcp(7) tcp_syn_retries',
      linux: 'measured (harness/measure/listen-facts.ts, provenance listenQueue.fullQueue: a blocking connect bounded by SO_SNDTIMEO 250 ms slept, then EINPROGRESS; the dropped connect completed 486-775 ms after accept, i.e. at the retransmission 1 s after its SYN): net/ipv4/tcp_input.c tcp_conn_request drops the SYN when sk_acceptq_is_full; net/ipv4/tcp_timer.c retransmits it',
    },
  },
  {
    id: 'listen.backlog-truncated', area: 'listen-backlog', profiles: LINUX_ONLY,
    title: 'A negative backlog, or one above somaxconn, acts as somaxconn.',
    behaviour: 'linux (measured: spec/profiles/linux.json listenQueue.somaxconn, provenance listenQueue.truncated): listen(fd, b) with b < 0 or b > somaxconn gives a queue of somaxconn + 1 connections, exactly as b = somaxconn does: connect number somaxconn + 1 completes and the next nonblocking AF_UNIX connect gets EAGAIN. (Linux compares the backlog as unsigned, so a negative one is huge and truncated.) posix: a negative backlog acts as 0, and backlog 0 guarantees nothing, so nothing is required; a large backlog is a hint.',
    citation: {
      posix: 'XSH listen(): "If listen() is called with a backlog argument value that is less than 0, the function behaves as if it had been called with a backlog argument value of 0."',
      man: 'listen(2) NOTES: "If the backlog argument is greater than the value in /proc/sys/net/core/somaxconn, then it is silently truncated to that value."',
      linux: 'measured (harness/measure/listen-facts.ts, provenance listenQueue.rule: backlogs -1 and somaxconn + 1 in every family, INT_MAX on AF_UNIX, each held 4097 = somaxconn + 1): net/socket.c __sys_listen "if ((unsigned int)backlog > somaxconn) backlog = somaxconn"',
    },
  },
] as const satisfies readonly ClauseSpec[];
