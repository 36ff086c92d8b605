// Candidate outcomes for the model-as-target, in canonical preference order. A candidate is only a
// proposal: canonical.ts keeps the first one the model's own rule accepts, so nothing here decides
// what is allowed. The preferred candidates come first and describe a plain, strict system: data
// moves as soon as the accounting says it can, a call blocks exactly when its data does not surely
// fit, and an optional poll bit stays clear.
import type { Call, Step } from '../../spec/scenario.ts';
import { concat, payload, payloadTag, producerBytes, record, writeData } from '../../spec/payload.ts';
import type { Detail, Outcome } from '../../spec/trace.ts';
import type { Ctx } from '../context.ts';
import { exactTransfer, guaranteedRoom, peek } from '../pipe-buffer.ts';
import { buffered, type ModelState, type Ofd, type Pending, type PipeObj } from '../state.ts';
import { blockedWriter, readable, streamPrefix } from '../rules/stream.ts';
import { connectCompletionCandidates, recvCompletionCandidates, socketCandidates } from './socket-candidates.ts';
import { sendCompletionCandidates } from '../rules/send-buffer.ts';

type Exit = NonNullable<Detail['exit']>;

const ok = (value: number, extra: { data?: Uint8Array; detail?: Detail } = {}): Outcome => ({ kind: 'ok', value, ...extra });
const err = (errno: string): Outcome => ({ kind: 'err', errno });
const PENDING: Outcome = { kind: 'pending' };
const EBADF = err('EBADF');
const exited = (code: number): Exit => ({ code, signal: null });
const killedBy = (signal: string): Exit => ({ code: null, signal });

/** Descriptor numbers are not modelled; any non-negative number will do, so use one per step. */
export const fdNumber = (step: number): number => 3 + step;

/** The end a handle names, without judging (resolveEnd judges). */
function endOf(s: ModelState, handle: string): { ofd: Ofd; obj: PipeObj } | undefined {
  const e = s.fds.get(handle);
  if (!e || 'closed' in e) return undefined;
  const ofd = s.ofds.get(e.ofd)!;
  return { ofd, obj: s.objects.get(ofd.obj)! };
}

export function callCandidates(s: ModelState, index: number, step: Step, ctx: Ctx): Outcome[] {
  switch (step.op) {
    case 'make-pipe': return [ok(0)];
    case 'write': case 'writev': return writeCandidates(s, index, step, ctx);
    case 'read': case 'readv': return readCandidates(s, step, ctx);
    case 'close': case 'set-nonblock': return [ok(0), EBADF];
    case 'dup': return [ok(fdNumber(index)), EBADF];
    case 'poll': return pollCandidates(s, step.fd);
    case 'get-pipe-size': {
      const e = endOf(s, step.fd);
      return [...(e ? [ok(e.obj.slots * ctx.pageSize)] : []), EBADF];
    }
    case 'set-pipe-size': return [ok(roundedPipeSize(step.size, ctx.pageSize)), err('EBUSY'), err('EPERM'), err('EINVAL'), EBADF];
    case 'mkfifo': return [ok(0), err('EEXIST'), err('ENOENT')];
    case 'open': return [ok(fdNumber(index)), PENDING, err('ENXIO'), err('ENOENT')];
    case 'unlink': return [ok(0), err('ENOENT')];
    case 'stat': return [ok(0, { detail: { type: 'fifo', size: 0 } }), err('ENOENT')];
    case 'child-write': return childWriteCandidates(s, index, step, ctx);
    case 'child-read': {
      const e = endOf(s, step.fd);
      const done = e ? [ok(0, { detail: { exit: exited(0), output: peek(e.obj, buffered(e.obj)) } })] : [];
      return [...done, PENDING, EBADF];
    }
    case 'pipeline': return [pipelineOutcome(index, step), PENDING];
    case 'concurrent-writes': return [concurrentOutcome(step), EBADF];
    default: return socketCandidates(s, index, step);
  }
}

/** Outcomes that finish a blocked call, most progress first. */
export function completionCandidates(s: ModelState, p: Pending, ctx: Ctx): Outcome[] {
  switch (p.kind) {
    case 'read': {
      const obj = s.objects.get(s.ofds.get(p.ofd)!.obj)!;
      const { committed, inflight } = readable(s, obj, ctx);
      const m = Math.min(p.size, committed + inflight);
      return [...(m > 0 ? [dataOutcome(s, obj, m, ctx)] : []), ok(0)];
    }
    case 'write': return [ok(p.total), ...(p.written > 0 ? [ok(p.written)] : []), err('EPIPE')];
    case 'open': return [ok(fdNumber(p.step))];
    case 'child-write': {
      const call = p.call as Extract<Step, { op: 'child-write' }>;
      return [ok(0, { detail: { exit: exited(0) } }), childKilled(call.sigpipe)];
    }
    case 'child-read': {
      const drained = s.objects.get(p.obj)!.drainer?.received ?? [];
      return [ok(0, { detail: { exit: exited(0), output: concat(drained) } })];
    }
    case 'opaque': return [pipelineOutcome(p.step, p.call as Extract<Step, { op: 'pipeline' }>)];
    case 'recv': return recvCompletionCandidates(s, p);
    case 'send': return sendCompletionCandidates(p);
    case 'dgram-send': return [ok(p.size)];
    case 'connect': return connectCompletionCandidates(s, p);
  }
}

/** Bytes a write or child-write would move into the pipe right now, by the profile's accounting. */
function predictedTransfer(s: ModelState, obj: PipeObj, data: Uint8Array, ctx: Ctx): number {
  if (obj.drainer) return data.length;
  const cap = ctx.profile.capacity;
  if (ctx.exact && cap.accounting === 'page-slots') return exactTransfer({ ...obj, pages: obj.pages.slice() }, cap, data);
  // posix: the smallest pipe POSIX allows; a blocked writer is ahead in the queue
  return blockedWriter(s, obj) ? 0 : Math.min(data.length, guaranteedRoom(obj, ctx.capacity));
}

