// stream.full-send-buffer: send on a connected stream socket whose buffer may be full. XSH send():
// "If space is not available at the sending socket to hold the message to be transmitted, and the
// socket file descriptor does not have O_NONBLOCK set, send() shall block until space is available.
// If space is not available ... and the socket file descriptor does have O_NONBLOCK set, send() shall
// fail." linux adds measured sizes (spec/profiles/linux.json streamSendBuffer).
// A blocked send's bytes reach the reader while it sleeps: the model moves them into the queue as the
// reader's recvs show them (admitBlockedSender), so the queue holds what is known to be there.
// set-buffers (setsockopt SO_SNDBUF / SO_RCVBUF before data) takes a connection out of the measured sizes.
import { payload, payloadTag } from '../../spec/payload.ts';
import type { SocketCall } from '../../spec/socket-scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { OutOfScope, type Ctx } from '../context.ts';
import { showOutcome } from '../describe.ts';
import { appendUnbounded } from '../pipe-buffer.ts';
import type { Sock } from '../socket-state.ts';
import { buffered, type ModelState, type Pending, type PipeObj } from '../state.ts';
import { neverFollowed, notSeen } from './arrival.ts';
import { isErr } from './fd.ts';


type SendCall = Extract<SocketCall, { op: 'send' }>;
type SendPending = Extract<Pending, { kind: 'send' }>;

/** The send of `sock` that is blocked, if any. */
export const blockedSendOf = (s: ModelState, sock: number): SendPending | undefined =>
  [...s.pending.values()].find((p): p is SendPending => p.kind === 'send' && p.sock === sock);

/** The sizes were measured over AF_UNIX and TCP over loopback; other paths (two-host TCP) get no size. */
const overLoopback = (k: Sock): boolean => k.family === 'unix' || /^(127\.|\[::1\]:)/.test(k.local ?? '');

/**
 * linux: what a nonblocking send into an idle connection surely queues; 0 where no size is guaranteed.
 * The sizes were measured with default buffers: a connection whose buffers were set gets none.
 */
const sureRoom = (k: Sock, ctx: Ctx): number => {
  const r = ctx.profile.streamSendBuffer.sureRoom;
  return r && ctx.settled && overLoopback(k) && !k.fixedBuffers ? r[k.family === 'unix' ? 'unix' : 'tcp'] : 0;
};

/**
 * set-buffers: setsockopt SO_SNDBUF / SO_RCVBUF on a connected stream socket before data. XSH
 * setsockopt() SO_SNDBUF "Sets send buffer size", SO_RCVBUF "Sets receive buffer size": a positive
 * size on a connected socket succeeds. From here the connection is judged by the profile-independent
 * parts of stream.full-send-buffer only (see sureRoom, recvMayLag).
 */
export function setBuffers(s: ModelState, call: Extract<SocketCall, { op: 'set-buffers' }>, out: Outcome, ctx: Ctx): void {
  const id = s.net.handles.get(call.fd);
  const k = typeof id === 'number' ? s.net.socks.get(id) : undefined;
  if (!k || k.dgram || k.state !== 'connected' || k.peer === undefined) throw new OutOfScope('set-buffers on a socket that is not a connected stream socket');
  const peer = s.net.socks.get(k.peer)!;
  const queued = [k.rx, k.tx].some((q) => q !== undefined && buffered(s.objects.get(q)!) > 0);
  if (queued || blockedSendOf(s, k.id) || blockedSendOf(s, peer.id) || k.wrDone || peer.wrDone || k.rdShut || peer.rdShut) throw new OutOfScope('set-buffers on a connection with data or a half shut');
  ctx.require('stream.full-send-buffer', out.kind === 'ok' && out.value === 0, () => showOutcome(out), () => '0 (setsockopt of a buffer size on a connected socket)');
  k.fixedBuffers = true;
  peer.fixedBuffers = true;
}

/**
 * A send on a connected stream socket whose peer is still there (socket-data.ts send has judged
 * shutdown and peer close). `tx` is the queue it appends to: the peer's rx.
 */
export function streamSend(s: ModelState, step: number, actor: string, call: SendCall, k: Sock, tx: PipeObj, out: Outcome, ctx: Ctx): void {
  if (blockedSendOf(s, k.id)) throw new OutOfScope('a send while another send on the same socket is blocked');
  const n = call.size;
  const mayBlock = call.dontwait === false && !k.nonblock;
  // Idle: everything sent before has been read (the kernel has freed it), so the whole buffer is free.
  const idle = buffered(tx) === 0;
  const room = idle ? sureRoom(k, ctx) : 0;
  const got = () => showOutcome(out);
  const how = mayBlock ? 'blocking' : call.dontwait === false ? 'O_NONBLOCK' : 'MSG_DONTWAIT';
  if (out.kind === 'pending') {
    if (!mayBlock) ctx.violate('stream.full-send-buffer', 'blocked', `${n <= room ? n : `1..${n} or -1 EAGAIN`} (${how}: a nonblocking send never blocks)`);
    if (n <= room) ctx.violate('stream.full-send-buffer', 'blocked', `${n} (an idle connection surely takes ${room} bytes)`);
    ctx.exercise('stream.full-send-buffer');
    s.pending.set(step, { kind: 'send', step, actor, sock: k.id, total: n, remaining: payload(payloadTag(step), n), written: 0, call: { actor, ...call } });
    return;
  }
  if (isErr(out, 'EAGAIN')) {
    if (mayBlock) ctx.violate('stream.full-send-buffer', got(), `${n} or blocked (a blocking send waits for room)`);
    if (room > 0) ctx.violate('stream.full-send-buffer', got(), `${Math.min(n, room)}..${n} (an idle connection surely takes ${room} bytes: a partial count at worst)`);
    return ctx.exercise('stream.full-send-buffer');
  }
  if (out.kind !== 'ok' || out.value < 1 || out.value > n) ctx.violate('stream.order-and-content', got(), mayBlock ? `${n} or blocked` : `1..${n} or -1 EAGAIN`);
  const v = out.value;
  // linux: a blocking send returns only once everything is queued; posix says only "the number of bytes sent".
  const lo = mayBlock && ctx.profile.name === 'linux' ? n : Math.min(n, Math.max(1, room));
  ctx.require(v < n || mayBlock || room > 0 ? 'stream.full-send-buffer' : 'stream.order-and-content', v >= lo, got, () => (lo === n ? `${n}` : `${lo}..${n}`) + (mayBlock ? ' (a blocking send returns everything)' : room > 0 ? ` (an idle connection surely takes ${room} bytes)` : ''));
  appendUnbounded(tx, payload(payloadTag(step), n).subarray(0, v));
}

