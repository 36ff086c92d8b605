// send/recv on connected stream sockets. XSH send(), recv(); each direction is a byte queue (PipeObj).
import type { ClauseId } from '../../spec/catalogue.ts';
import type { SocketCall } from '../../spec/socket-scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { OutOfScope, type Ctx } from '../context.ts';
import { hex, showOutcome } from '../describe.ts';
import { bytesEqual, consume, peek } from '../pipe-buffer.ts';
import type { Sock } from '../socket-state.ts';
import { buffered, type ModelState, type Pending, type PipeObj } from '../state.ts';
import { neverFollowed, notSeen } from './arrival.ts';
import { dgramRecv, dgramSend } from './dgram.ts';
import { isErr, isOk } from './fd.ts';
import { sockOf } from './socket.ts';
import { admitBlockedSender, recvMayLag, streamSend } from './send-buffer.ts';
import { sendAfterShutdown } from './stream-shutdown.ts';

type C<K extends SocketCall['op']> = Extract<SocketCall, { op: K }>;
type RecvPending = Extract<Pending, { kind: 'recv' }>;


/** The clause an EOF falls under: our read half shut, or how the peer stopped sending. */
const eofClause = (k: Sock, peer: Sock): ClauseId => k.rdShut ?? (peer.wrDone === 'shutdown' ? 'stream.shutdown-write-half-close' : 'stream.eof-after-peer-close');
/** No more data will come: the peer stopped sending, or our read half is shut (recv never blocks). */
const ended = (k: Sock, peer: Sock): boolean => peer.wrDone !== undefined || k.rdShut !== undefined;
/** Which clause a call that blocked (or answered EAGAIN) where it must not falls under: MSG_DONTWAIT on a blocking socket, or O_NONBLOCK. */
const nonblockClause = (k: Sock, dontwait: boolean): ClauseId => (dontwait && !k.nonblock ? 'stream.dontwait-never-blocks' : 'stream.order-and-content');

function connected(s: ModelState, handle: string): { k: Sock; peer: Sock; rx: PipeObj; tx: PipeObj } {
  const k = sockOf(s, handle);
  if (k.state !== 'connected') throw new OutOfScope(`send/recv on a ${k.state} socket`);
  return { k, peer: s.net.socks.get(k.peer!)!, rx: s.objects.get(k.rx!)!, tx: s.objects.get(k.tx!)! };
}

export function send(s: ModelState, step: number, actor: string, call: C<'send'>, out: Outcome, ctx: Ctx): void {
  const d = sockOf(s, call.fd);
  if (d.dgram) return dgramSend(s, step, d, call, out, ctx);
  const { k, peer, tx } = connected(s, call.fd);
  if (sendAfterShutdown(step, k, peer, tx, call, out, ctx)) return; // stream.shutdown-read, stream.shutdown-both
  const got = () => showOutcome(out);
  if (k.wrDone === 'shutdown') return ctx.require('stream.shutdown-write-half-close', isErr(out, 'EPIPE'), got, () => '-1 EPIPE (shut down for writing)');
  if (peer.state === 'closed') {
    // XSH send() [EPIPE] "no longer connected", [ECONNRESET]; linux (measured): AF_UNIX fails at once, TCP's first send draws a reset.
    const p = ctx.profile.peerClosedSend;
    const first = !k.sentAfterPeerClose && !k.peerReset;
    const takes = ctx.profile.resetByClose.sendTakesReset;
    // After a reset: the pending ECONNRESET (where the profile says a send takes it), else what follows the peer's answer.
    const allowed = k.resetPending ? (takes === 'either' ? ['EPIPE', 'ECONNRESET'] as const : takes[k.family === 'unix' ? 'unix' : 'tcp'] ? ['ECONNRESET'] as const : ['EPIPE'] as const)
      : first ? (k.family === 'unix' ? p.unixFirst : p.tcpFirst) : ctx.settled ? p.later : [...new Set([...p.tcpFirst, ...p.later])];
    const okSend = (out.kind === 'ok' && out.value >= 1 && out.value <= call.size) || isErr(out, 'EAGAIN');
    ctx.require('stream.send-after-peer-close', allowed.some((a) => (a === 'ok' ? okSend : isErr(out, a))), got, () => allowed.map((a) => (a === 'ok' ? `1..${call.size}` : `-1 ${a}`)).join(' or ') + ` (the peer has closed${first ? '' : '; an earlier send drew its answer'})`);
    k.sentAfterPeerClose = true;
    if (isErr(out, 'ECONNRESET')) k.resetPending = false;
    return;
  }
  if (call.size === 0) throw new OutOfScope('zero-length send');
  streamSend(s, step, actor, call, k, tx, out, ctx); // stream.full-send-buffer: EAGAIN, partial counts, blocking
  // XSH 2.10.6: SOCK_STREAM "provides reliable, sequenced, full-duplex" transfer: what was sent reaches the peer
  if (out.kind === 'ok' && notSeen(out)) ctx.violate('stream.order-and-content', neverFollowed(`${out.value} sent`, 'the bytes never reached the peer, nor waited behind its full receive window'), 'the bytes at the peer (a stream socket is reliable)');
  if (peer.wrDone === 'shutdown') ctx.exercise('stream.shutdown-write-half-close'); // the other direction keeps working
}

