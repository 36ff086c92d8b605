// Datagram sockets: connect (sets the destination), send, recv. XSH 2.10.6 SOCK_DGRAM, send(), recv().
// Each socket keeps every datagram ever sent to it (`sent`: what a receive may return, posix allowing
// duplication) and those not yet received (`unread`).
import type { ClauseId } from '../../spec/catalogue.ts';
import type { SocketCall } from '../../spec/socket-scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { OutOfScope, type Ctx } from '../context.ts';
import { hex, showOutcome } from '../describe.ts';
import { bytesEqual } from '../pipe-buffer.ts';
import type { Sock } from '../socket-state.ts';
import type { ModelState } from '../state.ts';
import { blockedDgramSend, enqueue } from './dgram-block.ts';
import { addressed, checkSource, maxSize, missedRefusal, refusal, reportedRefusal } from './dgram-checks.ts';
import { neverFollowed, notSeen } from './arrival.ts';
import { isErr, isOk } from './fd.ts';

type C<K extends SocketCall['op']> = Extract<SocketCall, { op: K }>;


/**
 * Whether the profile says datagrams to `r` arrive in order, each once, none lost: linux AF_UNIX
 * always (reliable), linux UDP until its queue may have overflowed; posix never.
 */
const ordered = (r: Sock, ctx: Ctx): boolean => ctx.profile.dgramDelivery.inOrder && !r.lossy;
/** The clause a datagram due next and not received breaks: a zero-length one is a real datagram (dgram.zero-length) like any other. */
const missing = (due: Uint8Array): ClauseId => (due.length === 0 ? 'dgram.zero-length' : 'dgram.delivery');

function target(s: ModelState, handle: string): Sock | undefined {
  const id = s.net.handles.get(handle);
  return typeof id === 'number' ? s.net.socks.get(id) : undefined;
}

/** connect on a datagram socket only sets where send goes (and, UDP, binds a port); the walks connect only to a bound datagram socket. */
export function dgramConnect(s: ModelState, k: Sock, call: C<'connect'>, out: Outcome): void {
  const t = 'of' in call.to ? target(s, call.to.of) : undefined;
  if (!t?.dgram || t.state !== 'bound' || !isOk(out, 0)) throw new OutOfScope(`datagram connect: ${showOutcome(out)}`);
  k.dest = t.id;
  k.handle ??= call.fd;
  t.handle ??= (call.to as { of: string }).of;
  if (out.kind === 'ok') k.local ??= out.detail?.addr;
}

