// Connects that wait for room in a listen queue: a blocking connect asleep on a full queue, and the
// later completion of a connect whose SYN was dropped. POSIX XSH connect(): "If the connection
// cannot be established immediately and O_NONBLOCK is not set ..., connect() shall block for up to
// an unspecified timeout interval until the connection is established." linux (measured, see
// spec/clauses/listen.ts): AF_UNIX sleeps until accept frees room; TCP's SYN is dropped and
// retransmitted (1 s, 3 s, 7 s ...), so once accept frees room the connect completes.
import type { ClauseId } from '../../spec/catalogue.ts';
import type { SocketCall } from '../../spec/socket-scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { OutOfScope, type Ctx } from '../context.ts';
import { showOutcome } from '../describe.ts';
import type { Sock } from '../socket-state.ts';
import type { ModelState, Pending } from '../state.ts';
import { overflowClause, queueLimit } from './connect.ts';
import { isErr, isOk } from './fd.ts';
import { connectPair, newSock, sockOf } from './socket.ts';

type C<K extends SocketCall['op']> = Extract<SocketCall, { op: K }>;
type ConnectPending = Extract<Pending, { kind: 'connect' }>;


/** The clause a connect to a full (linux: exactly known) queue answers to. */
export const fullQueueClause = (k: Sock): ClauseId => (k.family === 'unix' ? 'listen.full-queue-blocks-unix' : 'listen.dropped-syn-completes-later');

/** The clause for a blocked connect: the linux clause where the profile knows the queue exactly. */
const clauseOf = (k: Sock, l: Sock, ctx: Ctx): ClauseId => (queueLimit(l, ctx).exact ? fullQueueClause(k) : 'listen.backlog-overflow');

/** connect on a blocking socket reported "still blocked": only a full queue may do that. */
export function blockedConnect(s: ModelState, step: number, actor: string, call: C<'connect'>, k: Sock, l: Sock, ctx: Ctx): void {
  const { sure, exact } = queueLimit(l, ctx);
  const roomClause = l.accepted > 0 && l.queue.length === 0 ? 'stream.accept-keeps-listening' : overflowClause(l, ctx);
  if (l.queue.length < sure) ctx.violate(roomClause, 'blocked', `0 (${l.queue.length} connection(s) pending, the queue holds ${sure})`);
  if (exact) ctx.exercise(fullQueueClause(k));
  s.pending.set(step, { kind: 'connect', step, actor, sock: k.id, listener: l.id, call: { actor, ...call } });
  if (k.family !== 'unix') k.connecting = { listener: l.id, acceptedAt: l.accepted, dropped: exact };
}

/**
 * A connect has completed (its caller saw it connected): the listener's queue takes it if it has
 * room. linux: an AF_UNIX connect never completes into a full queue; a TCP one whose SYN was dropped
 * cannot complete before accept frees room, but after that two retransmitted SYNs may both be
 * answered while only one fits (the client is connected, the listener dropped the final ACK): that
 * connection is outside the model from here.
 */
export function connectionDone(s: ModelState, k: Sock, l: Sock, addr: string | undefined, ctx: Ctx): void {
  const c = k.connecting;
  delete k.connecting;
  const { sure, exact } = queueLimit(l, ctx);
  if (l.state === 'listening' && (l.queue.length < sure || !exact)) {
    const server = newSock(s, l.family, false);
    server.local = l.local;
    k.local = addr ?? k.local;
    connectPair(s, k, server);
    l.queue.push(server.id);
    return;
  }
  if (exact && k.family === 'unix') ctx.violate('listen.full-queue-blocks-unix', 'connected', `still blocked (the queue holds ${sure}, all taken)`);
  if (exact && c?.dropped && l.accepted === c.acceptedAt) ctx.violate('listen.dropped-syn-completes-later', 'connected', 'still in progress (its SYN was dropped and nothing was accepted since: a retransmitted SYN meets the same full queue)');
  k.limbo = true;
}

