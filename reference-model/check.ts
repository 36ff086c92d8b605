// The trace checker: (state, event) -> next state | violation, over a whole trace.
// Completions observed in one settle batch happened in an order the harness cannot see, so the
// checker accepts the batch if any order of it is allowed.
import type { Profile } from '../spec/profile.ts';
import type { Scenario } from '../spec/scenario.ts';
import type { Trace, TraceEvent } from '../spec/trace.ts';
import { Ctx, OutOfScope, RuleViolation } from './context.ts';
import { afterEvent, CALL_RULES, completed, stillBlocked } from './rules/index.ts';
import { cloneState, initialState, type ModelState } from './state.ts';
import type { Verdict } from './verdict.ts';

const MAX_PERMUTED = 6;

export function check(scenario: Scenario, trace: Trace, profile: Profile): Verdict {
  const ctx = new Ctx(profile, trace.settled, trace.privileged);
  const exercised = () => [...ctx.exercised].sort();
  let state = initialState();
  const ev = trace.events;
  let i = 0;
  try {
    while (i < ev.length) {
      const e = ev[i];
      if (e.type === 'call' && (e.outcome.kind === 'unsupported' || e.outcome.kind === 'error')) {
        const why = e.outcome.kind === 'unsupported' ? e.outcome.reason : e.outcome.message;
        return { status: e.outcome.kind, reason: `step ${e.step} (${scenario.steps[e.step]?.op}): ${why}`, exercised: exercised() };
      }
      if (e.type === 'complete') {
        let j = i;
        while (j < ev.length && ev[j].type === 'complete') j++;
        state = applyBatch(state, ev.slice(i, j) as Completion[], i, ctx);
        i = j;
        continue;
      }
      const next = cloneState(state);
      if (e.type === 'call') {
        const step = scenario.steps[e.step];
        if (!step) throw new OutOfScope(`trace names step ${e.step}, which the scenario does not have`);
        CALL_RULES[step.op](next, e.step, e.actor, step as never, e.outcome, ctx);
      } else if (trace.settled) {
        for (const p of next.pending.values()) stillBlocked(next, p, ctx);
      }
      afterEvent(next, ctx);
      state = next;
      i++;
    }
  } catch (err) {
    if (err instanceof RuleViolation) {
      const at = err instanceof BatchViolation ? err.event : i;
      const e = ev[at];
      const step = e.type === 'quiescent' ? -1 : e.step;
      return { status: 'fail', violation: { clause: err.clause, event: at, step, observed: err.observed, allowed: err.allowed }, exercised: exercised() };
    }
    if (err instanceof OutOfScope) return { status: 'error', reason: `outside the model: ${err.message}`, exercised: exercised() };
    return { status: 'error', reason: `model could not process the trace: ${(err as Error).message}`, exercised: exercised() };
  }
  return { status: 'pass', exercised: exercised() };
}

type Completion = Extract<TraceEvent, { type: 'complete' }>;

class BatchViolation extends RuleViolation {
  constructor(v: RuleViolation, readonly event: number) {
    super(v.clause, v.observed, v.allowed);
  }
}

function applyBatch(state: ModelState, batch: Completion[], firstIndex: number, ctx: Ctx): ModelState {
  let first: BatchViolation | undefined;
  for (const order of orders(batch.length)) {
    const s = cloneState(state);
    let k = 0;
    try {
      for (k = 0; k < order.length; k++) {
        const c = batch[order[k]];
        const p = s.pending.get(c.step);
        if (!p) throw new OutOfScope(`step ${c.step} completed but was not blocked`);
        completed(s, p, c.outcome, ctx);
        afterEvent(s, ctx);
      }
      return s;
    } catch (err) {
      if (!(err instanceof RuleViolation)) throw err;
      first ??= new BatchViolation(err, firstIndex + order[k]);
    }
  }
  throw first!;
}

/** All orders of n items (identity first); only the identity beyond MAX_PERMUTED. */
function* orders(n: number): Generator<number[]> {
  const id = Array.from({ length: n }, (_, i) => i);
  if (n > MAX_PERMUTED) { yield id; return; }
  function* perm(rest: number[], acc: number[]): Generator<number[]> {
    if (rest.length === 0) { yield acc; return; }
    for (let i = 0; i < rest.length; i++) yield* perm([...rest.slice(0, i), ...rest.slice(i + 1)], [...acc, rest[i]]);
  }
  yield* perm(id, []);
}
