import { join } from 'node:path';
import { assemble, type TargetRun } from '../../engine/assemble.ts';
import { assembleDifferences } from '../../engine/diff/assemble.ts';
import { writeReportDir } from '../../reports/write-report.ts';
import { isBehaviourDifference, type Counterexample, type Difference, type Report } from '../../spec/report.ts';
import { DEFAULT_RUNS, runsOf } from '../../suites/property.ts';
import { diffProperty, type PropertyDiff } from '../../engine/diff/engine.ts';
import { setConcurrent } from '../../engine/diff/judge.ts';
import { onInterrupt, wasInterrupted } from '../../harness/scope.ts';
import { cliName, makeTarget, TARGET_NAMES, UnknownTarget } from '../../engine/targets.ts';
import type { Target } from '../../spec/target.ts';
import { InfraError, intFlag, LIMITS, parseFlags, UsageError, type Command } from '../command.ts';
import { errorsLine, notReachedLine } from '../error-line.ts';
import { prepareOutDir } from '../out-path.ts';
import { StartFailures } from '../start-failures.ts';
import { errorExitCode } from '../exit-code.ts';
import { printSummary, Progress } from '../progress.ts';
import { packageVersion, plan } from '../run-plan.ts';

const usage = `usage: ipcspec diff --target A --target B [--target C]... [--wrap PREFIX] [--profile linux|posix] [--only GLOB[,GLOB]] [--runs N] [--seed S] [--out DIR] [--serial]

Runs the same generated scenarios on every target (each scenario on every target before the next),
checks every trace with the reference model, and reports where the targets behave differently:
  verdict      a clause fails on some targets and not on others
  observation  every target conforms, but they did different things the model allows: a partial
               write's size, an errno choice, how many connections a backlog admitted, a call that
               blocks on one and returns on another (descriptor numbers, ports and scratch paths are
               not differences; on targets that cannot prove a call is blocked, pending-vs-returned
               is timing and is not compared: see engine/diff/observe.ts)
Each difference is shrunk (between the two targets that first showed it) to a minimal scenario
that still shows that same difference, re-run a few times per target
(a target that disagrees with itself makes it "nondeterministic", never a behaviour difference),
and saved as one counterexample per target with its replay command. Shrinking spends at most 5 s
or 150 tries per difference, and stops at a candidate a target erred on; a difference an earlier
property already showed (same clause, or same observation, among the same targets) is listed once.
DIR gets the same files as ipcspec run (report.json with the clause × target matrix, report.md, report.html, junit.xml,
counterexamples/) plus the differences (report.json "differences", marked cells in report.html).

  --target T     ${TARGET_NAMES.join(' | ')} (at least two)
  --wrap PREFIX  run the process targets (host, c, exec:CMD, ...) under this command prefix; the model
                 and mutants are not wrapped. To wrap one target only, name it "NAME (wrapped: PREFIX)"
  --profile P    linux | posix (default: the host's, ${process.platform === 'linux' ? 'linux' : 'posix'} here)
  --only GLOBS   clause ids or areas, * wildcards, comma-separated
  --runs N       scenarios per property, 1..${LIMITS.runs} (default: each property's own, ${DEFAULT_RUNS} for most)
  --seed S       run seed, 0..${LIMITS.seed} (default: random; printed and saved)
  --out DIR      report directory (default ipcspec-diff); made if missing and checked writable first
  --serial       run driver processes one after another too (default: each driver process runs a
                 scenario at the same time as the others and as the in-process targets)
  --jobs N       properties diffed at the same time, each on its own instance of every target (its
                 own driver processes; 1..${LIMITS.jobs}, default 2: a diff mostly waits on drivers, not on the CPU)

exit: 0 no behaviour differs, 1 some behaviour differs, 2 usage or infrastructure error (one line on
stderr says which), 3 nothing differs but a clause was reached by no scenario in the runs
given (raise --runs), 130 / 143 interrupted (the partial report is written)`;

const shellWord = (w: string): string => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

