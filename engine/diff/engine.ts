// Differential runs: one fast-check property per suite property whose predicate runs each generated
// scenario on every target in turn and judges every trace with the model. Pass 1 explores (every run
// on every target, noting the first run that showed each kind of finding); pass 2 replays each
// chosen finding by its fast-check path and shrinks it with a predicate that holds only while the
// scenario still shows THAT finding (same clause split, or same observation key differing); then the
// minimal scenario is re-run a few times per target to tell behaviour from noise.
import fc from 'fast-check';
import type { Profile } from '../../spec/profile.ts';
import type { Scenario } from '../../spec/scenario.ts';
import type { Property } from '../../suites/property.ts';
import { propertySeed, type PropertyOutcome } from '../run-property.ts';
import type { Target } from '../../spec/target.ts';
import { cutScenario, sameFailure, stepsNeeded } from '../counterexample-cut.ts';
import { findingId, findingsOf, isDifference, judgeAll, narrow, selfSig, shows, verdictSig, type Finding, type Judged } from './judge.ts';

export interface DiffOptions {
  runs: number;
  seed: number;
  onRun?: (n: number) => void;
  interrupted?: () => boolean;
  /** Shrink at most this many verdict differences, and as many observation differences, per property. */
  maxDifferences?: number;
  /** Scenario evaluations (each on every compared target) one shrink may spend. */
  shrinkBudget?: number;
  /** And the time it may spend (ms): slow properties (TCP retransmission) shrink less, never hang a run. Only how far it shrinks depends on it. */
  shrinkTimeMs?: number;
  /** Re-runs of a minimal scenario per target before a difference counts as behaviour. */
  reruns?: number;
  /**
   * Findings already shrunk by an earlier property of this diff (findingId and the targets compared):
   * the same clause split, or the same observation key differing, is not shrunk twice; it is kept
   * unshrunk, for this property's own outcomes, as a duplicate.
   */
  shrunk?: Set<string>;
}

export interface ShrunkFinding {
  /** The finding as shrunk: between the two targets that showed it (see narrow()). */
  finding: Finding;
  /** Every target that could run the original scenario: the two above, and the others' runs of the minimal scenario. */
  sides: number[];
  difference: boolean;
  scenario: Scenario;
  judged: Map<number, Judged>;
  /** fast-check path of the shrunk case (seed + path regenerate it). */
  path?: string;
  /** The run (0-based) of pass 1 that first showed it. */
  run: number;
  /** Indexes of targets whose re-runs of the minimal scenario did not agree with themselves. */
  nondeterministic: number[];
  reruns: number;
  /** The replayed path did not show the finding again (the pass-1 scenario is kept, unshrunk). */
  unreproduced?: boolean;
  /** An earlier property already shrunk this finding: kept unshrunk, reported there. */
  duplicate?: boolean;
}

export interface PropertyDiff {
  property: Property;
  seed: number;
  /** One per target, index-aligned with the targets: what `ipcspec run` would have gathered. */
  outcomes: PropertyOutcome[];
  findings: ShrunkFinding[];
}

