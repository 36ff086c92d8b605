import { join, resolve } from 'node:path';
import { assemble, type TargetRun } from '../../engine/assemble.ts';
import { writeReportDir } from '../../reports/write-report.ts';
import { runProperty } from '../../engine/run-property.ts';
import { onInterrupt, wasInterrupted } from '../../harness/scope.ts';
import { cliName, makeTarget, TARGET_NAMES, UnknownTarget } from '../../engine/targets.ts';
import { shellWord, unwrapName } from '../../harness/wrap.ts';
import type { Target } from '../../spec/target.ts';
import { InfraError, intFlag, LIMITS, parseFlags, UsageError, type Command } from '../command.ts';
import { errorsLine, notReachedLine } from '../error-line.ts';
import { prepareOutDir } from '../out-path.ts';
import { packageVersion, plan } from '../run-plan.ts';
import { DEFAULT_RUNS, runsOf } from '../../suites/property.ts';
import { printSummary, Progress } from '../progress.ts';
import { StartFailures } from '../start-failures.ts';
import { runExitCode } from '../exit-code.ts';

const usage = `usage: ipcspec run [--target T]... [--wrap PREFIX] [--profile linux|posix] [--only GLOB[,GLOB]] [--runs N] [--seed S] [--out DIR]

Runs every property of the profile's clauses against each target, checks each trace with the
reference model, shrinks failures, and writes DIR/report.json, DIR/report.md, DIR/report.html
(the clause × target matrix with counterexamples), DIR/junit.xml and DIR/counterexamples/*.json.

  --target T     ${TARGET_NAMES.join(' | ')}
                 (default host; repeat for several targets;
                 mutant:CLAUSE is the host with that clause's fault injected (mutant:A,B: both faults;
                 mutant:CLAUSE@T: on target T, e.g. @host-process); host-process is the
                 host target as a driver process (harness/drivers/host-driver.ts); c is
                 harness/drivers/c/*.c, built with cc into node_modules/.cache/ipcspec)
  --wrap PREFIX  run every target's driver process under the command PREFIX, e.g.
                 --wrap 'runsc --rootless --network=none do' (gVisor) or --wrap 'env LD_PRELOAD=lib.so';
                 host then runs as a driver process. Not for model or mutant:CLAUSE. The report names
                 the target 'NAME (wrapped: PREFIX)'; --target takes that name too, so one run can
                 compare a target with and without a wrap
  --profile P    linux | posix (default: the host's, ${process.platform === 'linux' ? 'linux' : 'posix'} here)
  --only GLOBS   clause ids or areas, * wildcards, comma-separated (e.g. 'pipe.eof-*,fifo-open')
  --runs N       scenarios per property, 1..${LIMITS.runs} (default: each property's own, ${DEFAULT_RUNS} for most)
  --seed S       run seed, 0..${LIMITS.seed} (default: random; printed and saved so the run can be repeated)
  --out DIR      report directory (default ipcspec-report); made if missing and checked writable
                 before anything runs. Every file is written whole (a temp file, then rename)

No option takes an empty value. The results and every failure's shrunk steps are printed on stdout;
once stdout is closed (ipcspec run | head) the output stops quietly and the run goes on to its report.

exit: 0 all clauses conform, 1 a clause failed, 2 usage or infrastructure error (a target that did
not start, a report that cannot be written: one line on stderr says
which), 3 nothing failed but a clause was reached by no scenario in the
runs given (raise --runs), 130 / 143 interrupted by SIGINT / SIGTERM (the partial report is written)`;

/** A target's name as --target takes it ("host+mutant:X" was made from "mutant:X"). */
/** The --target (and --wrap) flags that make the target a report calls `name` (harness/wrap.ts names wrapped ones). */
const targetFlags = (name: string): string => {
  const { target, wrap } = unwrapName(name);
  return `--target ${shellWord(target)}${wrap !== undefined ? ` --wrap ${shellWord(wrap)}` : ''}`;
};

