// write/writev: POSIX XSH write(), "Write requests to a pipe or FIFO", and linux fs/pipe.c pipe_write.
import type { Call } from '../../spec/scenario.ts';
import { writeData } from '../../spec/payload.ts';
import type { Outcome } from '../../spec/trace.ts';
import type { Ctx } from '../context.ts';
import { showOutcome } from '../describe.ts';
import { appendUnbounded, dropTail, exactTransfer, guaranteedRoom } from '../pipe-buffer.ts';
import { buffered, type ModelState, type Pending, type PipeObj } from '../state.ts';
import { isErr, isOk, resolveEnd, unref } from './fd.ts';
import { blockedWriter, remainingOf } from './stream.ts';

type WriteCall = Extract<Call, { op: 'write' | 'writev' }>;

export function writeCall(s: ModelState, step: number, actor: string, call: WriteCall, out: Outcome, ctx: Ctx): void {
  const end = resolveEnd(s, call.fd, 'w', out, ctx);
  if (!end) return;
  const { obj, ofd } = end;
  const data = writeData(step, call);
  const n = data.length;
  const got = () => showOutcome(out);
  if (n === 0) {
    // linux: "Null write succeeds" before the reader check; posix: unspecified beyond not blocking.
    const allowed = obj.readers > 0 ? ['ok'] : ctx.profile.zeroLengthWriteNoReader;
    const ok = (isOk(out, 0) && allowed.includes('ok')) || (isErr(out, 'EPIPE') && allowed.includes('EPIPE'));
    return ctx.require('pipe.zero-length-io', ok, got, () => allowed.map((a) => (a === 'ok' ? '0' : '-1 EPIPE')).join(' or '));
  }
  if (obj.readers === 0) {
    return ctx.require('pipe.epipe-when-no-reader', isErr(out, 'EPIPE'), got, () => '-1 EPIPE (no reader; SIGPIPE is ignored)');
  }
  const small = n <= ctx.profile.pipeBuf;
  if (obj.drainer) {
    // A child drains the pipe at its own pace: a blocking write completes; a nonblocking one races it.
    if (!ofd.nonblock) ctx.require('pipe.inherited-by-child', isOk(out, n), got, () => `${n} (a child is draining the pipe)`);
    else if (small) ctx.require('pipe.nonblocking-small-write-all-or-nothing', isOk(out, n) || isErr(out, 'EAGAIN'), got, () => `${n} or -1 EAGAIN`);
    else ctx.require('pipe.nonblocking-write-when-full', (out.kind === 'ok' && out.value >= 1 && out.value <= n) || isErr(out, 'EAGAIN'), got, () => `1..${n} or -1 EAGAIN (a child drains concurrently)`);
    if (out.kind === 'ok') obj.drainer.received.push(data.subarray(0, out.value));
    return;
  }
  if (ctx.exact) return exactWrite(s, step, actor, call, obj, ofd.id, ofd.nonblock, data, small, out, ctx);
  return lenientWrite(s, step, actor, call, obj, ofd.id, ofd.nonblock, data, small, out, ctx);
}

function exactWrite(s: ModelState, step: number, actor: string, call: WriteCall, obj: PipeObj, ofdId: number, nonblock: boolean, data: Uint8Array, small: boolean, out: Outcome, ctx: Ctx): void {
  if (ctx.profile.capacity.accounting !== 'page-slots') throw new Error('exact accounting needs page slots');
  const n = data.length;
  const k = exactTransfer(obj, ctx.profile.capacity, data);
  const got = () => showOutcome(out);
  if (k === n) {
    const clause = out.kind === 'pending' ? 'pipe.full-pipe-blocks-writer'
      : !small ? 'pipe.large-write-may-split' : nonblock ? 'pipe.nonblocking-small-write-all-or-nothing' : 'pipe.order-and-content';
    return ctx.require(clause, isOk(out, n), got, () => `${n} (all of it fits)`);
  }
  if (nonblock) {
    if (k === 0) {
      const clause = small ? 'pipe.nonblocking-small-write-all-or-nothing' : 'pipe.nonblocking-write-when-full';
      return ctx.require(clause, isErr(out, 'EAGAIN'), got, () => '-1 EAGAIN (no room)');
    }
    ctx.exercise('pipe.nonblocking-write-when-full');
    ctx.require(isErr(out, 'EAGAIN') ? 'pipe.large-write-may-split' : 'pipe.nonblocking-write-when-full', isOk(out, k), got, () => `${k} (what fits)`);
    return;
  }
  // Readers blocked on this pipe drain it while the writer sleeps, so "all written" may be right:
  // keep the rest in flight as claimed, and let quiescence prove that it all got in.
  const claimed = isOk(out, n) && readersBlockedOn(s, obj);
  if (!claimed) ctx.require('pipe.full-pipe-blocks-writer', out.kind === 'pending', got, () => `blocked after transferring ${k} of ${n} bytes`);
  s.ofds.get(ofdId)!.refs++;
  s.pending.set(step, { kind: 'write', step, actor, ofd: ofdId, total: n, remaining: data.subarray(k), written: k, call: { actor, ...call }, claimed, firstWritten: k });
}

