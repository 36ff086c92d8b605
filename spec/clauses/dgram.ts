// Datagram sockets (SOCK_DGRAM over AF_UNIX, AF_INET, AF_INET6): what a receive returns.
import { BOTH, LINUX_ONLY, type Clause } from '../clause.ts';

export const DGRAM_CLAUSES: Clause[] = [
  {
    id: 'dgram.message-boundaries', area: 'dgram-data', profiles: BOTH,
    title: 'A datagram socket keeps message boundaries: each receive returns exactly one datagram.',
    behaviour: 'A send with MSG_DONTWAIT sends the whole datagram (its size) or fails (EAGAIN). A recv whose buffer is at least as big as the datagram returns exactly one whole datagram that was sent to the socket: never two coalesced, never a part of one. (Which one, and whether it arrives at all, is dgram delivery; posix allows loss, so an empty-looking queue may answer EAGAIN.)',
    citation: { posix: 'XSH 2.10.6 Socket Types: "The SOCK_DGRAM socket type supports connectionless data transfer which is not necessarily acknowledged or reliable. Datagrams may be sent to the address specified (possibly multicast or broadcast) in each output operation, and incoming datagrams may be received from multiple sources." XSH recv(): "For message-based sockets, such as SOCK_DGRAM and SOCK_SEQPACKET, the entire message shall be read in a single operation."', man: 'recv(2), udp(7), unix(7)' },
  },
  {
    id: 'dgram.truncation', area: 'dgram-data', profiles: BOTH,
    title: 'A datagram longer than the receive buffer fills the buffer with its first bytes, the rest is discarded, and MSG_TRUNC is reported.',
    behaviour: 'recv into a buffer shorter than the datagram returns its first bytes; the rest is gone (the next recv returns another datagram, never the rest). recvmsg sets MSG_TRUNC in msg_flags (posix requires it; linux measured, spec/profiles/linux.json dgramTruncation) and not when the datagram fit. recv with the MSG_TRUNC flag returns: linux (measured) the real length of the datagram; posix does not define that flag, so the real or the copied length, or EINVAL/EOPNOTSUPP.',
    citation: { posix: 'XSH recv(): "For message-based sockets, such as SOCK_DGRAM and SOCK_SEQPACKET, the entire message shall be read in a single operation. If a message is too long to fit in the supplied buffer, and MSG_PEEK is not set in the flags argument, the excess bytes shall be discarded." XSH recvmsg(): "MSG_TRUNC Normal data was truncated."', man: 'recv(2) MSG_TRUNC: "return the real length of the packet or datagram, even when it was longer than the passed buffer"', linux: 'measured (harness/measure/dgram-facts.ts)' },
  },
  {
    id: 'dgram.zero-length', area: 'dgram-data', profiles: BOTH,
    title: 'A zero-length datagram is a real datagram: sending it returns 0, receiving it returns 0, and that is not EOF.',
    behaviour: 'send of 0 bytes on a datagram socket returns 0 (or EAGAIN); a recv that takes it returns 0. A datagram socket has no EOF: a recv returns 0 only for a zero-length datagram that was sent (an empty queue answers EAGAIN with MSG_DONTWAIT), and receiving one ends nothing: datagrams after it are judged as before (whether they must arrive is dgram delivery).',
    citation: { posix: 'XSH 2.10.6 Socket Types: SOCK_DGRAM "supports connectionless data transfer" (no connection, so no orderly shutdown to report); XSH recv(): "If no messages are available at the socket and O_NONBLOCK is set on the socket\'s file descriptor, recv() shall fail and set errno to [EAGAIN] or [EWOULDBLOCK]."', man: 'udp(7), unix(7); recv(2): "Datagram sockets in various domains (e.g., the UNIX and Internet domains) permit zero-length datagrams. When such a datagram is received, the return value is 0."' },
  },
  {
    id: 'dgram.delivery', area: 'dgram-data', profiles: LINUX_ONLY,
    title: 'On Linux, datagrams arrive in order, once each, none lost, while the receiver has room; a full AF_UNIX receiver makes the sender get EAGAIN.',
    behaviour: 'posix allows loss, duplication and reordering (the model lets a receive return any datagram sent to the socket, or EAGAIN), so the clause is linux only. linux (measured, spec/profiles/linux.json dgramDelivery): a MSG_DONTWAIT recv returns the oldest unread datagram, and EAGAIN only when none is unread; an AF_UNIX sender that is not the receiver\'s peer gets its sends queued until the receiver holds unixQueue (net.unix.max_dgram_qlen + 1) datagrams, then EAGAIN (AF_UNIX datagrams are never lost); a socketpair holds at least unixPairFits; UDP over loopback queues udpFits (SO_RCVBUF), after which it drops silently and order is no longer judged.',
    citation: { posix: 'XSH 2.10.6 Socket Types: "The SOCK_DGRAM socket type supports connectionless data transfer which is not necessarily acknowledged or reliable."', man: 'unix(7): "For datagram sockets ... the sending of datagrams is reliable and does not reorder"; udp(7): "UDP does not guarantee reliability or ordering"; net.unix.max_dgram_qlen (proc_sys_net)', linux: 'measured (harness/measure/dgram-facts.ts): net/unix/af_unix.c unix_dgram_sendmsg (unix_recvq_full when the sender is not the receiver\'s peer), net/ipv4/udp.c __udp_enqueue_schedule_skb (drops above sk_rcvbuf)' },
  },
];
