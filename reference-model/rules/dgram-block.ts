// A blocking AF_UNIX datagram send into a full receiver queue: it sleeps, and a receive that frees
// room wakes it. XSH send(): "If space is not available at the sending socket to hold the message to
// be transmitted, and the socket file descriptor does not have O_NONBLOCK set, send() shall block
// until space is available." linux (measured): room is the receiver's queue of unixQueue datagrams
// for a sender that is not its peer (net/unix/af_unix.c unix_wait_for_peer).
import { payload, payloadTag } from '../../spec/payload.ts';
import type { Outcome } from '../../spec/trace.ts';
import type { Ctx } from '../context.ts';
import { showOutcome } from '../describe.ts';
import type { Sock } from '../socket-state.ts';
import type { ModelState, Pending } from '../state.ts';
import { isOk } from './fd.ts';


type DgramSendPending = Extract<Pending, { kind: 'dgram-send' }>;

/**
 * Whether the receiver has room for one more datagram of `size` bytes from `k`, as the profile
 * knows it: linux AF_UNIX from a sender that is not the receiver's peer, exactly (unixQueue); a
 * socketpair at least unixPairFits, beyond that unknown; undefined where the profile does not say.
 */
export function dgramRoom(k: Sock, dest: Sock, size: number, ctx: Ctx, asleep = false): { room: boolean | undefined; held: number; bound: number | null } {
  const q = ctx.profile.dgramDelivery;
  const held = (dest.unread ?? []).length;
  const unknown = { room: undefined, held, bound: null };
  if (!q.inOrder || q.bytes === null || k.family !== 'unix' || size > q.bytes || (dest.unread ?? []).some((x) => x.length > q.bytes!)) return unknown;
  // a socketpair sender asleep on its send buffer is woken only once that drains to a quarter (unix_writable): not judged
  if (dest.dest === k.id) return !asleep && q.unixPairFits !== null && held < q.unixPairFits ? { room: true, held, bound: q.unixPairFits } : unknown;
  return q.unixQueue === null ? unknown : { room: held < q.unixQueue, held, bound: q.unixQueue };
}

/** The datagram now sits at the tail of the receiver's queue (`arrived` false: it was sent and lost, though it may still turn up). */
export function enqueue(dest: Sock, from: Sock, step: number, size: number, arrived = true): void {
  const d = payload(payloadTag(step), size);
  dest.sent = [...(dest.sent ?? []), d];
  if (arrived) dest.unread = [...(dest.unread ?? []), d];
  dest.senders = new Map(dest.senders ?? []).set(d, from.id);
}

/** A blocking send asleep: allowed unless the profile says the receiver has room. */
export function blockedDgramSend(s: ModelState, step: number, actor: string, k: Sock, dest: Sock, size: number, call: DgramSendPending['call'], ctx: Ctx): void {
  const r = dgramRoom(k, dest, size, ctx);
  if (r.room === true) ctx.violate('dgram.delivery', 'blocked', `${size} (the receiver holds ${r.held} of ${r.bound} datagrams: there is room)`);
  if (r.room === false) ctx.exercise('dgram.delivery');
  s.pending.set(step, { kind: 'dgram-send', step, actor, sock: k.id, dest: dest.id, size, call });
}

export function dgramSendCompleted(s: ModelState, p: DgramSendPending, out: Outcome, ctx: Ctx): void {
  s.pending.delete(p.step);
  const k = s.net.socks.get(p.sock)!;
  const dest = s.net.socks.get(p.dest)!;
  // a blocking send returns once the whole datagram is queued
  ctx.require('dgram.message-boundaries', isOk(out, p.size), () => showOutcome(out), () => `${p.size} (the whole datagram, once there is room)`);
  const r = dgramRoom(k, dest, p.size, ctx, true);
  if (r.room === false) ctx.violate('dgram.delivery', `returned ${showOutcome(out)}`, `still blocked (the receiver holds ${r.held} of ${r.bound} datagrams)`);
  if (r.room !== undefined) ctx.exercise('dgram.delivery');
  enqueue(dest, k, p.step, p.size);
}

/** At a quiescent point: linux says a receiver with room has woken the sender. */
export function dgramSendStillBlocked(s: ModelState, p: DgramSendPending, ctx: Ctx): void {
  const k = s.net.socks.get(p.sock)!;
  const dest = s.net.socks.get(p.dest)!;
  const r = dgramRoom(k, dest, p.size, ctx, true);
  if (r.room === true) ctx.violate('dgram.delivery', 'still blocked', `the send returns ${p.size} (the receiver holds ${r.held} of ${r.bound} datagrams: a receive made room)`);
}
