// The exit code contract (issue 12, defects 10 and 12): exit 2 always comes with exactly one line on
// stderr, infrastructure errors included (a program that does not exist, clauses no scenario
// reached), and --version and --help tell the truth.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isOneCleanLine, runCli } from './helpers/cli-child.ts';

const dirs: string[] = [];
const tmp = (): string => { const d = mkdtempSync(join(tmpdir(), 'cli-contract-')); dirs.push(d); return d; };
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
const version = (JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;

describe.skipIf(process.platform !== 'linux')('the exit code contract', () => {
  it('--version prints the package version and exits 0', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`ipcspec ${version}\n`);
    expect(r.stderr).toBe('');
  });

  it('--help states the limits and the exit codes', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--runs 1\.\.1000000, --seed 0\.\.4294967295/);
    expect(r.stdout).toMatch(/2 usage or infrastructure error\s+\(one line on stderr/);
    expect(r.stdout).toMatch(/--version/);
    const run = await runCli(['run', '--help']);
    expect(run.stdout).toMatch(/--runs N\s+scenarios per property, 1\.\.1000000/);
    expect(run.stdout).toMatch(/--seed S\s+run seed, 0\.\.4294967295/);
  });

  it('a missing exec: program: exit 2, one line on stderr naming it', async () => {
    const out = tmp();
    const r = await runCli(['run', '--target', 'exec:/nonexistent/ipcspec-driver', '--only', 'pipe.zero-length-io', '--runs', '5', '--out', out]);
    expect(r.code).toBe(2);
    expect(isOneCleanLine(r.stderr)).toBe(true);
    expect(r.stderr).toMatch(/exec:\/nonexistent\/ipcspec-driver did not start .*ENOENT/);
    expect(r.stdout).toMatch(/did not start/); // the details stay on stdout and in the report
  });

  it('a missing exec: program under mutants: exit 2, one line on stderr', async () => {
    const r = await runCli(['mutants', '--target', 'exec:/nonexistent/ipcspec-driver', '--only', 'pipe.zero-length-io', '--runs', '5']);
    expect(r.code).toBe(2);
    expect(isOneCleanLine(r.stderr)).toBe(true);
    expect(r.stderr).toMatch(/did not start/);
  });

  it('clauses that no scenario reached: exit 3 (inconclusive), one line on stderr naming the first', async () => {
    const out = tmp();
    const r = await runCli(['run', '--only', 'fifo-open', '--runs', '1', '--seed', '1', '--out', out]);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    const unreached = report.results.filter((x: { notReachedIn?: number }) => x.notReachedIn !== undefined);
    expect(unreached.length, 'this seed leaves clauses not exercised in 1 run').toBeGreaterThan(0);
    expect(r.code).toBe(3);
    expect(isOneCleanLine(r.stderr)).toBe(true);
    expect(r.stderr).toContain(`${unreached.length} of ${report.results.length} results were reached by no scenario in 1 runs`);
    expect(r.stderr).toContain(unreached[0].clause);
    expect(r.stderr).toMatch(/raise --runs/);
  });

  it.each([
    [['run', '--only', ''], /--only needs a non-empty value/],
    [['run', '--out', ''], /--out needs a non-empty value/],
    [['run', '--wrap', ''], /--wrap needs a non-empty value/],
    [['run', '--runs', '1000000000000'], /--runs takes a whole number from 1 to 1000000/],
    [['run', '--seed', '9007199254740993'], /--seed takes a whole number from 0 to 4294967295, got 9007199254740993/],
  ])('%j: exit 2 at once with one line stating the limit', async (args, msg) => {
    const r = await runCli(args, { cwd: tmp(), deadlineMs: 20_000 });
    expect(r.hung).toBe(false);
    expect(r.code).toBe(2);
    expect(isOneCleanLine(r.stderr)).toBe(true);
    expect(r.stderr).toMatch(msg);
    expect(r.stdout).toBe('');
  });
});
