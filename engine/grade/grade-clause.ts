// One clause of a rubric, graded: every property aimed at it, under the fixed seed then each hidden
// seed, judged for this clause alone (runProperty's `focus`). All or nothing: the clause scores when
// some scenario reached it and every one that did passed; the first failure is shrunk and is the reason.
import { clause as clauseById, type ClauseId } from '../../spec/catalogue.ts';
import type { ClauseGrade, ClauseOutcome, GradedCounterexample, Rubric } from '../../spec/grade.ts';
import type { Profile } from '../../spec/profile.ts';
import { PROPERTIES } from '../../suites/properties/index.ts';
import { runProperty, type Failure } from '../run-property.ts';
import type { ExecTarget } from '../../harness/exec-target.ts';

export interface ClauseRun {
  /** A fresh submission for this clause. */
  start(): Promise<{ target: ExecTarget; release: () => Promise<void> }>;
  /** The replay command for a scenario (built by the engine: it knows the submission and profile). */
  replay(clause: string, scenario: Failure['scenario']): string;
  interrupted(): boolean;
}

type Entry = Rubric['clauses'][number];

const citationLines = (id: ClauseId): string[] => {
  const c = clauseById(id).citation;
  return [c.posix && `POSIX: ${c.posix}`, c.man && `man: ${c.man}`, c.linux && `Linux: ${c.linux}`].filter((x): x is string => !!x);
};

export function clauseGrade(entry: Entry, outcome: ClauseOutcome, runs: number, reason: string, counterexample?: GradedCounterexample): ClauseGrade {
  const c = clauseById(entry.clause);
  return {
    clause: c.id, area: c.area, title: c.title, behaviour: c.behaviour, citation: citationLines(c.id),
    maxScore: entry.points, score: outcome === 'pass' ? entry.points : 0, outcome, visibility: entry.visibility,
    runs, reason, counterexample, rubricLine: entry.line,
  };
}

export async function gradeClause(entry: Entry, rubric: Rubric, profile: Profile, run: ClauseRun): Promise<ClauseGrade> {
  const props = PROPERTIES.filter((p) => p.clauses.includes(entry.clause));
  if (!props.length) return clauseGrade(entry, 'error', 0, `no property exercises ${entry.clause} (an ipcspec gap, not the submission's)`);
  const seeds = [{ seed: rubric.fixedSeed, hidden: false }, ...rubric.hiddenSeeds.map((seed) => ({ seed, hidden: true }))];
  const { target, release } = await run.start();
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; target.kill(); }, rubric.clauseSeconds * 1000);
  const stop = () => timedOut || run.interrupted();
  let judged = 0;
  let unsupported = 0;
  let unsupportedReason: string | undefined;
  const preempted = new Map<string, number>();
  try {
    for (const { seed, hidden } of seeds) {
      for (const prop of props) {
        if (stop()) break;
        const o = await runProperty(prop, target, profile, { runs: rubric.runs, seed, focus: entry.clause, interrupted: stop });
        judged += o.exercised.get(entry.clause) ?? 0;
        unsupported += o.unsupported;
        unsupportedReason ??= o.unsupportedReason;
        for (const [k, n] of o.preempted ?? []) preempted.set(k, (preempted.get(k) ?? 0) + n);
        if (timedOut) {
          return clauseGrade(entry, 'error', judged, `the submission did not finish this clause within its ${rubric.clauseSeconds} s deadline (a hang, or far too slow); it was stopped`);
        }
        if (run.interrupted()) return clauseGrade(entry, 'not-run', judged, 'grading was interrupted before this clause finished');
        const f = o.failure;
        if (!f) continue;
        const v = f.verdict;
        const cx: GradedCounterexample = {
          seed, hidden, property: prop.name, scenario: f.scenario, trace: f.trace,
          verdict: v.status === 'fail' ? { status: 'fail', ...v.violation } : { status: 'error', reason: v.reason },
          replay: run.replay(entry.clause, f.scenario),
        };
        if (v.status === 'fail') {
          return clauseGrade(entry, 'fail', judged + 1, `observed ${v.violation.observed}; the specification allows ${v.violation.allowed}`, cx);
        }
        return clauseGrade(entry, 'error', judged, `the submission failed while running a scenario: ${v.reason}`, cx);
      }
    }
  } finally {
    clearTimeout(timer);
    await release();
  }
  if (run.interrupted()) return clauseGrade(entry, 'not-run', judged, 'grading was interrupted before this clause finished');
  if (judged > 0) return clauseGrade(entry, 'pass', judged, `${judged} scenarios reached this clause and all conformed (${seeds.length} seed${seeds.length > 1 ? 's' : ''})`);
  if (preempted.size) {
    const [first] = [...preempted.entries()].sort((a, b) => b[1] - a[1]);
    return clauseGrade(entry, 'not-reached', 0, `no scenario reached this clause: each broke another clause first (${[...preempted].map(([k, n]) => `${k} ×${n}`).join(', ')}); fix ${first[0]} first`);
  }
  if (unsupported > 0) return clauseGrade(entry, 'unsupported', 0, `the submission could not express the scenarios that reach this clause (${unsupported} unsupported: ${unsupportedReason})`);
  return clauseGrade(entry, 'error', 0, 'no scenario reached this clause');
}
