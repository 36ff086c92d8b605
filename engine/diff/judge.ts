// Run one scenario on several targets and judge each trace; what a set of judged traces shows.
import type { Blame } from '../../spec/catalogue.ts';
import type { Profile } from '../../spec/profile.ts';
import type { Scenario } from '../../spec/scenario.ts';
import type { Trace } from '../../spec/trace.ts';
import { check } from '../../reference-model/check.ts';
import type { Verdict } from '../../reference-model/verdict.ts';
import { runScenario } from '../run-scenario.ts';
import type { Target } from '../../spec/target.ts';
import { ExecTarget } from '../../harness/exec-target.ts';
import { compareObservations, observationsFor, observe, type Observation } from './observe.ts';

export interface Judged {
  trace: Trace;
  verdict: Verdict;
}

export async function judge(target: Target, scenario: Scenario, profile: Profile): Promise<Judged> {
  try {
    const trace = await runScenario(target, scenario);
    return { trace, verdict: check(scenario, trace, profile) };
  } catch (e) {
    // A target that throws (a driver that died while starting a session) is an error result, never a verdict.
    return { trace: { target: target.info.name, settled: target.info.settled, privileged: target.info.privileged, events: [] }, verdict: { status: 'error', reason: `harness: ${(e as Error).message}`, exercised: [] } };
  }
}

/** Run targets that live in their own process (driver targets) at the same time as the rest; off: one after another. */
let concurrent = true;
export const setConcurrent = (on: boolean): void => { concurrent = on; };

/**
 * Judge `scenario` on each of `which` (target indexes). Targets in this process (host, model,
 * mutants) run one after another: their settling watches this process's threads. Each driver
 * process runs alongside them. Safe for the verdicts: a wait for what must happen has a long
 * deadline, and a busy machine can only make a "must not happen" window miss.
 */
export async function judgeAll(targets: Target[], which: number[], scenario: Scenario, profile: Profile): Promise<Map<number, Judged>> {
  const out = new Map<number, Judged>();
  const own = which.filter((t) => !concurrent || !(targets[t] instanceof ExecTarget));
  const apart = which.filter((t) => !own.includes(t));
  await Promise.all([
    (async () => { for (const t of own) out.set(t, await judge(targets[t], scenario, profile)); })(),
    ...apart.map(async (t) => { out.set(t, await judge(targets[t], scenario, profile)); }),
  ]);
  return new Map(which.map((t) => [t, out.get(t)!]));
}

/** A verdict as one comparable word: pass, fail:CLAUSE, unsupported, error. */
export const verdictSig = (v: Verdict): string => (v.status === 'fail' ? `fail:${v.violation.clause}` : v.status);

/**
 * What a scenario showed across targets. `verdict`: clause C fails on `failing` and not on the rest
 * of `compared` (the targets that could run the scenario: pass or fail); when failing == compared it
 * is a shared failure, not a difference (the matrix still needs its counterexample).
 * `observation`: every target of `compared` conforms and observation `key` differs among them.
 */
export type Finding =
  /** `unsettledOnly`: the compared targets observed the same values, and judged by what an unsettled target can prove their verdicts agree (see unsettledOnly()). */
  | { kind: 'verdict'; clause: Blame; failing: number[]; compared: number[]; unsettledOnly?: true }
  | { kind: 'observation'; key: string; compared: number[] };

export const isDifference = (f: Finding): boolean => f.kind === 'observation' || (f.failing.length < f.compared.length && !f.unsettledOnly);
/** One difference per clause (verdict) or observation key per property; a shared failure per set of failing targets. */
export const findingId = (f: Finding): string => (f.kind === 'observation' ? `o:${f.key}` : isDifference(f) ? `v:${f.clause}` : f.unsettledOnly ? `u:${f.clause}` : `s:${f.clause}:${f.failing.join(',')}`);

/**
 * Do the verdicts of `compared` differ only in what an unsettled target can prove? True when one of
 * them is unsettled, the settled ones agree among themselves, every step's final result is the
 * same on all (a call still blocked at the end, or never issued, is a result too: one that returned
 * differs from one that never did), no two issued their calls in a different order, and every
 * trace, judged as an unsettled target's (a
 * pending call only "had not returned yet"), gets the same verdict. Then no behaviour differs: a
 * settled target proved something (a call asleep that should not be) the other cannot show.
 */
