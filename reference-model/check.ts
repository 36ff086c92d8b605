// The trace checker: (state, event) -> next state | violation, over a whole trace. A settled trace
// has one state at each point; an unsettled one is judged by every state consistent with it (unsettled.ts).
// Completions observed in one settle batch happened in an order the harness cannot see, so the
// checker accepts the batch if any order of it is allowed.
import type { ClauseId } from '../spec/catalogue.ts';
import type { Profile } from '../spec/profile.ts';
import type { Scenario } from '../spec/scenario.ts';
import type { Trace, TraceEvent } from '../spec/trace.ts';
import { Ctx, OutOfScope, outOfScopeReason, RuleViolation } from './context.ts';
import { afterEvent, CALL_RULES, completed, stillBlocked } from './rules/index.ts';
import { cloneState, initialState, type ModelState } from './state.ts';
import { checkUnsettled } from './unsettled.ts';
import type { Verdict } from './verdict.ts';

const MAX_PERMUTED = 6;

export function check(scenario: Scenario, trace: Trace, profile: Profile): Verdict {
  const ctx = new Ctx(profile, trace.settled, trace.privileged);
  const exercised = () => [...ctx.exercised].sort();
  let state = initialState();
  const malformed = wellFormed(scenario, trace);
  if (malformed) return { status: 'error', reason: `malformed trace: ${malformed}`, exercised: [] };
  let i = 0;
  // Judge the trace up to the first event the target could not observe; a violation before it still fails.
  const cut = trace.events.findIndex((e) => e.type !== 'quiescent' && (e.outcome.kind === 'unsupported' || e.outcome.kind === 'error'));
  const ev = cut < 0 ? trace.events : trace.events.slice(0, cut);
  if (!trace.settled) {
    const v = checkUnsettled(scenario, ev, ctx);
    if (v) return v;
    return cutVerdict(scenario, trace, cut, exercised()) ?? endVerdict(trace, exercised());
  }
  try {
    while (i < ev.length) {
      const e = ev[i];
      if (e.type === 'complete') {
        let j = i;
        while (j < ev.length && ev[j].type === 'complete') j++;
        state = applyBatch(state, ev.slice(i, j) as Completion[], i, ctx);
        i = j;
        continue;
      }
      if (e.type === 'call') {
        let j = i + 1;
        while (j < ev.length && ev[j].type === 'complete') j++;
        state = applyCallAndBatch(state, e, ev.slice(i + 1, j) as Completion[], i, scenario, ctx);
        i = j;
        continue;
      }
      for (const p of state.pending.values()) stillBlocked(state, p, ctx);
      afterEvent(state, ctx);
      i++;
    }
  } catch (err) {
    if (err instanceof RuleViolation) {
      const at = err instanceof BatchViolation ? err.event : i;
      const e = ev[at];
      const step = e.type === 'quiescent' ? -1 : e.step;
      return { status: 'fail', violation: { clause: err.clause, event: at, step, observed: err.observed, allowed: err.allowed }, exercised: exercised() };
    }
    if (err instanceof OutOfScope) return { status: 'error', reason: outOfScopeReason(err), exercised: exercised() };
    return { status: 'error', reason: `model could not process the trace: ${(err as Error).message}`, exercised: exercised() };
  }
  return cutVerdict(scenario, trace, cut, exercised()) ?? endVerdict(trace, exercised());
}

/** A trace that conforms, unless the target could not undo it at the end: that is the target's error, not a pass. */
function endVerdict(trace: Trace, exercised: ClauseId[]): Verdict {
  if (trace.teardownError) return { status: 'error', reason: `the target could not end the scenario: ${trace.teardownError}`, exercised };
  return { status: 'pass', exercised };
}

/** A trace cut at an event the target could not observe: that event's status, once nothing before it failed. */
function cutVerdict(scenario: Scenario, trace: Trace, cut: number, exercised: ClauseId[]): Verdict | undefined {
  if (cut < 0) return undefined;
  const e = trace.events[cut] as Exclude<TraceEvent, { type: 'quiescent' }>;
  const o = e.outcome as Extract<TraceEvent, { type: 'call' }>['outcome'] & { kind: 'unsupported' | 'error' };
  const why = o.kind === 'unsupported' ? o.reason : o.message;
  return { status: o.kind, reason: `step ${e.step + 1} (${scenario.steps[e.step]?.op}): ${why}`, exercised };
}