function lenientWrite(s: ModelState, step: number, actor: string, call: WriteCall, obj: PipeObj, ofdId: number, nonblock: boolean, data: Uint8Array, small: boolean, out: Outcome, ctx: Ctx): void {
  const n = data.length;
  const room = blockedWriter(s, obj) ? 0 : guaranteedRoom(obj, ctx.capacity);
  const got = () => showOutcome(out);
  if (nonblock && small) {
    ctx.require('pipe.nonblocking-small-write-all-or-nothing', isOk(out, n) || (room < n && isErr(out, 'EAGAIN')), got, () => (room >= n ? `${n}` : `${n} or -1 EAGAIN`));
  } else if (nonblock) {
    const lo = Math.min(n, Math.max(1, room));
    const ok = (out.kind === 'ok' && out.value >= lo && out.value <= n) || (room === 0 && isErr(out, 'EAGAIN'));
    ctx.require(isErr(out, 'EAGAIN') ? 'pipe.large-write-may-split' : 'pipe.nonblocking-write-when-full', ok, got, () => `${lo}..${n}${room === 0 ? ' or -1 EAGAIN' : ''}`);
  } else if (out.kind === 'pending') {
    ctx.require('pipe.full-pipe-blocks-writer', room < n, got, () => `${n} (it surely fits)`);
    s.ofds.get(ofdId)!.refs++;
    s.pending.set(step, { kind: 'write', step, actor, ofd: ofdId, total: n, remaining: data, written: 0, call: { actor, ...call } });
    return;
  } else {
    ctx.require(small ? 'pipe.order-and-content' : 'pipe.large-write-may-split', isOk(out, n), got, () => `${n} (a blocking write returns nbyte)`);
  }
  if (out.kind === 'ok') appendUnbounded(obj, data.subarray(0, out.value), ctx.pageSize);
}

const readersBlockedOn = (s: ModelState, obj: PipeObj): boolean =>
  [...s.pending.values()].some((p) => p.kind === 'read' && s.ofds.get(p.ofd)?.obj === obj.id);

/** Exact accounting: move a blocked writer's bytes into the ring as room appears, as the kernel does. */
export function pumpWriter(s: ModelState, obj: PipeObj, ctx: Ctx): void {
  const w = blockedWriter(s, obj);
  if (!w) return;
  if (obj.readers === 0) return raceWithLastReader(s, obj, w, ctx);
  const rest = remainingOf(w);
  if (rest.length === 0) return;
  if (obj.drainer) {
    // a child drains the pipe: everything the writer has left goes through
    obj.drainer.received.push(rest);
    if (w.kind === 'write') { w.remaining = rest.subarray(rest.length); w.written = w.total; } else { w.data = rest.subarray(rest.length); }
    return;
  }
  if (!ctx.exact || ctx.profile.capacity.accounting !== 'page-slots') return;
  const k = exactTransfer(obj, ctx.profile.capacity, rest);
  if (w.kind === 'write') { w.remaining = rest.subarray(k); w.written += k; } else { w.data = rest.subarray(k); }
  // linux (measured): pipe_write re-checks O_NONBLOCK each time it finds the ring full after a wakeup.
  if (w.kind === 'write' && k > 0 && w.remaining.length > 0 && s.ofds.get(w.ofd)!.nonblock) w.returnsPartial = true;
  if (w.claimed && remainingOf(w).length === 0) {
    s.pending.delete(w.step);
    unref(s, w.ofd);
  }
}

/**
 * The last reader's final read woke this writer and then released the read end: the writer may have
 * run in between (transferring into the freed room) or not. Both orders are allowed (linux, measured).
 */
function raceWithLastReader(s: ModelState, obj: PipeObj, w: ReturnType<typeof blockedWriter> & object, ctx: Ctx): void {
  if (!ctx.exact || ctx.profile.capacity.accounting !== 'page-slots') return;
  if (w.kind === 'write' && w.writtenIfRanFirst !== undefined) return;
  const probe = { ...obj, pages: obj.pages.slice() };
  const rest = remainingOf(w);
  const k = exactTransfer(probe, ctx.profile.capacity, rest);
  if (w.kind === 'write') w.writtenIfRanFirst = w.written + k;
  if (w.claimed && k === rest.length) {
    // it returned everything at once: it must have run first
    obj.pages = probe.pages;
    s.pending.delete(w.step);
    unref(s, w.ofd);
  }
}

