// Every clause has a mutant, and the suites kill it (docs/design.md, principle 6): each mutant wraps the host
// target, and every property aimed at its clause must fail on it with a violation of that very
// clause, within the property's default run count. A mutant killed by another clause's violation
// counts as surviving: its own clause was not shown to be tested. Only the first failing scenario
// matters here, so it is neither shrunk nor followed by more runs (the mutants command does both).
import { afterAll, describe, expect, it } from 'vitest';
import { CLAUSES, clause as clauseById } from '../spec/catalogue.ts';
import type { ProfileName } from '../spec/clause.ts';
import { loadProfile } from '../spec/profile.ts';
import { HostTarget } from '../harness/host/target.ts';
import { MUTANTS, type Mutant } from '../harness/mutants/index.ts';
import { PROPERTIES } from '../suites/properties/index.ts';
import { runsOf } from '../suites/property.ts';
import { runProperty } from '../engine/run-property.ts';

const SEED = Number(process.env.IPCSPEC_SEED ?? 20261124);

/**
 * Mutants no property can kill under a profile yet, and why. They run as expected failures, so the
 * entry must go once the gap is closed.
 */
const KNOWN_GAPS: Record<string, string> = {};

type Case = { name: string; mutant: Mutant; profile: ProfileName };
// A clause's profiles: linux only for linux-only clauses, else both.
const cases: Case[] = MUTANTS.flatMap((mutant) => clauseById(mutant.clause).profiles.map((profile) => ({ name: `${mutant.clause} under ${profile}`, mutant, profile })));

describe('the mutant registry', () => {
  it('has exactly one mutant for every clause in the catalogue', () => {
    expect(MUTANTS.map((m) => m.clause).sort()).toEqual(CLAUSES.map((c) => c.id).sort());
  });
});

describe.skipIf(process.platform !== 'linux')('mutants on the host kernel', () => {
  const host = process.platform === 'linux' ? new HostTarget() : undefined;
  afterAll(() => host?.dispose());

  const kill = async ({ mutant, profile }: Case) => {
    const props = PROPERTIES.filter((p) => p.clauses.includes(mutant.clause));
    expect(props, `no property is aimed at ${mutant.clause}`).not.toHaveLength(0);
    for (const prop of props) {
      const out = await runProperty(prop, mutant.wrap(host!), loadProfile(profile), { runs: runsOf(prop), seed: SEED, firstFailureOnly: true });
      const f = out.failure;
      const why = !f
        ? `survived ${out.runs} runs of "${prop.name}" (fault: ${mutant.fault})`
        : f.verdict.status === 'fail'
          ? `"${prop.name}" failed on ${f.verdict.violation.clause} instead (step ${f.verdict.violation.step + 1}: observed ${f.verdict.violation.observed}; allowed ${f.verdict.violation.allowed})\n${JSON.stringify(f.scenario.steps)}`
          : `"${prop.name}" ended in ${f.verdict.status}: ${f.verdict.reason}`;
      expect(f?.verdict.status === 'fail' ? f.verdict.violation.clause : undefined, why).toBe(mutant.clause);
    }
  };

  it.each(cases.filter((c) => !KNOWN_GAPS[c.name]).map((c) => [c.name, c] as const))('kills mutant %s', (_name, c) => kill(c));
  for (const c of cases.filter((x) => KNOWN_GAPS[x.name])) it.fails(`kills mutant ${c.name} (known gap: ${KNOWN_GAPS[c.name]})`, () => kill(c));
});
