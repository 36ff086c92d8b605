import { clause as clauseById, matchClauses } from '../../spec/catalogue.ts';
import { loadProfile, PROFILE_NAMES, type Profile } from '../../spec/profile.ts';
import { PROPERTIES } from '../../suites/properties/index.ts';
import { runProperty } from '../../engine/run-property.ts';
import type { Mutant } from '../../harness/mutants/mutant.ts';
import { DEFAULT_RUNS, runsOf } from '../../suites/property.ts';
import { onInterrupt, wasInterrupted } from '../../harness/scope.ts';
import type { Target } from '../../spec/target.ts';
import { makeTarget, UnknownTarget } from '../../engine/targets.ts';
import { InfraError, intFlag, LIMITS, parseFlags, UsageError, type Command } from '../command.ts';

export const command: Command = {
  name: 'mutants',
  summary: 'check that the suites kill every mutant (one fault-injecting target per clause), on the host or on any target',
  usage: `usage: ipcspec mutants [--target T] [--wrap PREFIX] [--only GLOB[,GLOB]] [--profile linux|posix] [--runs N] [--seed S]

For every clause's mutant (a wrapper around the target that breaks exactly that clause), runs the
properties aimed at the clause until one fails with a violation of that clause, and prints one line
per clause and profile:

  killed      CLAUSE  PROFILE  after N run(s) by "PROPERTY"
  SURVIVED    CLAUSE  PROFILE  after N run(s): no property aimed at it found a violation
  survived    CLAUSE  PROFILE  after N run(s) (expected where unsettled: WHY)
  unsupported CLAUSE  PROFILE  the target cannot express the scenarios that reach it: WHY
  error       CLAUSE  PROFILE  after N run(s): WHY

A scenario that breaks another clause first is set aside (and counted), as grade does: a mutant
must be killed by its own clause.

  --target T     the target each mutant wraps (default host, in process). Any target of ipcspec run:
                 host-process, c, exec:CMD, node, ... An unsettled one (a driver that cannot prove a
                 call asleep: exec:DRIVER built with -DIPCSPEC_NO_PROC, host-process with
                 IPCSPEC_HOST_UNPROVEN=1, gVisor) shows how much the suites still catch there.
  --wrap PREFIX  run the target's driver process under this command prefix (as ipcspec run)
  --runs N       scenarios per property, 1..${LIMITS.runs} (default: each property's own, ${DEFAULT_RUNS} for most)
  --seed S       seed, 0..${LIMITS.seed} (default 1)

On a settled target (the host, the C driver with /proc) every mutant must be killed. On an unsettled
one, a mutant whose fault shows only as a call that stays blocked (or blocks where it must not) may
survive: nothing there tells a blocked call from one not returned yet. Those mutants say so
("survived ... expected where unsettled") and do not fail the run; every other survivor does.

exit: 0 every mutant killed (or, on an unsettled target, survived as expected), 1 a mutant survived
that should have been killed, 2 usage or harness error (the results gathered are printed first)`,
  async run(argv) {
    const { flags, positional } = parseFlags(argv, ['target', 'wrap', 'only', 'profile', 'runs', 'seed']);
    if (positional.length) throw new UsageError(`unexpected argument "${positional[0]}"`);
    const runsFlag = flags.has('runs') ? intFlag(flags, 'runs', 100, 1, LIMITS.runs) : undefined;
    const seed = intFlag(flags, 'seed', 1, 0, LIMITS.seed);
    const only = flags.get('only')?.at(-1);
    const profileFlag = flags.get('profile')?.at(-1);
    if (profileFlag && !PROFILE_NAMES.includes(profileFlag as 'linux')) throw new UsageError(`unknown profile "${profileFlag}" (known: posix, linux)`);
    const targetName = flags.get('target')?.at(-1) ?? 'host';
    if (targetName.startsWith('mutant:')) throw new UsageError(`--target ${targetName}: a mutant already; name the target the mutants should wrap`);
    const wrap = flags.get('wrap')?.at(-1);
    // loaded on demand: only this command needs the mutant registry
    const { MUTANTS } = (await import('../../harness/mutants/index.ts')) as { MUTANTS: Mutant[] };
    let mutants = MUTANTS;
    if (only) {
      const m = matchClauses(only);
      if (m.unmatched.length) throw new UsageError(`--only: no clause or area matches ${m.unmatched.join(', ')}`);
      const ids = new Set(m.clauses.map((c) => c.id));
      mutants = mutants.filter((x) => ids.has(x.clause));
    }
    let target: Target;
    try {
      // the profile only matters to the model target; the mutants' own profile is chosen per clause below
      target = await makeTarget(targetName, loadProfile(profileFlag === 'posix' ? 'posix' : 'linux'), { wrap });
    } catch (e) {
      if (e instanceof UnknownTarget) throw new UsageError(e.message);
      throw e;
    }
    const startError = (target as { startError?: string }).startError;
    if (startError) {
      await target.dispose();
      throw new InfraError(`target ${targetName} did not start: ${startError}`);
    }
    const settled = target.info.settled;
    console.log(`ipcspec mutants: target ${target.info.name} (${settled ? 'settled: it proves a pending call asleep' : 'not settled: pending means "not returned yet"'}), seed ${seed}, ${mutants.length} mutants`);
    const tally = { killed: 0, survived: 0, expected: 0, unsupported: 0, error: 0 };
    const killRuns: number[] = [];
    const killed = () => {
      const k = [...killRuns].sort((a, b) => a - b);
      return k.length ? `${k.length} killed (median ${k[Math.floor(k.length / 2)]} run(s), at most ${k.at(-1)})` : '0 killed';
    };
    const cases = mutants.reduce((n, m) => n + clauseById(m.clause).profiles.filter((p) => !profileFlag || p === profileFlag).length, 0);
    const summary = () => `\n${mutants.length} mutants${cases !== mutants.length ? ` (${cases} with their profiles)` : ''} on ${target.info.name}: ${killed()}, ${tally.survived} survived${tally.expected ? `, ${tally.expected} survived as expected where unsettled` : ''}${tally.unsupported ? `, ${tally.unsupported} unsupported` : ''}${tally.error ? `, ${tally.error} error` : ''}`;
    const off = onInterrupt(async () => {
      console.log(`${summary()} (interrupted)`);
      await target.dispose().catch(() => {});
    });
    try {
      for (const mutant of mutants) {
        const profiles = clauseById(mutant.clause).profiles.filter((p) => !profileFlag || p === profileFlag);
        for (const pn of profiles) {
          if (wasInterrupted()) break;
          const r = await judge(mutant, target, loadProfile(pn), runsFlag, seed);
          if (wasInterrupted()) break;
          const expected = r.status === 'survived' && !settled && mutant.needsSettledTarget !== undefined;
          tally[expected ? 'expected' : r.status]++;
          if (r.status === 'killed') killRuns.push(r.runs);
          const status = r.status === 'survived' && !expected ? 'SURVIVED' : r.status;
          const detail = expected ? `after ${r.runs} run(s) (expected where unsettled: ${mutant.needsSettledTarget})` : r.detail;
          console.log(`${status.padEnd(11)} ${mutant.clause.padEnd(44)} ${pn.padEnd(5)}  ${detail}${r.preempted ? `; ${r.preempted}` : ''}\n            fault: ${mutant.fault}`);
        }
      }
    } finally {
      off();
      if (!wasInterrupted()) await target.dispose();
    }
    if (wasInterrupted()) return new Promise<number>(() => {}); // the handler prints the tally and exits
    console.log(summary());
    if (tally.survived) return 1;
    if (tally.error) throw new InfraError(`${tally.error} mutant(s) ended in a harness error (the lines marked "error" above say why)`);
    return 0;
  },
};