export const command: Command = {
  name: 'diff',
  summary: 'run the same scenarios on several targets and report where their behaviour differs',
  usage,
  async run(argv) {
    const { flags, positional } = parseFlags(argv, ['target', 'wrap', 'profile', 'only', 'runs', 'seed', 'out', 'jobs'], ['serial']);
    const jobs = flags.has('jobs') ? intFlag(flags, 'jobs', 2, 1, LIMITS.jobs) : 2;
    if (positional.length) throw new UsageError(`unexpected argument "${positional[0]}"`);
    const names = flags.get('target') ?? [];
    if (names.length < 2) throw new UsageError(`diff needs at least two --target flags (got ${names.length})`);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice !== undefined) throw new UsageError(`target "${twice}" is given twice`);
    const p = plan(flags.get('profile')?.at(-1), flags.get('only')?.at(-1));
    const runsFlag = flags.has('runs') ? intFlag(flags, 'runs', 100, 1, LIMITS.runs) : undefined;
    const seed = flags.has('seed') ? intFlag(flags, 'seed', 0, 0, LIMITS.seed) : Math.floor(Math.random() * 2 ** 31);
    // before any target starts: a place that cannot hold the report is refused now, not after the run
    const out = prepareOutDir('out', flags.get('out')?.at(-1) ?? 'ipcspec-diff');
    const wrap = flags.get('wrap')?.at(-1);
    setConcurrent(!flags.has('serial'));
    const version = await packageVersion();
    const replayCmd = (file: string, target: string) =>
      // A wrapped target's name ("NAME (wrapped: PREFIX)") names it on the command line too.
      `npx ipcspec replay ${shellWord(join(out, file))} --target ${shellWord(cliName(target))} --profile ${p.profile.name}`;
    // Indexed by property, in plan order: jobs finish out of order, a partial report keeps what finished.
    const diffsAt: PropertyDiff[] = [];
    const durationsAt: number[] = [];
    // One set of targets per job: each job diffs one property at a time (a driver process runs one scenario at a time).
    const lanes: Target[][] = [];
    const all = () => lanes.flat();
    // Ctrl-C at any moment from here on: the partial report is saved first, then every target is released.
    const offSave = onInterrupt(() => {
      write(true);
      console.error(`ipcspec: partial report written to ${out}`);
    }, 'save');
    const offCleanup = onInterrupt(async () => { await Promise.all(all().map((t) => t.dispose().catch(() => {}))); });
    try {
      for (let j = 0; j < jobs; j++) {
        const lane: Target[] = [];
        lanes.push(lane);
        // --wrap wraps every process target; the model and mutants run in this process and are never wrapped.
        for (const n of names) lane.push(await makeTarget(n, p.profile, wrap && n !== 'model' && !n.startsWith('mutant:') ? { wrap } : {}));
      }
      if (wasInterrupted()) return await new Promise<number>(() => {});
    } catch (e) {
      offSave();
      offCleanup();
      await Promise.all(all().map((t) => t.dispose()));
      if (e instanceof UnknownTarget) throw new UsageError(e.message);
      throw e;
    }
    const targets = lanes[0];
    const seen = new Set<string>();
    for (const t of targets) {
      if (seen.has(t.info.name)) { offSave(); offCleanup(); await Promise.all(all().map((x) => x.dispose())); throw new UsageError(`target "${t.info.name}" is given twice`); }
      seen.add(t.info.name);
    }
    function write(interrupted: boolean) {
      const targets = lanes[0] ?? [];
      const done = p.properties.map((_, k) => k).filter((k) => diffsAt[k]);
      const diffs = done.map((k) => diffsAt[k]);
      const durations = done.map((k) => durationsAt[k]);
      const runs: TargetRun[] = targets.map((t, ti) => ({ target: { ...t.info }, outcomes: diffs.map((d, k) => ({ outcome: d.outcomes[ti], durationMs: durations[k] })) }));
      const { report, counterexamples } = assemble({ runs, clauses: p.clauses, profile: p.profile.name, seed, runsFlag, only: flags.get('only')?.at(-1), interrupted, version, replayCmd });
      const d = assembleDifferences({ diffs, targets: runs.map((r) => r.target), clauses: p.clauses, profile: p.profile, replayCmd });
      report.differences = d.differences;
      for (const [f, c] of d.counterexamples) counterexamples.set(f, c);
      markVerdictDifferences(report, counterexamples);
      if (interrupted) writeReportDir(out, report, counterexamples);
      return { report, counterexamples };
    }
    console.log(`ipcspec diff: profile ${p.profile.name}, seed ${seed}, ${p.clauses.length} clauses, ${p.properties.length} properties, targets ${targets.map((t) => t.info.name).join(', ')}${wrap ? ` (wrapped in ${wrap})` : ''}`);
    if (p.outOfProfile.length) console.log(`  not in profile ${p.profile.name} (not run): ${p.outOfProfile.join(', ')}`);
    const starts = new StartFailures(all());
    starts.print();
    const progress = jobs === 1 ? new Progress(p.properties.length) : undefined;
    const shrunk = new Set<string>(); // differences shrunk so far: a later property's same one is not shrunk again
    let next = 0;
    let finished = 0;
    const job = async (lane: Target[]) => {
      while (next < p.properties.length && !wasInterrupted()) {
        const k = next++;
        const prop = p.properties[k];
        const n = runsOf(prop, runsFlag);
        progress?.start(`${prop.area}: ${prop.name}`, n);
        const t0 = performance.now();
        const d = await diffProperty(prop, lane, p.profile, { runs: n, seed, onRun: (r) => progress?.tick(r), interrupted: wasInterrupted, shrunk });
        if (wasInterrupted()) return;
        diffsAt[k] = d;
        durationsAt[k] = Math.round(performance.now() - t0);
        const ds = d.findings.filter((f) => f.difference && !f.duplicate);
        const errs = d.outcomes.map((x, ti) => (x.failure?.verdict.status === 'error' ? lane[ti].info.name : '')).filter(Boolean);
        const result = [ds.length ? `${ds.length} difference${ds.length === 1 ? '' : 's'} (${ds.map((f) => (f.finding.kind === 'verdict' ? `fail:${f.finding.clause}` : f.finding.key) + (f.nondeterministic.length ? ' nondeterministic' : '')).join(', ')})` : 'same', errs.length ? `ERROR on ${errs.join(', ')}` : ''].filter(Boolean).join('; ') + ` (${durationsAt[k]} ms)`;
        if (progress) progress.done(result);
        else console.log(`[${++finished}/${p.properties.length}] ${prop.area}: ${prop.name}: ${result}`);
      }
    };
    try {
      await Promise.all(lanes.map(job));
    } finally {
      // (after an interrupt these are no-ops: the handler has its own list and runs both)
      offSave();
      offCleanup();
      if (!wasInterrupted()) await Promise.all(all().map((t) => t.dispose()));
    }
    if (wasInterrupted()) return new Promise<number>(() => {});
    const { report, counterexamples } = write(false);
    // The differences reach the terminal even when the report cannot be written (a full disk).
    let writeError: Error | undefined;
    try { writeReportDir(out, report, counterexamples); } catch (e) { writeError = e as Error; }
    printSummary(report, out, counterexamples, starts, !writeError);
    printDifferences(report.differences ?? []);
    if (writeError) throw writeError;
    const counted = (report.differences ?? []).filter(isBehaviourDifference);
    if (counted.length > 0) return 1;
    const code = errorExitCode(report);
    if (code === 2) throw new InfraError(errorsLine(report, `${out}/report.md`, starts));
    if (code === 3) process.stderr.write(`ipcspec diff: ${notReachedLine(report)}\n`);
    return code;
  },
};

