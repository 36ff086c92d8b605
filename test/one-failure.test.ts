// One failure never hides another (issue 11, part 7): after a clause fails, a property goes on with
// the runs left, scenarios breaking a clause already failed set aside, so a second fault of the same
// property still shows, shrunk on its own clause, in every report file; a clause no scenario reached
// without breaking the failed one says which.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromJson } from '../spec/codec.ts';
import type { Counterexample, Report } from '../spec/report.ts';
import { tempDir } from './support/tmp.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'ipcspec.mjs');
const ipcspec = (...args: string[]) => spawnSync('node', [BIN, ...args], { encoding: 'utf8', timeout: 240_000 });
const scratch = tempDir('one-failure-');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');

// Two faults of one property ("bytes come out in order"): reads swap their first two bytes, and reads stop at write boundaries.
const A = 'pipe.order-and-content';
const B = 'pipe.no-message-boundaries';
const RUNS = 100;

describe.skipIf(process.platform !== 'linux')('one failure never hides another', () => {
  it('run: two faults in one property both fail, each with its own shrunk counterexample, in every report file, within the run count', () => {
    const out = join(scratch, 'run');
    const r = ipcspec('run', '--target', `mutant:${A},${B}`, '--only', `${A},${B}`, '--runs', String(RUNS), '--seed', '1', '--out', out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const report = fromJson<Report>(read(out, 'report.json'));
    const target = `host+mutant:${A},${B}`;
    expect(report.targets.map((t) => t.name)).toEqual([target]);
    for (const c of [A, B]) {
      const x = report.results.find((y) => y.clause === c)!;
      expect(x.status, c).toBe('fail');
      const cx = fromJson<Counterexample>(read(out, x.counterexample!));
      expect(cx.verdict).toMatchObject({ status: 'fail', clause: c });
      expect(x.counterexample).toBe(`counterexamples/${c}--${target.replace(/[^\w.+-]+/g, '_')}.json`);
      // replayable: the file's scenario fails that clause again
      const again = ipcspec(...cx.replay.replace(/^npx ipcspec /, '').split(' '));
      expect(again.stdout).toContain(`FAIL ${c}`);
    }
    const [p] = report.properties;
    expect([...p.failed!].sort()).toEqual([A, B].sort());
    expect(p.runs).toBeLessThanOrEqual(RUNS);
    const md = read(out, 'report.md');
    for (const c of [A, B]) {
      expect(md).toMatch(new RegExp(`\`${c.replace(/\./g, '\\.')}\` \\| .* \\| \\*\\*FAIL\\*\\*`));
      expect(md).toContain(`### \`${c}\` on ${target}`);
    }
    expect(read(out, 'junit.xml')).toMatch(/<testsuites name="ipcspec" tests="2" failures="2" errors="0"/);
    const html = read(out, 'report.html');
    for (const c of [A, B]) expect(html).toMatch(new RegExp(`class="cell s-fail[^"]*"[^>]* data-clause="${c.replace(/\./g, '\\.')}"`));
  }, 300_000);

  it('run: a clause that no scenario reached without breaking the failed clause first names that clause', () => {
    const out = join(scratch, 'aside');
    const r = ipcspec('run', '--target', `mutant:${A}`, '--only', `${A},${B}`, '--runs', String(RUNS), '--seed', '1', '--out', out);
    expect(r.status).toBe(1);
    const report = fromJson<Report>(read(out, 'report.json'));
    expect(report.results.find((x) => x.clause === A)?.status).toBe('fail');
    const b = report.results.find((x) => x.clause === B)!;
    expect(b.runs).toBe(0);
    expect(b.reason).toMatch(new RegExp(`^not reached: .*without first breaking ${A.replace(/\./g, '\\.')}.*fix ${A.replace(/\./g, '\\.')} first`));
  }, 300_000);

  it('diff: both faults are verdict differences against the host', () => {
    const out = join(scratch, 'diff');
    const r = ipcspec('diff', '--target', 'host', '--target', `mutant:${A},${B}`, '--only', `${A},${B}`, '--runs', String(RUNS), '--seed', '1', '--out', out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const report = fromJson<Report>(read(out, 'report.json'));
    expect(report.differences!.filter((d) => d.kind === 'verdict').map((d) => d.key).sort()).toEqual([`fail:${A}`, `fail:${B}`].sort());
    for (const c of [A, B]) expect(report.results.find((x) => x.clause === c && x.target !== 'host')?.status, c).toBe('fail');
  }, 300_000);
});
