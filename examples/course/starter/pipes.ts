// Lab 3 starter: a simulator of POSIX pipes and FIFOs, graded as a `module:` target.
// Fill in the TODOs. Grade yourself with
//   npx ipcspec grade --submission module:./pipes.ts --rubric examples/course/rubric.yaml --format text
//
// Rules of the game (see ../handout.md):
// - Keep everything this module needs in its own directory: the grader copies the directory into a
//   sandbox. `import type` from the repository is fine (it disappears at run time); any other import
//   from outside this directory is not.
// - Be deterministic: no Math.random, no timers, no real I/O. The same steps must give the same outcomes.
// - Report facts only. Every step gets an Outcome:
//     { kind: 'ok', value: 3 }                         a call that returned 3
//     { kind: 'ok', value: 3, data: bytes }            a read that returned these 3 bytes
//     { kind: 'err', errno: 'EAGAIN' }                 a call that failed (errno by NAME)
//     { kind: 'pending' }                              a call that blocks; report it later in `completed`
//     { kind: 'unsupported', reason: '...' }           a step you do not simulate (never a pass, never a fail)
import type { Session, StepResult, Target } from '../../../spec/target.ts';
import type { Step } from '../../../spec/scenario.ts';
import type { Outcome } from '../../../spec/trace.ts';

/** POSIX {PIPE_BUF}: writes of at most this many bytes are atomic (512 is the minimum POSIX allows). */
const PIPE_BUF = 512;
/** Bytes a pipe holds before writers block (at least PIPE_BUF; Linux has 64 KiB). */
const CAPACITY = 65536;

/** One pipe or FIFO. */
interface Pipe {
  /** Buffered bytes, oldest first. */
  chunks: Uint8Array[];
  buffered: number;
  /** How many open files (see OpenFile) refer to each end. */
  readers: number;
  writers: number;
  // TODO: what else does a FIFO need? (a blocked open waits for the other side to open)
}

/**
 * An open file description: what `dup` shares. Two handles made by dup name the SAME OpenFile, so
 * they share O_NONBLOCK, and the end is closed only when every handle to it is closed.
 */
interface OpenFile {
  pipe: Pipe;
  end: 'read' | 'write';
  nonblock: boolean;
  /** Handles (and blocked calls) that use it. */
  refs: number;
}

/** A call that blocked: what you need to finish it later. */
type Blocked =
  | { kind: 'read'; step: number; file: OpenFile; size: number }
  | { kind: 'write'; step: number; file: OpenFile; data: Uint8Array; written: number };
// TODO: a blocked FIFO open

const ok = (value: number, extra: { data?: Uint8Array } = {}): Outcome => ({ kind: 'ok', value, ...extra });
const err = (errno: string): Outcome => ({ kind: 'err', errno });
const PENDING: Outcome = { kind: 'pending' };
const unsupported = (what: string): Outcome => ({ kind: 'unsupported', reason: `not implemented yet: ${what}` });

class PipeSession implements Session {
  /** The scenario's handles ("r0", "w0", ...): an open file, or 'closed'. A handle never bound is absent (EBADF). */
  private fds = new Map<string, OpenFile | 'closed'>();
  /** FIFO names made by mkfifo. */
  private names = new Map<string, Pipe>();
  /** Blocked calls, oldest first. */
  private blocked: Blocked[] = [];

  /**
   * Perform step `index`. `data` is the bytes a write or writev writes (writev: its parts, concatenated).
   * Calls of different actors interleave: a call of actor R may block until a later step of actor W
   * (a write, a close, an open) lets it finish. Report such calls in `completed`.
   */
  async step(index: number, step: Step, data?: Uint8Array): Promise<StepResult> {
    let outcome = this.perform(index, step, data);
    const completed = this.settle();
    // If the call that just blocked was released by the settle, that completion is its outcome.
    const own = completed.findIndex((c) => c.step === index);
    if (own >= 0) outcome = completed.splice(own, 1)[0].outcome;
    return { outcome, completed };
  }

  async teardown(): Promise<void> {
    this.fds.clear();
    this.names.clear();
    this.blocked = [];
  }

  private perform(index: number, step: Step, data?: Uint8Array): Outcome {
    switch (step.op) {
      // Make a pipe and bind both handles. Variants: 'pipe', 'pipe2-nonblock' (both ends O_NONBLOCK),
      // 'fifo', 'fifo-nonblock' (a FIFO with no name anyone else can open, both ends open).
      case 'make-pipe': return unsupported('make-pipe'); // TODO
      case 'write': case 'writev': return unsupported('write'); // TODO: use `data`
      case 'read': case 'readv': return unsupported('read'); // TODO: readv's size is the sum of step.sizes
      case 'close': return unsupported('close'); // TODO
      case 'dup': return unsupported('dup'); // TODO: bind step.as to the same OpenFile
      case 'set-nonblock': return unsupported('set-nonblock'); // TODO: step.on
      // poll(fd, POLLIN|POLLOUT, 0): value = 1 if any bit is set else 0, and
      // detail: { revents: ['POLLIN', 'POLLOUT', 'POLLHUP', 'POLLERR', 'POLLNVAL'] } (the ones that are set).
      case 'poll': return unsupported('poll'); // TODO
      case 'mkfifo': return unsupported('mkfifo'); // TODO: a path with a '/' is in a directory that does not exist
      case 'open': return unsupported('open'); // TODO: step.mode 'read' | 'write', step.nonblock
      case 'unlink': return unsupported('unlink'); // TODO
      case 'stat': return unsupported('stat'); // TODO: ok(0) with detail: { type: 'fifo', size: 0 }
      // Part C (extension): 'socketpair' with dgram: true, 'send', 'recv' (see the handout).
      default:
        // Child processes, threads, sockets: not part of this lab.
        return { kind: 'unsupported', reason: `${step.op} is not part of this lab` };
    }
  }

  /**
   * Retry the blocked calls, oldest first, until none can make progress. Return those that finished,
   * each with its final outcome (and drop the references they held).
   */
  private settle(): Array<{ step: number; outcome: Outcome }> {
    // TODO
    return [];
  }
}

/** The module's default export: a function returning the Target. */
export default function makeTarget(): Target {
  return {
    info: {
      name: 'lab3',
      description: 'my pipe and FIFO simulator',
      settled: true, // a simulator knows exactly which calls are blocked
      privileged: false,
    },
    open: async () => new PipeSession(),
    dispose: async () => {},
  };
}

// Silence "unused" warnings until you use them.
void [PIPE_BUF, CAPACITY, ok, err, PENDING];