export function recv(s: ModelState, step: number, actor: string, call: C<'recv'>, out: Outcome, ctx: Ctx): void {
  const d = sockOf(s, call.fd);
  if (d.dgram) return dgramRecv(s, d, call, out, ctx);
  const { k, peer, rx } = connected(s, call.fd);
  if (call.size === 0) throw new OutOfScope('zero-length recv');
  admitBlockedSender(s, k, rx, out, ctx, call.waitall); // the peer's blocked send (stream.full-send-buffer)
  const avail = buffered(rx);
  const done = ended(k, peer);
  const mayBlock = !call.dontwait && !k.nonblock;
  const waitall = call.waitall && mayBlock;
  const got = () => showOutcome(out);
  if (out.kind === 'pending') {
    if (!mayBlock) ctx.violate(nonblockClause(k, call.dontwait), 'blocked', `no blocking (${call.dontwait ? 'MSG_DONTWAIT' : 'O_NONBLOCK'})`);
    if (avail >= call.size || (avail > 0 && !waitall)) ctx.violate(k.peeked ? 'stream.peek-does-not-consume' : waitall ? 'stream.recv-waitall' : 'stream.no-message-boundaries', 'blocked', `${Math.min(avail, call.size)} bytes (buffered)`);
    if (done) ctx.violate(eofClause(k, peer), 'blocked', avail ? `the ${avail} bytes left, then 0 (EOF)` : '0 (EOF)');
    if (waitall) ctx.exercise('stream.recv-waitall');
    ctx.exercise('stream.order-and-content');
    s.pending.set(step, { kind: 'recv', step, actor, sock: k.id, size: call.size, waitall, peek: call.peek, call: { actor, ...call } });
    return;
  }
  if (avail === 0) {
    if (done) return endOfStream(k, peer, out, ctx);
    if (isOk(out, 0)) ctx.violate('stream.order-and-content', '0 (EOF)', 'no EOF: the peer can still send');
    if (!mayBlock) return ctx.require(nonblockClause(k, call.dontwait), isErr(out, 'EAGAIN'), got, () => '-1 EAGAIN (nothing buffered)');
    return ctx.violate('stream.order-and-content', got(), 'blocked (nothing buffered, the peer can still send)');
  }
  if (waitall && avail < call.size && !done) ctx.violate('stream.recv-waitall', got(), `blocked (MSG_WAITALL: ${avail} of ${call.size} bytes buffered)`);
  if (discarded(k, out, Math.min(avail, call.size), ctx)) return;
  takeObserved(s, k, rx, out, call.size, waitall, done, false, !!call.peek, ctx);
  mayTakeReset(k, call.waitall, call.size, out);
}

/**
 * A recv with data buffered that does not return it, after our read half was shut: 0 (linux returns
 * the data; posix lets it be discarded), or a reset that may have overtaken data that may have been
 * delivered (posix, stream.shutdown-both: the peer's send after both halves were shut).
 */
function discarded(k: Sock, out: Outcome, n: number, ctx: Ctx): boolean {
  if (!k.rdShut) return false;
  if (isErr(out, 'ECONNRESET') && k.resetPending === 'maybe') {
    ctx.exercise(k.rdShut);
    k.resetPending = false;
    return true;
  }
  if (!isOk(out, 0)) return false;
  ctx.require(k.rdShut, ctx.profile.shutdownRead.recv === 'data-or-eof', () => showOutcome(out), () => `${n} bytes (buffered; the read half is shut, but linux still returns the data)`);
  return true;
}

/** A MSG_WAITALL recv (even nonblocking) that ran into the end of the data may have consumed a pending reset (linux AF_UNIX: sock_error clears it). */
function mayTakeReset(k: Sock, waitallFlag: boolean, n: number, out: Outcome): void {
  if (k.resetPending && waitallFlag && out.kind === 'ok' && out.value < n) k.resetPending = 'maybe';
}

/**
 * An empty recv once the peer stopped sending: 0 (EOF); after a reset (the peer closed with our data
 * unread) the profile's answer first (linux: ECONNRESET once, then 0; posix: ECONNRESET or 0).
 */
