import { clause as clauseById, matchClauses } from '../../../spec/catalogue.ts';
import { loadProfile, PROFILE_NAMES } from '../../../spec/profile.ts';
import { PROPERTIES } from '../../../suites/properties/index.ts';
import { runProperty } from '../../../suites/run-property.ts';
import type { Mutant } from '../../mutants/mutant.ts';
import { DEFAULT_RUNS, runsOf } from '../../../suites/property.ts';
import { intFlag, parseFlags, UsageError, type Command } from '../command.ts';

export const command: Command = {
  name: 'mutants',
  summary: 'check that the suites kill every mutant (one fault-injecting target per clause)',
  usage: `usage: ipcspec mutants [--only GLOB[,GLOB]] [--profile linux|posix] [--runs N] [--seed S]

For every clause's mutant (a wrapper around the host target that breaks exactly that clause), runs
the properties aimed at the clause until one fails, and prints whether the mutant was killed, by
which clause, and after how many runs. A mutant killed by a violation of another clause counts as
surviving: its own clause was not shown to be tested.

  --runs N   scenarios per property (default: each property's own, ${DEFAULT_RUNS} for most)
  --seed S   seed (default 1)

exit: 0 every mutant killed by its own clause, 1 a mutant survived, 2 usage or harness error`,
  async run(argv) {
    const { flags, positional } = parseFlags(argv, ['only', 'profile', 'runs', 'seed']);
    if (positional.length) throw new UsageError(`unexpected argument "${positional[0]}"`);
    const runsFlag = flags.has('runs') ? intFlag(flags, 'runs', 100, 1) : undefined;
    const seed = intFlag(flags, 'seed', 1, 0);
    const only = flags.get('only')?.at(-1);
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
    const { HostTarget } = await import('../../host/target.ts');
    const host = new HostTarget();
    let survived = 0;
    try {
      for (const mutant of mutants) {
        const profiles = clauseById(mutant.clause).profiles.filter((p) => !profileFlag || p === profileFlag);
        for (const pn of profiles) {
          const profile = loadProfile(pn);
          const props = PROPERTIES.filter((p) => p.clauses.includes(mutant.clause));
          let verdict = `SURVIVED  no property aimed at ${mutant.clause} found a violation`;
          let killed = false;
          let total = 0;
          for (const prop of props) {
            const target = mutant.wrap(host);
            const out = await runProperty(prop, target, profile, { runs: runsOf(prop, runsFlag), seed });
            const f = out.failure;
            if (!f) { total += out.runs; continue; }
            total += f.runsToFailure;
            const by = f.verdict.status === 'fail' ? f.verdict.violation.clause : `${f.verdict.status}: ${f.verdict.reason}`;
            if (by === mutant.clause) { verdict = `KILLED    after ${total} run(s) by "${prop.name}"`; killed = true; break; }
            verdict = `SURVIVED  (the suite failed on ${by} instead)`;
          }
          if (!killed) survived++;
          console.log(`${killed ? 'killed  ' : 'SURVIVED'} ${mutant.clause.padEnd(44)} ${pn.padEnd(5)}  ${verdict.replace(/^\w+\s+/, '')}\n           fault: ${mutant.fault}`);
        }
      }
    } finally {
      await host.dispose();
    }
    console.log(`\n${mutants.length} mutants, ${survived} survived`);
    return survived ? 1 : 0;
  },
};
