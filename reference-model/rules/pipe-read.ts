// read/readv: POSIX XSH read() for pipes and FIFOs.
import type { ClauseId } from '../../spec/catalogue.ts';
import type { Call } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import type { Ctx } from '../context.ts';
import { hex, showOutcome } from '../describe.ts';
import { bytesEqual } from '../pipe-buffer.ts';
import type { ModelState, Ofd, Pending, PipeObj } from '../state.ts';
import { isOk, resolveEnd, unref } from './fd.ts';
import { heldByOtherFifo } from './fifo.ts';
import { readable, streamPrefix, take } from './stream.ts';

type ReadCall = Extract<Call, { op: 'read' | 'readv' }>;
const sizeOf = (c: ReadCall): number => (c.op === 'read' ? c.size : c.sizes.reduce((a, b) => a + b, 0));

export function readCall(s: ModelState, step: number, actor: string, call: ReadCall, out: Outcome, ctx: Ctx): void {
  const end = resolveEnd(s, call.fd, 'r', out, ctx);
  if (!end) return;
  const { obj, ofd } = end;
  const n = sizeOf(call);
  // "if nbyte is zero, the read() function ... shall return zero and have no other results"
  if (n === 0) return ctx.require('pipe.zero-length-io', isOk(out, 0), () => showOutcome(out), () => '0 at once');
  if (out.kind === 'ok' && out.data && out.value > 0) {
    const k = Math.min(8, out.data.length);
    const own = streamPrefix(s, obj, k, ctx);
    if (!(own.length === k && bytesEqual(own, out.data.subarray(0, k))) && heldByOtherFifo(s, obj, out.data)) {
      ctx.violate('fifo.recreate-is-independent', `${out.value} bytes [${hex(out.data)}]`, `only this FIFO's data [${hex(streamPrefix(s, obj, n, ctx))}] (those bytes are another FIFO's made at this path)`);
    }
  }
  if (obj.discarded) {
    // The FIFO's data lives in the kernel only: what was discarded at the last close never comes back.
    const back = out.kind === 'ok' && out.value > 0 && !!out.data && startsWith(obj.discarded, out.data.subarray(0, Math.min(16, out.value)));
    ctx.require('fifo.data-not-in-file', !back, () => `${out.kind === 'ok' ? out.value : 0} bytes that were discarded when every end closed`, () => 'only data written since');
  }
  const { committed, inflight } = readable(s, obj, ctx);
  const empty = committed === 0;
  // Every read of a FIFO that has had several writers checks that EOF waits for all of them.
  if (obj.kind === 'fifo' && obj.wCounter > 1) ctx.exercise('fifo.eof-after-all-writers');
  if (out.kind === 'pending') {
    // A trace that is not settled also has the reading "it has not returned yet" (unsettled.ts): this one is "asleep".
    if (!empty) ctx.violate('pipe.read-blocks-while-writer-open', 'blocked', `${Math.min(n, committed)} bytes (data is buffered)`);
    // (the clause an EOF read would fall under: a FIFO that had several writers has its own; a blocking
    // read of a FIFO that never had one returns 0 like any pipe, so fifo.read-before-any-writer is not it)
    if (obj.writers === 0) ctx.violate(obj.kind === 'fifo' && obj.wCounter > 1 ? 'fifo.eof-after-all-writers' : 'pipe.eof-after-last-writer', 'blocked', '0 (EOF: no writer is open)');
    if (ofd.nonblock) ctx.violate('pipe.nonblocking-read-eagain', 'blocked', '-1 EAGAIN (O_NONBLOCK is set)');
    ctx.exercise('pipe.read-blocks-while-writer-open');
    ofd.refs++; // the blocked call holds the open file description
    s.pending.set(step, { kind: 'read', step, actor, ofd: ofd.id, size: n, call: { actor, ...call } });
    return;
  }
  if (empty && inflight === 0) {
    if (obj.writers === 0) {
      return ctx.require(eofClause(obj, ofd, ctx), isOk(out, 0), () => showOutcome(out), () => '0 (EOF)');
    }
    if (isOk(out, 0) && obj.kind === 'fifo' && obj.wCounter > 1) ctx.violate('fifo.eof-after-all-writers', '0 (EOF)', `no EOF: ${obj.writers} writer(s) still open`);
    if (ofd.nonblock) {
      return ctx.require('pipe.nonblocking-read-eagain', out.kind === 'err' && out.errno === 'EAGAIN', () => showOutcome(out), () => '-1 EAGAIN');
    }
    return ctx.violate('pipe.read-blocks-while-writer-open', showOutcome(out), 'blocked (empty pipe, a writer is open)');
  }
  // Data is (or may be) available.
  if (out.kind !== 'ok' || out.value === 0) {
    if (empty && out.kind === 'err' && out.errno === 'EAGAIN' && ofd.nonblock) return ctx.exercise('pipe.nonblocking-read-eagain');
    const clause = obj.writers === 0 ? 'pipe.eof-after-last-writer' : ofd.nonblock ? 'pipe.nonblocking-read-eagain' : 'pipe.order-and-content';
    ctx.violate(clause, showOutcome(out), `${Math.min(n, committed || 1)}${committed ? '' : '+'} bytes of buffered data`);
  }
  consumeObserved(s, obj.id, out, n, committed, inflight, ctx);
}

