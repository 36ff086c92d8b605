// Stream sockets (SOCK_STREAM over AF_UNIX, AF_INET, AF_INET6): the data path, half-close, accept.
import { BOTH, LINUX_ONLY, type ClauseSpec } from '../clause.ts';

export const STREAM_CLAUSES = [
  {
    id: 'stream.order-and-content', area: 'stream-data', profiles: BOTH,
    title: 'A connected stream socket delivers the bytes its peer sent, in order, without loss or duplication.',
    behaviour: 'Every recv returns the next unread bytes of what the peer sent. What a send returns when the buffer may be full is stream.full-send-buffer. A recv on an empty socket whose peer can still send blocks, or fails with EAGAIN when the socket is O_NONBLOCK (MSG_DONTWAIT on a blocking socket: stream.dontwait-never-blocks).',
    citation: { posix: 'XSH 2.10.6 Socket Types: "The SOCK_STREAM socket type provides reliable, sequenced, full-duplex octet streams"', man: 'socket(2), unix(7), tcp(7)' },
  },
  {
    id: 'stream.no-message-boundaries', area: 'stream-data', profiles: BOTH,
    title: 'A stream socket keeps no message boundaries: a recv may coalesce or split what was sent.',
    behaviour: 'A recv may return bytes of several sends at once. MSG_WAITALL with enough data buffered returns the full length, whatever the sends were (both profiles; how it waits for the rest is stream.recv-waitall). On linux a plain recv returns everything buffered up to its size (unix_stream_read_generic and tcp_recvmsg copy across sends); posix allows any non-empty prefix.',
    citation: { posix: 'XSH recv(): "For stream-based sockets, such as SOCK_STREAM, message boundaries shall be ignored." and "MSG_WAITALL On SOCK_STREAM sockets this requests that the function block until the full amount of data can be returned."', linux: 'net/unix/af_unix.c unix_stream_read_generic, net/ipv4/tcp.c tcp_recvmsg_locked' },
  },
  {
    id: 'stream.recv-waitall', area: 'stream-data', profiles: BOTH,
    title: 'recv with MSG_WAITALL waits for the full length, and returns less only when no more data can come.',
    behaviour: 'On a blocking socket, a MSG_WAITALL recv with fewer bytes buffered than it asks for blocks while the peer can still send, and is woken only once the full length is there; it returns less only at the end of the data (the peer closed or shut down writing, our read half is shut, or a reset): linux then returns everything left, posix any non-empty part of it. A MSG_WAITALL recv blocked with enough bytes buffered is a violation.',
    citation: { posix: 'XSH recv(): "MSG_WAITALL On SOCK_STREAM sockets this requests that the function block until the full amount of data can be returned. The function may return the smaller amount of data if the socket is a message-based socket, if a signal is caught, if the connection is terminated, if MSG_PEEK was specified, or if an error is pending for the socket."', man: 'recv(2) MSG_WAITALL', linux: 'unix_stream_read_generic and tcp_recvmsg_locked: target = sock_rcvlowat(sk, flags & MSG_WAITALL, len)' },
  },
  {
    id: 'stream.dontwait-never-blocks', area: 'stream-data', profiles: BOTH,
    title: 'recv with MSG_DONTWAIT never blocks, even on a blocking socket: with nothing to read it fails with EAGAIN.',
    behaviour: 'On a socket without O_NONBLOCK, recv(fd, buf, n, MSG_DONTWAIT) (alone or with MSG_PEEK) on an empty socket whose peer can still send returns -1 EAGAIN at once instead of blocking; with data buffered it returns it like a plain recv. (A send with MSG_DONTWAIT into a full buffer: stream.full-send-buffer.)',
    citation: { posix: 'XSH recv(): "If no messages are available at the socket and O_NONBLOCK is set on the socket\'s file descriptor, recv() shall fail and set errno to [EAGAIN] or [EWOULDBLOCK]."; MSG_DONTWAIT gives one call that meaning, as BSD and Linux define it', man: 'recv(2): "MSG_DONTWAIT (since Linux 2.2) Enables nonblocking operation; if the operation would block, the call fails with the error EAGAIN or EWOULDBLOCK."' },
  },
  {
    id: 'stream.peek-does-not-consume', area: 'stream-data', profiles: BOTH,
    title: 'recv with MSG_PEEK returns data without consuming it: the next recv returns the same bytes.',
    behaviour: 'A recv with MSG_PEEK returns a prefix of the unread stream (blocking, or EAGAIN with MSG_DONTWAIT, like a plain recv) and leaves it unread: the next recv, peeking or not, starts with the same bytes.',
    citation: { posix: 'XSH recv(): "MSG_PEEK Peeks at an incoming message. The data is treated as unread and the next recv() or similar function shall still return this data."' },
  },
  {
    id: 'stream.eof-after-peer-close', area: 'stream-close', profiles: BOTH,
    title: 'After the peer closes, recv returns the remaining data, then 0 (EOF).',
    behaviour: 'Once the peer has closed its socket (having read everything sent to it), recv returns the bytes still buffered and then 0; a recv blocked on the empty socket wakes with 0.',
    citation: { posix: 'XSH recv(): "If no messages are available to be received and the peer has performed an orderly shutdown, recv() shall return 0."' },
  },
  {
    id: 'stream.send-after-peer-close', area: 'stream-close', profiles: BOTH,
    title: 'Sending to a peer that has closed fails with EPIPE; over TCP the first send may still succeed and draw a reset.',
    behaviour: 'After the peer closed its socket (having read everything sent to it), send with MSG_NOSIGNAL: linux (measured, spec/profiles/linux.json peerClosedSend): AF_UNIX fails with EPIPE at once; TCP accepts the first send (the peer answers it with a reset) and fails the later ones with EPIPE. posix: the first send may succeed or fail with EPIPE or ECONNRESET; once the peer\'s answer has arrived (a settled target shows it), sends fail with EPIPE or ECONNRESET.',
    citation: { posix: 'XSH send() ERRORS: [EPIPE] "The socket is shut down for writing, or the socket is connection-mode and is no longer connected." [ECONNRESET] "A connection was forcibly closed by a peer."', man: 'tcp(7), unix(7) EPIPE', linux: 'measured (harness/measure/peer-close-facts.ts)' },
  },
  {
    id: 'stream.close-unread-resets', area: 'stream-close', profiles: LINUX_ONLY,
    title: 'Closing a socket with unread data resets the connection: the peer reads what it had, then ECONNRESET.',
    behaviour: 'linux (measured, spec/profiles/linux.json resetByClose): when a socket is closed while data sent to it is unread, its peer\'s recv returns the data the peer had already received, then fails once with ECONNRESET, then returns 0; over TCP a send made before that recv takes the reset instead (ECONNRESET), over AF_UNIX sends fail with EPIPE (stream.send-after-peer-close). posix does not say (RFC 793 even lets a reset flush what was queued), so the clause is linux only; under posix the peer may see ECONNRESET or EOF.',
    citation: { posix: 'XSH recv() [ECONNRESET] "A connection was forcibly closed by a peer."', man: 'tcp(7), unix(7)', linux: 'measured (harness/measure/reset-facts.ts): net/unix/af_unix.c unix_release_sock sets the peer\'s sk_err to ECONNRESET when unread data remains; tcp_close sends a RST when data is unread (RFC 2525 2.17)' },
  },
  {
    id: 'stream.shutdown-write-half-close', area: 'stream-close', profiles: BOTH,
    title: 'shutdown(SHUT_WR) half-closes: the peer reads the data, then EOF, and the other direction keeps working.',
    behaviour: 'After shutdown(fd, SHUT_WR) returns 0, the peer reads what was sent before it, then 0; a send on fd fails with EPIPE (MSG_NOSIGNAL); the peer can still send and fd can still receive.',
    citation: { posix: 'XSH shutdown(): "SHUT_WR Disables further send operations."; XSH send() [EPIPE] "The socket is shut down for writing"', man: 'shutdown(2)' },
  },
  {
    id: 'stream.shutdown-read', area: 'stream-close', profiles: BOTH,
    title: 'shutdown(SHUT_RD) disables receiving: recv no longer blocks and ends in 0, while the socket can still send.',
    behaviour: 'After shutdown(fd, SHUT_RD) returns 0, recv on fd never blocks, and a recv blocked on fd wakes: linux (measured, spec/profiles/linux.json shutdownRead) returns what is buffered, then 0, and over TCP what the peer sends later is still received; posix lets the data be discarded (an in-order prefix of it, or 0). fd can still send and the peer reads it. The peer\'s send: linux AF_UNIX fails with EPIPE (unix_shutdown shuts the peer\'s write side), TCP accepts it; posix: accepted or EPIPE.',
    citation: { posix: 'XSH shutdown(): "SHUT_RD Disables further receive operations."', man: 'shutdown(2)', linux: 'measured (harness/measure/shutdown-facts.ts): net/unix/af_unix.c unix_shutdown (peer_mode |= SEND_SHUTDOWN); tcp_recvmsg_locked stops at RCV_SHUTDOWN only once the queue is empty' },
  },
  {
    id: 'stream.shutdown-both', area: 'stream-close', profiles: BOTH,
    title: 'shutdown(SHUT_RDWR) does both: the peer reads the data then EOF, recv ends in 0, and the peer\'s sends fail as to a closed socket.',
    behaviour: 'After shutdown(fd, SHUT_RDWR) (or SHUT_RD and SHUT_WR in turn) the peer reads what was sent, then 0; send on fd fails with EPIPE; recv on fd is as after SHUT_RD. To the peer fd looks closed: its sends are judged by the facts of stream.send-after-peer-close (linux: AF_UNIX EPIPE; TCP the first succeeds, then EPIPE). Over TCP that accepted send resets the connection (linux measured): fd\'s recv returns the data left, then ECONNRESET once, then 0, a send on fd before that takes the ECONNRESET, and a further shutdown fails with ENOTCONN; posix: the reset may or may not happen, so ECONNRESET or 0, EPIPE or ECONNRESET, 0 or ENOTCONN.',
    citation: { posix: 'XSH shutdown(): "SHUT_RDWR Disables further send and receive operations."; [ENOTCONN] "The socket is not connected."', man: 'shutdown(2), tcp(7)', linux: 'measured (harness/measure/shutdown-facts.ts): tcp_rcv_state_process resets a FIN_WAIT socket shut for reading when data arrives (LINUX_MIB_TCPABORTONDATA)' },
  },
  {
    id: 'stream.accept-keeps-listening', area: 'stream-accept', profiles: BOTH,
    title: 'accept returns a new connected socket while the listening socket keeps listening.',
    behaviour: 'connect to a listening socket with room in its queue returns 0; accept returns a new descriptor connected to that client (the oldest pending connection); the listening socket stays listening, so later connects succeed and later accepts return them.',
    citation: { posix: 'XSH accept(): "extract the first connection on the queue of pending connections, create a new socket with the same socket type protocol and address family as the specified socket, and allocate a new file descriptor for that socket"; XSH listen()' },
  },
  {
    id: 'stream.names-agree', area: 'stream-accept', profiles: BOTH,
    title: 'getsockname and getpeername agree on both ends of a connection.',
    behaviour: 'For a connected pair, getpeername of each end equals getsockname of the other, and the address accept reports is the client\'s name (an unnamed AF_UNIX socket has the empty name; an accepted AF_UNIX socket has the listener\'s path).',
    citation: { posix: 'XSH getpeername(), getsockname(), accept() "address ... of the connecting socket"', man: 'unix(7) "Address format"' },
  },
] as const satisfies readonly ClauseSpec[];
