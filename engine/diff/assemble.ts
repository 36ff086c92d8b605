// The differences of a diff run as report entries: one Difference per shrunk difference, and one
// counterexample file per compared target (the minimal scenario run on that target, which
// `ipcspec replay FILE --target T` re-runs).
import { clause as clauseById, isClauseId, type Blame, type ClauseId } from '../../spec/catalogue.ts';
import type { ProfileName } from '../../spec/clause.ts';
import type { Profile } from '../../spec/profile.ts';
import { SCHEMA_VERSION, type Counterexample, type Difference, type TargetDescription } from '../../spec/report.ts';
import type { Scenario } from '../../spec/scenario.ts';
import type { Trace } from '../../spec/trace.ts';
import type { Verdict } from '../../reference-model/verdict.ts';
import { clausesAt } from './attribute.ts';
import type { PropertyDiff, ShrunkFinding } from './engine.ts';
import { compareObservations, observe } from './observe.ts';
import { describeStep } from '../../spec/step-text.ts';
import { differenceFile } from '../../spec/report-files.ts';


export interface DiffAssembleInput {
  diffs: PropertyDiff[];
  targets: TargetDescription[];
  /** The run's clauses (profile ∩ --only): observation differences are filed under these. */
  clauses: ClauseId[];
  profile: Profile;
  replayCmd: (file: string, target: string) => string;
}

/** What a target did at `step` (normalised), or at quiescence. */
function resultAt(scenario: Scenario, trace: Trace, step: number | undefined): { value: string; event?: number } {
  if (step === undefined) return { value: 'at quiescence' };
  const o = observe(scenario, trace).find((x) => x.step === step && x.aspect === 'result');
  return o ? { value: o.value, event: o.event } : { value: 'not observed' };
}

function verdictText(v: Verdict): string {
  if (v.status === 'fail') return `violates ${v.violation.clause}: observed ${v.violation.observed}; allowed ${v.violation.allowed}`;
  return v.status === 'pass' ? 'conforms' : `${v.status}: ${v.reason}`;
}

export function assembleDifferences(o: DiffAssembleInput): { differences: Difference[]; counterexamples: Map<string, Counterexample> } {
  const differences: Difference[] = [];
  const counterexamples = new Map<string, Counterexample>();
  for (const d of o.diffs) {
    for (const f of d.findings.filter((x) => (x.difference || (x.finding.kind === 'verdict' && x.finding.unsettledOnly)) && !x.duplicate)) {
      const id = `diff-${differences.length + 1}`;
      const files = new Map<string, Counterexample>();
      const x = one(id, d, f, o, files);
      // The same difference (same key, same targets, same observed values) found again by another property: one entry.
      const same = differences.find((y) => y.key === x.key && y.stable === x.stable && y.unsettledOnly === x.unsettledOnly && JSON.stringify(y.sides.map((s) => [s.target, s.observed])) === JSON.stringify(x.sides.map((s) => [s.target, s.observed])));
      if (same) { if (same.property !== x.property && !same.alsoSeenIn?.includes(x.property)) (same.alsoSeenIn ??= []).push(x.property); continue; }
      differences.push(x);
      for (const [k, v] of files) counterexamples.set(k, v);
    }
  }
  return { differences, counterexamples };
}

