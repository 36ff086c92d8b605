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
  {
    id: 'dgram.peek-does-not-consume', area: 'dgram-data', profiles: BOTH,
    title: 'MSG_PEEK on a datagram socket returns a datagram and leaves it unread: the next receive returns it again, whole.',
    behaviour: 'A recv with MSG_PEEK returns one datagram (its first bytes with MSG_TRUNC when the buffer is short) without consuming it: the next receive, peeking or not, returns the same datagram, and a truncating peek discards nothing (a later receive with a big enough buffer gets it whole). EAGAIN after a peek that returned a datagram is wrong: it is still there.',
    citation: { posix: 'XSH recv(): "MSG_PEEK Peeks at an incoming message. The data is treated as unread and the next recv() or similar function shall still return this data." "If a message is too long to fit in the supplied buffer, and MSG_PEEK is not set in the flags argument, the excess bytes shall be discarded."', man: 'recv(2) MSG_PEEK: "This flag causes the receive operation to return data from the beginning of the receive queue without removing that data from the queue. Thus, a subsequent receive call will return the same data."' },
  },
  {
    id: 'dgram.connected-udp-refused', area: 'dgram-data', profiles: BOTH,
    title: 'A connected UDP socket that sent to a closed port gets ECONNREFUSED on a later call; an unconnected socket is told nothing.',
    behaviour: 'A UDP datagram to a port nobody has bound is sent (the send returns its size); the ICMP port unreachable that comes back sets an error on a connected sender. linux (measured, spec/profiles/linux.json dgramRefused): the next send or recv (MSG_PEEK too) returns ECONNREFUSED, once, before any queued datagram (a send above the size limit gets EMSGSIZE first and the error stays); the failing send sends nothing; a socket that sent with sendto while unconnected never gets ECONNREFUSED. posix: the error may come (at most once per refused datagram) or never, connected or not; ECONNREFUSED without a refused datagram is wrong under both.',
    citation: { posix: 'XSH connect(): "For SOCK_DGRAM sockets, the peer address identifies where all datagrams are sent on subsequent send() functions, and limits the remote sender for subsequent recv() functions." XSH 2.10.6: SOCK_DGRAM "is not necessarily acknowledged or reliable." RFC 1122 4.1.3.3: "UDP MUST pass to the application layer all ICMP error messages that it receives from the IP layer."', man: 'udp(7) ERRORS: "ECONNREFUSED No receiver was associated with the destination address. This might be caused by a previous packet sent over the socket."', linux: 'measured (harness/measure/dgram-facts.ts measureRefused): net/ipv4/udp.c __udp4_lib_err passes the error only to a connected socket unless IP_RECVERR is set; the host step waits for POLLERR (connected) or the netns ICMP InDestUnreachs count (unconnected)' },
  },
  {
    id: 'dgram.size-limit-emsgsize', area: 'dgram-data', profiles: BOTH,
    title: 'A datagram above the maximum size fails with EMSGSIZE and nothing is sent.',
    behaviour: 'UDP over IPv4 carries at most 65507 bytes of payload, over IPv6 65527 (65535 less the headers): a bigger send fails with EMSGSIZE under both profiles, and no datagram arrives. linux (measured, spec/profiles/linux.json dgramMaxSize): every datagram up to the limit is accepted (or EAGAIN), and AF_UNIX datagrams are limited by SO_SNDBUF less 32 bytes (212960 with the default 212992). posix: an implementation may have a smaller limit, so EMSGSIZE is allowed at any size (AF_UNIX has no limit known to posix); what an EMSGSIZE send did not transmit must never be received.',
    citation: { posix: 'XSH send(): "If the message is too long to pass through the underlying protocol, send() shall fail and no data shall be transmitted." [EMSGSIZE] "The message is too large to be sent all at once, as the socket requires."', man: 'unix(7) SO_SNDBUF: "For datagram sockets, the SO_SNDBUF value imposes an upper limit on the size of outgoing datagrams. This limit is calculated as the doubled (see socket(7)) option value less 32 bytes used for overhead."; udp(7); RFC 768 (16-bit UDP length)', linux: 'measured (harness/measure/dgram-facts.ts measureMaxSize): largest send before EMSGSIZE by binary search' },
  },
  {
    id: 'dgram.source-address', area: 'dgram-data', profiles: BOTH,
    title: 'recvfrom and recvmsg report the address the datagram was sent from.',
    behaviour: 'A receive reports the sender\'s address (msg_name): over UDP 127.0.0.1:PORT or [::1]:PORT, PORT being the sender\'s (bound, connected or chosen at its first sendto, and the same for all its datagrams); over AF_UNIX the path the sender is bound to, or no name ("unix:") for an unbound sender or a socketpair end.',
    citation: { posix: 'XSH recvfrom(): "If the address argument is not a null pointer and the protocol provides the source address of received data, the source address of the received data shall be stored in the sockaddr structure pointed to by the address argument." XSH recvmsg(): "In a connectionless socket, the msg_name member ... points to a buffer where the source address is to be stored."', man: 'recv(2), udp(7); unix(7): "unnamed: ... When the address of an unnamed socket is returned, its length is sizeof(sa_family_t), and sun_path should not be inspected." (linux recvmsg reports msg_namelen 0 for an unbound AF_UNIX sender: both read as no name)' },
  },
];