export function dgramSend(s: ModelState, step: number, k: Sock, call: C<'send'>, out: Outcome, ctx: Ctx): void {
  k.handle ??= call.fd;
  if (call.to && k.dest !== undefined) throw new OutOfScope('sendto on a connected datagram socket');
  const dest = call.to ? addressed(s, call.to) : k.dest === undefined ? undefined : s.net.socks.get(k.dest);
  if (!dest?.dgram || dest.family !== k.family) throw new OutOfScope('datagram send without a datagram destination of its family');
  if (call.to && 'of' in call.to) dest.handle ??= call.to.of;
  const closed = dest.state === 'closed';
  if (closed && k.family === 'unix') throw new OutOfScope('AF_UNIX datagram to a closed socket');
  // a connected datagram socket takes only its peer's datagrams (linux UDP drops the rest unseen, AF_UNIX refuses them): not modelled
  if (!closed && dest.dest !== undefined && dest.dest !== k.id) throw new OutOfScope('a datagram to a connected socket from another than its peer');
  const got = () => showOutcome(out);
  const blocking = call.dontwait === false && !k.nonblock;
  if (out.kind === 'pending') {
    if (!blocking) return ctx.violate('dgram.message-boundaries', 'blocked', 'no blocking (MSG_DONTWAIT or O_NONBLOCK)');
    if (k.family !== 'unix' || closed) throw new OutOfScope('a blocking UDP send, or one to a closed socket');
    return blockedDgramSend(s, step, (call as unknown as { actor: string }).actor, k, dest, call.size, call as never, ctx);
  }
  const limit = maxSize(k.family, ctx);
  const over = limit !== null && call.size > limit;
  if (isErr(out, 'ECONNREFUSED')) {
    // linux (measured): EMSGSIZE comes first; the refusal stays pending
    if (over && ctx.profile.dgramMaxSize.exact) return ctx.violate('dgram.size-limit-emsgsize', got(), `-1 EMSGSIZE (${call.size} bytes, above the ${limit}-byte limit)`);
    return reportedRefusal(k, out, ctx);
  }
  // XSH send(): "If the message is too long to pass through the underlying protocol, send() shall fail and no data shall be transmitted." [EMSGSIZE]
  if (over) return ctx.require('dgram.size-limit-emsgsize', isErr(out, 'EMSGSIZE'), got, () => `-1 EMSGSIZE (${call.size} bytes, above the ${limit}-byte limit)`);
  if (refusal(k, ctx).must) return missedRefusal(out, ctx);
  if (isErr(out, 'EMSGSIZE')) return ctx.require('dgram.size-limit-emsgsize', limit === null || !ctx.profile.dgramMaxSize.exact, got, () => `${call.size} or -1 EAGAIN (the limit is ${limit} bytes)`);
  if (limit !== null && call.size === limit && out.kind === 'ok') ctx.exercise('dgram.size-limit-emsgsize');
  ctx.require(call.size === 0 ? 'dgram.zero-length' : 'dgram.message-boundaries', isOk(out, call.size) || (isErr(out, 'EAGAIN') && !blocking), got, () => `${call.size} (the whole datagram${call.size ? '' : ', zero-length'})${blocking ? '' : ' or -1 EAGAIN'}`);
  // the target's wait for what follows a sent datagram expired: it never reached the receiver, or no port unreachable came back
  const unseen = out.kind === 'ok' && notSeen(out);
  if (closed) {
    // nobody has the port: the ICMP port unreachable comes back to the sender (udp(7))
    if (out.kind !== 'ok') return;
    if (call.to) k.refusedUnconnected = (k.refusedUnconnected ?? 0) + 1;
    else {
      // linux (measured): it comes back, and the connected sender's next call reports it; posix: it may
      if (unseen && ctx.profile.dgramRefused.connected === 'next-call') ctx.violate('dgram.connected-udp-refused', neverFollowed(`${out.value}`, 'no ICMP port unreachable came back'), 'the port unreachable back at the connected sender, for its next send or recv to report (nobody has the port)');
      k.refused = (k.refused ?? 0) + 1;
    }
    return ctx.exercise('dgram.connected-udp-refused');
  }
  const q = ctx.profile.dgramDelivery;
  const held = (dest.unread ?? []).length;
  // bounds measured with datagrams of q.bytes: a bigger one held (or sent) leaves them unknown
  const small = q.bytes !== null && call.size <= q.bytes && (dest.unread ?? []).every((x) => x.length <= q.bytes!);
  if (q.inOrder && small) {
    // linux (measured): an AF_UNIX receiver holds unixQueue datagrams from a sender that is not its peer, then EAGAIN; a socketpair at least unixPairFits; UDP queues udpFits, then drops silently.
    const mutual = dest.dest === k.id;
    const bound = k.family !== 'unix' ? q.udpFits : mutual ? q.unixPairFits : q.unixQueue;
    const exact = k.family === 'unix' && !mutual;
    if (bound !== null && held < bound) {
      ctx.require('dgram.delivery', out.kind === 'ok', got, () => `${call.size} (the receiver holds ${held} of ${bound} datagrams)`);
      // linux loses none while there is room: one that never arrives breaks the clause that promised it
      if (unseen) ctx.violate(call.size === 0 ? 'dgram.zero-length' : 'dgram.delivery', neverFollowed(got(), `the ${call.size ? '' : 'zero-length '}datagram never reached the receiver`), `the datagram queued at the receiver (it holds ${held} of ${bound} datagrams: none is lost while there is room)`);
    } else if (bound !== null && exact) ctx.require('dgram.delivery', isErr(out, 'EAGAIN') && !blocking, got, () => `${blocking ? 'blocked' : '-1 EAGAIN'} (the receiver's queue is full: ${held} of ${bound} datagrams)`);
    else if (k.family !== 'unix') dest.lossy = true;
  } else if (k.family !== 'unix') dest.lossy = true;
  // where the profile lets it be lost (posix UDP, a full linux UDP receiver), one never seen is lost: sent, never unread
  if (unseen) dest.lossy = true;
  if (out.kind === 'ok') enqueue(dest, k, step, call.size, !unseen);
}

