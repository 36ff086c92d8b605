// Socket calls through koffi (plain ESM: actor threads load it too; types in libc-net.d.mts).
// Addresses cross this boundary as strings: "unix:PATH" ("unix:" unnamed), "127.0.0.1:PORT", "[::1]:PORT".
import koffi from 'koffi';
import { constants } from 'node:os';
import { errnoName } from './libc.mjs';
import { socketNetns, threadNetns } from './netns.mjs';

const lib = koffi.load('libc.so.6');
export const AF = { UNIX: 1, INET: 2, INET6: 10 };
export const SOCK = { STREAM: 1, DGRAM: 2, NONBLOCK: 0o4000, CLOEXEC: 0o2000000 };
export const MSG = { PEEK: 0x2, TRUNC: 0x20, DONTWAIT: 0x40, WAITALL: 0x100, NOSIGNAL: 0x4000 };
export const SHUT = { RD: 0, WR: 1, RDWR: 2 };
const EINTR = constants.errno.EINTR;

// struct msghdr (x86-64/aarch64 layout); iovec is libc.mjs's
const MsgHdr = koffi.struct('ipcspec_msghdr', { msg_name: 'void *', msg_namelen: 'uint32', msg_iov: 'ipcspec_iovec *', msg_iovlen: 'size_t', msg_control: 'void *', msg_controllen: 'size_t', msg_flags: 'int' });
void MsgHdr;

const c = {
  recvmsg: lib.func('long recvmsg(int, _Inout_ ipcspec_msghdr *msg, int)'),
  socket: lib.func('int socket(int, int, int)'),
  socketpair: lib.func('int socketpair(int, int, int, _Out_ int *sv)'),
  bind: lib.func('int bind(int, const void *, uint32_t)'),
  listen: lib.func('int listen(int, int)'),
  connect: lib.func('int connect(int, const void *, uint32_t)'),
  accept4: lib.func('int accept4(int, void *, void *, int)'),
  sendto: lib.func('long sendto(int, const void *, size_t, int, const void *, uint32_t)'),
  recvfrom: lib.func('long recvfrom(int, void *, size_t, int, void *, void *)'),
  shutdown: lib.func('int shutdown(int, int)'),
  getsockname: lib.func('int getsockname(int, void *, void *)'),
  getpeername: lib.func('int getpeername(int, void *, void *)'),
  getsockopt: lib.func('int getsockopt(int, int, int, void *, void *)'),
  setsockopt: lib.func('int setsockopt(int, int, int, const void *, uint32_t)'),
  ioctl: lib.func('int ioctl(int, unsigned long, void *)'),
};

const wrap = (r) => {
  const v = Number(r);
  return v < 0 ? { value: -1, errno: errnoName(koffi.errno()) } : { value: v };
};
const again = (call) => {
  for (let i = 0; ; i++) {
    const r = call();
    if (Number(r) >= 0 || koffi.errno() !== EINTR || i >= 1000) return wrap(r);
  }
};

// Test traffic goes only to loopback or between the test hosts (network namespaces the harness made,
// which have no route off the machine). A socket of this process's own namespace that is asked to
// reach any other address is refused here, before a packet could leave.
// Where this thread's namespace file cannot be opened (no /proc, or proot, which cannot open
// /proc/PID/ns/*), no test host can exist either (inNetns needs that file to come back), so every
// socket is in this namespace and only loopback is allowed.
const HOME_NETNS = homeNetns();
function homeNetns() {
  try {
    return threadNetns();
  } catch {
    return undefined;
  }
}
const LOCAL = /^(unix:|127\.|0\.0\.0\.0:|\[::1?\]:)/;
function staysOnMachine(fd, addr) {
  if (LOCAL.test(addr)) return;
  const ns = HOME_NETNS === undefined ? {} : socketNetns(fd);
  if (ns.ino !== undefined && ns.ino !== HOME_NETNS) return;
  throw new Error(`refusing to reach ${addr} from this machine's own network namespace: test traffic stays on loopback or between the test hosts`);
}

/** IPv6 text (RFC 4291 2.2: hex groups, one "::" run of zero groups) -> 16 bytes. */
export function ipv6Bytes(text) {
  const [head, tail, extra] = text.split('::');
  const groups = (x) => (x ? x.split(':') : []);
  const hi = groups(head);
  const lo = tail === undefined ? [] : groups(tail);
  const zeros = 8 - hi.length - lo.length;
  const all = [...hi, ...Array(tail === undefined ? 0 : zeros).fill('0'), ...lo];
  if (extra !== undefined || all.length !== 8 || zeros < (tail === undefined ? 0 : 1) || !all.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) throw new Error(`unsupported IPv6 address ${text}`);
  const b = Buffer.alloc(16);
  all.forEach((g, i) => b.writeUInt16BE(Number.parseInt(g, 16), 2 * i));
  return b;
}