/** A target speaking nonsense (a call issued twice, a completion of a call that never blocked) is an error, not a verdict. */
function wellFormed(scenario: Scenario, trace: Trace): string | undefined {
  const issued = new Set<number>();
  const blocked = new Set<number>();
  for (const e of trace.events) {
    if (e.type === 'quiescent') continue;
    if (!Number.isInteger(e.step) || !scenario.steps[e.step]) return `event names step ${e.step}, which the scenario does not have`;
    if (e.type === 'call') {
      if (issued.has(e.step)) return `step ${e.step + 1} was issued twice`;
      issued.add(e.step);
      if (e.outcome.kind === 'pending') blocked.add(e.step);
    } else {
      if (!blocked.has(e.step)) return `step ${e.step + 1} completed although it was not blocked`;
      blocked.delete(e.step);
    }
  }
  return undefined;
}

type Completion = Extract<TraceEvent, { type: 'complete' }>;
type CallEvent = Extract<TraceEvent, { type: 'call' }>;

/** `inPlace`: nothing will need the old state again (no alternative reading to try), so skip the copy. */
function applyCall(state: ModelState, e: CallEvent, scenario: Scenario, ctx: Ctx, outcome = e.outcome, inPlace = false): ModelState {
  const step = scenario.steps[e.step];
  if (!step) throw new OutOfScope(`trace names step ${e.step}, which the scenario does not have`);
  const next = inPlace ? state : cloneState(state);
  CALL_RULES[step.op](next, e.step, e.actor, step as never, outcome, ctx);
  afterEvent(next, ctx);
  return next;
}

/**
 * A call that returned during a settle in which other blocked calls completed may itself have
 * blocked briefly and been released by them: if the straightforward reading is refused, accept
 * "it blocked, then completed somewhere in that batch" when the rules allow it to block.
 */
function applyCallAndBatch(state: ModelState, e: CallEvent, batch: Completion[], at: number, scenario: Scenario, ctx: Ctx): ModelState {
  if (batch.length === 0) return applyCall(state, e, scenario, ctx, e.outcome, true);
  try {
    return applyBatch(applyCall(state, e, scenario, ctx), batch, at + 1, ctx);
  } catch (err) {
    if (!(err instanceof RuleViolation) || batch.length === 0 || e.outcome.kind === 'pending') throw err;
    let blocked: ModelState;
    try {
      blocked = applyCall(state, e, scenario, ctx, { kind: 'pending' });
    } catch {
      // It cannot have blocked here (a rule refuses it, or the call never blocks): the straightforward reading's violation stands.
      throw err instanceof BatchViolation ? err : new BatchViolation(err, at);
    }
    // The call may block here, so its completion inside the batch is the better explanation to report.
    return applyBatch(blocked, [...batch, { type: 'complete', step: e.step, actor: e.actor, outcome: e.outcome }], at + 1, ctx, at);
  }
}

class BatchViolation extends RuleViolation {
  constructor(v: RuleViolation, readonly event: number) {
    super(v.clause, v.observed, v.allowed);
  }
}

/** `lastIndex`: event index to blame for the batch's last element (the synthetic completion of a call). */
function applyBatch(state: ModelState, batch: Completion[], firstIndex: number, ctx: Ctx, lastIndex?: number): ModelState {
  if (batch.length === 0) return state;
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
      const idx = lastIndex !== undefined && order[k] === batch.length - 1 ? lastIndex : firstIndex + order[k];
      first ??= new BatchViolation(err, idx);
    }
  }
  throw first!;
}

/** All orders of n items (identity first); only the identity beyond MAX_PERMUTED. */
function* orders(n: number): Generator<number[]> {
  const id = Array.from({ length: n }, (_, i) => i);
  if (n <= 1 || n > MAX_PERMUTED) { yield id; return; }
  function* perm(rest: number[], acc: number[]): Generator<number[]> {
    if (rest.length === 0) { yield acc; return; }
    for (let i = 0; i < rest.length; i++) yield* perm([...rest.slice(0, i), ...rest.slice(i + 1)], [...acc, rest[i]]);
  }
  yield* perm(id, []);
}
