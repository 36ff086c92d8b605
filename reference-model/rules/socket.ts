// Stream socket lifecycle: socketpair, socket, bind, listen, connect, accept, shutdown, close, names.
// POSIX XSH socket(), bind(), listen(), connect(), accept(), shutdown(); unix(7), tcp(7).
import type { SockAddr, SocketCall } from '../../spec/socket-scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { OutOfScope, type Ctx } from '../context.ts';
import { showOutcome } from '../describe.ts';
import type { Sock } from '../socket-state.ts';
import { buffered, type ModelState } from '../state.ts';
import { dgramConnect } from './dgram.ts';
import { isErr, isOk, newPipeObj } from './fd.ts';

type C<K extends SocketCall['op']> = Extract<SocketCall, { op: K }>;

export function newSock(s: ModelState, family: Sock['family'], nonblock: boolean): Sock {
  const k: Sock = { id: s.nextId++, family, nonblock, state: 'unbound', queue: [], backlog: 0, accepted: 0 };
  s.net.socks.set(k.id, k);
  return k;
}

/** The live socket a handle names; anything else is outside what the socket walks generate. */
export function sockOf(s: ModelState, handle: string): Sock {
  const id = s.net.handles.get(handle);
  if (id === undefined || id === 'closed') throw new OutOfScope(`${handle} is not an open socket`);
  const k = s.net.socks.get(id)!;
  if (k.reset) throw new OutOfScope(`${handle}'s connection was reset (closed with unread data)`);
  if (k.limbo) throw new OutOfScope(`${handle} connected late (after a dropped SYN was retransmitted)`);
  return k;
}

export const isSocketHandle = (s: ModelState, handle: string): boolean => s.net.handles.has(handle);

/** Join two sockets into a connection: two byte queues, one per direction. */
export function connectPair(s: ModelState, a: Sock, b: Sock): void {
  const ab = newPipeObj(s, 'pipe', Infinity);
  const ba = newPipeObj(s, 'pipe', Infinity);
  for (const o of [ab, ba]) { o.readers = 1; o.writers = 1; }
  Object.assign(a, { state: 'connected', peer: b.id, tx: ab.id, rx: ba.id });
  Object.assign(b, { state: 'connected', peer: a.id, tx: ba.id, rx: ab.id });
}

export function socketpair(s: ModelState, call: C<'socketpair'>, out: Outcome): void {
  if (out.kind !== 'ok') throw new Error(`socketpair failed on the target: ${showOutcome(out)}`);
  const a = newSock(s, 'unix', call.nonblock);
  const b = newSock(s, 'unix', call.nonblock);
  a.local = b.local = 'unix:';
  if (call.dgram) {
    // a datagram pair: each end's destination is the other (no connection, no byte queues)
    Object.assign(a, { dgram: true, state: 'bound', dest: b.id });
    Object.assign(b, { dgram: true, state: 'bound', dest: a.id });
  } else connectPair(s, a, b);
  s.net.handles.set(call.a, a.id);
  s.net.handles.set(call.b, b.id);
}

export function socket(s: ModelState, call: C<'socket'>, out: Outcome): void {
  if (out.kind !== 'ok') throw new Error(`socket failed on the target: ${showOutcome(out)}`);
  const k = newSock(s, call.family, call.nonblock);
  if (call.dgram) k.dgram = true;
  s.net.handles.set(call.as, k.id);
}

