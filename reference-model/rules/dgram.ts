// Datagram sockets: connect (sets the destination), send, recv. XSH 2.10.6 SOCK_DGRAM, send(), recv().
// Each socket keeps every datagram ever sent to it (`sent`: what a receive may return, posix allowing
// duplication) and those not yet received (`unread`).
import { payload, payloadTag } from '../../spec/payload.ts';
import type { SocketCall } from '../../spec/socket-scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { OutOfScope, type Ctx } from '../context.ts';
import { hex, showOutcome } from '../describe.ts';
import { bytesEqual } from '../pipe-buffer.ts';
import type { Sock } from '../socket-state.ts';
import type { ModelState } from '../state.ts';
import { isErr, isOk } from './fd.ts';

type C<K extends SocketCall['op']> = Extract<SocketCall, { op: K }>;

const BOUNDARIES = 'dgram.message-boundaries';
const TRUNCATION = 'dgram.truncation';
const ZERO = 'dgram.zero-length';
const DELIVERY = 'dgram.delivery';

/**
 * Whether the profile says datagrams to `r` arrive in order, each once, none lost: linux AF_UNIX
 * always (reliable), linux UDP until its queue may have overflowed; posix never.
 */
const ordered = (r: Sock, ctx: Ctx): boolean => ctx.profile.dgramDelivery.inOrder && !r.lossy;

function target(s: ModelState, handle: string): Sock | undefined {
  const id = s.net.handles.get(handle);
  return typeof id === 'number' ? s.net.socks.get(id) : undefined;
}

/** connect on a datagram socket only sets where send goes; the walks connect only to a bound datagram socket. */
export function dgramConnect(s: ModelState, k: Sock, call: C<'connect'>, out: Outcome): void {
  const t = 'of' in call.to ? target(s, call.to.of) : undefined;
  if (!t?.dgram || t.state !== 'bound' || !isOk(out, 0)) throw new OutOfScope(`datagram connect: ${showOutcome(out)}`);
  k.dest = t.id;
}

export function dgramSend(s: ModelState, step: number, k: Sock, call: C<'send'>, out: Outcome, ctx: Ctx): void {
  const dest = k.dest === undefined ? undefined : s.net.socks.get(k.dest);
  if (!dest || dest.state === 'closed') throw new OutOfScope('datagram send without a live destination');
  // XSH send(): "If the message is too long to pass through the underlying protocol, send() shall fail and no data shall be transmitted."
  ctx.require(call.size === 0 ? ZERO : BOUNDARIES, isOk(out, call.size) || isErr(out, 'EAGAIN'), () => showOutcome(out), () => `${call.size} (the whole datagram${call.size ? '' : ', zero-length'}) or -1 EAGAIN`);
  const q = ctx.profile.dgramDelivery;
  const held = (dest.unread ?? []).length;
  if (q.inOrder && q.bytes !== null && call.size <= q.bytes) {
    // linux (measured): an AF_UNIX receiver holds unixQueue datagrams from a sender that is not its peer, then EAGAIN; a socketpair at least unixPairFits; UDP queues udpFits, then drops silently.
    const mutual = dest.dest === k.id;
    const bound = k.family !== 'unix' ? q.udpFits : mutual ? q.unixPairFits : q.unixQueue;
    const exact = k.family === 'unix' && !mutual;
    if (bound !== null && held < bound) ctx.require(DELIVERY, out.kind === 'ok', () => showOutcome(out), () => `${call.size} (the receiver holds ${held} of ${bound} datagrams)`);
    else if (bound !== null && exact) ctx.require(DELIVERY, isErr(out, 'EAGAIN'), () => showOutcome(out), () => `-1 EAGAIN (the receiver's queue is full: ${held} of ${bound} datagrams)`);
    else if (k.family !== 'unix') dest.lossy = true;
  } else if (k.family !== 'unix') dest.lossy = true;
  if (out.kind !== 'ok') return;
  const d = payload(payloadTag(step), call.size);
  dest.sent = [...(dest.sent ?? []), d];
  dest.unread = [...(dest.unread ?? []), d];
}

/**
 * A MSG_DONTWAIT recv (as recvmsg: msg_flags seen). Each returned datagram must be one sent to the
 * socket: whole when it fits (dgram.message-boundaries), else its first `size` bytes with MSG_TRUNC
 * reported as the profile says (dgram.truncation); which one, and whether EAGAIN is allowed, is
 * dgram.delivery (posix: any of them, loss allowed; linux: the oldest unread, in order).
 */
