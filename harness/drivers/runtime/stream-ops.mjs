// Stream sockets through node:net: AF_UNIX (a path in the scratch dir) and TCP over loopback.
// The runtime's API, not the kernel's, is what a step calls, and it differs:
// - `socket` makes no descriptor: net creates one only when it listens or connects (value 0).
// - `bind` is net.Server.listen(address): the only way net binds a stream socket, so a bound
//   socket is also listening. `listen(backlog)` then has nothing left to call (the backlog is
//   net's default; it cannot be changed once listening) and reports 0.
// - net.Server accepts every connection as soon as it arrives (on the event loop), so the kernel's
//   queue never fills; `accept` takes the next connection the runtime already accepted.
// - `recv` is Readable.read(): bytes the runtime already read from the kernel into its buffer
//   (MSG_WAITALL: read(size), which waits for size bytes or the end). No peek, no MSG_TRUNC.
// - `send` is Socket.write(): it never refuses bytes (what the kernel does not take waits in the
//   runtime's queue); with MSG_DONTWAIT it reports the whole size unless write fails at once,
//   without it the step waits for write's callback (the bytes reached the kernel).
// - `shutdown(SHUT_WR)` is Socket.end() (sockets have allowHalfOpen, so the other half stays open);
//   SHUT_RD and SHUT_RDWR have no call in net: unsupported. Nonblocking sockets: unsupported (net has
//   no such mode; every call is asynchronous and the program waits for events).
import { Buffer } from 'node:buffer';
import net from 'node:net';
import { join, relative, isAbsolute } from 'node:path';
import { b64, bindHandle, entryOf, ok, once, unsupported } from './kit.mjs';

const LOOPBACK = { inet: '127.0.0.1', inet6: '::1' };

/** An address the runtime can take: { path } or { host, port }; or an outcome saying why not. */
export function netAddress(ctx, family, a) {
  if ('pathLength' in a || 'abstract' in a) {
    if (family !== 'unix') return { bad: unsupported('an AF_UNIX name on an IP socket') };
    if ('abstract' in a) return { path: `\0${ctx.dir}/${a.abstract}`, abstract: a.abstract };
    // an absolute path of exactly pathLength bytes in the scratch dir, as the C driver makes it
    const head = `${ctx.dir}/len${a.pathLength}-`;
    if (a.pathLength - Buffer.byteLength(head) < 1) return { bad: unsupported(`the scratch dir is too long for a ${a.pathLength}-byte path`) };
    return { path: head + 'x'.repeat(a.pathLength - Buffer.byteLength(head)), absolute: true };
  }
  if ('path' in a) return family === 'unix' ? { path: join(ctx.dir, a.path) } : { bad: unsupported('a path address on an IP socket') };
  if ('port' in a && !('host' in a)) return family === 'unix' ? { bad: unsupported('port 0 on an AF_UNIX socket') } : { host: LOOPBACK[family], port: 0 };
  if ('of' in a) {
    const e = entryOf(ctx, a.of);
    const n = e && addressOf(e);
    if (!n) return { bad: unsupported(`the runtime knows no name for ${a.of}`) };
    return n;
  }
  return { bad: unsupported(`address ${JSON.stringify(a)}`) };
}

/** The name a socket entry is bound or connected at, as the runtime reports it. */
function addressOf(e) {
  if (e.kind === 'stream' && e.server) {
    const n = e.server.address();
    if (typeof n === 'string') return { path: n };
    return n ? { host: n.address, port: n.port } : undefined;
  }
  if (e.kind === 'stream' && e.socket && e.family !== 'unix') return e.socket.localPort ? { host: e.socket.localAddress, port: e.socket.localPort } : undefined;
  if (e.kind === 'udp') {
    try { const n = e.sock.address(); return { host: n.address, port: n.port }; } catch { return e.lastName; }
  }
  return undefined;
}

/** "unix:PATH" (relative inside the scratch dir), "127.0.0.1:PORT", "[::1]:PORT"; undefined if unknown. */
export function showAddr(ctx, n) {
  if (!n) return undefined;
  if ('path' in n && n.path.startsWith('\0')) {
    const name = n.path.slice(1);
    return `unix:@${name.startsWith(`${ctx.dir}/`) ? name.slice(ctx.dir.length + 1) : name}`;
  }
  if ('path' in n && n.absolute) return `unix:${n.path}`;
  if ('path' in n) {
    const rel = relative(ctx.dir, n.path);
    return `unix:${!rel.startsWith('..') && !isAbsolute(rel) ? rel : n.path}`;
  }
  if (n.host === undefined || n.port === undefined) return undefined;
  return n.host.includes(':') ? `[${n.host}]:${n.port}` : `${n.host}:${n.port}`;
}

const detailAddr = (ctx, n) => { const a = showAddr(ctx, n); return a === undefined ? {} : { detail: { addr: a } }; };

/** Bytes sock handed to the kernel (bytesWritten counts what still waits in the runtime's queue too). */
const sent = (s) => s.bytesWritten - (s.writableLength ?? 0);
/** The runtime has stopped reading from the kernel for now: its buffer is at the high-water mark. */
const full = (s) => s.readableLength >= s.readableHighWaterMark;

