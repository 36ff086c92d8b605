// Sound verdicts where a call cannot be proven asleep (issue 11): every property, on two kinds of
// unsettled target, under both profiles and ten seeds, gives no fail on this (correct) kernel. The C
// driver runs with the shortest quiet moment, so that calls about to return are reported pending and
// their completions arrive a settle or more later: the harshest reading the model has to follow.
// bench/unsettled-soak.sh runs the same with more scenarios.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cDriverSources } from '../harness/c-driver.ts';
import { ExecTarget } from '../harness/exec-target.ts';
import type { Target } from '../spec/target.ts';
import { hostDriverCommand } from '../harness/wrap.ts';
import { renderSteps } from '../reports/steps.ts';
import { loadProfile, PROFILE_NAMES } from '../spec/profile.ts';
import { PROPERTIES } from '../suites/properties/index.ts';
import { runProperty } from '../engine/run-property.ts';
import { tempDir } from './support/tmp.ts';

const scratch = tempDir('unsettled-soundness-');
const targets: Target[] = [];
afterAll(async () => {
  for (const t of targets) await t.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

const hasCc = spawnSync('cc', ['--version']).status === 0;
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const RUNS = 5;

/** Run every property on `target` for every seed; the fails, each with its shrunk steps. */
async function fails(target: Target, profileName: (typeof PROFILE_NAMES)[number], seeds: number[], runs: number): Promise<{ judged: number; fails: string[] }> {
  const profile = loadProfile(profileName);
  const out: string[] = [];
  let judged = 0;
  for (const seed of seeds) {
    for (const prop of PROPERTIES) {
      const o = await runProperty(prop, target, profile, { runs, seed });
      judged += o.runs - o.unsupported;
      const v = o.failure?.verdict;
      if (v?.status === 'fail') out.push(`${prop.name} (seed ${seed}): ${v.violation.clause}\n${renderSteps(o.failure!.scenario, o.failure!.trace, v.violation)}`);
    }
  }
  return { judged, fails: out };
}

describe.skipIf(process.platform !== 'linux' || !hasCc)('no false alarm where a call cannot be proven asleep', () => {
  const exe = join(scratch, 'noproc');
  const start = async (): Promise<Target> => {
    const t = await ExecTarget.start(`env IPCSPEC_SETTLE_QUIET_MS=1 ${exe}`);
    targets.push(t);
    expect(t.startError).toBeUndefined();
    expect(t.info.settled).toBe(false);
    return t;
  };

  it('builds the C driver without its /proc proof', () => {
    const b = spawnSync('cc', ['-O2', '-pthread', '-DIPCSPEC_NO_PROC', '-o', exe, ...cDriverSources()], { encoding: 'utf8' });
    expect(b.status, b.stderr).toBe(0);
  });

  for (const profile of PROFILE_NAMES) {
    it(`every property on the no-proc C driver, profile ${profile}, ${SEEDS.length} seeds: 0 fail`, async () => {
      // the driver mostly waits out settles: three drivers at once, seeds dealt among them
      const lanes = [0, 1, 2].map((k) => SEEDS.filter((_, i) => i % 3 === k));
      const rs = await Promise.all(lanes.map(async (seeds) => fails(await start(), profile, seeds, RUNS)));
      expect(rs.flatMap((r) => r.fails)).toEqual([]);
      expect(rs.reduce((n, r) => n + r.judged, 0)).toBeGreaterThan(PROPERTIES.length * SEEDS.length);
    }, 300_000);
  }

  it('every property on the host driver with its proof switched off (IPCSPEC_HOST_UNPROVEN=1), profile linux: 0 fail', async () => {
    const t = await ExecTarget.start(`env IPCSPEC_HOST_UNPROVEN=1 ${hostDriverCommand()}`);
    targets.push(t);
    expect(t.startError).toBeUndefined();
    expect(t.info.settled).toBe(false);
    const r = await fails(t, 'linux', [1], RUNS);
    expect(r.fails).toEqual([]);
  }, 300_000);
});
