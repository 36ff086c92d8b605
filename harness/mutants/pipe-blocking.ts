// Mutants of blocking, EOF and the no-reader case.
import { errOf, isOk, isRead, isWrite, mutant, ok, rewrite, sizeOf, withNonblock, type Hook } from './kit.ts';

const EOF = () => ok(0, { data: new Uint8Array(0) });

/** A runtime that keeps every descriptor O_NONBLOCK underneath and lets EAGAIN leak out of blocking reads. */
const readLeaksEagain = mutant(
  'pipe.read-blocks-while-writer-open',
  'a blocking read of an empty pipe fails with EAGAIN instead of waiting (the port polls the pipe nonblocking and leaks the EAGAIN)',
  (): Hook => async (c) => {
    const s = c.step;
    const e = 'fd' in s ? c.view.end(s.fd) : undefined;
    if (!isRead(s) || !e || e.end !== 'r' || e.nonblock || sizeOf(s) === 0) return c.pass();
    return withNonblock(c, s.fd, () => c.pass());
  },
);

/** The System V O_NDELAY convention: "no data" reads as 0, indistinguishable from EOF. */
const ndelayZero = mutant(
  'pipe.nonblocking-read-eagain',
  'a nonblocking read of an empty pipe returns 0 instead of -1/EAGAIN (the old O_NDELAY convention)',
  () => rewrite((out, step) => (isRead(step) && errOf(out) === 'EAGAIN' ? EOF() : out)),
);

/** The last close of the write end frees the buffer: readers see EOF at once and the data is gone. */
const closeDropsData = mutant(
  'pipe.eof-after-last-writer',
  'when the last write end closes the buffer is freed: reads return 0 at once and buffered data is lost',
  (): Hook => async (c) => {
    const s = c.step;
    const p = 'fd' in s ? c.view.pipeOf(s.fd) : undefined;
    const out = await c.pass();
    return isRead(s) && p && p.writers === 0 && isOk(out) && out.value > 0 ? EOF() : out;
  },
);

/** close() of the last writer forgets to wake the readers' wait queue. */
const closeForgetsWakeup = mutant(
  'pipe.last-writer-close-wakes-readers',
  'closing the last write end does not wake readers blocked on the empty pipe (a missing wake_up in release)',
  (): Hook => {
    // reads asleep when some close happened: their EOF is never delivered, in this settle or a later one
    // (an unsettled target may report the woken read a settle late)
    const unwoken = new Set<number>();
    return async (c) => {
      if (c.step.op === 'close') for (const [i, v] of c.view.pending) if (v.kind === 'read') unwoken.add(i);
      const out = await c.pass();
      c.completed = c.completed.filter((k) => !(unwoken.has(k.step) && isOk(k.outcome) && k.outcome.value === 0));
      return out;
    };
  },
  { needsSettledTarget: 'the fault is a read that stays blocked: only a proof that it is asleep tells it from a read not returned yet' },
);

/** A write with no reader pretends to succeed (the bytes are dropped), as a port without EPIPE would. */
const noEpipe = mutant(
  'pipe.epipe-when-no-reader',
  'a write to a pipe with no reader reports every byte written (and drops them) instead of failing with EPIPE',
  () => rewrite((out, step) => (isWrite(step) && errOf(out) === 'EPIPE' ? ok(sizeOf(step)) : out)),
);

/** The spawner leaves SIGPIPE ignored in every child, as runtimes that ignore it themselves often do. */
const childIgnoresSigpipe = mutant(
  'pipe.sigpipe-kills-writer',
  'children are spawned with SIGPIPE ignored (inherited from the runtime), so a writer with no reader gets EPIPE instead of dying',
  (): Hook => async (c) => (c.step.op === 'child-write' && c.step.sigpipe === 'default' ? c.pass({ ...c.step, sigpipe: 'ignore' }) : c.pass()),
);

export const PIPE_BLOCKING_MUTANTS = [readLeaksEagain, ndelayZero, closeDropsData, closeForgetsWakeup, noEpipe, childIgnoresSigpipe] as const;
