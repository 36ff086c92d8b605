// Run one property against a target under a profile: generate, execute, check, shrink.
import type { Blame, ClauseId } from '../spec/catalogue.ts';
import fc from 'fast-check';
import type { Profile } from '../spec/profile.ts';
import type { Scenario } from '../spec/scenario.ts';
import type { Trace } from '../spec/trace.ts';
import { check } from '../reference-model/check.ts';
import type { Verdict } from '../reference-model/verdict.ts';
import { runScenario } from './run-scenario.ts';
import type { Target } from '../spec/target.ts';
import { cutAtViolation } from './counterexample-cut.ts';
import type { Property } from '../suites/property.ts';

export interface Failure {
  scenario: Scenario;
  trace: Trace;
  verdict: Exclude<Verdict, { status: 'pass' }>;
  /** fast-check's replay path to the shrunk case. */
  path?: string;
  /** Runs of the property executed up to this failure. */
  runsToFailure: number;
  /** The fast-check seed its path belongs to (a failure after the first comes from a derived seed). */
  seed?: number;
}

export interface PropertyOutcome {
  property: Property;
  seed: number;
  runs: number;
  /** How many runs exercised each clause (from passing scenarios). */
  exercised: Map<ClauseId, number>;
  unsupported: number;
  unsupportedReason?: string;
  /** Scenarios set aside because they broke another clause first (one already failed, or not `focus`), by that clause. */
  preempted?: Map<Blame, number>;
  /** The first failure (or error). */
  failure?: Failure;
  /** Every failure, one per failed clause, in the order found (an error ends the list). */
  failures?: Failure[];
  /** Unsettled targets: passing scenarios the model could judge only in part (reference-model/unsettled.ts). */
  undecided?: number;
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
  /**
   * Stop at the first failing scenario, unshrunk and uncut: for a caller that needs only whether a
   * property fails and on which clause (the mutant-kill test), not a counterexample to show.
   */
  firstFailureOnly?: boolean;
}

/** Per-property seeds derive from the run seed and the property name: --only replays the same scenarios. */
export function propertySeed(seed: number, name: string): number {
  let h = seed | 0;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h >>> 0;
}

export async function runProperty(prop: Property, target: Target, profile: Profile, o: RunOptions): Promise<PropertyOutcome> {
  const seed = propertySeed(o.seed, prop.name);
  const out: PropertyOutcome = { property: prop, seed, runs: 0, exercised: new Map(), unsupported: 0, preempted: new Map(), failures: [] };
  // One failure never hides another (docs/design.md, principle 11): after a clause fails, the property goes on
  // with the runs left, on a derived seed, and scenarios that break a clause already failed are set
  // aside (counted in `preempted`), until the run count is spent. The grader's `focus` is the same
  // with every other clause set aside from the start.
  const failed = new Set<string>();
  for (let round = 0; out.runs < o.runs && !o.interrupted?.(); round++) {
    const r = await runRound(prop, target, profile, o, round === 0 ? seed : propertySeed(seed + round, prop.name), o.runs - out.runs, failed, out);
    out.runs += r.runs;
    if (!r.failure) break;
    // steps the shrinker left after the violation are cut (and the cut re-judged): see counterexample-cut.ts
    if (!o.interrupted?.() && !o.firstFailureOnly) r.failure = await cutAtViolation(r.failure, target, profile);
    r.failure.runsToFailure += out.runs - r.runs;
    out.failures!.push(r.failure);
    out.failure ??= r.failure;
    const v = r.failure.verdict;
    // an error (harness or out of scope) ends the property: each further try could cost a full deadline
    if (v.status !== 'fail' || o.focus !== undefined || o.firstFailureOnly) break;
    failed.add(v.violation.clause);
  }
  return out;
}

/** One fast-check run of at most `runs` scenarios; a scenario breaking a clause in `failed` is set aside. */
async function runRound(prop: Property, target: Target, profile: Profile, o: RunOptions, seed: number, runs: number, failed: Set<string>, out: PropertyOutcome): Promise<{ runs: number; failure?: Failure }> {
  // fast-check's final counterexample is the last failing evaluation during shrinking: keep its trace.
  let lastFailing: { scenario: Scenario; trace: Trace; verdict: Exclude<Verdict, { status: 'pass' }> } | undefined;
  let firstFailureAt = 0;
  // The clause this round shrinks on: once a scenario broke it, a shrink that breaks another instead is set aside.
  let clause = o.focus;
  // An error (harness or out of scope) is not shrunk: each try could cost a full deadline, and the
  // first erroring scenario is already a replayable reproduction.
  let errored = false;
  const predicate = async (scenario: Scenario): Promise<boolean> => {
    if (errored || o.interrupted?.()) return true;
    const trace = await runScenario(target, scenario);
    const verdict = check(scenario, trace, profile);
    if (verdict.status === 'pass') {
      if (!firstFailureAt) for (const c of verdict.exercised) out.exercised.set(c, (out.exercised.get(c) ?? 0) + 1);
      if (verdict.undecided && !firstFailureAt) out.undecided = (out.undecided ?? 0) + 1;
      return true;
    }
    if (verdict.status === 'unsupported') {
      if (!firstFailureAt) { out.unsupported++; out.unsupportedReason ??= verdict.reason; }
      return true;
    }
    if (verdict.status === 'fail' && (failed.has(verdict.violation.clause) || (clause !== undefined && verdict.violation.clause !== clause))) {
      const other = verdict.violation.clause;
      if (!firstFailureAt) out.preempted!.set(other, (out.preempted!.get(other) ?? 0) + 1);
      return true;
    }
    if (verdict.status === 'fail') clause ??= verdict.violation.clause;
    lastFailing = { scenario, trace, verdict };
    if (verdict.status === 'error') errored = true;
    return false;
  };
  let counted = 0;
  const result = await fc.check(
    fc.asyncProperty(prop.scenario(profile), async (sc) => {
      const ok = await predicate(sc);
      if (!firstFailureAt) { counted++; o.onRun?.(out.runs + counted); }
      if (!ok && !firstFailureAt) firstFailureAt = counted;
      return ok;
    }),
    { numRuns: runs, seed, endOnFailure: o.firstFailureOnly ?? false },
  );
  const used = firstFailureAt || result.numRuns;
  if (result.failed && lastFailing) return { runs: used, failure: { ...lastFailing, path: result.counterexamplePath ?? undefined, runsToFailure: firstFailureAt, seed } };
  if (result.failed) {
    const reason = `property threw: ${String(result.errorInstance ?? 'unknown error')}`;
    return { runs: used, failure: { scenario: (result.counterexample?.[0] as Scenario) ?? { property: prop.name, steps: [] }, trace: { target: target.info.name, settled: false, privileged: false, events: [] }, verdict: { status: 'error', reason, exercised: [] }, runsToFailure: firstFailureAt, seed } };
  }
  return { runs: used };
}