export function dgramRecv(s: ModelState, k: Sock, call: C<'recv'>, out: Outcome, ctx: Ctx): void {
  const sent = k.sent ?? [];
  if (call.peek || call.waitall || !call.dontwait) throw new OutOfScope('datagram recv other than plain MSG_DONTWAIT');
  const got = () => showOutcome(out);
  const t = ctx.profile.dgramTruncation;
  if (out.kind === 'pending') return ctx.violate(BOUNDARIES, 'blocked', 'no blocking (MSG_DONTWAIT)');
  if (out.kind === 'err' && call.trunc && t.recvTruncFlag.includes(out.errno as never)) return ctx.exercise(TRUNCATION);
  const unread = k.unread ?? [];
  const strict = ordered(k, ctx);
  if (isErr(out, 'EAGAIN')) return void (strict && unread.length && ctx.violate(DELIVERY, '-1 EAGAIN', `the next datagram (${unread.length} queued; linux delivers them, posix may lose them)`));
  if (out.kind !== 'ok') return ctx.violate(BOUNDARIES, got(), 'one datagram, or -1 EAGAIN');
  const n = call.size;
  const data = out.data ?? new Uint8Array(0);
  const flagged = out.detail?.msgFlags?.includes('MSG_TRUNC') ?? false;
  // the datagram it is: one whose first bytes it returned (a short prefix may fit several: any will do)
  const ds = sent.filter((x) => data.length === Math.min(x.length, n) && bytesEqual(x.subarray(0, data.length), data));
  // a datagram socket has no EOF: 0 is a zero-length datagram, or nothing
  if (out.value === 0 && (!sent.some((x) => x.length === 0) || (strict && !unread.length))) return ctx.violate(ZERO, '0 (as if EOF)', 'a datagram, or -1 EAGAIN (0 is only ever a zero-length datagram that was sent: a datagram socket has no EOF)');
  if (out.value === 0) ctx.exercise(ZERO);
  const sizes = () => `sizes ${sent.map((x) => x.length).join(', ') || 'none sent'}`;
  if (ds.length === 0) {
    // what a truncating recv should have discarded, coming back later
    const rest = sent.some((x) => x.length > n && data.length > 0 && indexOf(x, data) > 0);
    return ctx.violate(rest ? TRUNCATION : BOUNDARIES, `${out.value} bytes [${hex(data)}]`, rest ? 'a new datagram (the rest of a truncated one is discarded)' : `exactly one datagram sent to it, or its first ${n} bytes (${sizes()})`);
  }
  const fits = (x: Uint8Array) => (x.length <= n ? out.value === x.length && !flagged : lengthsFor(x).includes(out.value) && (flagged || !t.msgFlagsTrunc));
  const lengthsFor = (x: Uint8Array) => (call.trunc ? t.recvTruncFlag.flatMap((r) => (r === 'real' ? [x.length] : r === 'copied' ? [n] : [])) : [n]);
  const d = (strict && ds.includes(unread[0]) ? unread[0] : undefined) ?? ds.find(fits) ?? ds[0];
  if (d.length <= n) {
    ctx.require(BOUNDARIES, out.value === d.length, () => `${out.value} bytes`, () => `${d.length} (the whole datagram)`);
    ctx.require(TRUNCATION, !flagged, () => 'msg_flags MSG_TRUNC', () => 'no MSG_TRUNC (the datagram fit)');
  } else {
    // XSH recvmsg(): "MSG_TRUNC Normal data was truncated." linux recv(2): MSG_TRUNC "return the real length of the packet or datagram, even when it was longer than the passed buffer"
    const lengths = lengthsFor(d);
    ctx.require(TRUNCATION, lengths.includes(out.value), () => `${out.value}`, () => `${lengths.join(' or ')} (a ${d.length}-byte datagram into ${n} bytes${call.trunc ? ', MSG_TRUNC flag' : ''})`);
    if (t.msgFlagsTrunc) ctx.require(TRUNCATION, flagged, () => 'msg_flags without MSG_TRUNC', () => 'msg_flags MSG_TRUNC (the datagram was truncated)');
  }
  if (strict) {
    const head = unread[0];
    ctx.require(DELIVERY, head !== undefined && ds.includes(head), () => `${out.value} bytes [${hex(data)}]`, () => (head === undefined ? '-1 EAGAIN (every datagram was received: no duplicates)' : `the oldest unread datagram, ${head.length} bytes [${hex(head)}] (in order)`));
  }
  const left = unread.slice();
  const i = left.indexOf(strict ? unread[0] : d);
  if (i >= 0) left.splice(i, 1);
  k.unread = left;
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  for (let i = 0; i + needle.length <= hay.length; i++) if (bytesEqual(hay.subarray(i, i + needle.length), needle)) return i;
  return -1;
}