/**
 * Settle waits (long deadline) for what must follow a TCP send or close, as the host target does: the
 * bytes the kernel took reach the peer's runtime (its bytesRead), unless the peer's buffer is full;
 * a FIN reaches it. Both ends are in this process, matched by their names. (AF_UNIX delivers within
 * the write; the peer's runtime reads it on the next event-loop turn, which settle always waits for.)
 */
function tcpInFlight(ctx) {
  const conns = [...(ctx.streams ?? [])].filter((e) => e.family !== 'unix' && e.socket && !e.socket.destroyed);
  for (const me of ctx.streams ?? []) {
    const s = me.socket;
    if (me.family === 'unix' || !s || !s.localPort) continue;
    const peer = conns.find((p) => p !== me && p.socket.remotePort === s.localPort && p.socket.localPort === s.remotePort && p.socket.remoteAddress === s.localAddress);
    if (!peer) continue;
    const p = peer.socket;
    if (peer.error || full(p)) continue;
    if (sent(s) > p.bytesRead) return true;
    const finSent = s.destroyed || s.writableFinished;
    if (finSent && !me.error && !peer.eof && !p._readableState?.ended) return true;
  }
  return false;
}

/** Follow a connected socket: buffered reads stay in the runtime; events wake waiting steps. */
function wire(ctx, e, sock) {
  if (!ctx.streams) { ctx.streams = new Set(); ctx.busy.add(() => tcpInFlight(ctx)); }
  ctx.streams.add(e);
  e.socket = sock;
  e.state = 'connected';
  sock.on('readable', () => ctx.touch());
  sock.on('end', () => { e.eof = true; ctx.touch(); });
  sock.on('error', (err) => { e.error = err; ctx.touch(); });
  sock.on('close', () => { e.closed = true; ctx.touch(); });
  ctx.cleanups.push(() => sock.destroy());
}

const newStream = (family) => ({ kind: 'stream', family, state: 'fresh', queue: [] });

function socketStep(ctx, call) {
  if (call.nonblock) return unsupported('a nonblocking socket: net has no such mode (every call is asynchronous)');
  bindHandle(ctx, call.as, newStream(call.family));
  ctx.sockets = true;
  return ok(0);
}

/** bind = net.Server.listen(address): it binds and listens in one call. */
async function bindStep(ctx, call) {
  const e = entryOf(ctx, call.fd);
  const a = netAddress(ctx, e.family, call.addr);
  if (a.bad) return a.bad;
  const server = e.server ?? net.createServer({ allowHalfOpen: true });
  if (!e.server) {
    server.on('connection', (sock) => { const c = newStream(e.family); wire(ctx, c, sock); e.queue.push(c); ctx.touch(); });
    server.on('close', () => ctx.touch());
    ctx.cleanups.push(() => { server.close(); for (const c of e.queue) c.socket.destroy(); });
  }
  let failed;
  const onError = (err) => { failed = err; };
  server.once('error', onError);
  if (a.abstract !== undefined) {
    // a runtime that refuses the NUL that starts an abstract name cannot express one
    try { server.listen({ path: a.path }); } catch (err) {
      server.off('error', onError);
      if (/ERR_INVALID_ARG/.test(err?.code ?? '')) return unsupported(`an abstract AF_UNIX name: the runtime refuses it (${err.code})`);
      throw err;
    }
  } else server.listen(a.path !== undefined ? { path: a.path } : { host: a.host, port: a.port, ipv6Only: e.family === 'inet6' });
  await once(server, ['listening', 'error'], () => failed !== undefined || server.listening);
  server.off('error', onError);
  if (failed) throw failed;
  e.server = server;
  e.state = 'listening';
  // server.address() is the name net reports for a pipe server (the path it was given)
  const n = addressOf(e);
  return ok(0, detailAddr(ctx, n && a.absolute ? { ...n, absolute: true } : n));
}

function listenStep(ctx, call) {
  const e = entryOf(ctx, call.fd);
  if (e?.state === 'listening') return ok(0); // already listening since bind (see the top of this file)
  return unsupported(`listen on a ${e?.state ?? 'missing'} socket: net listens only together with binding an address`);
}

async function connectStep(ctx, call) {
  const e = entryOf(ctx, call.fd);
  const a = netAddress(ctx, e.family, call.to);
  if (a.bad) return a.bad;
  if (e.state === 'listening') return unsupported('connect on a listening net.Server');
  const sock = e.socket ?? new net.Socket({ allowHalfOpen: true });
  let failed;
  let connected = false;
  const onError = (err) => { failed = err; };
  const onConnect = () => { connected = true; };
  sock.once('error', onError);
  sock.once('connect', onConnect);
  if (!e.socket) ctx.cleanups.push(() => sock.destroy());
  sock.connect(a.path !== undefined ? { path: a.path } : { host: a.host, port: a.port });
  await once(sock, ['connect', 'error', 'close'], () => failed !== undefined || connected);
  sock.off('error', onError);
  sock.off('connect', onConnect);
  if (failed) throw failed;
  if (!connected) return { kind: 'error', message: 'runtime driver: the socket closed before it connected or failed' };
  if (!e.socket) wire(ctx, e, sock);
  return ok(0, detailAddr(ctx, e.family === 'unix' ? undefined : { host: sock.localAddress, port: sock.localPort }));
}

