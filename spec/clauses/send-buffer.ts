// Stream sockets whose send buffer fills: nonblocking senders get EAGAIN or a partial count, blocking
// senders sleep until the reader makes room.
import { BOTH, type Clause } from '../clause.ts';

export const SEND_BUFFER_CLAUSES: Clause[] = [
  {
    id: 'stream.full-send-buffer', area: 'stream-buffer', profiles: BOTH,
    title: 'A full send buffer makes a nonblocking send fail with EAGAIN or send part, and makes a blocking send wait until the reader makes room.',
    behaviour: 'A send with MSG_DONTWAIT or on an O_NONBLOCK socket never blocks: it returns 1..n or fails with EAGAIN. A blocking send either returns at once (linux: all n bytes) or blocks, never EAGAIN; once it blocked it returns when the reader has made room for the rest (linux: exactly n; posix: at least what the reader received of it), and it is never left asleep once the reader has drained the connection: a recv that finds nothing unread gets the sleeping sender\'s next bytes, and a sender whose bytes were all received has returned. linux (measured, spec/profiles/linux.json streamSendBuffer): into an idle connection (everything sent before has been read) a nonblocking send of up to sureRoom bytes (on the kernel measured: AF_UNIX 128 KiB, TCP over loopback 2 MiB) returns whole and a larger one returns at least that many (a partial count, never EAGAIN), and a blocking one does not block; a TCP receiver holds at least tcpReceiverHolds unread bytes (32 KiB) before the rest may wait in the sender\'s queue, so beyond that a recv may return less than is unread. posix guarantees no buffer size. The generated scenarios fill AF_UNIX buffers for real; over TCP they send at most the 2 MiB sure room in all, because beyond about 4 MiB unread the loopback receiver drops segments and arrival then waits on retransmission timers, which no settled state can judge.',
    citation: {
      posix: 'XSH send(): "If space is not available at the sending socket to hold the message to be transmitted, and the socket file descriptor does not have O_NONBLOCK set, send() shall block until space is available. If space is not available at the sending socket to hold the message to be transmitted, and the socket file descriptor does have O_NONBLOCK set, send() shall fail." [EAGAIN] "The socket\'s file descriptor is marked O_NONBLOCK and the requested operation would block."; MSG_DONTWAIT (POSIX.1-2024): "Enables nonblocking operation"',
      man: 'send(2) "When the message does not fit into the send buffer of the socket, send() normally blocks, unless the socket has been placed in nonblocking I/O mode. In nonblocking mode it would fail with the error EAGAIN"; socket(7) SO_SNDBUF; tcp(7) tcp_wmem',
      linux: 'measured (harness/measure/sendbuf-facts.ts): net/unix/af_unix.c unix_stream_sendmsg queues skbs of up to 32 KiB while sk_wmem_alloc < sk_sndbuf and returns the bytes queued so far (a partial count) when sock_alloc_send_pskb would block; net/ipv4/tcp.c tcp_sendmsg_locked returns what it copied when sk_stream_memory_free fails',
    },
  },
];