function endOfStream(k: Sock, peer: Sock, out: Outcome, ctx: Ctx): void {
  const got = () => showOutcome(out);
  if (k.peerReset) {
    const r = ctx.profile.resetByClose.recvAfterData;
    const allowed = k.resetPending === 'maybe' ? (['ECONNRESET', '0'] as const) : k.resetPending ? r : r.includes('0') ? r : ['0'];
    const strict = !r.includes('0');
    const resetClause = k.rdShut ? 'stream.shutdown-both' : 'stream.close-unread-resets'; // reset by the peer's send after both halves were shut, or by the peer's close
    ctx.require(strict && k.resetPending ? resetClause : eofClause(k, peer), allowed.some((a) => (a === '0' ? isOk(out, 0) : isErr(out, a))), got, () => allowed.map((a) => (a === '0' ? '0 (EOF)' : `-1 ${a}`)).join(' or ') + (k.rdShut ? ' (a send of the peer after both halves were shut reset the connection)' : ' (the peer closed with data unread)'));
    if (isErr(out, 'ECONNRESET') || isOk(out, 0)) k.resetPending = false;
    return;
  }
  ctx.require(eofClause(k, peer), isOk(out, 0), got, () => '0 (EOF)');
}

/** Check a data-returning recv against the queue, and consume what it returned. */
function takeObserved(s: ModelState, k: Sock, rx: PipeObj, out: Outcome, n: number, waitall: boolean, done: boolean, woken: boolean, peekFlag: boolean, ctx: Ctx): void {
  const avail = buffered(rx);
  if (out.kind !== 'ok' || out.value === 0) ctx.violate(k.peeked ? 'stream.peek-does-not-consume' : 'stream.order-and-content', showOutcome(out), `${Math.min(n, avail)} bytes of buffered data`);
  const m = out.value;
  const data = out.data ?? new Uint8Array(0);
  const expected = peek(rx, Math.min(n, m));
  // After a MSG_PEEK, the same bytes must still be there: a mismatch means the peek consumed them.
  ctx.require(k.peeked ? 'stream.peek-does-not-consume' : 'stream.order-and-content', m <= n && data.length === m && expected.length === m && bytesEqual(data, expected), () => `${m} bytes [${hex(data)}]`, () => `a prefix of the stream [${hex(peek(rx, n))}]${k.peeked ? ' (the MSG_PEEK before did not consume it)' : ''}`);
  if (k.peeked) ctx.exercise('stream.peek-does-not-consume');
  const hi = Math.min(n, avail);
  // MSG_WAITALL: the full length across sends (no boundaries), or at EOF everything left (posix: "may return less" when the connection ends).
  const short = waitall && done && avail < n;
  // Our read half shut where the profile lets buffered data be discarded (posix): any part of it may be gone.
  const discarding = k.rdShut !== undefined && ctx.profile.shutdownRead.recv === 'data-or-eof';
  const lo = discarding ? 1 : waitall ? (short ? (ctx.profile.name === 'linux' ? hi : 1) : n) : woken || ctx.profile.name !== 'linux' || recvMayLag(k, rx, ctx) ? 1 : hi;
  ctx.require(short ? 'stream.recv-waitall' : 'stream.no-message-boundaries', m >= lo && m <= hi, () => `${m} bytes`, () => (lo === hi ? `${lo} bytes` : `${lo}..${hi} bytes`) + (waitall ? (short ? ' (MSG_WAITALL at the end of the data: everything left)' : ' (MSG_WAITALL)') : ''));
  k.peeked = peekFlag;
  if (!peekFlag) consume(rx, m);

}

export function recvCompleted(s: ModelState, p: RecvPending, out: Outcome, ctx: Ctx): void {
  const k = s.net.socks.get(p.sock)!;
  const peer = s.net.socks.get(k.peer!)!;
  const rx = s.objects.get(k.rx!)!;
  const done = ended(k, peer);
  admitBlockedSender(s, k, rx, out, ctx);
  if (buffered(rx) === 0) {
    if (done) endOfStream(k, peer, out, ctx);
    else ctx.violate('stream.order-and-content', `woke with ${showOutcome(out)}`, 'still blocked (nothing buffered)');
  } else {
    if (p.waitall && buffered(rx) < p.size && !done) ctx.violate('stream.recv-waitall', `woke with ${showOutcome(out)}`, `still blocked (MSG_WAITALL: ${buffered(rx)} of ${p.size} bytes)`);
    if (!discarded(k, out, Math.min(buffered(rx), p.size), ctx)) {
      takeObserved(s, k, rx, out, p.size, p.waitall, done, true, !!p.peek, ctx);
      mayTakeReset(k, p.waitall, p.size, out);
    }
  }
  s.pending.delete(p.step);
}

export function recvStillBlocked(s: ModelState, p: RecvPending, ctx: Ctx): void {
  const k = s.net.socks.get(p.sock)!;
  const peer = s.net.socks.get(k.peer!)!;
  const avail = buffered(s.objects.get(k.rx!)!);
  if (avail >= p.size || (avail > 0 && !p.waitall)) ctx.violate(k.peeked ? 'stream.peek-does-not-consume' : p.waitall ? 'stream.recv-waitall' : 'stream.no-message-boundaries', `still blocked with ${avail} bytes buffered`, 'the recv returns them');
  if (ended(k, peer)) ctx.violate(eofClause(k, peer), `still blocked after ${k.rdShut ? 'the read half was shut' : 'the peer stopped sending'}`, avail ? `the ${avail} bytes left` : '0 (EOF)');
}