export function writeCompleted(s: ModelState, p: Extract<Pending, { kind: 'write' }>, out: Outcome, ctx: Ctx): void {
  const obj = s.objects.get(s.ofds.get(p.ofd)!.obj)!;
  const got = () => showOutcome(out);
  if (obj.readers === 0) {
    // pipe_write: "if (!ret) ret = -EPIPE": a partial count if anything went in. Which of its bytes went
    // in before the last reader left is a race: at least those readers took, at most what could fit.
    const unread = Math.min(buffered(obj), p.written);
    const lo = Math.max(p.written - unread, p.firstWritten ?? 0);
    const hi = p.remaining.length === 0 ? p.total : Math.max(p.written, p.writtenIfRanFirst ?? 0);
    const ok = ctx.exact
      ? (out.kind === 'ok' && out.value >= Math.max(lo, 1) && out.value <= hi) || (lo === 0 && isErr(out, 'EPIPE'))
      : (out.kind === 'ok' && out.value >= p.written && out.value <= p.total) || (p.written === 0 && isErr(out, 'EPIPE'));
    ctx.require('pipe.epipe-when-no-reader', ok, got, () => (ctx.exact ? `${Math.max(lo, 1)}..${hi}${lo === 0 ? ' or -1 EPIPE' : ''} (bytes written before the last reader went away)` : `${p.written}..${p.total} or -1 EPIPE`));
    const wrote = out.kind === 'ok' ? out.value : 0;
    // what it did not write is not in the pipe (exact), what it reports did go in (lenient)
    if (ctx.exact && wrote < p.written) dropTail(obj, p.written - wrote);
    // it ran before the last reader left and filled the room that reader's final read freed: those bytes went in
    if (ctx.exact && wrote > p.written) appendUnbounded(obj, p.remaining.subarray(0, wrote - p.written), ctx.pageSize);
    if (!ctx.exact && out.kind === 'ok') appendUnbounded(obj, p.remaining.subarray(0, out.value - p.written), ctx.pageSize);
  } else if (p.returnsPartial || (!ctx.exact && s.ofds.get(p.ofd)!.nonblock && !(out.kind === 'ok' && out.value === p.total))) {
    // The descriptor turned O_NONBLOCK while the write slept: it returns the count written so far.
    const ok = ctx.exact ? isOk(out, p.written) : out.kind === 'ok' && out.value >= p.written && out.value <= p.total;
    ctx.require('pipe.nonblocking-write-when-full', ok, got, () => `${p.written} (written before the ring filled again; O_NONBLOCK is now set)`);
    if (!ctx.exact && out.kind === 'ok') appendUnbounded(obj, p.remaining.subarray(0, out.value - p.written), ctx.pageSize);
  } else {
    if (ctx.exact && p.remaining.length > 0) ctx.violate('pipe.full-pipe-blocks-writer', got(), `still blocked: ${p.remaining.length} bytes do not fit`);
    ctx.require(p.total > ctx.profile.pipeBuf ? 'pipe.large-write-may-split' : 'pipe.read-wakes-blocked-writer', isOk(out, p.total), got, () => `${p.total} (a blocking write returns nbyte)`);
    ctx.exercise('pipe.read-wakes-blocked-writer');
    appendUnbounded(obj, p.remaining, ctx.pageSize);
  }
  s.pending.delete(p.step);
  unref(s, p.ofd);
}

export function writeStillBlocked(s: ModelState, p: Extract<Pending, { kind: 'write' }>, ctx: Ctx): void {
  const obj = s.objects.get(s.ofds.get(p.ofd)!.obj)!;
  if (p.returnsPartial) ctx.violate('pipe.nonblocking-write-when-full', 'still blocked', `${p.written}: O_NONBLOCK was set and the ring is full again`);
  if (p.claimed) ctx.violate('pipe.full-pipe-blocks-writer', `${p.total} (returned at once)`, `blocked: ${p.remaining.length} bytes never fitted`);
  if (obj.readers === 0) ctx.violate('pipe.epipe-when-no-reader', 'still blocked after the last reader closed', p.written > 0 ? `${p.written}` : '-1 EPIPE');
  if (ctx.exact && p.remaining.length === 0) ctx.violate('pipe.read-wakes-blocked-writer', 'still blocked although every byte fitted', `${p.total}`);
  if (!ctx.exact && guaranteedRoom(obj, ctx.capacity) >= p.remaining.length) {
    ctx.violate('pipe.read-wakes-blocked-writer', 'still blocked although the rest surely fits', `${p.total}`);
  }
}
