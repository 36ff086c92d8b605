// Issue 12, defect 6: under --only, a scenario of a selected clause's property can break a clause
// --only did not select. The selected clauses are judged with such scenarios set aside (as grade
// does), and the failure is reported as what it is: a result of its own, `selected: false`, that
// points to its counterexample file, and exit 1. No file is left that no result points to.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromJson } from '../spec/codec.ts';
import type { Counterexample, Report } from '../spec/report.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'ipcspec.mjs');
const ipcspec = (...args: string[]) => spawnSync('node', [BIN, ...args], { encoding: 'utf8', timeout: 240_000 });
let scratch = '';
beforeAll(async () => { scratch = await mkdtemp(join(tmpdir(), 'only-unselected-')); });
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const UNSELECTED = 'pipe.closed-fd-ebadf';

/** Every counterexample file is some result's, and every result's file exists. */
function filesAgree(out: string, report: Report): void {
  const dir = join(out, 'counterexamples');
  const files = existsSync(dir) ? readdirSync(dir).map((f) => `counterexamples/${f}`) : [];
  const pointed = report.results.flatMap((r) => (r.counterexample ? [r.counterexample] : []));
  expect(files.sort()).toEqual([...new Set(pointed)].sort());
}

describe.skipIf(process.platform !== 'linux')('--only and a failure of a clause it did not select', () => {
  it('reports that failure as its own result with its file, exit 1; the selected clauses are judged, not turned into errors', () => {
    const out = join(scratch, 'mutant');
    // fifo-open's property closes descriptors and uses them again: the mutant answers such a read with 0, not EBADF
    const r = ipcspec('run', '--target', `mutant:${UNSELECTED}`, '--only', 'fifo-open', '--runs', '20', '--seed', '5', '--out', out);
    expect(r.status, r.stderr).toBe(1);
    const report = fromJson<Report>(readFileSync(join(out, 'report.json'), 'utf8'));
    const found = report.results.find((x) => x.clause === UNSELECTED)!;
    expect(found).toMatchObject({ status: 'fail', selected: false, counterexample: `counterexamples/${UNSELECTED}--host+mutant_${UNSELECTED}.json` });
    const cx = fromJson<Counterexample>(readFileSync(join(out, found.counterexample!), 'utf8'));
    expect(cx.verdict).toMatchObject({ status: 'fail', clause: UNSELECTED });
    expect(found.reason).toContain(`observed ${cx.verdict.observed}; allowed ${cx.verdict.allowed}`);
    filesAgree(out, report);
    const selected = report.results.filter((x) => x.area === 'fifo-open');
    expect(selected.length).toBe(5);
    for (const x of selected) {
      expect(x.selected, x.clause).toBeUndefined();
      // judged on the scenarios that did not break the unselected clause: none is left "not exercised" by it
      expect(x.reason ?? '', x.clause).not.toMatch(/^not exercised/);
      expect(x.status, `${x.clause}: ${x.reason}`).toMatch(/^(pass|error)$/);
      if (x.status === 'error') expect(x.reason).toMatch(new RegExp(`^not reached: .*fix ${UNSELECTED.replace(/\./g, '\\.')} first`));
    }
    expect(r.stdout).toMatch(new RegExp(`FAIL +${UNSELECTED.replace(/\./g, '\\.')} .*not selected by --only`));
    expect(report.summary.fail).toBe(1);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('not selected by --only');
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toContain(`violation of ${UNSELECTED}`);
  }, 300_000);

  it('the run of the issue (node, fifo-open, 10 runs, seed 5): no file without a result, and no selected clause "not exercised"', () => {
    const out = join(scratch, 'node');
    const r = ipcspec('run', '--target', 'node', '--only', 'fifo-open', '--runs', '10', '--seed', '5', '--out', out);
    const report = fromJson<Report>(readFileSync(join(out, 'report.json'), 'utf8'));
    filesAgree(out, report);
    for (const x of report.results.filter((y) => y.area === 'fifo-open')) expect(x.reason ?? '', x.clause).not.toMatch(/^not exercised/);
    // whatever node does, a failure found (selected or not) is exit 1, never 0 or 2
    if (report.properties.some((p) => p.failed?.length)) expect(r.status, r.stderr).toBe(1);
  }, 300_000);
});
