// Socket addresses: connect errors and bind errors (AF_UNIX paths and abstract names, AF_INET/AF_INET6
// ports on loopback and on the two-host scenarios' test hosts).
import { BOTH, LINUX_ONLY, type ClauseSpec } from '../clause.ts';

const CONNECT = 'POSIX.1-2024 XSH connect() ERRORS';
const BIND = 'POSIX.1-2024 XSH bind() ERRORS';

export const SOCKET_ADDR_CLAUSES = [
  {
    id: 'connect.tcp-no-listener-econnrefused', area: 'connect-errors', profiles: BOTH,
    title: 'A TCP connect to a port where nothing listens (on loopback, or on another test host) fails with ECONNREFUSED.',
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
    behaviour: 'bind to a port another socket holds (no SO_REUSEADDR), or to an AF_UNIX path an open socket is bound to, returns -1/EADDRINUSE. (A path whose socket has closed: bind.unix-stale-socket-file.)',
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
    behaviour: 'bind to 127.0.0.1:0 or [::1]:0 (or a test host\'s own address, port 0, in the two-host scenarios) returns 0, and getsockname reports the same address with a port from 1 to 65535.',
    citation: { posix: 'XSH getsockname(): "retrieve the locally-bound name of the specified socket"', man: 'ip(7): "When a process wants to receive new incoming packets or connections, it should bind a socket to a local interface address using bind(2). ... If the port is 0, an ephemeral port is chosen" (ip(7) ip_local_port_range)' },
  },
  {
    id: 'bind.privileged-port-eacces', area: 'bind-errors', profiles: BOTH,
    title: 'A process without privilege cannot bind a protected port: EACCES.',
    behaviour: 'A child process that dropped to an unprivileged uid (65534; no CAP_NET_BIND_SERVICE) binds 127.0.0.1 or ::1. linux: a port below net.ipv4.ip_unprivileged_port_start (measured: 1024) returns -1/EACCES; port 0 and ports from the start on bind (a fixed port may be held by another program: EADDRINUSE). posix: which ports are protected is not specified, so a nonzero port either binds or fails with EACCES (not EPERM or anything else); port 0 binds. A bind that ran with privilege (euid 0, or the capability) is outside the model: the run is an error, never a pass.',
    citation: { posix: `${BIND}: [EACCES] "The specified address is protected and the current user does not have permission to bind to it."`, man: 'ip(7): "The port numbers below 1024 are called privileged ports ... Only a privileged process (on Linux: a process that has the CAP_NET_BIND_SERVICE capability ...) may bind(2) to these sockets"; Documentation/networking/ip-sysctl: ip_unprivileged_port_start', linux: 'measured: /proc/sys/net/ipv4/ip_unprivileged_port_start = 1024; as uid 65534, port 1023 -> EACCES, port 1024 -> 0 (AF_INET and AF_INET6)' },
  },
  {
    id: 'bind.unix-missing-dir-enoent', area: 'bind-errors', profiles: BOTH,
    title: 'Binding an AF_UNIX path in a directory that does not exist fails with ENOENT.',
    behaviour: 'bind(AF_UNIX) to "D/NAME" in the temp dir, where no directory D exists, returns -1/ENOENT and creates nothing.',
    citation: { posix: `${BIND}: [ENOENT] "A component of the path prefix of the pathname in address does not name an existing file or the pathname is an empty string."`, man: 'bind(2), errors specific to AF_UNIX: ENOENT "A component in the directory prefix of the socket pathname does not exist."' },
  },
  {
    id: 'bind.unix-path-length', area: 'bind-errors', profiles: BOTH,
    title: 'An AF_UNIX path binds whole while it fits sun_path, and a longer one is refused, never truncated.',
    behaviour: 'bind(AF_UNIX) to an absolute path of N bytes, NUL-terminated in the address (addrlen = offsetof(sun_path) + N + 1). linux (measured: sun_path is 108 bytes): N <= 107 binds, and getsockname reports the whole path; N >= 108 returns -1/EINVAL. (Linux also takes 108 bytes without the NUL, addrlen 110: not portable, not generated.) posix: the size of sun_path is unspecified ("typically in the range 92 to 108"), so N <= 91 binds whole; a longer path binds whole or fails with EINVAL or ENAMETOOLONG, and is never bound under a truncated name.',
    citation: { posix: `XBD <sys/un.h>: "The size of sun_path has intentionally been left undefined ... the size is typically in the range 92 to 108"; ${BIND}: [EINVAL] "The address_len argument is not a valid length for the address family"`, man: 'unix(7): "char sun_path[108]"; "The length of the pathname, including the terminating null byte, should not exceed the size of sun_path."', linux: 'measured: NUL-terminated paths of up to 107 bytes bind whole, 108..300 bytes get EINVAL' },
  },
  {
    id: 'bind.unix-stale-socket-file', area: 'bind-errors', profiles: BOTH,
    title: 'A socket file outlives its socket: binding it fails with EADDRINUSE until it is unlinked, then binds again.',
    behaviour: 'After a bound AF_UNIX socket is closed its file stays (a stale socket file): bind to that path returns -1/EADDRINUSE; unlink of the path returns 0; a bind to the path afterwards returns 0 and names the path. (connect to it: connect.unix-not-listening-econnrefused.)',
    citation: { posix: `${BIND}: [EADDRINUSE] "The specified address is already in use."; XSH unlink()`, man: 'unix(7): "Binding to a socket with a filename creates a socket in the filesystem that must be deleted by the caller when it is no longer needed (using unlink(2))"; EADDRINUSE "the filesystem socket object already exists"' },
  },
  {
    id: 'bind.unix-abstract-name', area: 'bind-errors', profiles: LINUX_ONLY,
    title: 'A Linux abstract AF_UNIX name is taken while a socket holds it and free again once that socket closes.',
    behaviour: 'bind(AF_UNIX) to a name whose sun_path starts with a NUL byte returns 0, and the socket is named by it (getsockname: sun_path[0] NUL); no file is made (a path spelled like the name, after the NUL, still binds). Binding the same name while a socket holds it returns -1/EADDRINUSE; once that socket has closed the name binds again (there is no file to leave behind).',
    citation: { man: 'unix(7): "an abstract socket address is distinguished (from a pathname socket) by the fact that sun_path[0] is a null byte" ... "The name has no connection with filesystem pathnames" ... "Abstract sockets automatically disappear when all open references to the socket are closed."', linux: 'measured: bind of an abstract name -> 0; the same name again -> EADDRINUSE; after the first socket closed -> 0' },
  },
] as const satisfies readonly ClauseSpec[];