/** 16 bytes -> IPv6 text as RFC 5952 writes it (lower case, the longest run of 2+ zero groups as "::"): "::1", "::", "fd00::2". */
export function ipv6Text(a) {
  const g = Array.from({ length: 8 }, (_, i) => (a[2 * i] << 8) | a[2 * i + 1]);
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = (xs) => xs.map((x) => x.toString(16)).join(':');
  return best.at < 0 ? hex(g) : `${hex(g.slice(0, best.at))}::${hex(g.slice(best.at + best.len))}`;
}

/** Encode an address string as a sockaddr; `root` is prefixed to relative unix paths. */
export function encodeAddr(addr, root = '') {
  if (addr.startsWith('unix:')) {
    const rel = addr.slice(5);
    const path = rel.startsWith('/') || !rel ? rel : `${root}/${rel}`;
    const b = Buffer.alloc(110);
    b.writeUInt16LE(AF.UNIX, 0);
    b.write(path, 2);
    return { buf: b, len: 2 + Buffer.byteLength(path) + 1 };
  }
  const m = /^\[(.*)\]:(\d+)$/.exec(addr);
  if (m) {
    const b = Buffer.alloc(28);
    b.writeUInt16LE(AF.INET6, 0);
    b.writeUInt16BE(Number(m[2]), 2);
    ipv6Bytes(m[1]).copy(b, 8);
    return { buf: b, len: 28 };
  }
  const [ip, port] = addr.split(':');
  const b = Buffer.alloc(16);
  b.writeUInt16LE(AF.INET, 0);
  b.writeUInt16BE(Number(port), 2);
  ip.split('.').forEach((x, i) => { b[4 + i] = Number(x); });
  return { buf: b, len: 16 };
}

/** Decode a sockaddr; unix paths under `root` come back relative to it. */
export function decodeAddr(b, len, root = '') {
  const fam = b.readUInt16LE(0);
  if (fam === AF.UNIX) {
    let p = len > 2 ? b.subarray(2, len).toString('utf8') : '';
    p = p.replace(/\0.*$/s, '');
    if (root && p.startsWith(root + '/')) p = p.slice(root.length + 1);
    return `unix:${p}`;
  }
  if (fam === AF.INET) return `${b[4]}.${b[5]}.${b[6]}.${b[7]}:${b.readUInt16BE(2)}`;
  if (fam === AF.INET6) {
    const a = b.subarray(8, 24);
    const ip = ipv6Text(a);
    return `[${ip}]:${b.readUInt16BE(2)}`;
  }
  return `family${fam}`;
}

// Scratch buffers for calls whose results are decoded before the next call (each thread loads its own copy
// of this module; koffi calls are synchronous): allocating two Buffers per call cost more than the call.
const NAME = Buffer.alloc(128);
const OPT = Buffer.alloc(512);
const LEN = Buffer.alloc(4);
const scratchLen = (n) => { LEN.writeUInt32LE(n); return LEN; };

const nameCall = (f) => (fd, root) => {
  const b = NAME;
  const len = scratchLen(128);
  const r = wrap(f(fd, b, len));
  return r.errno ? r : { value: 0, addr: decodeAddr(b, len.readUInt32LE(), root) };
};

const SOL_SOCKET = 1;
const SO_MEMINFO = 55;

/** getsockopt into a `size`-byte buffer, then the 32-bit (u)nsigned or (i)nteger at byte `at`. */
function intOption(fd, level, name, size, at, kind) {
  const b = OPT.fill(0, 0, size);
  const len = scratchLen(size);
  const r = wrap(c.getsockopt(fd, level, name, b, len));
  return r.errno ? r : { value: kind === 'u' ? b.readUInt32LE(at) : b.readInt32LE(at) };
}