export function bind(s: ModelState, call: C<'bind'>, out: Outcome, ctx: Ctx): void {
  const k = sockOf(s, call.fd);
  const a = call.addr;
  const got = () => showOutcome(out);
  const inUse = 'path' in a ? s.net.paths.has(a.path) || s.names.has(a.path) : 'of' in a ? ['bound', 'listening'].includes(sockOf(s, a.of).state) : false;
  const bound = k.state !== 'unbound';
  if (k.state === 'connected') throw new OutOfScope('bind of a connected socket');
  // Both may apply (linux AF_UNIX checks the path first): either error is allowed then.
  const allowed = [...(inUse ? ['EADDRINUSE'] : []), ...(bound ? ['EINVAL'] : [])];
  if (allowed.length) {
    const clause = bound && !(inUse && isErr(out, 'EADDRINUSE')) ? 'bind.already-bound-einval' : 'bind.address-in-use';
    return ctx.require(clause, allowed.some((e) => isErr(out, e)), got, () => allowed.map((e) => `-1 ${e}`).join(' or ') + (bound ? ' (already bound)' : ' (the address is in use)'));
  }
  if (out.kind !== 'ok') throw new OutOfScope(`bind failed: ${got()}`);
  const addr = out.detail?.addr;
  if ('port' in a) {
    const m = /^(?:127\.0\.0\.1|\[::1\]):(\d+)$/.exec(addr ?? '');
    const fam = k.family === 'inet6' ? '[::1]' : '127.0.0.1';
    ctx.require('bind.port-zero-ephemeral', !!m && Number(m[1]) > 0 && Number(m[1]) < 65536 && addr!.startsWith(fam), () => `name ${addr}`, () => `${fam}:PORT with an ephemeral PORT > 0`);
  }
  k.state = 'bound';
  k.local = addr ?? ('path' in a ? `unix:${a.path}` : undefined);
  if ('path' in a) s.net.paths.set(a.path, k.id);
}

export function listen(s: ModelState, call: C<'listen'>, out: Outcome): void {
  const k = sockOf(s, call.fd);
  if (!isOk(out, 0) || k.state !== 'bound') throw new OutOfScope(`listen on a ${k.state} socket: ${showOutcome(out)}`);
  k.state = 'listening';
  k.backlog = call.backlog;
}

/** The socket an address names (undefined: a missing path). */
function target(s: ModelState, to: SockAddr): Sock | undefined {
  if ('of' in to) {
    const id = s.net.handles.get(to.of);
    if (typeof id !== 'number') throw new OutOfScope(`connect to the name of ${to.of}, which is not an open socket`);
    return s.net.socks.get(id)!;
  }
  if ('path' in to) {
    const id = s.net.paths.get(to.path);
    return id === undefined ? undefined : s.net.socks.get(id);
  }
  throw new OutOfScope('connect to port 0');
}

/** Connections a listener that never accepts surely holds, and whether that is exact (linux: beyond it, none completes). */
export function queueLimit(t: Sock, ctx: Ctx): { sure: number; exact: boolean } {
  const q = ctx.profile.listenQueue;
  if (q.rule === 'backlog-plus-one') return { sure: (t.backlog < 0 ? q.somaxconn : Math.min(t.backlog, q.somaxconn)) + 1, exact: true };
  return { sure: t.backlog >= 1 ? 1 : 0, exact: false };
}