async function acceptStep(ctx, call) {
  const e = entryOf(ctx, call.fd);
  if (e?.state !== 'listening') return unsupported(`accept on a ${e?.state ?? 'missing'} socket`);
  await once(e.server, ['connection', 'close'], () => e.queue.length > 0 || !e.server.listening);
  const c = e.queue.shift();
  if (!c) return { kind: 'err', errno: 'ERR_SERVER_NOT_RUNNING' };
  bindHandle(ctx, call.as, c);
  const s = c.socket;
  return ok(0, e.family === 'unix' ? {} : detailAddr(ctx, { host: s.remoteAddress, port: s.remotePort }));
}

/** One read the runtime can answer now, or undefined (it would wait). */
function readNow(e, size, waitall) {
  const s = e.socket;
  if (waitall) {
    const b = s.read(size);
    if (b) return ok(b.length, { data: b64(b) });
  } else if (s.readableLength > 0) {
    const b = s.read(Math.min(size, s.readableLength));
    return ok(b.length, { data: b64(b) });
  } else {
    s.read(0); // lets the runtime notice an end it has buffered
  }
  if (e.error) return { kind: 'err', errno: e.error.code ?? 'EIO' };
  if (e.eof || s.readableEnded) {
    const rest = waitall ? s.read() : null;
    return ok(rest ? rest.length : 0, { data: b64(rest ?? Buffer.alloc(0)) });
  }
  if (e.closed || s.destroyed) return { kind: 'err', errno: 'ERR_STREAM_DESTROYED' };
  return undefined;
}

async function recvStep(ctx, call) {
  const e = entryOf(ctx, call.fd);
  if (call.peek || call.trunc) return unsupported(`recv with ${call.peek ? 'MSG_PEEK' : 'MSG_TRUNC'}: net's streams have no such read`);
  if (e?.state !== 'connected') return unsupported(`recv on a ${e?.state ?? 'missing'} socket`);
  for (let k = 0; ; k++) {
    const r = readNow(e, call.size, call.waitall);
    if (r) return r;
    if (call.dontwait && !call.waitall) {
      if (k < 2) { await new Promise((res) => setImmediate(res)); continue; } // an 'end' read(0) just noticed
      return { kind: 'err', errno: 'EAGAIN' }; // read() gave nothing: the runtime holds no bytes for us
    }
    await once(e.socket, ['readable', 'end', 'error', 'close']);
  }
}

async function sendStep(ctx, call, data) {
  const e = entryOf(ctx, call.fd);
  if (e?.state !== 'connected') return unsupported(`send on a ${e?.state ?? 'missing'} socket`);
  let result;
  const written = new Promise((res) => e.socket.write(data, (err) => { result = err ? { kind: 'err', errno: err.code ?? 'EIO' } : ok(data.length); ctx.touch(); res(); }));
  if (call.dontwait === false) { await written; return result; }
  // MSG_DONTWAIT: what write says at once (a failed write calls back within a turn or two)
  for (let k = 0; k < 2 && !result; k++) await new Promise((res) => setImmediate(res));
  return result ?? ok(data.length);
}

function shutdownStep(ctx, call) {
  const e = entryOf(ctx, call.fd);
  if (call.how !== 'wr') return unsupported(`shutdown(${call.how === 'rd' ? 'SHUT_RD' : 'SHUT_RDWR'}): net has no such call`);
  if (e?.state !== 'connected') return unsupported(`shutdown on a ${e?.state ?? 'missing'} socket`);
  e.socket.end();
  return ok(0);
}

function socknameStep(ctx, call) {
  const e = entryOf(ctx, call.fd);
  if (!e || e.state === 'fresh') return unsupported('the name of a socket net has not made yet');
  if (e.state === 'listening') return call.peer ? unsupported('the peer of a listening server') : ok(0, detailAddr(ctx, addressOf(e)));
  const s = e.socket;
  if (e.family === 'unix') return unsupported(`${call.peer ? 'getpeername' : 'getsockname'} of an AF_UNIX stream socket: net reports no name for it (address() is {})`);
  return ok(0, detailAddr(ctx, call.peer ? { host: s.remoteAddress, port: s.remotePort } : { host: s.localAddress, port: s.localPort }));
}

/** close: destroy the socket, or stop the server listening (connections it already accepted stay). */
export function closeStream(ctx, h) {
  const e = entryOf(ctx, h);
  if (e.server) e.server.close();
  if (e.socket) e.socket.destroy();
  e.state = 'closed';
  ctx.handles.delete(h);
  ctx.closed.set(h, -1);
  return ok(0);
}

export const STREAM_OPS = {
  socket: socketStep, bind: bindStep, listen: listenStep, connect: connectStep, accept: acceptStep,
  recv: recvStep, send: sendStep, shutdown: shutdownStep, sockname: socknameStep,
};