export async function diffProperty(prop: Property, targets: Target[], profile: Profile, o: DiffOptions): Promise<PropertyDiff> {
  const seed = propertySeed(o.seed, prop.name);
  const arb = prop.scenario(profile);
  const interrupted = () => !!o.interrupted?.();
  const outcomes: PropertyOutcome[] = targets.map(() => ({ property: prop, seed, runs: 0, exercised: new Map(), unsupported: 0 }));
  // A target that errs stops running this property (each further try could cost a full deadline); the others go on.
  const errors = new Map<number, { run: number; scenario: Scenario; judged: Judged }>();
  const first = new Map<string, { finding: Finding; run: number; scenario: Scenario; judged: Map<number, Judged> }>();
  let run = 0;
  await fc.check(
    fc.asyncProperty(arb, async (scenario) => {
      if (interrupted()) return true;
      const i = run++;
      const active = targets.map((_, t) => t).filter((t) => !errors.has(t));
      const judged = await judgeAll(targets, active, scenario, profile);
      for (const [t, j] of judged) {
        const out = outcomes[t];
        out.runs++;
        const v = j.verdict;
        if (v.status === 'pass') for (const c of v.exercised) out.exercised.set(c, (out.exercised.get(c) ?? 0) + 1);
        if (v.status === 'unsupported') { out.unsupported++; out.unsupportedReason ??= v.reason; }
        if (v.status === 'error') errors.set(t, { run: i, scenario, judged: j });
      }
      for (const f of findingsOf(scenario, judged, profile)) if (!first.has(findingId(f))) first.set(findingId(f), { finding: f, run: i, scenario, judged });
      o.onRun?.(run);
      return true;
    }),
    { numRuns: o.runs, seed },
  );

  // Which findings to shrink: verdict differences, then one failure per failing target not yet
  // covered (the matrix needs its counterexample), then observation differences.
  const all = [...first.values()].sort((a, b) => a.run - b.run);
  const max = o.maxDifferences ?? 4;
  const verdictDiffs = all.filter((x) => x.finding.kind === 'verdict' && isDifference(x.finding)).slice(0, max);
  // covered: target:clause pairs that have a shrunk counterexample (one failure never hides another)
  const pairs = (x: (typeof all)[number]) => (x.finding.kind === 'verdict' ? x.finding.failing.map((t) => `${t}:${(x.finding as { clause: string }).clause}`) : []);
  const covered = new Set(verdictDiffs.flatMap(pairs));
  const shared: typeof all = [];
  for (const x of all) {
    if (x.finding.kind !== 'verdict' || isDifference(x.finding) || pairs(x).every((k) => covered.has(k))) continue;
    shared.push(x);
    for (const k of pairs(x)) covered.add(k);
  }
  const observed = all.filter((x) => x.finding.kind === 'observation').slice(0, max);
  const findings: ShrunkFinding[] = [];
  for (const x of [...verdictDiffs, ...shared, ...observed]) {
    if (interrupted()) break;
    const id = `${findingId(x.finding)}@${x.finding.compared.join(',')}`;
    if (o.shrunk?.has(id)) {
      findings.push({ finding: x.finding, sides: x.finding.compared, difference: isDifference(x.finding), scenario: x.scenario, judged: x.judged, path: String(x.run), run: x.run, nondeterministic: [], reruns: 0, duplicate: true });
      continue;
    }
    o.shrunk?.add(id); // at once: a property diffed at the same time (--jobs) must not shrink it too
    const f = await shrink(x, targets, profile, arb, seed, o);
    if (f.nondeterministic.length) o.shrunk?.delete(id);
    findings.push(f);
  }

  // The matrix: each target's failures (shrunk, one per clause) and its error (not shrunk), in the order found.
  for (const [t, out] of outcomes.entries()) {
    const fails = (x: ShrunkFinding) => x.finding.kind === 'verdict' && !!x.judged.get(t) && verdictSig(x.judged.get(t)!.verdict) === `fail:${x.finding.clause}`;
    const list: (NonNullable<PropertyOutcome['failure']> & { run: number })[] = [];
    const seen = new Set<string>();
    for (const f of findings.filter(fails).sort((a, b) => a.run - b.run)) {
      const j = f.judged.get(t)!;
      const v = j.verdict as Extract<Judged['verdict'], { status: 'fail' }>;
      if (seen.has(v.violation.clause)) continue;
      seen.add(v.violation.clause);
      list.push({ scenario: f.scenario, trace: j.trace, verdict: v, path: f.path, runsToFailure: f.run + 1, run: f.run });
    }
    const e = errors.get(t);
    if (e) list.push({ scenario: e.scenario, trace: e.judged.trace, verdict: e.judged.verdict as Exclude<Judged['verdict'], { status: 'pass' }>, runsToFailure: e.run + 1, run: e.run });
    list.sort((a, b) => a.run - b.run);
    if (list.length) {
      out.failures = list.map(({ run: _run, ...f }) => f);
      out.failure = out.failures[0];
    }
  }
  return { property: prop, seed, outcomes, findings };
}