const startsWith = (hay: Uint8Array, needle: Uint8Array): boolean => {
  for (let at = 0; at + needle.length <= hay.length; at++) if (bytesEqual(hay.subarray(at, at + needle.length), needle)) return true;
  return false;
};

/** Which clause an EOF on this end falls under: FIFOs with several writers and never-written FIFOs have their own. */
function eofClause(obj: PipeObj, ofd: Ofd, ctx: Ctx): ClauseId {
  if (obj.kind !== 'fifo') return 'pipe.eof-after-last-writer';
  if (ofd.wCounterAtOpen === obj.wCounter && ctx.profile.name === 'linux') return 'fifo.read-before-any-writer';
  if (obj.wCounter > 1) return 'fifo.eof-after-all-writers';
  return 'pipe.eof-after-last-writer';
}

/** Check an observed non-empty read against the stream and consume it. */
function consumeObserved(s: ModelState, objId: number, out: Extract<Outcome, { kind: 'ok' }>, n: number, committed: number, inflight: number, ctx: Ctx, woken = false): void {
  const obj = s.objects.get(objId)!;
  const m = out.value;
  const expected = streamPrefix(s, obj, Math.min(n, m), ctx);
  const data = out.data ?? new Uint8Array(0);
  ctx.require('pipe.order-and-content', m <= n && data.length === m && expected.length === m && bytesEqual(data, expected),
    () => `${m} bytes [${hex(data)}]`, () => `a prefix of the stream [${hex(streamPrefix(s, obj, n, ctx))}]`);
  // A call that did not block returns everything available up to its size; a woken one any non-empty prefix.
  const lo = woken ? 1 : Math.min(n, Math.max(committed, 1));
  const hi = Math.min(n, committed + inflight);
  ctx.require('pipe.no-message-boundaries', m >= lo && m <= hi, () => `${m} bytes`, () => (lo === hi ? `${lo} bytes` : `${lo}..${hi} bytes`));
  take(s, obj, m, ctx);
}

export function readCompleted(s: ModelState, p: Extract<Pending, { kind: 'read' }>, out: Outcome, ctx: Ctx): void {
  const ofd = s.ofds.get(p.ofd)!;
  const obj = s.objects.get(ofd.obj)!;
  const { committed, inflight } = readable(s, obj, ctx);
  if (isOk(out, 0)) {
    if (committed + inflight > 0) ctx.violate('pipe.eof-after-last-writer', '0 (EOF)', 'the buffered data first');
    const clause = obj.kind === 'fifo' && obj.wCounter > 1 ? 'fifo.eof-after-all-writers' : 'pipe.last-writer-close-wakes-readers';
    ctx.require(clause, obj.writers === 0, () => 'woke with 0 (EOF)', () => 'still blocked: a writer is open');
    if (clause !== 'pipe.last-writer-close-wakes-readers') ctx.exercise('pipe.last-writer-close-wakes-readers');
  } else if (out.kind === 'ok') {
    consumeObserved(s, obj.id, out, p.size, committed, inflight, ctx, true);
  } else {
    ctx.violate('pipe.read-blocks-while-writer-open', showOutcome(out), 'data or 0 (EOF)');
  }
  s.pending.delete(p.step);
  unref(s, p.ofd);
}

/** After quiescence a blocked reader must not be runnable. */
export function readStillBlocked(s: ModelState, p: Extract<Pending, { kind: 'read' }>, ctx: Ctx): void {
  const obj = s.objects.get(s.ofds.get(p.ofd)!.obj)!;
  const { committed } = readable(s, obj, ctx);
  if (committed > 0) ctx.violate('pipe.read-blocks-while-writer-open', `still blocked with ${committed} bytes buffered`, 'the read returns data');
  if (obj.writers === 0) ctx.violate('pipe.last-writer-close-wakes-readers', 'still blocked after the last writer closed', '0 (EOF)');
}
