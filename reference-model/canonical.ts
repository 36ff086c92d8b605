// The model as a target: for each step, the first canonical candidate outcome (canonical/candidates.ts)
// that the model's own rules accept, followed by a settle in which every blocked call that the model
// says cannot still be blocked completes. What it reports is therefore a trace the checker must pass,
// which lets the model test itself: a step with no accepted candidate is a gap in the model.
import type { Step } from '../spec/scenario.ts';
import type { Outcome } from '../spec/trace.ts';
import { callCandidates, completionCandidates } from './canonical/candidates.ts';
import { OutOfScope, RuleViolation, type Ctx } from './context.ts';
import { showOutcome } from './describe.ts';
import { afterEvent, CALL_RULES, completed, stillBlocked } from './rules/index.ts';
import { cloneState, type ModelState, type Pending } from './state.ts';

export interface Completion { step: number; outcome: Outcome }

export interface CanonicalStep {
  /** The state after the step and the settle (the input state is never mutated). */
  state: ModelState;
  outcome: Outcome;
  /** Earlier blocked calls the step released, in the order the model applied them. */
  completed: Completion[];
}

/** Why a candidate was refused: kept to explain a step that has no allowed outcome. */
interface Refusal { candidate: string; why: string }

export function canonicalStep(state: ModelState, index: number, step: Step, ctx: Ctx): CanonicalStep {
  const refused: Refusal[] = [];
  let outOfScope: string | undefined;
  let candidates: Outcome[];
  try {
    candidates = dedupe(callCandidates(state, index, step, ctx));
  } catch (e) {
    return { state, outcome: failure(e, 'proposing outcomes'), completed: [] };
  }
  for (const outcome of candidates) {
    try {
      const s = cloneState(state);
      CALL_RULES[step.op](s, index, step.actor, step as never, outcome, ctx);
      afterEvent(s, ctx);
      const settled = settle(s, ctx, index);
      if (outcome.kind === 'pending' && settled.completed.some((c) => c.step === index)) return releasedAtOnce(state, index, step, ctx, settled);
      return { state: settled.state, outcome, completed: settled.completed };
    } catch (e) {
      if (e instanceof OutOfScope) outOfScope ??= e.message;
      else if (!(e instanceof Error)) throw e;
      refused.push({ candidate: showOutcome(outcome), why: e.message });
    }
  }
  if (outOfScope !== undefined) return { state, outcome: { kind: 'unsupported', reason: `outside the model: ${outOfScope}` }, completed: [] };
  const tried = refused.map((r) => `${r.candidate} (${r.why})`).join('; ');
  return { state, outcome: { kind: 'error', message: `model target: the model allows none of the canonical outcomes for step ${index} (${step.op}): ${tried}` }, completed: [] };
}

function failure(e: unknown, doing: string): Outcome {
  if (e instanceof OutOfScope) return { kind: 'unsupported', reason: `outside the model: ${e.message}` };
  if (e instanceof Error) return { kind: 'error', message: `model target: ${doing}: ${e.message}` };
  throw e;
}

/**
 * The call blocked and the same settle released it. A settled target reports that as the call's final
 * outcome plus the other completions (the host does), so report it the way check() will read it:
 * first as a call that returned at once, else as one that blocked and was released after the others.
 */
function releasedAtOnce(state: ModelState, index: number, step: Step, ctx: Ctx, settled: Settled): CanonicalStep {
  const own = settled.completed.find((c) => c.step === index)!;
  const others = settled.completed.filter((c) => c.step !== index);
  const direct = attempt(() => {
    const s = cloneState(state);
    CALL_RULES[step.op](s, index, step.actor, step as never, own.outcome, ctx);
    afterEvent(s, ctx);
    return applyCompletions(s, others, ctx);
  });
  // check() keeps the direct reading whenever it is allowed, so then the quiescent state must hold too.
  if (direct) return { state: quiescent(direct, ctx), outcome: own.outcome, completed: others };
  const late = attempt(() => {
    const s = cloneState(state);
    CALL_RULES[step.op](s, index, step.actor, step as never, { kind: 'pending' }, ctx);
    afterEvent(s, ctx);
    return quiescent(applyCompletions(s, [...others, own], ctx), ctx);
  });
  return { state: late ?? settled.state, outcome: own.outcome, completed: others };
}