export function connectCompleted(s: ModelState, p: ConnectPending, out: Outcome, ctx: Ctx): void {
  s.pending.delete(p.step);
  const k = s.net.socks.get(p.sock)!;
  const l = s.net.socks.get(p.listener)!;
  const clause = clauseOf(k, l, ctx);
  const got = () => `woke with ${showOutcome(out)}`;
  // connect-wait saw it connected first
  if (k.state === 'connected' || k.limbo) return ctx.require(clause, isOk(out, 0), got, () => '0 (it is connected)');
  if (!isOk(out, 0)) {
    const exact = queueLimit(l, ctx).exact;
    // posix: the "unspecified timeout interval" may end in a refusal or a timeout
    if (!exact && ['ECONNREFUSED', 'ETIMEDOUT', 'EAGAIN'].some((e) => isErr(out, e))) { delete k.connecting; return ctx.exercise('listen.backlog-overflow'); }
    ctx.violate(clause, got(), '0 (connected once there is room in the queue)');
  }
  ctx.exercise(clause);
  connectionDone(s, k, l, out.kind === 'ok' ? out.detail?.addr : undefined, ctx);
}

/** At a quiescent point: linux AF_UNIX wakes a blocked connect as soon as accept frees room. */
export function connectStillBlocked(s: ModelState, p: ConnectPending, ctx: Ctx): void {
  const k = s.net.socks.get(p.sock)!;
  const l = s.net.socks.get(p.listener)!;
  const { sure, exact } = queueLimit(l, ctx);
  // TCP completes when a retransmitted SYN arrives (timed): connect-wait judges that.
  if (!exact || k.family !== 'unix' || l.state !== 'listening') return;
  if (l.queue.length < sure) ctx.violate('listen.full-queue-blocks-unix', 'still blocked', `0 (accept freed room: ${l.queue.length} of ${sure} taken)`);
}

/** Dropped connects to `l` still in progress (blocking or not). */
const droppedPending = (s: ModelState, l: Sock): number => [...s.net.socks.values()].filter((x) => x.connecting?.listener === l.id && x.connecting.dropped).length;

/**
 * linux: once accept has freed room for every dropped connect still in progress, each one's next
 * retransmitted SYN gets in, so it must complete. With fewer free places than dropped connects,
 * which ones get in is a race, and nothing is required of any one of them.
 */
function mustComplete(s: ModelState, k: Sock, ctx: Ctx): boolean {
  const c = k.connecting!;
  const l = s.net.socks.get(c.listener)!;
  const { sure, exact } = queueLimit(l, ctx);
  return exact && c.dropped && l.state === 'listening' && l.accepted > c.acceptedAt && droppedPending(s, l) <= sure - l.queue.length;
}

/** connect-wait: 1 once connected, an error, or 0 if still in progress at the deadline (30 s). */
export function connectWait(s: ModelState, call: C<'connect-wait'>, out: Outcome, ctx: Ctx): void {
  const id = s.net.handles.get(call.fd);
  const got = () => showOutcome(out);
  const known = typeof id === 'number' ? s.net.socks.get(id)! : undefined;
  if (known?.limbo || known?.state === 'connected') return ctx.require('listen.backlog-overflow', isOk(out, 1), got, () => '1 (it connected earlier)');
  const k = sockOf(s, call.fd);
  const c = k.connecting;
  if (!c) throw new OutOfScope(`connect-wait on a ${k.state} socket with no connect in progress`);
  const l = s.net.socks.get(c.listener)!;
  const clause = queueLimit(l, ctx).exact ? 'listen.dropped-syn-completes-later' : 'listen.backlog-overflow';
  if (isOk(out, 1)) {
    ctx.exercise(clause);
    return connectionDone(s, k, l, k.local, ctx);
  }
  if (mustComplete(s, k, ctx)) {
    ctx.violate('listen.dropped-syn-completes-later', `${got()} (still in progress when connect-wait gave up)`, `1 (accept freed room for all ${droppedPending(s, l)} dropped connect(s); a retransmitted SYN completes it)`);
  }
  const refusal = !c.dropped && ['ECONNREFUSED', 'ETIMEDOUT'].some((e) => isErr(out, e));
  ctx.require(clause, isOk(out, 0) || refusal, got, () => '1 (connected) or 0 (still in progress: room for it is not certain)');
  if (refusal) delete k.connecting;
}
