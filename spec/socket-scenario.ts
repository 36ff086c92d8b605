// The socket part of the scenario vocabulary (stream and datagram sockets over AF_UNIX, AF_INET, AF_INET6).
import type { Handle, PathName } from './scenario.ts';

export const SOCKET_FAMILIES = ['unix', 'inet', 'inet6'] as const;
export type Family = (typeof SOCKET_FAMILIES)[number];

/**
 * Where to bind or connect: a path in the scenario's temp dir (AF_UNIX), port 0 on the family's
 * loopback address (AF_INET 127.0.0.1, AF_INET6 ::1), or the address socket `of` is bound to.
 */
export type SockAddr = { path: PathName } | { port: 0 } | { of: Handle };

export type SocketCall =
  /** socketpair(AF_UNIX, SOCK_STREAM (SOCK_DGRAM if dgram) | SOCK_CLOEXEC [| SOCK_NONBLOCK]) */
  | { op: 'socketpair'; a: Handle; b: Handle; nonblock: boolean; dgram?: boolean }
  /** socket(family, SOCK_STREAM (SOCK_DGRAM if dgram: UDP for inet/inet6) | SOCK_CLOEXEC [| SOCK_NONBLOCK]) */
  | { op: 'socket'; family: Family; as: Handle; nonblock: boolean; dgram?: boolean }
  /** bind; the target reports the bound name (getsockname) in detail.addr */
  | { op: 'bind'; fd: Handle; addr: SockAddr }
  | { op: 'listen'; fd: Handle; backlog: number }
  /** connect; on success the target reports the connecting socket's name in detail.addr */
  | { op: 'connect'; fd: Handle; to: SockAddr }
  /** accept4(SOCK_CLOEXEC); the peer's address in detail.addr */
  | { op: 'accept'; fd: Handle; as: Handle }
  /** send(fd, size bytes, MSG_DONTWAIT | MSG_NOSIGNAL) */
  | { op: 'send'; fd: Handle; size: number }
  /** recv(fd, size, [MSG_WAITALL] [| MSG_DONTWAIT] [| MSG_PEEK] [| MSG_TRUNC]); on a datagram socket as recvmsg, msg_flags in detail.msgFlags */
  | { op: 'recv'; fd: Handle; size: number; waitall: boolean; dontwait: boolean; peek?: boolean; trunc?: boolean }
  | { op: 'shutdown'; fd: Handle; how: 'wr' }
  /** getsockname (peer false) or getpeername (peer true); the name in detail.addr */
  | { op: 'sockname'; fd: Handle; peer: boolean }
  /** Has a (nonblocking) connect completed? poll(POLLOUT, timeout 0), then SO_ERROR: 1 connected, 0 still in progress, or the error. */
  | { op: 'connect-status'; fd: Handle };
