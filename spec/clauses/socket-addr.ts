// Socket addresses: connect errors and bind errors (AF_UNIX paths, AF_INET/AF_INET6 loopback ports).
import { BOTH, type Clause } from '../clause.ts';

const CONNECT = 'POSIX.1-2024 XSH connect() ERRORS';
const BIND = 'POSIX.1-2024 XSH bind() ERRORS';

export const SOCKET_ADDR_CLAUSES: Clause[] = [
  {
    id: 'connect.tcp-no-listener-econnrefused', area: 'connect-errors', profiles: BOTH,
    title: 'A TCP connect to a loopback port where nothing listens fails with ECONNREFUSED.',
    behaviour: 'connect to 127.0.0.1 or ::1 at a port that a socket holds bound but not listening (so no other program can be listening there) returns -1/ECONNREFUSED, at once.',
    citation: { posix: `${CONNECT}: [ECONNREFUSED] "The target address was not listening for connections or refused the connection request."`, man: 'tcp(7): a RST answers a SYN to a port with no listener' },
  },
  {
    id: 'connect.unix-missing-path-enoent', area: 'connect-errors', profiles: BOTH,
    title: 'An AF_UNIX connect to a path that does not exist fails with ENOENT.',
    behaviour: 'connect(AF_UNIX) to a name in the temp dir that no file has returns -1/ENOENT.',
    citation: { posix: `${CONNECT}: [ENOENT] "A component of the pathname does not name an existing file or the pathname is an empty string."`, man: 'unix(7) ERRORS ENOENT' },
  },
  {
    id: 'connect.unix-not-listening-econnrefused', area: 'connect-errors', profiles: BOTH,
    title: 'An AF_UNIX connect to a socket file nobody listens on (bound only, or stale) fails with ECONNREFUSED.',
    behaviour: 'connect(AF_UNIX) to the path of a socket that is bound but not listening, or whose socket has been closed (the file stays: a stale socket file), returns -1/ECONNREFUSED.',
    citation: { posix: `${CONNECT}: [ECONNREFUSED] "The target address was not listening for connections or refused the connection request."`, man: 'unix(7) ERRORS ECONNREFUSED "The remote address specified by connect(2) was not a listening socket."' },
  },
  {
    id: 'connect.already-connected-eisconn', area: 'connect-errors', profiles: BOTH,
    title: 'Connecting a socket that is already connected fails with EISCONN.',
    behaviour: 'connect on a connected stream socket (made by connect or socketpair) to a listening address returns -1/EISCONN and leaves the connection alone. (AF_UNIX on linux resolves the target first, so a bad target gives its own error; the properties aim at a live listener.)',
    citation: { posix: `${CONNECT}: [EISCONN] "The specified socket is connection-mode and is already connected."` },
  },
  {
    id: 'bind.address-in-use', area: 'bind-errors', profiles: BOTH,
    title: 'Binding an address that is already bound fails with EADDRINUSE.',
    behaviour: 'bind to a loopback port another socket holds (no SO_REUSEADDR), or to an AF_UNIX path that exists (even a stale socket file), returns -1/EADDRINUSE.',
    citation: { posix: `${BIND}: [EADDRINUSE] "The specified address is already in use."`, man: 'unix(7) ERRORS EADDRINUSE "The specified local address is already in use or the filesystem socket object already exists."' },
  },
  {
    id: 'bind.already-bound-einval', area: 'bind-errors', profiles: BOTH,
    title: 'Binding a socket that is already bound fails with EINVAL.',
    behaviour: 'A second bind on a bound AF_UNIX, AF_INET or AF_INET6 stream socket, to a fresh address, returns -1/EINVAL (neither protocol supports binding to a new address).',
    citation: { posix: `${BIND}: [EINVAL] "The socket is already bound to an address, and the protocol does not support binding to a new address"`, man: 'bind(2) EINVAL "The socket is already bound to an address."' },
  },
  {
    id: 'bind.port-zero-ephemeral', area: 'bind-errors', profiles: BOTH,
    title: 'Binding port 0 gets an ephemeral port, which getsockname reports.',
    behaviour: 'bind to 127.0.0.1:0 or [::1]:0 returns 0, and getsockname reports the same address with a port from 1 to 65535.',
    citation: { posix: 'XSH getsockname(): "retrieve the locally-bound name of the specified socket"', man: 'ip(7): "When a process wants to receive new incoming packets or connections, it should bind a socket to a local interface address using bind(2). ... If the port is 0, an ephemeral port is chosen" (ip(7) ip_local_port_range)' },
  },
];