export const net = {
  socket: (family, nonblock, dgram = false) => wrap(c.socket(family, (dgram ? SOCK.DGRAM : SOCK.STREAM) | SOCK.CLOEXEC | (nonblock ? SOCK.NONBLOCK : 0), 0)),
  socketpair(nonblock, dgram = false) {
    const sv = [0, 0];
    const r = wrap(c.socketpair(AF.UNIX, (dgram ? SOCK.DGRAM : SOCK.STREAM) | SOCK.CLOEXEC | (nonblock ? SOCK.NONBLOCK : 0), 0, sv));
    return r.errno ? r : { value: 0, fds: [sv[0], sv[1]] };
  },
  bind: (fd, addr, root) => { const a = encodeAddr(addr, root); return wrap(c.bind(fd, a.buf, a.len)); },
  listen: (fd, backlog) => wrap(c.listen(fd, backlog)),
  connect: (fd, addr, root) => { staysOnMachine(fd, addr); const a = encodeAddr(addr, root); return again(() => c.connect(fd, a.buf, a.len)); },
  accept(fd, root) {
    const b = Buffer.alloc(128);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(128);
    const r = again(() => c.accept4(fd, b, len, SOCK.CLOEXEC));
    return r.errno ? r : { value: r.value, addr: decodeAddr(b, len.readUInt32LE(), root) };
  },
  send: (fd, data, flags) => again(() => c.sendto(fd, data, data.length, flags, null, 0)),
  recv(fd, n, flags) {
    const buf = Buffer.allocUnsafe(Math.max(n, 1));
    const r = again(() => c.recvfrom(fd, buf, n, flags, null, null));
    // MSG_TRUNC on a datagram socket returns the real length, beyond what was copied
    return r.errno ? r : { value: r.value, data: new Uint8Array(buf.buffer, buf.byteOffset, Math.min(r.value, n)) };
  },
  /** recvmsg with one buffer of n bytes: also msg_flags (MSG_TRUNC 0x20: the datagram was longer). */
  recvmsg(fd, n, flags) {
    const buf = Buffer.allocUnsafe(Math.max(n, 1));
    const m = { msg_name: null, msg_namelen: 0, msg_iov: [{ iov_base: buf, iov_len: n }], msg_iovlen: 1, msg_control: null, msg_controllen: 0, msg_flags: 0 };
    const r = again(() => c.recvmsg(fd, m, flags));
    return r.errno ? r : { value: r.value, data: new Uint8Array(buf.buffer, buf.byteOffset, Math.min(r.value, n)), msgFlags: m.msg_flags };
  },
  /** sendto: a datagram to `addr` (unconnected sockets; an address string as encodeAddr takes). */
  sendto: (fd, data, flags, addr, root) => { staysOnMachine(fd, addr); const a = encodeAddr(addr, root); return again(() => c.sendto(fd, data, data.length, flags, a.buf, a.len)); },
  /** recvmsg with one buffer of n bytes and msg_name: also msg_flags and the sender's address ("unix:" when it has no name: msg_namelen 0). */
  recvfrom(fd, n, flags, root) {
    const buf = Buffer.allocUnsafe(Math.max(n, 1));
    const name = Buffer.alloc(128);
    const m = { msg_name: name, msg_namelen: 128, msg_iov: [{ iov_base: buf, iov_len: n }], msg_iovlen: 1, msg_control: null, msg_controllen: 0, msg_flags: 0 };
    const r = again(() => c.recvmsg(fd, m, flags));
    if (r.errno) return r;
    const addr = m.msg_namelen < 2 ? 'unix:' : decodeAddr(name, m.msg_namelen, root);
    return { value: r.value, data: new Uint8Array(buf.buffer, buf.byteOffset, Math.min(r.value, n)), msgFlags: m.msg_flags, addr };
  },
  /** bind(AF_UNIX) with sun_path holding exactly `bytes` (addrlen = offsetof(sun_path) + bytes.length): over-long paths and abstract names. */
  bindUnix(fd, bytes) {
    const b = Buffer.alloc(Math.max(110, 2 + bytes.length));
    b.writeUInt16LE(AF.UNIX, 0);
    Buffer.from(bytes).copy(b, 2);
    return wrap(c.bind(fd, b, 2 + bytes.length));
  },
  /** getsockname of an AF_UNIX socket: sun_path's bytes exactly as the kernel reports them (addrlen - offsetof(sun_path)). */
  sunPath(fd) {
    const b = Buffer.alloc(128);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(128);
    const r = wrap(c.getsockname(fd, b, len));
    return r.errno ? r : { value: 0, bytes: b.subarray(2, Math.max(2, Math.min(128, len.readUInt32LE()))) };
  },
  shutdown: (fd, how) => wrap(c.shutdown(fd, how)),
  getsockname: nameCall(c.getsockname),
  getpeername: nameCall(c.getpeername),
  /** SIOCOUTQ: bytes sent and not yet acknowledged (TCP) or not yet read (AF_UNIX). */
  outq(fd) {
    const v = Buffer.alloc(4);
    const r = wrap(c.ioctl(fd, 0x5411, v));
    return r.errno ? r : { value: v.readInt32LE(0) };
  },
  /** TCP_INFO of a listening socket: tcpi_unacked is its accept queue length. */
  acceptQueue: (fd) => intOption(fd, 6 /* IPPROTO_TCP */, 11 /* TCP_INFO */, 232, 24, 'u'),
  /** SO_MEMINFO SK_MEMINFO_DROPS: a listener counts the SYNs it dropped (tcp_listendrop). */
  drops: (fd) => intOption(fd, SOL_SOCKET, SO_MEMINFO, 9 * 4, 8 * 4, 'u'),
  /** SO_MEMINFO SK_MEMINFO_RMEM_ALLOC: bytes queued for receiving (truesize). */
  rmem: (fd) => intOption(fd, SOL_SOCKET, SO_MEMINFO, 9 * 4, 0, 'u'),
  /** SO_SNDTIMEO (struct timeval, 64-bit): bounds how long a blocking connect may wait; 0 = forever. */
  sendTimeout(fd, seconds) {
    const tv = Buffer.alloc(16);
    tv.writeBigInt64LE(BigInt(seconds), 0);
    return wrap(c.setsockopt(fd, SOL_SOCKET, 21 /* SO_SNDTIMEO */, tv, 16));
  },
  /** SO_SNDTIMEO in milliseconds (a blocking connect sleeps at most this long; 0 = forever). */
  sendTimeoutMs(fd, ms) {
    const tv = Buffer.alloc(16);
    tv.writeBigInt64LE(BigInt(Math.floor(ms / 1000)), 0);
    tv.writeBigInt64LE(BigInt((ms % 1000) * 1000), 8);
    return wrap(c.setsockopt(fd, SOL_SOCKET, 21 /* SO_SNDTIMEO */, tv, 16));
  },
  /** SO_ERROR: the pending error of a (nonblocking) connect, 0 if none. */
  soError: (fd) => intOption(fd, SOL_SOCKET, 4 /* SO_ERROR */, 4, 0, 'i'),
  /** SO_TYPE: SOCK_STREAM 1, SOCK_DGRAM 2. */
  type: (fd) => intOption(fd, SOL_SOCKET, 3 /* SO_TYPE */, 4, 0, 'i'),
  domain(fd) {
    const v = OPT;
    const len = scratchLen(4);
    const r = wrap(c.getsockopt(fd, 1, 39 /* SO_DOMAIN */, v, len));
    return r.errno ? r : { value: v.readInt32LE(0) };
  },
};

