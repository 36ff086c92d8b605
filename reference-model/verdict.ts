// What the model says about a trace.
import type { Blame, ClauseId } from '../spec/catalogue.ts';

export type { Blame };

export interface Violation {
  clause: Blame;
  /** Index into trace.events of the event that broke the clause. */
  event: number;
  step: number;
  observed: string;
  allowed: string;
}

export type Verdict =
  /** `undecided`: an unsettled trace allowed too many states to follow; what came before was judged and passed. */
  | { status: 'pass'; exercised: ClauseId[]; undecided?: string }
  | { status: 'fail'; violation: Violation; exercised: ClauseId[] }
  /** The target could not express a step (principle 7). */
  | { status: 'unsupported'; reason: string; exercised: ClauseId[] }
  /** The harness failed to observe, or the trace is outside what the model can judge. */
  | { status: 'error'; reason: string; exercised: ClauseId[] };
