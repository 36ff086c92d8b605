// A counterexample ends at its violation: fast-check's shrinker can leave steps after the step that
// broke the clause (it removes steps one choice at a time, and a removal can re-bind later handles),
// and those steps only make the counterexample longer to read. The cut is re-run and re-judged: it
// is kept only when it still fails the same clause at the same step, so the file and the report,
// both made from the kept failure, agree.
import type { Profile } from '../spec/profile.ts';
import type { Scenario, Step } from '../spec/scenario.ts';
import type { Trace } from '../spec/trace.ts';
import { check } from '../reference-model/check.ts';
import type { Verdict } from '../reference-model/verdict.ts';
import { runScenario } from './run-scenario.ts';
import type { Target } from '../spec/target.ts';

type Fail = Extract<Verdict, { status: 'fail' }>;

/**
 * How many steps the violation needs: every step issued up to the event that broke the clause
 * (a step queued behind a blocked actor is issued late, so this is the highest step seen by then,
 * and the steps before it). Undefined when nothing can be cut.
 */
export function stepsNeeded(scenario: Scenario, trace: Trace, event: number): number | undefined {
  let last = -1;
  for (const e of trace.events.slice(0, event + 1)) if (e.type !== 'quiescent') last = Math.max(last, e.step);
  return last >= 0 && last + 1 < scenario.steps.length ? last + 1 : undefined;
}

export const cutScenario = (scenario: Scenario, steps: number): Scenario => ({ ...scenario, steps: scenario.steps.slice(0, steps) });

/** The same failure: the clause and the step that showed it (observed values may carry a port or path that differs run to run). */
export const sameFailure = (a: Fail, b: Verdict): boolean => b.status === 'fail' && b.violation.clause === a.violation.clause && b.violation.step === a.violation.step;

/** The failure cut right after its violation and re-judged, or the failure as it was when the cut does not fail the same way. */
export async function cutAtViolation<F extends { scenario: Scenario; trace: Trace; verdict: Verdict }>(f: F, target: Target, profile: Profile): Promise<F> {
  if (f.verdict.status !== 'fail') return f;
  const n = stepsNeeded(f.scenario, f.trace, f.verdict.violation.event);
  if (n === undefined) return f;
  const scenario = cutScenario(f.scenario, n);
  let trace: Trace;
  try {
    trace = await runScenario(target, scenario);
  } catch {
    return f; // a target that cannot run it again keeps the uncut one, which it did run
  }
  const verdict = check(scenario, trace, profile);
  return sameFailure(f.verdict, verdict) ? { ...f, scenario, trace, verdict } : f;
}

/** What a report says about a violation: where, what was observed, what is allowed. */
export function violationReason(v: Fail, trace: Trace): string {
  const where = trace.events[v.violation.event]?.type === 'quiescent' ? 'at quiescence' : `step ${v.violation.step + 1}`;
  return `${where}: observed ${v.violation.observed}; allowed ${v.violation.allowed}`;
}

/** Bytes a step moves or asks for: the second measure of a counterexample's size, after its steps. */
function stepBytes(s: Step): number {
  const x = s as unknown as Record<string, unknown>;
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Math.abs(v) : 0);
  const sizes = Array.isArray(x.sizes) ? x.sizes.reduce((a: number, v) => a + n(v), 0) : 0;
  // concurrent writes: every writer writes `records` records of `size` bytes
  return n(x.size) * Math.max(1, n(x.records)) * Math.max(1, n(x.writers)) + sizes;
}

/** Smaller counterexample first: fewer steps, then fewer bytes. */
export function compareSize(a: Scenario, b: Scenario): number {
  if (a.steps.length !== b.steps.length) return a.steps.length - b.steps.length;
  const bytes = (s: Scenario) => s.steps.reduce((t, x) => t + stepBytes(x), 0);
  return bytes(a) - bytes(b);
}