interface Settled { state: ModelState; completed: Completion[] }

/**
 * Release every blocked call that the model says cannot still be blocked (stillBlocked rejects it),
 * one at a time, until the rest may all stay blocked; then apply the quiescent event as check() does.
 * Calls that may stay blocked do. `last` (the step just issued) is released only when nothing else
 * can be. Throws when a call must complete but no completion is allowed.
 */
function settle(start: ModelState, ctx: Ctx, last: number): Settled {
  let s = start;
  const done: Completion[] = [];
  // Oldest sleeper first, as a kernel wait queue wakes them (the pending map keeps blocking order).
  const order = (a: Pending, b: Pending) => Number(a.step === last) - Number(b.step === last);
  for (;;) {
    let stuck: RuleViolation | undefined;
    let progressed = false;
    for (const p of [...s.pending.values()].sort(order)) {
      const v = violationOf(() => stillBlocked(s, p, ctx));
      if (!v) continue;
      // A claimed call has already returned: it can only finish silently (pumpWriter), never complete again.
      const next = 'claimed' in p && p.claimed ? undefined : complete(s, p.step, ctx);
      if (next) {
        s = next.state;
        done.push({ step: p.step, outcome: next.outcome });
        progressed = true;
        break; // the state changed: look at every blocked call again
      }
      stuck ??= new RuleViolation(v.clause, `${v.observed}, and no completion is allowed either`, v.allowed);
    }
    if (!progressed) {
      if (stuck) throw stuck;
      break;
    }
  }
  return { state: quiescent(s, ctx), completed: done };
}

/** The quiescent event: every call still blocked is proven asleep. */
function quiescent(s: ModelState, ctx: Ctx): ModelState {
  const q = cloneState(s);
  for (const p of q.pending.values()) stillBlocked(q, p, ctx);
  afterEvent(q, ctx);
  return q;
}

function applyCompletions(s: ModelState, batch: Completion[], ctx: Ctx): ModelState {
  for (const c of batch) {
    const p = s.pending.get(c.step);
    if (!p) throw new RuleViolation('(model target)', `step ${c.step} completes`, 'it is not blocked');
    completed(s, p, c.outcome, ctx);
    afterEvent(s, ctx);
  }
  return s;
}

/** The state `f` builds, or undefined when a rule refuses it. */
function attempt(f: () => ModelState): ModelState | undefined {
  let out: ModelState | undefined;
  return violationOf(() => { out = f(); }) ? undefined : out;
}

/** The first completion of blocked call `step` that the model accepts, applied to a copy of `s`. */
function complete(s: ModelState, step: number, ctx: Ctx): { state: ModelState; outcome: Outcome } | undefined {
  for (const outcome of dedupe(completionCandidates(s, s.pending.get(step)!, ctx))) {
    const t = cloneState(s);
    const v = violationOf(() => {
      completed(t, t.pending.get(step)!, outcome, ctx);
      afterEvent(t, ctx);
    });
    if (!v) return { state: t, outcome };
  }
  return undefined;
}

function violationOf(f: () => void): RuleViolation | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    if (e instanceof RuleViolation) return e;
    throw e;
  }
}

function dedupe(outcomes: Outcome[]): Outcome[] {
  const seen = new Set<string>();
  return outcomes.filter((o) => {
    const key = o.kind === 'ok' ? `ok ${o.value} ${o.data?.length ?? '-'} ${JSON.stringify(o.detail ?? {}, (_k, v) => (v instanceof Uint8Array ? Array.from(v.subarray(0, 16)).concat(v.length) : v))}` : o.kind === 'err' ? `err ${o.errno}` : o.kind;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
