// Listening, connecting and accepting: the listen queue and connect errors.
// POSIX XSH listen(), connect(), accept(); unix(7), tcp(7).
import type { ClauseId } from '../../spec/catalogue.ts';
import type { SockAddr, SocketCall } from '../../spec/socket-scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { OutOfScope, type Ctx } from '../context.ts';
import { showOutcome } from '../describe.ts';
import type { Sock } from '../socket-state.ts';
import type { ModelState } from '../state.ts';
import { blockedConnect, connectionDone, fullQueueClause } from './connect-wait.ts';
import { neverFollowed, notSeen } from './arrival.ts';
import { dgramConnect } from './dgram.ts';
import { isErr, isOk } from './fd.ts';
import { connectPair, newSock, sockOf } from './socket.ts';

type C<K extends SocketCall['op']> = Extract<SocketCall, { op: K }>;

export function listen(s: ModelState, call: C<'listen'>, out: Outcome): void {
  const k = sockOf(s, call.fd);
  if (!isOk(out, 0) || k.state !== 'bound') throw new OutOfScope(`listen on a ${k.state} socket: ${showOutcome(out)}`);
  k.state = 'listening';
  k.backlog = call.backlog;
}

/** The socket an address names (undefined: a missing path). */
export function target(s: ModelState, to: SockAddr): Sock | undefined {
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

/** A backlog linux truncates (negative, or above somaxconn): its queue length answers to listen.backlog-truncated. */
export function overflowClause(l: Sock, ctx: Ctx): ClauseId {
  const q = ctx.profile.listenQueue;
  return q.rule === 'backlog-plus-one' && (l.backlog < 0 || l.backlog > q.somaxconn) ? 'listen.backlog-truncated' : 'listen.backlog-overflow';
}

export function connect(s: ModelState, step: number, actor: string, call: C<'connect'>, out: Outcome, ctx: Ctx): void {
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
  const overflow = overflowClause(l, ctx);
  const clause = l.accepted > 0 && l.queue.length === 0 ? 'stream.accept-keeps-listening' : overflow;
  const progress = isOk(out, 0) || (tcpNb && isErr(out, 'EINPROGRESS'));
  if (!k.nonblock && out.kind === 'pending') return blockedConnect(s, step, actor, call, k, l, ctx);
  if (room) {
    ctx.require(clause, progress, got, () => `${tcpNb ? '-1 EINPROGRESS' : '0'} (${l.queue.length} connection(s) pending, the queue holds ${sure})`);
    // a listener with room queues the handshake: one never seen there is a connection lost
    if (notSeen(out)) ctx.violate(clause, neverFollowed(got(), "the handshake never reached the listener's queue"), `the connection queued (${l.queue.length} connection(s) pending, the queue holds ${sure})`);
  } else if (exact && !k.nonblock) {
    // linux (measured): a blocking connect to a full queue sleeps (AF_UNIX until accept frees room; TCP until a retransmitted SYN gets in)
    ctx.violate(fullQueueClause(k), got(), `blocked (the queue holds ${sure}, all taken)`);
  } else if (exact) {
    // linux (measured): the SYN is dropped, so the connect stays in progress; AF_UNIX refuses with EAGAIN.
    ctx.require(overflow, tcpNb ? isErr(out, 'EINPROGRESS') : isErr(out, 'EAGAIN'), got, () => `${tcpNb ? '-1 EINPROGRESS (the SYN is dropped; never refused)' : '-1 EAGAIN'} (the queue holds ${sure}, all taken)`);
  } else {
    if (!progress) return ctx.require('listen.backlog-overflow', ['ECONNREFUSED', 'EAGAIN', 'ETIMEDOUT'].some((e) => isErr(out, e)), got, () => '0, or a refusal (the queue may be full)');
  }
  if (tcpNb && !room) {
    k.connecting = { listener: l.id, acceptedAt: l.accepted, dropped: exact };
    if (out.kind === 'err') k.local = out.detail?.addr;
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
  if (isOk(out, 1)) connectionDone(s, k, l, k.local, ctx);
  else if (refusal) delete k.connecting;
}

export function accept(s: ModelState, step: number, actor: string, call: C<'accept'>, out: Outcome, ctx: Ctx): void {
  const t = sockOf(s, call.fd);
  void step; void actor;
  if (t.state !== 'listening') throw new OutOfScope(`accept on a ${t.state} socket`);
  if (t.queue.length === 0) throw new OutOfScope('accept with no pending connection');
  ctx.require('stream.accept-keeps-listening', out.kind === 'ok' && out.value >= 0, () => showOutcome(out), () => 'a new descriptor (a connection is pending)');
  const server = s.net.socks.get(t.queue.shift()!)!;
  if (t.accepted++ > 0) ctx.exercise('stream.accept-keeps-listening');
  const client = s.net.socks.get(server.peer!)!;
  const addr = out.kind === 'ok' ? out.detail?.addr : undefined;
  if (client.local !== undefined && addr !== undefined) {
    ctx.require('stream.names-agree', addr === client.local, () => `accept reports peer ${addr}`, () => `${client.local} (the connecting socket's name)`);
  }
  s.net.handles.set(call.as, server.id);
}