/** SIOCINQ: bytes queued for reading (stream sockets). */
net.inq = (fd) => {
  const v = Buffer.alloc(4);
  const r = wrap(c.ioctl(fd, 0x541b, v));
  return r.errno ? r : { value: v.readInt32LE(0) };
};
/**
 * TCP_INFO: segments in flight not yet acknowledged (tcpi_unacked), bytes queued but not yet sent
 * (tcpi_notsent_bytes), new data bytes sent (tcpi_bytes_sent - tcpi_bytes_retrans) and received (tcpi_bytes_received).
 */
net.tcpInfo = (fd) => {
  const b = OPT.fill(0, 0, 232);
  const len = scratchLen(232);
  const r = wrap(c.getsockopt(fd, 6 /* IPPROTO_TCP */, 11 /* TCP_INFO */, b, len));
  return r.errno ? r : { value: 0, unacked: b.readUInt32LE(24), notsent: b.readUInt32LE(144), sent: Number(b.readBigUInt64LE(200) - b.readBigUInt64LE(208)), received: Number(b.readBigUInt64LE(128)) };
};
/** SO_MEMINFO in one call: bytes queued for receiving (SK_MEMINFO_RMEM_ALLOC) and drops (SK_MEMINFO_DROPS). */
net.meminfo = (fd) => {
  const b = OPT;
  const len = scratchLen(9 * 4);
  const r = wrap(c.getsockopt(fd, SOL_SOCKET, SO_MEMINFO, b, len));
  return r.errno ? r : { value: 0, rmem: b.readUInt32LE(0), drops: b.readUInt32LE(8 * 4) };
};
/** SO_SNDBUF / SO_RCVBUF: set a fixed size (setsockopt; linux doubles it and stops autotuning), or read the size in use. */
const BUF_OPT = { snd: 7 /* SO_SNDBUF */, rcv: 8 /* SO_RCVBUF */ };
net.setBuffer = (fd, which, bytes) => {
  const v = Buffer.alloc(4);
  v.writeInt32LE(bytes, 0);
  return wrap(c.setsockopt(fd, SOL_SOCKET, BUF_OPT[which], v, 4));
};
net.buffer = (fd, which) => intOption(fd, SOL_SOCKET, BUF_OPT[which], 4, 0, 'i');
/** How many bytes TCP_INFO fills (Linux 5+: 232 and more; gVisor: 224, without the byte counters). */
net.tcpInfoLength = (fd) => {
  const b = Buffer.alloc(512);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(512);
  const r = wrap(c.getsockopt(fd, 6 /* IPPROTO_TCP */, 11 /* TCP_INFO */, b, len));
  return r.errno ? r : { value: len.readUInt32LE(0) };
};