/**
 * `assemble` keeps one failure per property and target, as `run` does (a run stops at it). A diff runs
 * every scenario on: a clause that another verdict difference shows failing on a target is failing there too.
 */
function markVerdictDifferences(report: Report, cx: Map<string, Counterexample>): void {
  for (const d of report.differences ?? []) {
    if (d.kind !== 'verdict' || !d.stable) continue; // (an unsettled-only one too: its failing side does fail)
    for (const s of d.sides.filter((x) => x.status === 'fail')) {
      const r = report.results.find((x) => x.clause === d.clauses[0] && x.target === s.target);
      const v = cx.get(s.counterexample)?.verdict;
      if (!r || r.status === 'fail' || !v) continue;
      r.status = 'fail';
      r.runs += 1;
      r.reason = `${v.step !== undefined && v.step >= 0 ? `step ${v.step + 1}` : 'at quiescence'}: observed ${v.observed}; allowed ${v.allowed} (${d.id})`;
      r.counterexample = s.counterexample;
    }
  }
  const summary: Report['summary'] = { pass: 0, fail: 0, unsupported: 0, error: 0 };
  for (const r of report.results) summary[r.status]++;
  report.summary = summary;
}

function printDifferences(ds: Difference[]): void {
  const stable = ds.filter(isBehaviourDifference);
  const noisy = ds.filter((d) => !d.stable);
  const unproven = ds.filter((d) => d.stable && d.unsettledOnly);
  console.log(`\n${stable.length} behaviour difference${stable.length === 1 ? '' : 's'}${noisy.length ? `, ${noisy.length} nondeterministic (not counted)` : ''}${unproven.length ? `, ${unproven.length} only in what an unsettled target can prove (not counted)` : ''}`);
  for (const d of [...stable, ...unproven, ...noisy]) {
    console.log(`\n${!d.stable ? `NONDETERMINISTIC on ${d.nondeterministic!.join(', ')}: ` : d.unsettledOnly ? 'NOT COUNTED: ' : ''}${d.id} ${d.kind} ${d.key} [${d.clauses.join(', ')}]: ${d.summary}`);
    for (const s of d.sides) console.log(`  ${s.target}: ${s.observed}\n    replay: ${s.replay}`);
  }
}
