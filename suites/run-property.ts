// Run one property against a target under a profile: generate, execute, check, shrink.
import fc from 'fast-check';
import type { Profile } from '../spec/profile.ts';
import type { Scenario } from '../spec/scenario.ts';
import type { Trace } from '../spec/trace.ts';
import { check } from '../reference-model/check.ts';
import type { Verdict } from '../reference-model/verdict.ts';
import { runScenario } from '../harness/runner.ts';
import type { Target } from '../harness/target.ts';
import type { Property } from './property.ts';

export interface Failure {
  scenario: Scenario;
  trace: Trace;
  verdict: Exclude<Verdict, { status: 'pass' }>;
  /** fast-check's replay path to the shrunk case. */
  path?: string;
  /** Runs executed before the first failure. */
  runsToFailure: number;
}

export interface PropertyOutcome {
  property: Property;
  seed: number;
  runs: number;
  /** How many runs exercised each clause (from passing scenarios). */
  exercised: Map<string, number>;
  unsupported: number;
  unsupportedReason?: string;
  /** With `focus`: scenarios set aside because they broke another clause first, by that clause. */
  preempted?: Map<string, number>;
  failure?: Failure;
}

export interface RunOptions {
  runs: number;
  seed: number;
  onRun?: (n: number) => void;
  interrupted?: () => boolean;
  /**
   * Judge only this clause (the grader's per-clause view): a scenario that breaks another clause first
   * is set aside (counted in `preempted`), neither pass nor fail, and shrinking keeps to this clause.
   */
  focus?: string;
}

/** Per-property seeds derive from the run seed and the property name: --only replays the same scenarios. */
export function propertySeed(seed: number, name: string): number {
  let h = seed | 0;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h >>> 0;
}

export async function runProperty(prop: Property, target: Target, profile: Profile, o: RunOptions): Promise<PropertyOutcome> {
  const seed = propertySeed(o.seed, prop.name);
  const out: PropertyOutcome = { property: prop, seed, runs: 0, exercised: new Map(), unsupported: 0, preempted: new Map() };
  // fast-check's final counterexample is the last failing evaluation during shrinking: keep its trace.
  let lastFailing: { scenario: Scenario; trace: Trace; verdict: Exclude<Verdict, { status: 'pass' }> } | undefined;
  let firstFailureAt = 0;
  // An error (harness or out of scope) is not shrunk: each try could cost a full deadline, and the
  // first erroring scenario is already a replayable reproduction.
  let errored = false;
  const predicate = async (scenario: Scenario): Promise<boolean> => {
    if (errored || o.interrupted?.()) return true;
    const trace = await runScenario(target, scenario);
    const verdict = check(scenario, trace, profile);
    if (verdict.status === 'pass') {
      for (const c of verdict.exercised) out.exercised.set(c, (out.exercised.get(c) ?? 0) + 1);
      return true;
    }
    if (verdict.status === 'unsupported') {
      out.unsupported++;
      out.unsupportedReason ??= verdict.reason;
      return true;
    }
    if (verdict.status === 'fail' && o.focus !== undefined && verdict.violation.clause !== o.focus) {
      const other = verdict.violation.clause;
      out.preempted!.set(other, (out.preempted!.get(other) ?? 0) + 1);
      return true;
    }
    lastFailing = { scenario, trace, verdict };
    if (verdict.status === 'error') errored = true;
    return false;
  };
  let counted = 0;
  const result = await fc.check(
    fc.asyncProperty(prop.scenario(profile), async (sc) => {
      const ok = await predicate(sc);
      if (!firstFailureAt) { counted++; o.onRun?.(counted); }
      if (!ok && !firstFailureAt) firstFailureAt = counted;
      return ok;
    }),
    { numRuns: o.runs, seed, endOnFailure: false },
  );
  out.runs = firstFailureAt || result.numRuns;
  if (result.failed && lastFailing) {
    out.failure = { ...lastFailing, path: result.counterexamplePath ?? undefined, runsToFailure: firstFailureAt };
  } else if (result.failed) {
    const reason = `property threw: ${String(result.errorInstance ?? 'unknown error')}`;
    out.failure = { scenario: (result.counterexample?.[0] as Scenario) ?? { property: prop.name, steps: [] }, trace: { target: target.info.name, settled: false, privileged: false, events: [] }, verdict: { status: 'error', reason, exercised: [] }, runsToFailure: firstFailureAt };
  }
  return out;
}