export const command: Command = {
  name: 'run',
  summary: 'run the conformance suites against targets and write a report',
  usage,
  async run(argv) {
    const { flags, positional } = parseFlags(argv, ['target', 'wrap', 'profile', 'only', 'runs', 'seed', 'out']);
    if (positional.length) throw new UsageError(`unexpected argument "${positional[0]}"`);
    const p = plan(flags.get('profile')?.at(-1), flags.get('only')?.at(-1));
    const runsFlag = flags.has('runs') ? intFlag(flags, 'runs', 100, 1, LIMITS.runs) : undefined;
    const seed = flags.has('seed') ? intFlag(flags, 'seed', 0, 0, LIMITS.seed) : Math.floor(Math.random() * 2 ** 31);
    // before any target starts: a place that cannot hold the report is refused now, not after the run
    const out = prepareOutDir('out', flags.get('out')?.at(-1) ?? 'ipcspec-report');
    const names = flags.get('target') ?? ['host'];
    const wrap = flags.get('wrap')?.at(-1);
    const version = await packageVersion();
    const targets: Target[] = [];
    const runs: TargetRun[] = [];
    const assembleNow = (interrupted: boolean) => assemble({
      runs, clauses: p.clauses, profile: p.profile.name, seed, runsFlag, only: flags.get('only')?.at(-1), interrupted, version,
      replayCmd: (file, target) => `npx ipcspec replay ${shellWord(join(out, file))} ${targetFlags(cliName(target))} --profile ${p.profile.name}`,
    });
    // Ctrl-C at any moment from here on (targets starting, namespaces being set up, a property
    // running): the partial report is saved first, then every target is released.
    const offSave = onInterrupt(() => {
      const { report, counterexamples } = assembleNow(true);
      writeReportDir(out, report, counterexamples);
      console.error(`ipcspec: partial report written to ${out}`);
    }, 'save');
    const offCleanup = onInterrupt(async () => { await Promise.all(targets.map((t) => t.dispose().catch(() => {}))); });
    try {
      for (const n of names) {
        const t = await makeTarget(n, p.profile, { wrap });
        targets.push(t);
        runs.push({ target: { ...t.info }, outcomes: [] });
        if (wasInterrupted()) return await new Promise<number>(() => {});
      }
    } catch (e) {
      offSave();
      offCleanup();
      await Promise.all(targets.map((t) => t.dispose()));
      if (e instanceof UnknownTarget) throw new UsageError(e.message);
      throw e;
    }
    console.log(`ipcspec run: profile ${p.profile.name}, seed ${seed}, ${p.clauses.length} clauses, ${p.properties.length} properties, targets ${targets.map((t) => t.info.name).join(', ')}`);
    if (p.outOfProfile.length) console.log(`  not in profile ${p.profile.name} (not run): ${p.outOfProfile.join(', ')}`);
    const starts = new StartFailures(targets);
    starts.print();
    const progress = new Progress(p.properties.length * targets.length);
    try {
      for (const [ti, target] of targets.entries()) {
        for (const prop of p.properties) {
          if (wasInterrupted()) break; // the partial report is being written; start nothing new
          const n = runsOf(prop, runsFlag);
          progress.start(`${target.info.name}: ${prop.area}: ${prop.name}`, n);
          const t0 = performance.now();
          const outcome = await runProperty(prop, target, p.profile, { runs: n, seed, onRun: (k) => progress.tick(k), interrupted: wasInterrupted });
          const durationMs = Math.round(performance.now() - t0);
          if (wasInterrupted()) break;
          runs[ti].outcomes.push({ outcome, durationMs });
          progress.done(starts.shorten(outcome.failure ? (outcome.failures ?? [outcome.failure]).map((f) => (f.verdict.status === 'fail' ? `FAIL ${f.verdict.violation.clause}` : `${f.verdict.status.toUpperCase()}: ${f.verdict.reason}`)).join(', ') : outcome.runs > 0 && outcome.unsupported === outcome.runs ? `UNSUPPORTED: ${outcome.unsupportedReason}` : `ok (${outcome.runs} runs, ${durationMs} ms)`, target.info.name));
        }
      }
    } finally {
      // (after an interrupt these are no-ops: the handler has its own list and runs both)
      offSave();
      offCleanup();
      if (!wasInterrupted()) await Promise.all(targets.map((t) => t.dispose()));
    }
    // interrupted: the handler writes the partial report and exits once the targets are released
    if (wasInterrupted()) return new Promise<number>(() => {});
    const { report, counterexamples } = assembleNow(false);
    // The failures reach the terminal even when the report cannot be written (a full disk).
    let writeError: Error | undefined;
    try { writeReportDir(out, report, counterexamples); } catch (e) { writeError = e as Error; }
    printSummary(report, out, counterexamples, starts, !writeError);
    if (writeError) throw writeError;
    if (report.summary.fail > 0) return 1;
    const code = runExitCode(report);
    if (code === 2) throw new InfraError(errorsLine(report, `${out}/report.md`, starts));
    if (code === 3) process.stderr.write(`ipcspec run: ${notReachedLine(report)}\n`);
    return code; // 3: the summary above says which clauses no scenario reached
  },
};