interface Judgement {
  status: 'killed' | 'survived' | 'unsupported' | 'error';
  /** Scenarios run on the mutant, up to and including the killing one. */
  runs: number;
  detail: string;
  /** Scenarios set aside because another clause broke first, if any. */
  preempted?: string;
}

/** Run the properties aimed at the mutant's clause on the wrapped target until one kills it. */
async function judge(mutant: Mutant, target: Target, profile: Profile, runsFlag: number | undefined, seed: number): Promise<Judgement> {
  const props = PROPERTIES.filter((p) => p.clauses.includes(mutant.clause));
  const preempted = new Map<string, number>();
  const note = () => (preempted.size ? `set aside (another clause broke first): ${[...preempted].map(([c, n]) => `${c} x${n}`).join(', ')}` : undefined);
  let total = 0;
  let exercised = 0; // passing scenarios whose checks reached the clause
  let unsupportedReason: string | undefined;
  for (const prop of props) {
    const out = await runProperty(prop, mutant.wrap(target), profile, { runs: runsOf(prop, runsFlag), seed, focus: mutant.clause, interrupted: wasInterrupted });
    for (const [c, n] of out.preempted ?? []) preempted.set(c, (preempted.get(c) ?? 0) + n);
    const f = out.failure;
    if (!f) {
      total += out.runs;
      exercised += out.exercised.get(mutant.clause) ?? 0;
      if (out.unsupported) unsupportedReason ??= out.unsupportedReason;
      continue;
    }
    total += f.runsToFailure;
    if (f.verdict.status === 'fail') return { status: 'killed', runs: total, detail: `after ${total} run(s) by "${prop.name}"`, preempted: note() };
    return { status: 'error', runs: total, detail: `after ${total} run(s): "${prop.name}" ended in ${f.verdict.status}: ${f.verdict.reason}`, preempted: note() };
  }
  // never reached because the target cannot express what reaches it: not a gap of the suite
  if (exercised === 0 && unsupportedReason) return { status: 'unsupported', runs: total, detail: `the target cannot express the scenarios that reach it: ${unsupportedReason}` };
  const why = props.length ? `no property aimed at it found a violation (the clause was checked in ${exercised} passing run(s))` : 'no property is aimed at it';
  return { status: 'survived', runs: total, detail: `after ${total} run(s): ${why}`, preempted: note() };
}
