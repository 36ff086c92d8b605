// The listen queue (accept backlog).
import { BOTH, type Clause } from '../clause.ts';

export const LISTEN_CLAUSES: Clause[] = [
  {
    id: 'listen.backlog-overflow', area: 'listen-backlog', profiles: BOTH,
    title: 'A listener that never accepts completes only as many connections as its queue holds; the rest are dropped, not refused.',
    behaviour: 'Connections within the queue complete (AF_UNIX connect returns 0; a nonblocking TCP connect returns EINPROGRESS and is then connected). linux (measured: spec/profiles/linux.json listenQueue): the queue holds exactly min(backlog, somaxconn) + 1; beyond it a nonblocking AF_UNIX connect fails with EAGAIN and a TCP connect stays in progress (its SYN is dropped, never refused), seen by poll(POLLOUT) with a zero timeout once the listener has dropped the SYN. When accept frees room, new AF_UNIX connects succeed and a pending TCP connect may complete later through retransmission. posix: the backlog is a hint; with backlog >= 1 one connection is surely held, beyond that a connect may complete, stay pending or be refused.',
    citation: {
      posix: 'XSH listen(): "The backlog argument provides a hint to the implementation which the implementation shall use to limit the number of outstanding connections in the socket\'s listen queue."; XSH connect(): "If the connection cannot be established immediately and O_NONBLOCK is set for the file descriptor for the socket, connect() shall fail and set errno to [EINPROGRESS]"',
      man: 'listen(2) NOTES: "If the backlog argument is greater than the value in /proc/sys/net/core/somaxconn, then it is silently truncated"; unix(7) EAGAIN',
      linux: 'measured (harness/measure/listen-facts.ts): net/core/sock.h sk_acceptq_is_full is "> sk_max_ack_backlog"; net/unix/af_unix.c unix_recvq_full is "> sk_max_ack_backlog"',
    },
  },
];