async function shrink(x: { finding: Finding; run: number; scenario: Scenario; judged: Map<number, Judged> }, targets: Target[], profile: Profile, arb: fc.Arbitrary<Scenario>, seed: number, o: DiffOptions): Promise<ShrunkFinding> {
  const f = narrow(x.finding, x.scenario, x.judged);
  const others = x.finding.compared.filter((t) => !f.compared.includes(t));
  const budget = o.shrinkBudget ?? 150;
  const until = performance.now() + (o.shrinkTimeMs ?? 5_000);
  let evals = 0;
  // A candidate a target erred on (a driver that hung until its deadline) ends the shrink: each further one could cost the same.
  let erred = false;
  let last: { scenario: Scenario; judged: Map<number, Judged> } | undefined;
  const r = await fc.check(
    fc.asyncProperty(arb, async (scenario) => {
      // Past the budget every candidate "passes": fast-check stops descending and keeps the smallest seen so far.
      if (o.interrupted?.() || erred || evals >= budget || (evals > 0 && performance.now() > until)) return true;
      evals++;
      const judged = await judgeAll(targets, f.compared, scenario, profile);
      if ([...judged.values()].some((j) => j.verdict.status === 'error')) { erred = true; return true; }
      if (!shows(f, scenario, judged, profile)) return true;
      last = { scenario, judged };
      return false;
    }),
    { seed, path: String(x.run), numRuns: 1, endOnFailure: false },
  );
  let kept = last ? { scenario: last.scenario, judged: new Map(last.judged) } : { scenario: x.scenario, judged: x.judged };
  if (last && !o.interrupted?.()) kept = await cutVerdictFinding(f, kept, targets, profile);
  // The other targets, for comparison: what they do on the minimal scenario.
  if (last) for (const [t, j] of await judgeAll(targets, others, kept.scenario, profile)) kept.judged.set(t, j);
  // Noise: a target that does not reproduce its own result on the minimal scenario is nondeterministic there.
  const reruns = o.reruns ?? 5;
  // The two targets that show it re-run `reruns` times, the others twice; a target stops at its first disagreement.
  const nondeterministic: number[] = [];
  const want = new Map([...f.compared, ...others].map((t) => [t, selfSig(f, kept.scenario, kept.judged.get(t)!)]));
  for (let k = 0; k < reruns && !o.interrupted?.(); k++) {
    const round = [...want.keys()].filter((t) => !nondeterministic.includes(t) && (f.compared.includes(t) || k < 2));
    if (!round.length) break;
    for (const [t, again] of await judgeAll(targets, round, kept.scenario, profile)) {
      if (selfSig(f, kept.scenario, again) !== want.get(t)) nondeterministic.push(t);
    }
    if (nondeterministic.length) break; // noise is shown; more re-runs would not make it behaviour
  }
  return {
    finding: f, sides: [...f.compared, ...others].sort((a, b) => a - b), difference: isDifference(f), scenario: kept.scenario, judged: kept.judged, path: last ? (r.counterexamplePath ?? undefined) : String(x.run),
    run: x.run, nondeterministic, reruns, unreproduced: !last || undefined,
  };
}

/**
 * A verdict difference ends at its violation, as a run's counterexample does (engine/counterexample-cut.ts):
 * the steps after the last failing target's violating step are cut, and the cut is kept only if it
 * still shows the finding, each failing target failing the same clause at the same step.
 */
async function cutVerdictFinding(f: Finding, kept: { scenario: Scenario; judged: Map<number, Judged> }, targets: Target[], profile: Profile): Promise<{ scenario: Scenario; judged: Map<number, Judged> }> {
  if (f.kind !== 'verdict') return kept;
  const failing = f.failing.filter((t) => f.compared.includes(t));
  const needed = failing.map((t) => {
    const v = kept.judged.get(t)?.verdict;
    return v?.status === 'fail' ? stepsNeeded(kept.scenario, kept.judged.get(t)!.trace, v.violation.event) : undefined;
  });
  if (!needed.length || needed.some((n) => n === undefined)) return kept;
  const scenario = cutScenario(kept.scenario, Math.max(...(needed as number[])));
  const judged = await judgeAll(targets, f.compared, scenario, profile);
  const same = failing.every((t) => sameFailure(kept.judged.get(t)!.verdict as Extract<Judged['verdict'], { status: 'fail' }>, judged.get(t)!.verdict));
  return same && shows(f, scenario, judged, profile) ? { scenario, judged } : kept;
}
