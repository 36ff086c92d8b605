// Mutants of capacity: blocking and refusing writers, waking them, splitting writes, F_GETPIPE_SZ/F_SETPIPE_SZ.
import type { Step } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { err, errOf, isOk, isRead, isWrite, mutant, ok, PIPE_BUF, rewrite, sizeOf, truncate, type Completion, type Hook } from './kit.ts';

/** {_POSIX_PIPE_BUF}: writes this small fit in any conforming pipe that is empty. */
const POSIX_PIPE_BUF = 512;
const PAGE = 4096;

/**
 * An unbuffered pipe for small writes: a blocking write of at most 512 bytes into an empty pipe
 * with no reader waiting hands its bytes over and then sleeps until a reader has taken data.
 */
const rendezvous = mutant(
  'pipe.full-pipe-blocks-writer',
  'a small blocking write into an empty pipe waits until a reader takes the data (a rendezvous, as if the pipe had no buffer)',
  (): Hook => {
    const held: Array<Completion & { pipe: number }> = [];
    return async (c) => {
      const s = c.step;
      const e = 'fd' in s ? c.view.end(s.fd) : undefined;
      const p = e && c.view.pipes.get(e.pipe);
      const n = sizeOf(s);
      const hold = isWrite(s) && !!p && e.end === 'w' && !e.nonblock && p.readers > 0 && n > 0 && n <= POSIX_PIPE_BUF
        && c.view.buffered(p) === 0 && c.view.pendingOn(p.id, 'read').length === 0;
      const out = await c.pass();
      if (hold && isOk(out)) {
        held.push({ step: c.index, outcome: out, pipe: p.id });
        return { kind: 'pending' };
      }
      const tookData = (step: Step, o: Outcome) => isRead(step) && isOk(o) && o.value > 0 && !!p && c.view.pipeOf(step.fd)?.id === p.id;
      if (tookData(s, out) || c.completed.some((k) => tookData(c.steps.get(k.step)!, k.outcome))) {
        for (let i = held.length - 1; i >= 0; i--) if (held[i].pipe === p!.id) c.completed.push(...held.splice(i, 1).map(({ step, outcome }) => ({ step, outcome })));
      }
      return out;
    };
  },
  { needsSettledTarget: 'the fault is a small write reported blocked: only a proof that it is asleep tells it from a write not returned yet' },
);

/** The split path of a large nonblocking write returns its byte count, 0 when nothing fitted. */
const zeroNotEagain = mutant(
  'pipe.nonblocking-write-when-full',
  'a nonblocking write larger than PIPE_BUF into a full pipe returns 0 instead of -1/EAGAIN',
  () => rewrite((out, step) => (isWrite(step) && sizeOf(step) > PIPE_BUF && errOf(out) === 'EAGAIN' ? ok(0) : out)),
);

/** A read that frees room forgets to wake the writer's wait queue. */
const readForgetsWriter = mutant(
  'pipe.read-wakes-blocked-writer',
  'a read that makes room does not wake the writer asleep on the full pipe (a missing wake_up on the write wait queue)',
  (): Hook => async (c) => {
    const out = await c.pass();
    if (!isRead(c.step)) return out;
    // a write that finished moving its bytes stays asleep: nobody woke it to return
    c.completed = c.completed.filter((k) => {
      const w = c.steps.get(k.step)!;
      return !(isWrite(w) && isOk(k.outcome) && k.outcome.value === sizeOf(w));
    });
    return out;
  },
  { needsSettledTarget: 'the fault is a write that stays blocked: only a proof that it is asleep tells it from a write not returned yet' },
);

/** Block size of the buffer in notAtomicNonblocking. */
const BLOCK = 512;

/**
 * The pipe buffer is a chain of 512-byte blocks, compacted to the front on every read. A
 * nonblocking write of at most PIPE_BUF bytes copies only up to the end of the block the data ends
 * in and returns that count; one that finds no room at all (EAGAIN) retries ever smaller prefixes.
 */
const notAtomicNonblocking = mutant(
  'pipe.nonblocking-small-write-all-or-nothing',
  'a nonblocking write of at most PIPE_BUF bytes is not all-or-nothing: it copies up to the end of the current 512-byte buffer block and returns that short count',
  (): Hook => async (c) => {
    const s = c.step;
    const e = 'fd' in s ? c.view.end(s.fd) : undefined;
    const p = e && c.view.pipes.get(e.pipe);
    const n = sizeOf(s);
    if (!isWrite(s) || !p || e.end !== 'w' || !e.nonblock || p.readers === 0 || n === 0 || n > PIPE_BUF) return c.pass();
    const held = c.view.buffered(p);
    const toBlockEnd = held === undefined ? n : BLOCK - (held % BLOCK);
    if (n > toBlockEnd) return c.pass(truncate(s, toBlockEnd));
    const out = await c.pass();
    if (errOf(out) !== 'EAGAIN') return out;
    for (let m = Math.floor(n / 2); m >= 1; m = Math.floor(m / 2)) {
      const prefix = await c.pass(truncate(s, m));
      if (isOk(prefix) && prefix.value > 0) return prefix;
    }
    return out;
  },
);

/** A byte-counting ring that refuses what it cannot take whole, whatever the size. */
const largeAllOrNothing = mutant(
  'pipe.large-write-may-split',
  'a nonblocking write larger than PIPE_BUF that does not fit whole fails with EAGAIN instead of writing what fits',
  (): Hook => async (c) => {
    const s = c.step;
    const e = 'fd' in s ? c.view.end(s.fd) : undefined;
    const p = e && c.view.pipes.get(e.pipe);
    const held = p && c.view.buffered(p);
    if (isWrite(s) && p && e.end === 'w' && e.nonblock && p.readers > 0 && held !== undefined && sizeOf(s) > PIPE_BUF && sizeOf(s) > p.capacity - held) return err('EAGAIN');
    return c.pass();
  },
);

/** F_GETPIPE_SZ answers with the ring size in slots. */
const sizeInPages = mutant(
  'pipe.capacity-query',
  'F_GETPIPE_SZ reports the capacity in pages (ring slots) instead of bytes',
  () => rewrite((out, step) => (step.op === 'get-pipe-size' && isOk(out) ? ok(out.value / PAGE) : out)),
);

/** F_SETPIPE_SZ reports the request rounded to whole pages, not the power-of-two size it set. */
const reportsPageRounding = mutant(
  'pipe.capacity-resize',
  'F_SETPIPE_SZ returns the requested size rounded up to whole pages instead of the power-of-two size it actually set',
  () => rewrite((out, step) => {
    if (step.op !== 'set-pipe-size' || !isOk(out)) return out;
    const arg = step.size >>> 0;
    return ok(Math.max(PAGE, Math.ceil(arg / PAGE) * PAGE));
  }),
);

export const PIPE_CAPACITY_MUTANTS = [rendezvous, zeroNotEagain, readForgetsWriter, notAtomicNonblocking, largeAllOrNothing, sizeInPages, reportsPageRounding] as const;