function one(id: string, d: PropertyDiff, x: ShrunkFinding, o: DiffAssembleInput, files: Map<string, Counterexample>): Difference {
  const f = x.finding;
  // f.compared: the two targets that show it (shrunk between them); x.sides adds the others' runs of the minimal scenario.
  const compared = x.sides;
  const judged = compared.map((t) => x.judged.get(t)!);
  let step: number | undefined;
  let clauses: Blame[];
  let observed: string[];
  let summary: string;
  let events: Array<number | undefined> = compared.map(() => undefined);
  if (f.kind === 'verdict') {
    const v = judged.find((j) => j.verdict.status === 'fail' && j.verdict.violation.clause === f.clause)!.verdict as Extract<Verdict, { status: 'fail' }>;
    step = v.violation.step >= 0 ? v.violation.step : undefined;
    clauses = [f.clause];
    const at = judged.map((j) => resultAt(x.scenario, j.trace, step));
    observed = judged.map((j, i) => `${at[i].value} (${verdictText(j.verdict)})`);
    // The failing side's lanes mark the violation already; mark the same step on the others.
    events = judged.map((j, i) => (j.verdict.status === 'pass' ? at[i].event : undefined));
    const names = (ts: number[]) => ts.map((t) => o.targets[t].name).join(', ');
    const failing = compared.filter((t) => { const v = x.judged.get(t)!.verdict; return v.status === 'fail' && v.violation.clause === f.clause; });
    const others = compared.filter((t) => !failing.includes(t));
    summary = `${f.clause} fails on ${names(failing)}, not on ${others.map((t) => `${o.targets[t].name}${x.judged.get(t)!.verdict.status === 'pass' ? '' : ` (${x.judged.get(t)!.verdict.status})`}`).join(', ')}`;
    if (f.unsettledOnly) {
      const unsettled = compared.filter((t) => !x.judged.get(t)!.trace.settled);
      summary = `verdicts differ only in what an unsettled target can prove: ${summary}; every target observed the same values, and ${names(unsettled)} (unsettled: it cannot prove a call asleep) could not show this violation`;
    }
  } else {
    const pair = f.compared.map((t) => x.judged.get(t)!);
    const od = compareObservations(x.scenario, pair.map((j) => j.trace)).find((y) => y.key === f.key)!;
    step = od.step;
    const aspect = /\/(blocks|wakes)$/.exec(f.key)?.[1] ?? 'result';
    const seen = compared.map((t, i) => {
      const k = f.compared.indexOf(t);
      if (k >= 0) return od.values[k];
      const ob = observe(x.scenario, judged[i].trace).find((y) => y.step === od.step && y.aspect === aspect);
      return { value: judged[i].verdict.status === 'pass' ? ob?.value ?? '(not observed)' : `${ob?.value ?? '(not observed)'} (${verdictText(judged[i].verdict)})`, event: ob?.event };
    });
    events = seen.map((v) => v.event);
    observed = seen.map((v) => v.value);
    const at = new Set<ClauseId>();
    judged.forEach((j, i) => { if (events[i] !== undefined) for (const c of clausesAt(x.scenario, j.trace, events[i]!, o.profile)) at.add(c); });
    clauses = [...at].filter((c) => o.clauses.includes(c));
    // No rule judged that very event (e.g. a value no clause constrains): file it under the property's clauses the traces exercised.
    if (!clauses.length) clauses = d.property.clauses.filter((c) => o.clauses.includes(c) && judged.some((j) => j.verdict.exercised.includes(c)));
    if (!clauses.length) clauses = d.property.clauses.filter((c) => o.clauses.includes(c));
    summary = `step ${od.step + 1} ${describeStep(x.scenario.steps[od.step])}: ${compared.map((t, i) => `${o.targets[t].name} ${observed[i]}`).join(' vs ')}`;
  }
  const sides = compared.map((t, i) => {
    const target = o.targets[t];
    const file = differenceFile(id, target.name);
    const j = judged[i];
    const v = j.verdict;
    files.set(file, {
      schemaVersion: SCHEMA_VERSION, kind: 'ipcspec-counterexample', clause: clauses[0] ?? '', property: d.property.name, profile: o.profile.name as ProfileName, target,
      seed: d.seed, path: x.path, scenario: x.scenario, trace: j.trace,
      verdict: v.status === 'fail' ? { status: 'fail', clause: v.violation.clause, step: v.violation.step, event: v.violation.event, observed: v.violation.observed, allowed: v.violation.allowed }
        : { status: v.status, step, observed: observed[i], ...(v.status === 'pass' ? {} : { reason: v.reason }) },
      replay: o.replayCmd(file, target.name),
    });
    return { target: target.name, status: v.status, observed: observed[i], counterexample: file, replay: o.replayCmd(file, target.name), ...(events[i] !== undefined ? { event: events[i] } : {}) };
  });
  const area = clauses[0] && isClauseId(clauses[0]) ? clauseById(clauses[0]).area : d.property.area;
  const nondeterministic = x.nondeterministic.map((t) => o.targets[t].name);
  // The two targets that show the difference decide whether it is behaviour; a third target's noise is only reported.
  const stable = !x.nondeterministic.some((t) => f.compared.includes(t));
  return {
    id, kind: f.kind, key: f.kind === 'verdict' ? `fail:${f.clause}` : f.key, clauses, area, property: d.property.name, seed: d.seed, path: x.path, step, summary, sides,
    stable, ...(nondeterministic.length ? { nondeterministic } : {}), reruns: x.reruns,
    ...(f.kind === 'verdict' && f.unsettledOnly ? { unsettledOnly: true as const } : {}),
  };
}