/**
 * Before a recv on `k` is judged: the peer's blocked send has moved bytes into the queue that the
 * model cannot see until a recv returns them. Move as many as `out` shows (from the send's remaining
 * bytes, in order). A recv that finds nothing while the sender still has bytes to send means the
 * sender was left asleep although the reader drained the connection (`waitall`: the recv may wait
 * for more than there is, so its blocking proves nothing).
 */
export function admitBlockedSender(s: ModelState, k: Sock, rx: PipeObj, out: Outcome, ctx: Ctx, waitall = false): void {
  const p = k.peer === undefined ? undefined : blockedSendOf(s, k.peer);
  if (!p || p.remaining.length === 0) return;
  const avail = buffered(rx);
  if (out.kind === 'ok' && out.value > avail) {
    const m = Math.min(out.value - avail, p.remaining.length);
    appendUnbounded(rx, p.remaining.subarray(0, m));
    p.remaining = p.remaining.subarray(m);
    p.written += m;
    ctx.exercise('stream.full-send-buffer');
    return;
  }
  // A MSG_WAITALL recv may block having taken what there was: it waits for more.
  if (avail === 0 && ctx.settled && (isErr(out, 'EAGAIN') || (out.kind === 'pending' && !waitall))) {
    ctx.violate('stream.full-send-buffer', out.kind === 'pending' ? 'blocked' : showOutcome(out), `the next bytes of the blocked send #${p.step + 1} (the reader drained the connection, so the sender was woken and queued more; ${p.remaining.length} of its ${p.total} bytes not received yet)`);
  }
}

/** A blocked send returns: linux all of it, posix at least what the reader has received of it. */
export function sendCompleted(s: ModelState, p: SendPending, out: Outcome, ctx: Ctx): void {
  const k = s.net.socks.get(p.sock)!;
  const peer = k.peer === undefined ? undefined : s.net.socks.get(k.peer);
  // The connection ended under it (no walk does this yet): what it sent so far, or the error.
  const ended = k.wrDone !== undefined || peer?.state === 'closed' || peer?.rdShut !== undefined;
  const lo = ctx.profile.name === 'linux' && !ended ? p.total : Math.max(1, p.written);
  const ok = (out.kind === 'ok' && out.value >= lo && out.value <= p.total) || (ended && p.written === 0 && (isErr(out, 'EPIPE') || isErr(out, 'ECONNRESET')));
  ctx.require('stream.full-send-buffer', ok, () => `woke with ${showOutcome(out)}`, () => (lo === p.total ? `${p.total}` : `${lo}..${p.total}`) + (ended ? ' or -1 EPIPE (the connection ended)' : ` (the reader made room; ${p.written} of its bytes already received)`));
  if (!ended && out.kind === 'ok' && notSeen(out)) ctx.violate('stream.order-and-content', neverFollowed(`woke with ${out.value}`, 'the bytes never reached the peer, nor waited behind its full receive window'), 'the bytes at the peer (a stream socket is reliable)');
  const tx = k.tx === undefined ? undefined : s.objects.get(k.tx);
  if (tx && out.kind === 'ok') appendUnbounded(tx, p.remaining.subarray(0, out.value - p.written));
  s.pending.delete(p.step);
}

/** At a quiescent point: a sender whose bytes the reader has all received has returned. */
export function sendStillBlocked(_s: ModelState, p: SendPending, ctx: Ctx): void {
  if (p.remaining.length === 0 && ctx.settled) ctx.violate('stream.full-send-buffer', 'still blocked', `${p.total} (the reader has received all of its bytes)`);
}

/**
 * linux TCP: with more unread than the receiver surely holds, some may wait in the sender's queue, so a
 * recv may return less than is unread. (The hold is a receive-buffer fact: it is applied on any path.)
 */
export function recvMayLag(k: Sock, rx: PipeObj, ctx: Ctx): boolean {
  const hold = ctx.profile.streamSendBuffer.tcpReceiverHolds;
  return k.family !== 'unix' && (hold === null || k.fixedBuffers === true || buffered(rx) > hold);
}

/** The model as a target: a blocked send returns everything. */
export const sendCompletionCandidates = (p: SendPending): Outcome[] => [{ kind: 'ok', value: p.total }];
