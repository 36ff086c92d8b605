// `ipcspec diff` with an unsettled target (issue 11, part 4): verdicts that differ only in what a
// target that cannot prove a call asleep can show are no behaviour difference; a value that differs
// still is. The unsettled target is the host driver process with its proof switched off
// (IPCSPEC_HOST_UNPROVEN=1), the same fault injected on both sides (mutant:CLAUSE@host-process).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromJson } from '../spec/codec.ts';
import type { Counterexample, Report } from '../spec/report.ts';
import { tempDir } from './support/tmp.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'ipcspec.mjs');
const ipcspec = (...args: string[]) => spawnSync('node', [BIN, ...args], { encoding: 'utf8', timeout: 240_000, env: { ...process.env, IPCSPEC_HOST_UNPROVEN: '1' } });
const readReport = (dir: string) => fromJson<Report>(readFileSync(join(dir, 'report.json'), 'utf8'));
const scratch = tempDir('diff-unsettled-');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.skipIf(process.platform !== 'linux')('ipcspec diff with an unsettled target', () => {
  it('a fault only a settled target can prove (a reader never woken) is reported as such, not counted, and exit is not 1', () => {
    const M = 'pipe.last-writer-close-wakes-readers';
    const out = join(scratch, 'unproven');
    const r = ipcspec('diff', '--target', `mutant:${M}`, '--target', `mutant:${M}@host-process`, '--only', 'pipe-blocking', '--runs', '30', '--seed', '1', '--out', out);
    expect(r.stderr.replace(/^ipcspec (run|diff): inconclusive: .*\n/, '')).toBe(''); // a few clauses may go unreached in so few runs (exit 3)
    const report = readReport(out);
    const [settled, unsettled] = report.targets;
    expect([settled.settled, unsettled.settled]).toEqual([true, false]);
    // the settled side still fails the clause in its matrix: it proved the reader asleep
    expect(report.results.find((x) => x.clause === M && x.target === settled.name)?.status).toBe('fail');
    const d = report.differences!.find((x) => x.key === `fail:${M}`)!;
    expect(d).toMatchObject({ kind: 'verdict', unsettledOnly: true, stable: true });
    expect(d.summary).toContain('verdicts differ only in what an unsettled target can prove');
    expect(d.sides.map((s) => [s.target, s.status])).toEqual([[settled.name, 'fail'], [unsettled.name, 'pass']]);
    // the same values on both: the read never returned on either
    const files = d.sides.map((s) => fromJson<Counterexample>(readFileSync(join(out, s.counterexample), 'utf8')));
    expect(files[0].scenario).toEqual(files[1].scenario);
    expect(d.sides[0].observed.replace(/ \(.*$/, '')).toBe(d.sides[1].observed.replace(/ \(.*$/, ''));
    expect(r.stdout).toContain('0 behaviour differences, 1 only in what an unsettled target can prove (not counted)');
    // not a difference: no exit 1 for it (any exit 2 is the unsettled target's own unreached clause)
    expect(r.status).not.toBe(1);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('No behaviour differs between');
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toMatch(/<testsuite name="differences" tests="1" failures="0" errors="0" skipped="1"/);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('data-unsettled-only="true"');
    expect(html).not.toContain('data-differs="true"');
    // each side's replay is the command that rebuilds that target
    expect(d.sides[1].replay).toContain(`--target mutant:${M}@host-process`);
  }, 300_000);

  it('with a third, correct target that saw the reader woken, the fault is a behaviour difference again', () => {
    const M = 'pipe.last-writer-close-wakes-readers';
    const out = join(scratch, 'three');
    const r = ipcspec('diff', '--target', `mutant:${M}`, '--target', 'host', '--target', `mutant:${M}@host-process`, '--only', M, '--runs', '30', '--seed', '1', '--out', out);
    expect(r.stderr.replace(/^ipcspec (run|diff): inconclusive: .*\n/, '')).toBe(''); // a few clauses may go unreached in so few runs (exit 3)
    expect(r.status).toBe(1);
    const d = readReport(out).differences!.find((x) => x.key === `fail:${M}`)!;
    expect(d.sides.map((s) => s.target).slice(0, 2)).toEqual([`host+mutant:${M}`, 'host']);
    expect(d.unsettledOnly).toBeUndefined();
  }, 300_000);

  it('a value that differs is still a behaviour difference when one side is unsettled', () => {
    const M = 'pipe.nonblocking-read-eagain';
    const out = join(scratch, 'values');
    const r = ipcspec('diff', '--target', 'host', '--target', `mutant:${M}@host-process`, '--only', M, '--runs', '30', '--seed', '1', '--out', out);
    expect(r.stderr.replace(/^ipcspec (run|diff): inconclusive: .*\n/, '')).toBe(''); // a few clauses may go unreached in so few runs (exit 3)
    expect(r.status).toBe(1);
    const d = readReport(out).differences!.find((x) => x.key === `fail:${M}`)!;
    expect(d).toMatchObject({ kind: 'verdict', stable: true });
    expect(d.unsettledOnly).toBeUndefined();
    expect(r.stdout).toMatch(/[1-9]\d* behaviour difference/);
  }, 300_000);
});
