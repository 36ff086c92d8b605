// What a target is: something that performs scenario steps and reports what it observed.
// A target never judges (docs/design.md, principle 3).
import type { Step } from './scenario.ts';
import type { Outcome } from './trace.ts';

export interface StepResult {
  /** The issued step's outcome once the target is quiescent ('pending' if it is blocked). */
  outcome: Outcome;
  /** Earlier blocked calls that completed while settling. */
  completed: Array<{ step: number; outcome: Outcome }>;
}

/** One scenario's worth of state on a target: its descriptors, temp dir, children, blocked calls. */
export interface Session {
  /**
   * Perform step `index` of the scenario. `data`, where the harness passes it (module targets, over the
   * driver protocol), is the payload a write, writev, send or child-write step writes (spec/payload.ts).
   */
  step(index: number, step: Step, data?: Uint8Array): Promise<StepResult>;
  /**
   * Release everything the session made, unblocking any blocked calls. Never throws: what it could not
   * undo (a call still blocked after everything was released) is its report, an error for the trace.
   */
  teardown(): Promise<TeardownReport | void>;
}

/** What a teardown could not undo: the trace then ends in an error outcome, the target's failure. */
export interface TeardownReport {
  error?: string;
}

/**
 * A target that cannot be made although its name is right: a compiler or a module build that fails, a
 * runtime that is missing. Exit 2 with this cause, never a usage error ("see --help" would mislead).
 */
export class TargetStartError extends Error {}

export interface TargetInfo {
  name: string;
  /** Human description: platform, kernel, runtime, wrapper. */
  description: string;
  /** True when quiescence is proven (every 'pending' is asleep in the kernel), not guessed. */
  settled: boolean;
  privileged: boolean;
}

export interface Target {
  info: TargetInfo;
  /** Why the target could not start (a driver that exited before its hello), if it could not: every scenario then errs with it. */
  readonly startError?: string;
  /**
   * Why a step would be reported unsupported without being run (a driver's undeclared op or feature),
   * where the target knows beforehand: wrappers that answer a step themselves (mutants) ask first.
   */
  cannotExpress?(step: Step): string | undefined;
  open(): Promise<Session>;
  dispose(): Promise<void>;
}
