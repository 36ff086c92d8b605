// The socket part of the scenario vocabulary (stream and datagram sockets over AF_UNIX, AF_INET, AF_INET6).
import type { Handle, PathName } from './scenario.ts';

export const SOCKET_FAMILIES = ['unix', 'inet', 'inet6'] as const;
export type Family = (typeof SOCKET_FAMILIES)[number];

/**
 * Where to bind or connect: a path in the scenario's temp dir (AF_UNIX), port 0 on the family's
 * loopback address (AF_INET 127.0.0.1, AF_INET6 ::1), or the address socket `of` is bound to.
 */
export type SockAddr = { path: PathName } | { port: 0 } | { of: Handle } | UnixName | TestHostAddr;

/**
 * Two-host scenarios: two test hosts, network namespaces a and b that the target creates, joined
 * by a link with private addresses it assigns (traffic never leaves them). A socket made with
 * `host` lives on that host; `{ host, port: 0 }` is port 0 on that host's address of the socket's
 * family. A target that cannot make test hosts reports such a step unsupported.
 */
export const TEST_HOSTS = ['a', 'b'] as const;
export type TestHost = (typeof TEST_HOSTS)[number];
export type TestHostAddr = { host: TestHost; port: 0 };

/**
 * AF_UNIX names that are not plain temp-dir paths (bind only). `pathLength`: an absolute path of
 * exactly N bytes that the target builds inside its temp dir, passed NUL-terminated (addrlen =
 * offsetof(sun_path) + N + 1); the same N names the same path within a scenario, and a target whose
 * temp dir is too long for N reports unsupported. `abstract`: a Linux abstract name (sun_path[0] is
 * NUL, addrlen counts no terminator), which the target makes unique to the scenario; reported as
 * "unix:@NAME".
 */
export type UnixName = { pathLength: number } | { abstract: string };

export type SocketCall =
  /** socketpair(AF_UNIX, SOCK_STREAM (SOCK_DGRAM if dgram) | SOCK_CLOEXEC [| SOCK_NONBLOCK]) */
  | { op: 'socketpair'; a: Handle; b: Handle; nonblock: boolean; dgram?: boolean }
  /** socket(family, SOCK_STREAM (SOCK_DGRAM if dgram: UDP for inet/inet6) | SOCK_CLOEXEC [| SOCK_NONBLOCK]) */
  | { op: 'socket'; family: Family; as: Handle; nonblock: boolean; dgram?: boolean; host?: TestHost }
  /** bind; the target reports the bound name (getsockname) in detail.addr */
  | { op: 'bind'; fd: Handle; addr: SockAddr }
  | { op: 'listen'; fd: Handle; backlog: number }
  /** connect; on success the target reports the connecting socket's name in detail.addr */
  | { op: 'connect'; fd: Handle; to: SockAddr }
  /** accept4(SOCK_CLOEXEC); the peer's address in detail.addr */
  | { op: 'accept'; fd: Handle; as: Handle }
  /** send(fd, size bytes, MSG_DONTWAIT | MSG_NOSIGNAL); with `to` (datagram sockets) sendto that address; `dontwait: false` (stream sockets): without MSG_DONTWAIT, so it may block */
  | { op: 'send'; fd: Handle; size: number; to?: SockAddr; dontwait?: boolean }
  /** recv(fd, size, [MSG_WAITALL] [| MSG_DONTWAIT] [| MSG_PEEK] [| MSG_TRUNC]); on a datagram socket as recvmsg, msg_flags in detail.msgFlags and the sender's address (msg_name, "unix:" when it has none) in detail.addr */
  | { op: 'recv'; fd: Handle; size: number; waitall: boolean; dontwait: boolean; peek?: boolean; trunc?: boolean }
  /** shutdown(fd, SHUT_WR | SHUT_RD | SHUT_RDWR) */
  | { op: 'shutdown'; fd: Handle; how: 'wr' | 'rd' | 'rdwr' }
  /** getsockname (peer false) or getpeername (peer true); the name in detail.addr */
  | { op: 'sockname'; fd: Handle; peer: boolean }
  /** Has a (nonblocking) connect completed? poll(POLLOUT, timeout 0), then SO_ERROR: 1 connected, 0 still in progress, or the error. */
  | { op: 'connect-status'; fd: Handle }
  /** Wait (long deadline, 30 s) until a connect in progress completes: poll(POLLOUT), then SO_ERROR: 1 connected, the error, or 0 if still in progress at the deadline. */
  | { op: 'connect-wait'; fd: Handle }
  /**
   * Fill a listen queue in one step: up to `count` times, a nonblocking socket(family) named `as`1, `as`2, ...
   * connects to `to`; stops at the first that does not complete at once (AF_UNIX: connect fails; TCP: the
   * listener drops the SYN instead of queueing the handshake). The value is how many completed.
   */
  | { op: 'connect-fill'; family: Family; to: SockAddr; count: number; as: Handle }
  /**
   * A child process drops to an unprivileged user (uid 65534 when started as root), then makes a
   * stream socket and binds it to the family's loopback address at `port`. The bound name in
   * detail.addr, the credentials the bind ran with in detail.ranAs.
   */
  | { op: 'bind-unprivileged'; family: 'inet' | 'inet6'; port: number }
  /**
   * setsockopt(SOL_SOCKET, SO_SNDBUF, snd) then setsockopt(SOL_SOCKET, SO_RCVBUF, rcv) (each only if
   * given) on a connected stream socket before any data: fixed sizes (linux doubles them and stops
   * autotuning the connection). The value is 0, or the first call's error.
   */
  | { op: 'set-buffers'; fd: Handle; snd?: number; rcv?: number };
