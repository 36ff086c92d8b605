import { clause as clauseById, matchClauses } from '../../../spec/catalogue.ts';
import { loadProfile, PROFILE_NAMES } from '../../../spec/profile.ts';
import { PROPERTIES } from '../../../suites/properties/index.ts';
import { runProperty } from '../../../suites/run-property.ts';
import type { Mutant } from '../../mutants/mutant.ts';
import { DEFAULT_RUNS, runsOf } from '../../../suites/property.ts';
import { intFlag, parseFlags, UsageError, type Command } from '../command.ts';
import { makeTarget, UnknownTarget } from '../../targets.ts';
import type { Target } from '../../target.ts';

export const command: Command = {
  name: 'mutants',
  summary: 'check that the suites kill every mutant (one fault-injecting target per clause)',
  usage: `usage: ipcspec mutants [--target T] [--wrap PREFIX] [--only GLOB[,GLOB]] [--profile linux|posix] [--runs N] [--seed S]

For every clause's mutant (a wrapper around the target that breaks exactly that clause), runs the
properties aimed at the clause and prints whether the mutant was killed, by which clause, and after
how many runs. A mutant killed only by a violation of another clause counts as surviving: its own
clause was not shown to be tested.

  --target T     the target the mutants wrap (default host; any --target of ipcspec run but model
                 and mutant:CLAUSE, e.g. exec:./noproc-driver or host-process). On a target that
                 cannot prove a call asleep (its traces are not settled), this shows which clauses
                 such a target still catches: a clause whose violation needs that proof (a call left
                 blocked, a call reported pending that should not block) may survive there; see
                 docs/unsettled-targets.md
  --wrap PREFIX  run the target's driver process under PREFIX, as for ipcspec run
  --runs N       scenarios per property (default: each property's own, ${DEFAULT_RUNS} for most)
  --seed S       seed (default 1)

exit: 0 every mutant killed by its own clause (on an unsettled target: whatever survived, as that
is the figure asked for), 1 a mutant survived on a settled target, 2 usage or harness error`,
  async run(argv) {
    const { flags, positional } = parseFlags(argv, ['only', 'profile', 'runs', 'seed', 'target', 'wrap']);
    if (positional.length) throw new UsageError(`unexpected argument "${positional[0]}"`);
    const runsFlag = flags.has('runs') ? intFlag(flags, 'runs', 100, 1) : undefined;
    const seed = intFlag(flags, 'seed', 1, 0);
    const only = flags.get('only')?.at(-1);
    const targetName = flags.get('target')?.at(-1) ?? 'host';
    const wrap = flags.get('wrap')?.at(-1);
    if (targetName === 'model' || targetName.startsWith('mutant:')) throw new UsageError(`--target ${targetName}: mutants wrap a real target (host, c, exec:CMD, ...)`);
    const profileFlag = flags.get('profile')?.at(-1);
    if (profileFlag && !PROFILE_NAMES.includes(profileFlag as 'linux')) throw new UsageError(`unknown profile "${profileFlag}" (known: posix, linux)`);
    const registry = './../../mutants/index.ts';
    const { MUTANTS } = (await import(new URL(registry, import.meta.url).href)) as { MUTANTS: Mutant[] };
    let mutants = MUTANTS;
    if (only) {
      const m = matchClauses(only);
      if (m.unmatched.length) throw new UsageError(`--only: no clause or area matches ${m.unmatched.join(', ')}`);
      const ids = new Set(m.clauses.map((c) => c.id));
      mutants = mutants.filter((x) => ids.has(x.clause));
    }
    let base: Target;
    try {
      base = await makeTarget(targetName, loadProfile(profileFlag === 'posix' ? 'posix' : 'linux'), { wrap });
    } catch (e) {
      if (e instanceof UnknownTarget) throw new UsageError(e.message);
      throw e;
    }
    const startError = (base as { startError?: string }).startError;
    if (startError) { await base.dispose(); throw new Error(`--target ${targetName} did not start: ${startError}`); }
    const settled = base.info.settled;
    console.log(`ipcspec mutants: ${mutants.length} mutants on ${base.info.name}${settled ? '' : ' (not settled: it cannot prove a call asleep)'}, seed ${seed}`);
    const killedRuns: number[] = [];
    const survivors: string[] = [];
    try {
      for (const mutant of mutants) {
        const profiles = clauseById(mutant.clause).profiles.filter((p) => !profileFlag || p === profileFlag);
        for (const pn of profiles) {
          const profile = loadProfile(pn);
          const props = PROPERTIES.filter((p) => p.clauses.includes(mutant.clause));
          let verdict = `no property aimed at ${mutant.clause} found a violation`;
          let killed = false;
          let total = 0;
          const others: string[] = [];
          for (const prop of props) {
            const target = mutant.wrap(base); // not disposed: its dispose is the base target's
            const out = await runProperty(prop, target, profile, { runs: runsOf(prop, runsFlag), seed });
            const own = out.failures?.find((f) => f.verdict.status === 'fail' && f.verdict.violation.clause === mutant.clause);
            if (own) { total += own.runsToFailure; verdict = `after ${total} run(s) by "${prop.name}"`; killed = true; break; }
            total += out.runs;
            for (const f of out.failures ?? []) others.push(f.verdict.status === 'fail' ? f.verdict.violation.clause : `${f.verdict.status}: ${f.verdict.reason}`);
          }
          if (!killed && others.length) verdict = `after ${total} run(s); the suite failed on ${others.join(', ')} instead`;
          else if (!killed) verdict = `after ${total} run(s): no property aimed at ${mutant.clause} found a violation`;
          if (killed) killedRuns.push(total);
          else survivors.push(`${mutant.clause} (${pn})`);
          console.log(`${killed ? 'killed  ' : 'SURVIVED'} ${mutant.clause.padEnd(44)} ${pn.padEnd(5)}  ${verdict}\n           fault: ${mutant.fault}`);
        }
      }
    } finally {
      await base.dispose();
    }
    const sorted = [...killedRuns].sort((a, b) => a - b);
    const median = sorted.length ? sorted[Math.floor(sorted.length / 2)] : 0;
    console.log(`\n${killedRuns.length + survivors.length} mutants on ${base.info.name}: ${killedRuns.length} killed (median ${median} runs, at most ${sorted.at(-1) ?? 0}), ${survivors.length} survived${survivors.length ? `: ${survivors.join(', ')}` : ''}`);
    if (!settled && survivors.length) console.log('(this target cannot prove a call asleep: see docs/unsettled-targets.md for what such a target can and cannot be caught on)');
    return survivors.length && settled ? 1 : 0;
  },
};
