// Merge reports from several machines, CI jobs or shards into one: targets side by side. The same
// clause on the same target in two inputs keeps the worse status, and the report says so.
import { join } from 'node:path';
import { CLAUSES } from '../spec/catalogue.ts';
import { InvalidInput } from '../spec/validate.ts';
import { SCHEMA_VERSION, type ClauseResult, type Counterexample, type Difference, type MergeInfo, type Report, type Status, type TargetDescription } from '../spec/report.ts';
import type { ReportDir } from './read-report.ts';
import { counterexampleFile, differenceFile } from '../spec/report-files.ts';
import { replayCommand } from '../spec/replay-command.ts';

export interface MergeInput {
  dir: ReportDir;
  /** Appended to every target name of this input ("host@ubuntu-24.04"), so equal names from different machines stay apart. */
  label?: string;
}

/** Worse is larger: a violation outranks a harness error, which outranks "could not run here". */
const RANK: Record<Status, number> = { pass: 0, unsupported: 1, error: 2, fail: 3 };
export const worse = (a: Status, b: Status): Status => (RANK[b] > RANK[a] ? b : a);


export function mergeReports(inputs: MergeInput[], o: { outDir: string; version: string }): { report: Report; counterexamples: Map<string, Counterexample> } {
  if (inputs.length === 0) throw new InvalidInput('nothing to merge: give at least one report.json');
  const profiles = [...new Set(inputs.map((i) => i.dir.report.profile))];
  if (profiles.length > 1) {
    throw new InvalidInput(`the inputs were judged under different profiles (${inputs.map((i) => `${i.dir.file}: ${i.dir.report.profile}`).join(', ')}); merge runs of one profile`);
  }
  const rename = (inp: MergeInput, t: string) => (inp.label ? `${t}@${inp.label}` : t);
  const targets = new Map<string, TargetDescription>();
  const results = new Map<string, ClauseResult & { from: MergeInput; recordedOn: string }>();
  const seen = new Map<string, Array<{ file: string; status: Status }>>();
  const merged: MergeInfo = { inputs: [], conflicts: [] };
  const properties: Report['properties'] = [];
  for (const inp of inputs) {
    const r = inp.dir.report;
    merged.inputs.push({ file: inp.dir.file, label: inp.label, createdAt: r.createdAt, seed: r.seed, profile: r.profile, runs: r.runs, only: r.only, interrupted: r.interrupted, targets: r.targets.map((t) => rename(inp, t.name)) });
    for (const t of r.targets) if (!targets.has(rename(inp, t.name))) targets.set(rename(inp, t.name), { ...t, name: rename(inp, t.name) });
    for (const p of r.properties) properties.push({ ...p, target: rename(inp, p.target) });
    for (const x of r.results) {
      const target = rename(inp, x.target);
      const key = `${target}\0${x.clause}`;
      seen.set(key, [...(seen.get(key) ?? []), { file: inp.dir.file, status: x.status }]);
      const prev = results.get(key);
      if (!prev) { results.set(key, { ...x, target, from: inp, recordedOn: x.target }); continue; }
      const runs = prev.runs + x.runs;
      if (worse(prev.status, x.status) !== prev.status) results.set(key, { ...x, target, runs, from: inp, recordedOn: x.target });
      else prev.runs = runs;
    }
  }
  // Rebuilt from data, never copied: an input's replay text could be any shell command.
  const profile = inputs[0].dir.report.profile;
  const replay = (file: string, c: Counterexample, recordedOn: string) =>
    replayCommand(join(o.outDir, file), typeof c.target?.name === 'string' ? c.target.name : recordedOn, profile);
  const out: ClauseResult[] = [];
  const counterexamples = new Map<string, Counterexample>();
  for (const [key, r] of results) {
    const { from, recordedOn, ...res } = r;
    const all = seen.get(key)!;
    if (new Set(all.map((s) => s.status)).size > 1) {
      merged.conflicts.push({ clause: res.clause, target: res.target, kept: res.status, seen: all });
      res.reason = `merged: kept ${res.status} (${all.map((s) => `${s.status} in ${s.file}`).join(', ')})${res.reason ? `; ${res.reason}` : ''}`;
    }
    if (res.counterexample) {
      const c = from.dir.counterexamples.get(res.counterexample);
      if (!c) throw new InvalidInput(`${from.dir.file}: counterexample ${res.counterexample} was not loaded`);
      const file = counterexampleFile(res.clause, res.target);
      counterexamples.set(file, { ...c, replay: replay(file, c, recordedOn) });
      res.counterexample = file;
    }
    out.push(res);
  }
  // Catalogue order within each target, targets in the order they were first seen.
  const order = new Map(CLAUSES.map((c, i) => [c.id, i]));
  const tIndex = new Map([...targets.keys()].map((t, i) => [t, i]));
  out.sort((a, b) => tIndex.get(a.target)! - tIndex.get(b.target)! || (order.get(a.clause) ?? 1e9) - (order.get(b.clause) ?? 1e9) || a.clause.localeCompare(b.clause));
  const summary: Record<Status, number> = { pass: 0, fail: 0, unsupported: 0, error: 0 };
  for (const r of out) summary[r.status]++;
  // ipcspec diff reports: keep every input's differences, renumbered, targets renamed like the matrix, files copied.
  let differences: Difference[] | undefined;
  for (const inp of inputs) {
    for (const d of inp.dir.report.differences ?? []) {
      const id = `diff-${(differences ??= []).length + 1}`;
      const sides = d.sides.map((s) => {
        const c = inp.dir.counterexamples.get(s.counterexample);
        if (!c) throw new InvalidInput(`${inp.dir.file}: counterexample ${s.counterexample} was not loaded`);
        const target = rename(inp, s.target);
        const file = differenceFile(id, target);
        const command = replay(file, c, s.target);
        counterexamples.set(file, { ...c, target: { ...c.target, name: target }, replay: command });
        return { ...s, target, counterexample: file, replay: command };
      });
      differences.push({ ...d, id, sides, nondeterministic: d.nondeterministic?.map((t) => rename(inp, t)) });
    }
    if (inp.dir.report.differences && !differences) differences = [];
  }
  const first = inputs[0].dir.report;
  const report: Report = {
    schemaVersion: SCHEMA_VERSION, tool: { name: 'ipcspec', version: o.version }, createdAt: new Date().toISOString(), profile: first.profile, seed: first.seed,
    interrupted: inputs.some((i) => i.dir.report.interrupted), targets: [...targets.values()], results: out, properties, summary, merged,
    ...(differences ? { differences } : {}),
  };
  return { report, counterexamples };
}
