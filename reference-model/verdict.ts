// What the model says about a trace.

export interface Violation {
  clause: string;
  /** Index into trace.events of the event that broke the clause. */
  event: number;
  step: number;
  observed: string;
  allowed: string;
}

export type Verdict =
  /** `undecided`: an unsettled trace allowed too many states to follow; what came before was judged and passed. */
  | { status: 'pass'; exercised: string[]; undecided?: string }
  | { status: 'fail'; violation: Violation; exercised: string[] }
  /** The target could not express a step (principle 7). */
  | { status: 'unsupported'; reason: string; exercised: string[] }
  /** The harness failed to observe, or the trace is outside what the model can judge. */
  | { status: 'error'; reason: string; exercised: string[] };