/**
 * A MSG_DONTWAIT recv (as recvmsg: msg_flags and the sender's address seen). Each returned datagram
 * must be one sent to the socket: whole when it fits (dgram.message-boundaries), else its first
 * `size` bytes with MSG_TRUNC reported as the profile says (dgram.truncation); which one, and
 * whether EAGAIN is allowed, is dgram.delivery (posix: any of them, loss allowed; linux: the oldest
 * unread, in order). MSG_PEEK leaves it for the next receive (dgram.peek-does-not-consume).
 */
export function dgramRecv(s: ModelState, k: Sock, call: C<'recv'>, out: Outcome, ctx: Ctx): void {
  const sent = k.sent ?? [];
  if (call.waitall || !call.dontwait) throw new OutOfScope('datagram recv without MSG_DONTWAIT, or with MSG_WAITALL');
  k.handle ??= call.fd;
  const got = () => showOutcome(out);
  const t = ctx.profile.dgramTruncation;
  if (out.kind === 'pending') return ctx.violate('dgram.message-boundaries', 'blocked', 'no blocking (MSG_DONTWAIT)');
  // linux (measured): the pending error comes before any queued datagram, MSG_PEEK or not
  if (isErr(out, 'ECONNREFUSED')) return reportedRefusal(k, out, ctx);
  if (refusal(k, ctx).must) return missedRefusal(out, ctx);
  if (out.kind === 'err' && call.trunc && t.recvTruncFlag.includes(out.errno as never)) return ctx.exercise('dgram.truncation');
  const unread = k.unread ?? [];
  const strict = ordered(k, ctx);
  const peeked = k.peekedDgrams;
  // XSH recv() MSG_PEEK: "The data is treated as unread and the next recv() or similar function shall still return this data."
  if (isErr(out, 'EAGAIN') && peeked) return ctx.violate('dgram.peek-does-not-consume', '-1 EAGAIN', 'the datagram MSG_PEEK returned (it is still unread)');
  // A target that cannot prove a datagram arrived (trace not settled) may receive before it has: EAGAIN
  // is then "not yet"; the datagram stays queued, and a later one returned before it is still a violation.
  if (isErr(out, 'EAGAIN')) return void (strict && ctx.settled && unread.length && ctx.violate(missing(unread[0]), '-1 EAGAIN', `the next datagram${unread[0].length ? '' : ', zero-length'} (${unread.length} queued; linux delivers them, posix may lose them)`));
  if (out.kind !== 'ok') return ctx.violate('dgram.message-boundaries', got(), 'one datagram, or -1 EAGAIN');
  const n = call.size;
  const data = out.data ?? new Uint8Array(0);
  const flagged = out.detail?.msgFlags?.includes('MSG_TRUNC') ?? false;
  // the datagram it is: one whose first bytes it returned (a short prefix may fit several: any will do)
  const all = sent.filter((x) => data.length === Math.min(x.length, n) && bytesEqual(x.subarray(0, data.length), data));
  // Bytes that are no datagram at all break the boundaries (below), whatever came before; bytes of another datagram break the peek.
  if (peeked && all.length > 0) {
    const p = peeked[0];
    ctx.require('dgram.peek-does-not-consume', all.some((x) => peeked.includes(x)), () => `${out.value} bytes [${hex(data)}]`, () => `the datagram MSG_PEEK returned, ${p.length} bytes [${hex(p)}]${p.length <= n ? ' (whole)' : ''}`);
  }
  const ds = peeked ? all.filter((x) => peeked.includes(x)) : all;
  // a datagram socket has no EOF: 0 is a zero-length datagram, or nothing
  if (out.value === 0 && (!sent.some((x) => x.length === 0) || (strict && !unread.length))) return ctx.violate('dgram.zero-length', '0 (as if EOF)', 'a datagram, or -1 EAGAIN (0 is only ever a zero-length datagram that was sent: a datagram socket has no EOF)');
  if (out.value === 0) ctx.exercise('dgram.zero-length');
  const sizes = () => `sizes ${sent.map((x) => x.length).join(', ') || 'none sent'}`;
  if (ds.length === 0) {
    // what a truncating recv should have discarded, coming back later
    const rest = sent.some((x) => x.length > n && data.length > 0 && indexOf(x, data) > 0);
    return ctx.violate(rest ? 'dgram.truncation' : 'dgram.message-boundaries', `${out.value} bytes [${hex(data)}]`, rest ? 'a new datagram (the rest of a truncated one is discarded)' : `exactly one datagram sent to it, or its first ${n} bytes (${sizes()})`);
  }
  const fits = (x: Uint8Array) => (x.length <= n ? out.value === x.length && !flagged : lengthsFor(x).includes(out.value) && (flagged || !t.msgFlagsTrunc));
  const lengthsFor = (x: Uint8Array) => (call.trunc ? t.recvTruncFlag.flatMap((r) => (r === 'real' ? [x.length] : r === 'copied' ? [n] : [])) : [n]);
  const d = (strict && ds.includes(unread[0]) ? unread[0] : undefined) ?? ds.find(fits) ?? ds[0];
  if (d.length <= n) {
    ctx.require('dgram.message-boundaries', out.value === d.length, () => `${out.value} bytes`, () => `${d.length} (the whole datagram)`);
    ctx.require('dgram.truncation', !flagged, () => 'msg_flags MSG_TRUNC', () => 'no MSG_TRUNC (the datagram fit)');
  } else {
    // XSH recvmsg(): "MSG_TRUNC Normal data was truncated." linux recv(2): MSG_TRUNC "return the real length of the packet or datagram, even when it was longer than the passed buffer"
    const lengths = lengthsFor(d);
    ctx.require('dgram.truncation', lengths.includes(out.value), () => `${out.value}`, () => `${lengths.join(' or ')} (a ${d.length}-byte datagram into ${n} bytes${call.trunc ? ', MSG_TRUNC flag' : ''})`);
    if (t.msgFlagsTrunc) ctx.require('dgram.truncation', flagged, () => 'msg_flags without MSG_TRUNC', () => 'msg_flags MSG_TRUNC (the datagram was truncated)');
  }
  if (strict) {
    const head = unread[0];
    ctx.require(head === undefined ? 'dgram.delivery' : missing(head), head !== undefined && ds.includes(head), () => `${out.value} bytes [${hex(data)}]`, () => (head === undefined ? '-1 EAGAIN (every datagram was received: no duplicates)' : `the oldest unread datagram, ${head.length} bytes [${hex(head)}] (in order)`));
  }
  const senders = (strict ? [d] : ds).map((x) => k.senders?.get(x)).filter((x): x is number => x !== undefined);
  checkSource(s, k, [...new Set(senders)], out, ctx);
  if (call.peek) {
    k.peekedDgrams = strict ? [unread[0]] : ds;
    return;
  }
  k.peekedDgrams = undefined;
  const left = unread.slice();
  const i = left.indexOf(strict ? unread[0] : d);
  if (i >= 0) left.splice(i, 1);
  k.unread = left;
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  for (let i = 0; i + needle.length <= hay.length; i++) if (bytesEqual(hay.subarray(i, i + needle.length), needle)) return i;
  return -1;
}
