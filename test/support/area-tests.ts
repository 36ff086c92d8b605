// The vitest side of the suites: each area file runs its properties against the host under every
// profile, and a failure reads as a counterexample: clause, numbered steps, replay command.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { clause as clauseById, isClauseId } from '../../spec/catalogue.ts';
import { toJson } from '../../spec/codec.ts';
import { loadProfile, PROFILE_NAMES } from '../../spec/profile.ts';
import { SCHEMA_VERSION, type Counterexample } from '../../spec/report.ts';
import { HostTarget } from '../../harness/host/target.ts';
import { renderSteps } from '../../reports/steps.ts';
import { PROPERTIES } from '../../suites/properties/index.ts';
import { runsOf } from '../../suites/property.ts';
import { runProperty, type PropertyOutcome } from '../../engine/run-property.ts';

/** Seed for the project's own tests: fixed unless IPCSPEC_SEED says otherwise, so failures replay. */
export const TEST_SEED = Number(process.env.IPCSPEC_SEED ?? 20261124);
const FAILURES = resolve('ipcspec-test-failures');

export function describeArea(area: string): void {
  const target = process.platform === 'linux' ? new HostTarget() : undefined;
  afterAll(() => target?.dispose());
  for (const profileName of PROFILE_NAMES) {
    const profile = loadProfile(profileName);
    const props = PROPERTIES.filter((p) => p.area === area && p.clauses.some((c) => clauseById(c).profiles.includes(profileName)));
    describe.skipIf(!target)(`${area} on the host kernel under profile ${profileName}`, () => {
      for (const prop of props) {
        it(prop.name, async (ctx) => {
          const out = await runProperty(prop, target!, profile, { runs: runsOf(prop), seed: TEST_SEED });
          if (out.failure) throw new Error(explain(out, profileName));
          // unsupported is not pass: the test shows as skipped, with the reason
          if (out.runs > 0 && out.unsupported === out.runs) ctx.skip(`unsupported here: ${out.unsupportedReason}`);
        });
      }
    });
  }
}

function explain(out: PropertyOutcome, profile: string): string {
  const f = out.failure!;
  const v = f.verdict;
  const clause = v.status === 'fail' ? v.violation.clause : undefined;
  mkdirSync(FAILURES, { recursive: true });
  const file = join(FAILURES, `${clause ?? out.property.area}--${profile}.json`);
  const cx: Counterexample = {
    schemaVersion: SCHEMA_VERSION, kind: 'ipcspec-counterexample', clause: clause ?? '', property: out.property.name, profile: profile as 'linux',
    target: { name: f.trace.target, description: 'host', settled: f.trace.settled, privileged: f.trace.privileged }, seed: out.seed, path: f.path,
    scenario: f.scenario, trace: f.trace,
    verdict: v.status === 'fail' ? { status: 'fail', ...v.violation } : { status: v.status, reason: v.reason },
    replay: `npx ipcspec replay ${file} --target host --profile ${profile}`,
  };
  writeFileSync(file, toJson(cx));
  const head = v.status === 'fail' ? `${clause}: ${clause && isClauseId(clause) ? clauseById(clause).title : ''}` : `${v.status}: ${v.reason}`;
  return [head, `after ${f.runsToFailure} run(s), shrunk to:`, renderSteps(f.scenario, f.trace, v.status === 'fail' ? v.violation : undefined), `replay: ${cx.replay}`].join('\n');
}
