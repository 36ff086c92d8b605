// Turn property outcomes into per-clause results and the report.json document.
import { clause as clauseById, isClauseId, type ClauseId } from '../spec/catalogue.ts';
import type { ProfileName } from '../spec/clause.ts';
import { SCHEMA_VERSION, type ClauseResult, type Counterexample, type PropertyRun, type Report, type Status, type TargetDescription } from '../spec/report.ts';
import type { Verdict } from '../reference-model/verdict.ts';
import { compareSize, violationReason } from './counterexample-cut.ts';
import type { Failure, PropertyOutcome } from './run-property.ts';
import { counterexampleFile } from '../spec/report-files.ts';

type Fail = Extract<Verdict, { status: 'fail' }>;

export interface TargetRun {
  target: TargetDescription;
  outcomes: Array<{ outcome: PropertyOutcome; durationMs: number }>;
}

export interface Assembled {
  report: Report;
  counterexamples: Map<string, Counterexample>;
}

export function assemble(o: { runs: TargetRun[]; clauses: ClauseId[]; profile: ProfileName; seed: number; runsFlag?: number; only?: string; interrupted: boolean; version: string; replayCmd: (file: string, target: string) => string }): Assembled {
  const results: ClauseResult[] = [];
  const properties: PropertyRun[] = [];
  const counterexamples = new Map<string, Counterexample>();
  for (const { target, outcomes } of o.runs) {
    const per = new Map<ClauseId, ClauseResult>(o.clauses.map((c) => [c, { clause: c, area: clauseById(c).area, target: target.name, status: 'pass' as Status, runs: 0 }]));
    // Scenarios of a clause's properties that this target could not express, and the first reason given:
    // unsupported is not pass, so a clause no expressible scenario reached is unsupported, and one that
    // passed on some says how many could not run (a runtime without pipe(2), a user who cannot make test hosts).
    const partly = new Map<string, { n: number; reason: string }>();
    // Clauses of a property that stopped at a harness error: why they may be unreached.
    const stoppedBy = new Map<string, string>();
    // Clauses whose scenarios were set aside because they broke a clause already failed: by that clause, how many.
    const setAside = new Map<string, Map<string, number>>();
    // Per failed clause, the smallest counterexample over every property and round: the file and the result's reason come from it alone.
    const failing = new Map<ClauseId, { f: Failure & { verdict: Fail }; property: string; seed: number }>();
    // Passing scenarios that reached a clause --only did not select (counted in its runs if it fails).
    const reachedElsewhere = new Map<string, number>();
    // Runs of the properties aimed at each clause: how far a clause no scenario reached was looked for.
    const aimedBy = new Map<string, { runs: number; props: string[] }>();
    for (const { outcome, durationMs } of outcomes) {
      const p = outcome.property;
      const f = outcome.failure;
      properties.push({ property: p.name, area: p.area, target: target.name, seed: outcome.seed, runs: outcome.runs, unsupported: outcome.unsupported, status: f ? (f.verdict.status === 'fail' ? 'fail' : f.verdict.status) : outcome.runs === outcome.unsupported && outcome.runs > 0 ? 'unsupported' : 'pass', durationMs,
        ...failedAndUndecided(outcome) });
      for (const [c, n] of outcome.exercised) { const r = per.get(c); if (r) r.runs += n; }
      for (const c of p.clauses) {
        const a = aimedBy.get(c) ?? aimedBy.set(c, { runs: 0, props: [] }).get(c)!;
        a.runs += outcome.runs;
        a.props.push(`"${p.name}": ${outcome.runs}`);
      }
      if (outcome.unsupported) {
        for (const c of p.clauses) { const u = partly.get(c); partly.set(c, { n: (u?.n ?? 0) + outcome.unsupported, reason: u?.reason ?? `${p.name}: ${outcome.unsupportedReason}` }); }
      }
      for (const f of outcome.failures ?? (outcome.failure ? [outcome.failure] : [])) {
        const v = f.verdict;
        if (v.status !== 'fail') {
          for (const c of p.clauses) if (!stoppedBy.has(c)) stoppedBy.set(c, `${p.name}: stopped at a harness ${v.status} (run ${f.runsToFailure})`);
        }
        if (v.status === 'fail' && isClauseId(v.violation.clause)) {
          // Several properties (and rounds) can fail one clause: the smallest counterexample is kept, below.
          const prev = failing.get(v.violation.clause);
          if (!prev || compareSize(f.scenario, prev.f.scenario) < 0) failing.set(v.violation.clause, { f: f as Failure & { verdict: Fail }, property: p.name, seed: f.seed ?? outcome.seed });
        } else if (v.status !== 'fail') {
          for (const c of p.clauses) {
            const r = per.get(c);
            if (!r || r.status !== 'pass') continue;
            r.status = v.status;
            r.reason = v.reason;
            // The scenario that erred is a replayable reproduction too (it is not shrunk: see run-property.ts).
            if (v.status === 'error' && f.scenario.steps.length > 0) {
              const file = counterexampleFile(c, target.name);
              r.counterexample = file;
              counterexamples.set(file, {
                schemaVersion: SCHEMA_VERSION, kind: 'ipcspec-counterexample', clause: c, property: p.name, profile: o.profile, target,
                seed: f.seed ?? outcome.seed, path: f.path, scenario: f.scenario, trace: f.trace, verdict: { status: 'error', reason: v.reason }, replay: o.replayCmd(file, target.name),
              });
            }
          }
        }
      }
      for (const [c, n] of outcome.exercised) if (!per.has(c)) reachedElsewhere.set(c, (reachedElsewhere.get(c) ?? 0) + n);
      // Scenarios set aside because they broke a clause that had already failed: why a clause may be unreached.
      for (const [by, n] of outcome.preempted ?? []) {
        for (const c of p.clauses) {
          if (c === by) continue;
          const m = setAside.get(c) ?? setAside.set(c, new Map()).get(c)!;
          m.set(by, (m.get(by) ?? 0) + n);
        }
      }
    }
    for (const [c, { f, property, seed }] of failing) {
      // A clause --only did not select that a scenario of a selected clause's property broke: a real
      // violation of the target, reported as its own result (never a file no result points to).
      let r = per.get(c);
      if (!r) per.set(c, (r = { clause: c, area: clauseById(c).area, target: target.name, status: 'pass', runs: reachedElsewhere.get(c) ?? 0, selected: false }));
      const file = counterexampleFile(c, target.name);
      r.status = 'fail';
      r.runs += 1;
      r.reason = violationReason(f.verdict, f.trace);
      r.counterexample = file;
      const v = f.verdict.violation;
      counterexamples.set(file, {
        schemaVersion: SCHEMA_VERSION, kind: 'ipcspec-counterexample', clause: c, property, profile: o.profile, target,
        seed, path: f.path, scenario: f.scenario, trace: f.trace,
        verdict: { status: 'fail', clause: c, step: v.step, event: v.event, observed: v.observed, allowed: v.allowed },
        replay: o.replayCmd(file, target.name),
      });
    }
    for (const r of per.values()) {
      const u = partly.get(r.clause);
      if (r.status === 'pass' && r.runs === 0 && u) { r.status = 'unsupported'; r.reason = `no scenario this target could express reached it (${u.n} unsupported; ${u.reason})`; }
      else if (r.status === 'pass' && r.runs === 0) {
        r.status = 'error';
        const aside = setAside.get(r.clause);
        if (!stoppedBy.has(r.clause) && aside) {
          // Not reached because another clause failed first: name it, as the grader does (not-reached).
          const by = [...aside].sort((a, b) => b[1] - a[1]);
          r.reason = `not reached: no scenario reached this clause without first breaking ${by.map(([c]) => c).join(', ')}, which already failed (${by.map(([c, n]) => `${n} set aside for ${c}`).join(', ')}); fix ${by[0][0]} first`;
        } else if (stoppedBy.has(r.clause)) r.reason = `not exercised: no generated scenario reached this clause before ${stoppedBy.get(r.clause)}`;
        else {
          // Nothing went wrong: the generated scenarios missed it. A documented outcome (exit 3), not an infrastructure error.
          const a = aimedBy.get(r.clause);
          if (a && a.runs > 0) {
            r.notReachedIn = a.runs;
            r.reason = `not exercised: reached by no scenario in ${a.runs} runs (${a.props.join('; ')}): raise --runs`;
          } else r.reason = `not exercised: no property aimed at this clause ran${o.interrupted ? ' (interrupted)' : ''}`;
        }
      }
      else if (r.status === 'pass' && u) r.reason = `passed on the scenarios this target could express; ${u.n} could not run (${u.reason})`;
      results.push(r);
    }
  }
  const summary: Record<Status, number> = { pass: 0, fail: 0, unsupported: 0, error: 0 };
  for (const r of results) summary[r.status]++;
  const report: Report = {
    schemaVersion: SCHEMA_VERSION, tool: { name: 'ipcspec', version: o.version }, createdAt: new Date().toISOString(), profile: o.profile, seed: o.seed,
    runs: o.runsFlag, only: o.only, interrupted: o.interrupted, targets: o.runs.map((r) => r.target), results, properties, summary,
  };
  return { report, counterexamples };
}

function failedAndUndecided(o: PropertyOutcome): Pick<PropertyRun, 'failed' | 'undecided'> {
  const failed = (o.failures ?? []).flatMap((f) => (f.verdict.status === 'fail' ? [f.verdict.violation.clause] : []));
  return { ...(failed.length ? { failed } : {}), ...(o.undecided ? { undecided: o.undecided } : {}) };
}