export function connect(s: ModelState, call: C<'connect'>, out: Outcome, ctx: Ctx): void {
  const k = sockOf(s, call.fd);
  const got = () => showOutcome(out);
  if (k.dgram) return dgramConnect(s, k, call, out);
  const t = target(s, call.to);
  if (k.state === 'listening') throw new OutOfScope('connect on a listening socket');
  // What the address alone gives: ENOENT for a missing path, ECONNREFUSED where nothing listens.
  const unix = k.family === 'unix';
  const fromTarget = !t ? 'ENOENT' : t.state !== 'listening' ? 'ECONNREFUSED' : undefined;
  const targetClause = !t ? 'connect.unix-missing-path-enoent' : unix ? 'connect.unix-not-listening-econnrefused' : 'connect.tcp-no-listener-econnrefused';
  if (k.state === 'connected') {
    // linux AF_UNIX looks up the target before its own state; TCP checks its own state first.
    const allowed = ['EISCONN', ...(unix && fromTarget ? [fromTarget] : []), ...(unix && t && t.queue.length >= queueLimit(t, ctx).sure ? ['EAGAIN', 'ECONNREFUSED'] : [])];
    return ctx.require('connect.already-connected-eisconn', allowed.some((e) => isErr(out, e)), got, () => allowed.map((e) => `-1 ${e}`).join(' or ') + ' (already connected)');
  }
  if (fromTarget) return ctx.require(targetClause, isErr(out, fromTarget), got, () => `-1 ${fromTarget} (${!t ? 'no such file' : t.state === 'closed' ? 'a stale socket file' : 'bound, not listening'})`);
  const l = t!;
  if (k.connecting) throw new OutOfScope('connect while a connect is in progress');
  const { sure, exact } = queueLimit(l, ctx);
  const room = l.queue.length < sure;
  const tcpNb = k.nonblock && !unix;
  // "Keeps listening" once it has accepted and its queue is empty again; otherwise the queue length is what matters.
  const clause = l.accepted > 0 && l.queue.length === 0 ? 'stream.accept-keeps-listening' : 'listen.backlog-overflow';
  const progress = isOk(out, 0) || (tcpNb && isErr(out, 'EINPROGRESS'));
  if (!k.nonblock && !room && exact) throw new OutOfScope('a blocking connect to a full listen queue (it would block the harness)');
  if (room) ctx.require(clause, progress, got, () => `${tcpNb ? '-1 EINPROGRESS' : '0'} (${l.queue.length} connection(s) pending, the queue holds ${sure})`);
  else if (exact) {
    // linux (measured): the SYN is dropped, so the connect stays in progress; AF_UNIX refuses with EAGAIN.
    ctx.require('listen.backlog-overflow', tcpNb ? isErr(out, 'EINPROGRESS') : isErr(out, 'EAGAIN'), got, () => `${tcpNb ? '-1 EINPROGRESS (the SYN is dropped; never refused)' : '-1 EAGAIN'} (the queue holds ${sure}, all taken)`);
  } else {
    if (!progress) return ctx.require('listen.backlog-overflow', ['ECONNREFUSED', 'EAGAIN', 'ETIMEDOUT'].some((e) => isErr(out, e)), got, () => '0, or a refusal (the queue may be full)');
  }
  if (tcpNb && !room) {
    k.connecting = { listener: l.id, acceptedAt: l.accepted, dropped: exact };
    return;
  }
  if (!progress) return;
  const server = newSock(s, l.family, false);
  server.local = l.local;
  k.local = out.kind === 'ok' ? out.detail?.addr ?? (unix ? 'unix:' : undefined) : out.kind === 'err' ? out.detail?.addr : undefined;
  connectPair(s, k, server);
  l.queue.push(server.id);
}

/** connect-status: a queued connection has completed; a dropped one has not, while the queue stayed full. */
export function connectStatus(s: ModelState, call: C<'connect-status'>, out: Outcome, ctx: Ctx): void {
  const id = s.net.handles.get(call.fd);
  const late = typeof id === 'number' && s.net.socks.get(id)!.limbo;
  const got = () => showOutcome(out);
  if (late) return ctx.require('listen.backlog-overflow', isOk(out, 1), got, () => '1 (it connected earlier)');
  const k = sockOf(s, call.fd);
  if (k.state === 'connected') return ctx.require('listen.backlog-overflow', isOk(out, 1), got, () => '1 (connected: the listen queue took it)');
  const c = k.connecting;
  if (!c) {
    if (k.state === 'unbound') return; // its connect failed (AF_UNIX EAGAIN): nothing is in progress
    throw new OutOfScope(`connect-status on a ${k.state} socket`);
  }
  const l = s.net.socks.get(c.listener)!;
  if (c.dropped && l.state === 'listening' && l.accepted === c.acceptedAt) {
    return ctx.require('listen.backlog-overflow', isOk(out, 0), got, () => '0 (still in progress: the queue is full and nothing was accepted; never refused)');
  }
  // Room has appeared (or the profile does not say): a retransmitted SYN may have completed it.
  const refusal = !c.dropped && ['ECONNREFUSED', 'ETIMEDOUT'].some((e) => isErr(out, e));
  ctx.require('listen.backlog-overflow', isOk(out, 0) || isOk(out, 1) || refusal, got, () => '0 (in progress) or 1 (connected)');
  if (isOk(out, 1)) k.limbo = true;
}

