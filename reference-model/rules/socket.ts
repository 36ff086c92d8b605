// Socket lifecycle: socketpair, socket, shutdown, close. Names are in address.ts, the listen queue
// and connect in connect.ts. POSIX XSH socket(), socketpair(), shutdown(); unix(7), tcp(7).
import type { SocketCall } from '../../spec/socket-scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { OutOfScope, SetupFailed, type Ctx } from '../context.ts';
import { showOutcome } from '../describe.ts';
import type { Sock } from '../socket-state.ts';
import { buffered, type ModelState } from '../state.ts';
import { neverFollowed, notSeen } from './arrival.ts';
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
  if (out.kind !== 'ok') throw new SetupFailed(`socketpair gave ${showOutcome(out)}`);
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
  if (out.kind !== 'ok') throw new SetupFailed(`socket gave ${showOutcome(out)}`);
  const k = newSock(s, call.family, call.nonblock);
  if (call.dgram) k.dgram = true;
  s.net.handles.set(call.as, k.id);
}








const SHUTDOWN_CLAUSE = { wr: 'stream.shutdown-write-half-close', rd: 'stream.shutdown-read', rdwr: 'stream.shutdown-both' } as const;

/**
 * XSH shutdown(): "SHUT_RD Disables further receive operations. SHUT_WR Disables further send
 * operations. SHUT_RDWR Disables further send and receive operations." Once the connection was reset
 * (a send of the peer's after both halves were shut), the profile's answer (linux: ENOTCONN).
 */
export function shutdown(s: ModelState, call: C<'shutdown'>, out: Outcome, ctx: Ctx): void {
  const k = sockOf(s, call.fd);
  if (k.state !== 'connected') throw new OutOfScope(`shutdown on a ${k.state} socket`);
  const clause = SHUTDOWN_CLAUSE[call.how];
  const allowed = k.peerReset && k.rdShut ? ctx.profile.shutdownRead.afterReset : ['0'];
  ctx.require(clause, allowed.some((a) => (a === '0' ? isOk(out, 0) : isErr(out, a))), () => showOutcome(out), () => allowed.map((a) => (a === '0' ? '0' : `-1 ${a} (the connection was reset)`)).join(' or '));
  // the write half shut sends a FIN, which the open peer sees (POLLRDHUP): the half close it promises
  if (call.how !== 'rd' && notSeen(out) && peerOpen(s, k)) ctx.violate(clause, neverFollowed(showOutcome(out), 'the peer never saw the FIN'), '0, and the FIN at the peer (it reads the data, then EOF)');
  if (call.how !== 'rd') k.wrDone ??= 'shutdown';
  if (call.how !== 'wr') k.rdShut ??= call.how === 'rd' ? 'stream.shutdown-read' : 'stream.shutdown-both';
}

/** k's connected peer, while that is still open. */
const peerOpen = (s: ModelState, k: Sock): boolean => k.peer !== undefined && s.net.socks.get(k.peer)?.state !== 'closed';

export function closeSocket(s: ModelState, handle: string, out: Outcome, ctx: Ctx): void {
  const k = sockOf(s, handle);
  if (!isOk(out, 0)) throw new Error(`close failed on an open socket: ${showOutcome(out)}`);
  if ([...s.pending.values()].some((p) => p.kind === 'recv' && p.sock === k.id)) throw new OutOfScope('close of a socket with a blocked recv');
  // Closing a connected socket sends a FIN (a reset, with unread data), which the open peer sees: it reads the data, then EOF or
  // ECONNRESET. Not while a call of its own is out: the call holds the socket open, so nothing is sent yet.
  const busy = [...s.pending.values()].some((p) => 'sock' in p && p.sock === k.id);
  if (notSeen(out) && !busy && k.state === 'connected' && k.wrDone === undefined && peerOpen(s, k)) {
    const resets = k.rx !== undefined && buffered(s.objects.get(k.rx)!) > 0;
    ctx.violate(resets ? 'stream.close-unread-resets' : 'stream.eof-after-peer-close', neverFollowed('0', `the peer never saw the ${resets ? 'reset' : 'FIN'}`), `0, and the ${resets ? 'reset' : 'FIN'} at the peer`);
  }
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

