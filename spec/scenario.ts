// The scenario vocabulary: what a generated test asks a target to do.
// A scenario is data (JSON-safe) so that it can be shrunk, saved and replayed.

/** A named thread of control. Calls of one actor run in order; a blocked call keeps its actor busy. */
export type Actor = string;
/** A scenario-level name for a file descriptor, e.g. "r0", "w0". */
export type Handle = string;
/** A path relative to the scenario's private temp dir, e.g. "f0" or "missing/f0". */
export type PathName = string;

/** Every way of making a pipe-like object; pipe properties range over all of them. */
export const PIPE_VARIANTS = ['pipe', 'pipe2-nonblock', 'fifo', 'fifo-nonblock'] as const;
export type PipeVariant = (typeof PIPE_VARIANTS)[number];

import type { SocketCall } from './socket-scenario.ts';

export type Step = { actor: Actor } & Call;

export type Call =
  /** Make a pipe-like object and open both ends (for FIFOs: mkfifo in the temp dir, then open). */
  | { op: 'make-pipe'; variant: PipeVariant; read: Handle; write: Handle }
  | { op: 'write'; fd: Handle; size: number }
  | { op: 'writev'; fd: Handle; sizes: number[] }
  | { op: 'read'; fd: Handle; size: number }
  | { op: 'readv'; fd: Handle; sizes: number[] }
  | { op: 'close'; fd: Handle }
  | { op: 'dup'; fd: Handle; as: Handle }
  | { op: 'set-nonblock'; fd: Handle; on: boolean }
  | { op: 'poll'; fd: Handle }
  | { op: 'get-pipe-size'; fd: Handle }
  | { op: 'set-pipe-size'; fd: Handle; size: number }
  | { op: 'mkfifo'; path: PathName }
  | { op: 'open'; path: PathName; as: Handle; mode: 'read' | 'write'; nonblock: boolean }
  | { op: 'unlink'; path: PathName }
  | { op: 'stat'; path: PathName }
  /** A child process inherits `fd` and writes `size` bytes of payload to it, then exits. */
  | { op: 'child-write'; fd: Handle; size: number; sigpipe: 'default' | 'ignore' }
  /** A child process inherits `fd` and copies everything it reads until EOF back to the harness. */
  | { op: 'child-read'; fd: Handle }
  /** `producer | consumer` as two real processes joined by a pipe made before spawning. */
  | { op: 'pipeline'; producer: Producer; consumer: Consumer }
  /** Truly concurrent writers (threads) each write `records` records of `size` bytes to `fd`; the harness drains `reader` to EOF. */
  | { op: 'concurrent-writes'; fd: Handle; reader: Handle; writers: number; records: number; size: number }
  | SocketCall;

export type Producer = { kind: 'bytes'; size: number; chunk: number } | { kind: 'yes' };
export type Consumer = { kind: 'cat' } | { kind: 'head-lines'; lines: number };

export interface Scenario {
  /** Human-readable name of the property that generated it. */
  property: string;
  steps: Step[];
}

export type Op = Call['op'];