export function unsettledOnly(scenario: Scenario, judged: Map<number, Judged>, compared: number[], profile: Profile): boolean {
  const traces = compared.map((t) => judged.get(t)!.trace);
  if (traces.every((t) => t.settled)) return false;
  // Settled targets among them must agree with each other in every respect, timing included: a split between two of them is behaviour.
  const settled = compared.filter((t) => judged.get(t)!.trace.settled);
  if (new Set(settled.map((t) => verdictSig(judged.get(t)!.verdict))).size > 1) return false;
  if (settled.length > 1 && compareObservations(scenario, settled.map((t) => judged.get(t)!.trace)).length) return false;
  const orders = traces.map((t) => t.events.flatMap((e) => (e.type === 'call' ? [e.step] : [])).join(','));
  if (new Set(orders).size > 1) return false;
  const results = traces.map((t) => observe(scenario, t).filter((o) => o.aspect === 'result'));
  const fields = (o: Observation) => new Set(o.parts?.fields.map(([k]) => k) ?? []);
  for (let k = 0; k < scenario.steps.length; k++) {
    const per = results.map((rs) => rs.find((o) => o.step === k));
    if (per.some((o) => !o)) return false;
    // detail fields count where every target reports them, as in compareObservations
    const common = per.every((o) => o!.parts) ? per.map((o) => fields(o!)).reduce((a, b) => new Set([...a].filter((x) => b.has(x)))) : undefined;
    const shown = per.map((o) => (o!.parts && common ? [o!.parts.base, ...o!.parts.fields.filter(([f]) => f === 'data' || common.has(f)).map(([, v]) => v)].join(', ') : o!.value));
    if (new Set(shown).size > 1) return false;
  }
  const asUnsettled = traces.map((t) => verdictSig(check(scenario, { ...t, settled: false }, profile)));
  return new Set(asUnsettled).size === 1;
}

/**
 * The two targets that show a difference (the first failing and the first not failing, or the first
 * two that observed different values): shrinking runs only these, so it costs the same for two
 * targets or five. A shared failure keeps all its targets.
 */
export function narrow(f: Finding, scenario: Scenario, judged: Map<number, Judged>): Finding {
  if (f.kind === 'verdict') {
    const other = f.compared.find((t) => !f.failing.includes(t));
    return other === undefined ? f : { ...f, failing: [f.failing[0]], compared: [f.failing[0], other].sort((a, b) => a - b) };
  }
  const d = compareObservations(scenario, f.compared.map((t) => judged.get(t)!.trace)).find((x) => x.key === f.key)!;
  const j = d.values.findIndex((v) => v.value !== d.values[0].value);
  return { kind: 'observation', key: f.key, compared: [f.compared[0], f.compared[j]] };
}

export function findingsOf(scenario: Scenario, judged: Map<number, Judged>, profile: Profile): Finding[] {
  const ids = [...judged.keys()].sort((a, b) => a - b);
  const compared = ids.filter((t) => ['pass', 'fail'].includes(judged.get(t)!.verdict.status));
  const out: Finding[] = [];
  const failed = new Set(compared.map((t) => judged.get(t)!.verdict).flatMap((v) => (v.status === 'fail' ? [v.violation.clause] : [])));
  for (const clause of failed) {
    const failing = compared.filter((t) => verdictSig(judged.get(t)!.verdict) === `fail:${clause}`);
    const only = failing.length < compared.length && unsettledOnly(scenario, judged, compared, profile);
    out.push({ kind: 'verdict', clause, failing, compared, ...(only ? { unsettledOnly: true as const } : {}) });
  }
  const passing = compared.filter((t) => judged.get(t)!.verdict.status === 'pass');
  if (passing.length >= 2) {
    const keys = new Set(compareObservations(scenario, passing.map((t) => judged.get(t)!.trace)).map((d) => d.key));
    for (const key of keys) out.push({ kind: 'observation', key, compared: passing });
  }
  return out;
}

/** Does this run still show finding `f`? (The shrink predicate: same kind of difference, same targets; a verdict split that is a behaviour difference stays one, and one that is not stays not.) */
export function shows(f: Finding, scenario: Scenario, judged: Map<number, Judged>, profile: Profile): boolean {
  const js = f.compared.map((t) => judged.get(t));
  if (js.some((j) => !j || !['pass', 'fail'].includes(j.verdict.status))) return false;
  if (f.kind === 'verdict') {
    if (!f.compared.every((t) => (verdictSig(judged.get(t)!.verdict) === `fail:${f.clause}`) === f.failing.includes(t))) return false;
    return f.failing.length === f.compared.length || unsettledOnly(scenario, judged, f.compared, profile) === !!f.unsettledOnly;
  }
  if (js.some((j) => j!.verdict.status !== 'pass')) return false;
  return compareObservations(scenario, js.map((j) => j!.trace)).some((d) => d.key === f.key);
}

/** What a target did, as far as finding `f` is concerned: re-runs of a target must agree with it. */
export function selfSig(f: Finding, scenario: Scenario, j: Judged): string {
  return f.kind === 'verdict' ? verdictSig(j.verdict) : `${verdictSig(j.verdict)} ${observationsFor(scenario, j.trace, f.key)}`;
}