export function accept(s: ModelState, step: number, actor: string, call: C<'accept'>, out: Outcome, ctx: Ctx): void {
  const t = sockOf(s, call.fd);
  void step; void actor;
  if (t.state !== 'listening') throw new OutOfScope(`accept on a ${t.state} socket`);
  const clause = 'stream.accept-keeps-listening';
  if (t.queue.length === 0) throw new OutOfScope('accept with no pending connection');
  ctx.require(clause, out.kind === 'ok' && out.value >= 0, () => showOutcome(out), () => 'a new descriptor (a connection is pending)');
  const server = s.net.socks.get(t.queue.shift()!)!;
  if (t.accepted++ > 0) ctx.exercise(clause);
  const client = s.net.socks.get(server.peer!)!;
  const addr = out.kind === 'ok' ? out.detail?.addr : undefined;
  if (client.local !== undefined && addr !== undefined) {
    ctx.require('stream.names-agree', addr === client.local, () => `accept reports peer ${addr}`, () => `${client.local} (the connecting socket's name)`);
  }
  s.net.handles.set(call.as, server.id);
}

export function shutdown(s: ModelState, call: C<'shutdown'>, out: Outcome, ctx: Ctx): void {
  const k = sockOf(s, call.fd);
  if (k.state !== 'connected') throw new OutOfScope(`shutdown on a ${k.state} socket`);
  ctx.require('stream.shutdown-write-half-close', isOk(out, 0), () => showOutcome(out), () => '0');
  k.wrDone ??= 'shutdown';
}

export function closeSocket(s: ModelState, handle: string, out: Outcome): void {
  const k = sockOf(s, handle);
  if (!isOk(out, 0)) throw new Error(`close failed on an open socket: ${showOutcome(out)}`);
  if ([...s.pending.values()].some((p) => p.kind === 'recv' && p.sock === k.id)) throw new OutOfScope('close of a socket with a blocked recv');
  s.net.handles.set(handle, 'closed');
  k.wrDone ??= 'close';
  const peer = k.peer === undefined ? undefined : s.net.socks.get(k.peer);
  // Closing with unread data resets the connection (tcp RST; unix sets ECONNRESET on the peer).
  if (peer && peer.state !== 'closed' && k.rx !== undefined && buffered(s.objects.get(k.rx)!) > 0) {
    // After shutdown(SHUT_WR) the peer already has the FIN, which changes what TCP's reset shows: not modelled yet.
    if (k.wrDone === 'shutdown') peer.reset = true;
    else peer.peerReset = peer.resetPending = true;
  }
  for (const q of k.queue) { const c = s.net.socks.get(s.net.socks.get(q)!.peer!)!; c.reset = true; }
  k.state = 'closed';
}

export function sockname(s: ModelState, call: C<'sockname'>, out: Outcome, ctx: Ctx): void {
  const k = sockOf(s, call.fd);
  const who = call.peer ? (k.peer === undefined ? undefined : s.net.socks.get(k.peer)) : k;
  if (call.peer && k.state !== 'connected') throw new OutOfScope(`getpeername on a ${k.state} socket`);
  const addr = out.kind === 'ok' ? out.detail?.addr : undefined;
  const want = who?.local;
  if (want === undefined) {
    // first sight of this name: learn it (a TCP client's ephemeral name, say)
    if (out.kind !== 'ok' || addr === undefined) throw new Error(`get${call.peer ? 'peer' : 'sock'}name failed: ${showOutcome(out)}`);
    if (who) who.local = addr;
    return;
  }
  const what = call.peer ? 'getpeername' : 'getsockname';
  ctx.require('stream.names-agree', out.kind === 'ok' && addr === want, () => `${what} -> ${addr ?? showOutcome(out)}`, () => `${want} (${call.peer ? "the peer's name" : 'its own name'})`);
}
