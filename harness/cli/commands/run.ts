import { join, resolve } from 'node:path';
import { assemble, type TargetRun } from '../../../reports/assemble.ts';
import { writeReportDir } from '../../../reports/write-report.ts';
import { runProperty } from '../../../suites/run-property.ts';
import { onInterrupt, wasInterrupted } from '../../scope.ts';
import { cliName, makeTarget, TARGET_NAMES, UnknownTarget } from '../../targets.ts';
import { shellWord, unwrapName } from '../../wrap.ts';
import type { Target } from '../../target.ts';
import { intFlag, parseFlags, UsageError, type Command } from '../command.ts';
import { packageVersion, plan } from '../run-plan.ts';
import { DEFAULT_RUNS, runsOf } from '../../../suites/property.ts';
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
  --runs N       scenarios per property (default: each property's own, ${DEFAULT_RUNS} for most)
  --seed S       run seed (default: random; printed and saved so the run can be repeated)
  --out DIR      report directory (default ipcspec-report)

exit: 0 all clauses conform, 1 a clause failed, 2 usage or infrastructure error,
      3 nothing failed but a clause was reached by no scenario in the runs given (raise --runs)`;

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
    const runsFlag = flags.has('runs') ? intFlag(flags, 'runs', 100, 1) : undefined;
    const seed = flags.has('seed') ? intFlag(flags, 'seed', 0, 0) : Math.floor(Math.random() * 2 ** 31);
    const out = resolve(flags.get('out')?.at(-1) ?? 'ipcspec-report');
    const names = flags.get('target') ?? ['host'];
    const wrap = flags.get('wrap')?.at(-1);
    const targets: Target[] = [];
    try {
      for (const n of names) targets.push(await makeTarget(n, p.profile, { wrap }));
    } catch (e) {
      await Promise.all(targets.map((t) => t.dispose()));
      if (e instanceof UnknownTarget) throw new UsageError(e.message);
      throw e;
    }
    const version = await packageVersion();
    const runs: TargetRun[] = targets.map((t) => ({ target: { ...t.info }, outcomes: [] }));
    const write = (interrupted: boolean) => {
      const { report, counterexamples } = assemble({
        runs, clauses: p.clauses, profile: p.profile.name, seed, runsFlag, only: flags.get('only')?.at(-1), interrupted, version,
        replayCmd: (file, target) => `npx ipcspec replay ${shellWord(join(out, file))} ${targetFlags(cliName(target))} --profile ${p.profile.name}`,
      });
      writeReportDir(out, report, counterexamples);
      return { report, counterexamples };
    };
    // Ctrl-C: keep what was gathered, then release every target.
    const off = onInterrupt(async () => {
      write(true);
      console.error(`ipcspec: partial report written to ${out}`);
      await Promise.all(targets.map((t) => t.dispose().catch(() => {})));
    });
    console.log(`ipcspec run: profile ${p.profile.name}, seed ${seed}, ${p.clauses.length} clauses, ${p.properties.length} properties, targets ${targets.map((t) => t.info.name).join(', ')}`);
    if (p.outOfProfile.length) console.log(`  not in profile ${p.profile.name} (not run): ${p.outOfProfile.join(', ')}`);
    const starts = new StartFailures(targets);
    starts.print();
    const progress = new Progress(p.properties.length * targets.length);
    try {
      for (const [ti, target] of targets.entries()) {
        for (const prop of p.properties) {
          if (wasInterrupted()) break; // the partial report is written; start nothing new
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
      off();
      await Promise.all(targets.map((t) => t.dispose()));
    }
    // interrupted: the handler has written the partial report and exits once the targets are released
    if (wasInterrupted()) return new Promise<number>(() => {});
    const { report, counterexamples } = write(false);
    printSummary(report, out, counterexamples, starts);
    return runExitCode(report);
  },
};