/** A reader blocked on `obj` drains it while a writer sleeps, so a blocking write may return at once. */
const readersBlockedOn = (s: ModelState, obj: PipeObj): boolean =>
  [...s.pending.values()].some((p) => p.kind === 'read' && s.ofds.get(p.ofd)?.obj === obj.id);

function writeCandidates(s: ModelState, index: number, step: Extract<Call, { op: 'write' | 'writev' }>, ctx: Ctx): Outcome[] {
  const data = writeData(index, step);
  const n = data.length;
  if (n === 0) return [ok(0), err('EPIPE'), EBADF];
  const e = endOf(s, step.fd);
  const prefer: Outcome[] = [];
  if (e && e.ofd.end === 'w' && e.obj.readers > 0) {
    const k = predictedTransfer(s, e.obj, data, ctx);
    if (e.ofd.nonblock) prefer.push(k === n ? ok(n) : k === 0 || n <= ctx.profile.pipeBuf ? err('EAGAIN') : ok(k));
    else if (k === n) prefer.push(ok(n));
    else prefer.push(...(readersBlockedOn(s, e.obj) ? [ok(n), PENDING] : [PENDING, ok(n)]));
    if (k > 0 && k < n) prefer.push(ok(k));
  }
  return [...prefer, ok(n), err('EAGAIN'), err('EPIPE'), PENDING, EBADF];
}

function readCandidates(s: ModelState, step: Extract<Call, { op: 'read' | 'readv' }>, ctx: Ctx): Outcome[] {
  const n = step.op === 'read' ? step.size : step.sizes.reduce((a, b) => a + b, 0);
  if (n === 0) return [ok(0), EBADF];
  const e = endOf(s, step.fd);
  const data: Outcome[] = [];
  if (e && e.ofd.end === 'r') {
    const { committed, inflight } = readable(s, e.obj, ctx);
    // everything available first (in-flight bytes included: a real pipe would hold them), then only the committed part
    for (const m of new Set([Math.min(n, committed + inflight), Math.min(n, committed)])) if (m > 0) data.push(dataOutcome(s, e.obj, m, ctx));
  }
  return [...data, ok(0), err('EAGAIN'), PENDING, EBADF];
}

const dataOutcome = (s: ModelState, obj: PipeObj, m: number, ctx: Ctx): Outcome => ok(m, { data: streamPrefix(s, obj, m, ctx) });

const POLL_BITS = ['POLLIN', 'POLLOUT', 'POLLHUP', 'POLLERR'] as const;

/** Every revents set, fewest bits first: the first one the rule accepts sets only the bits it requires. */
function pollCandidates(s: ModelState, handle: string): Outcome[] {
  const sets: string[][] = Array.from({ length: 1 << POLL_BITS.length }, (_, mask) => POLL_BITS.filter((_, b) => mask & (1 << b)));
  sets.sort((a, b) => a.length - b.length);
  const e = s.fds.get(handle);
  if (!e || 'closed' in e) sets.unshift(['POLLNVAL']);
  return sets.map((revents) => ok(revents.length ? 1 : 0, { detail: { revents } }));
}

/** F_SETPIPE_SZ success value: the argument (unsigned) rounded up to a power-of-two number of pages. */
function roundedPipeSize(size: number, page: number): number {
  const arg = size >>> 0;
  return arg < page ? page : 2 ** Math.ceil(Math.log2(arg));
}

function childKilled(sigpipe: 'default' | 'ignore'): Outcome {
  return sigpipe === 'default'
    ? ok(0, { detail: { exit: killedBy('SIGPIPE') } })
    : ok(0, { detail: { exit: exited(1), errnoSeen: 'EPIPE' } });
}

function childWriteCandidates(s: ModelState, index: number, step: Extract<Call, { op: 'child-write' }>, ctx: Ctx): Outcome[] {
  const exit0 = ok(0, { detail: { exit: exited(0) } });
  const killed = childKilled(step.sigpipe);
  const e = endOf(s, step.fd);
  const prefer: Outcome[] = [];
  if (e && e.ofd.end === 'w') {
    const data = payload(payloadTag(index), step.size);
    if (e.obj.readers === 0) prefer.push(killed);
    else if (predictedTransfer(s, e.obj, data, ctx) === data.length || readersBlockedOn(s, e.obj)) prefer.push(exit0, PENDING);
    else prefer.push(PENDING, exit0);
  }
  return [...prefer, exit0, killed, PENDING, EBADF];
}

function pipelineOutcome(index: number, step: Extract<Call, { op: 'pipeline' }>): Outcome {
  if (step.producer.kind === 'bytes') {
    return ok(0, { detail: { producerExit: exited(0), consumerExit: exited(0), output: producerBytes(index, step) } });
  }
  const lines = step.consumer.kind === 'head-lines' ? step.consumer.lines : 0;
  return ok(0, { detail: { producerExit: killedBy('SIGPIPE'), consumerExit: exited(0), output: new TextEncoder().encode('y\n'.repeat(lines)) } });
}

/** The writers' records one writer after another: the simplest interleaving that keeps each record whole. */
function concurrentOutcome(step: Extract<Call, { op: 'concurrent-writes' }>): Outcome {
  const parts: Uint8Array[] = [];
  for (let w = 0; w < step.writers; w++) for (let q = 0; q < step.records; q++) parts.push(record(w, q, step.size));
  const records = concat(parts);
  return ok(records.length, { detail: { records } });
}
