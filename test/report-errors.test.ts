// A harness error is reported as an error with the scenario that erred, never as a pass or a fail:
// the host with a fault injected into the harness itself (a call's observation is lost) runs a
// real property, and every renderer shows the erring scenario and its replay command.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HostTarget } from '../harness/host/target.ts';
import type { Target } from '../spec/target.ts';
import { assemble } from '../engine/assemble.ts';
import { readReportDir } from '../reports/read-report.ts';
import { writeReportDir } from '../reports/write-report.ts';
import { loadProfile } from '../spec/profile.ts';
import { PROPERTIES } from '../suites/properties/index.ts';
import { runProperty } from '../engine/run-property.ts';
import { tempDir } from './support/tmp.ts';

const LOST = 'injected harness fault: the observation of this call was lost';

/** The host, except that the second step's observation is replaced by a harness error. */
function losesSecondCall(inner: Target): Target {
  return {
    info: { ...inner.info, name: 'host+lost-call' },
    async open() {
      const s = await inner.open();
      return {
        step: async (i, st) => {
          const r = await s.step(i, st);
          return i === 1 ? { ...r, outcome: { kind: 'error', message: LOST } } : r;
        },
        teardown: () => s.teardown(),
      };
    },
    dispose: () => inner.dispose(),
  };
}

describe.skipIf(process.platform !== 'linux')('a harness error in the reports', () => {
  const dir = tempDir('ipcspec-errors-');
  const target = losesSecondCall(new HostTarget());
  afterAll(async () => { await target.dispose(); rmSync(dir, { recursive: true, force: true }); });

  it('is an error with a replayable scenario in report.json, Markdown, HTML and JUnit', async () => {
    const prop = PROPERTIES.find((p) => p.clauses.includes('pipe.order-and-content'))!;
    const profile = loadProfile('linux');
    const outcome = await runProperty(prop, target, profile, { runs: 5, seed: 1 });
    expect(outcome.failure?.verdict.status).toBe('error');
    const { report, counterexamples } = assemble({
      runs: [{ target: { ...target.info }, outcomes: [{ outcome, durationMs: 1 }] }], clauses: prop.clauses, profile: 'linux', seed: 1, interrupted: false, version: 'test',
      replayCmd: (file, t) => `npx ipcspec replay ${join(dir, file)} --target ${t}`,
    });
    writeReportDir(dir, report, counterexamples);
    const back = readReportDir(join(dir, 'report.json'));
    for (const r of back.report.results) {
      expect(r.status, r.clause).toBe('error');
      expect(r.reason).toContain(LOST);
      const c = back.counterexamples.get(r.counterexample!)!;
      expect(c).toMatchObject({ clause: r.clause, verdict: { status: 'error' } });
      expect(c.scenario.steps.length).toBeGreaterThan(1);
      expect(c.trace.events.some((e) => e.type !== 'quiescent' && e.outcome.kind === 'error')).toBe(true);
    }
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('The scenario that erred');
    expect(html).toContain(`harness error: ${LOST}`);
    expect(html).toContain('never issued: the run stopped at the harness error');
    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect(junit.match(/<error /g)?.length).toBe(report.results.length);
    expect(junit).toContain(`harness error: ${LOST}`);
    expect(junit).toContain('npx ipcspec replay');
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toContain(`harness error: ${LOST}`);
  });
});
