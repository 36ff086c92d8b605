// `ipcspec diff`: the same scenarios on several targets, differences shrunk, replayable per target,
// and noise told apart from behaviour.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromJson } from '../spec/codec.ts';
import { loadProfile } from '../spec/profile.ts';
import type { Counterexample, Difference, Report } from '../spec/report.ts';
import { PROPERTIES } from '../suites/properties/index.ts';
import { diffProperty } from '../engine/diff/engine.ts';
import { compareObservations, normAddr } from '../engine/diff/observe.ts';
import { HostTarget } from '../harness/host/target.ts';
import { MUTANTS } from '../harness/mutants/index.ts';
import type { Target } from '../spec/target.ts';
import { tempDir } from './support/tmp.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'ipcspec.mjs');
const ipcspec = (...args: string[]) => spawnSync('node', [BIN, ...args], { encoding: 'utf8', timeout: 240_000 });
const oneLine = (s: string) => s.trim().split('\n').length === 1;
const readReport = (dir: string) => fromJson<Report>(readFileSync(join(dir, 'report.json'), 'utf8'));
/** Run a difference's replay command for one side (the recorded command, as a user would paste it). */
const replay = (cmd: string) => {
  const args = cmd.replace(/^npx ipcspec /, '').split(' ');
  return ipcspec(...args);
};
const MUTANT = 'pipe.nonblocking-read-eagain';

describe.skipIf(process.platform !== 'linux')('ipcspec diff', () => {
  it('finds a verdict difference between the host and a mutant, shrinks it, and each side replays with its recorded outcome', () => {
    const out = tempDir('diff-');
    const r = ipcspec('diff', '--target', 'host', '--target', `mutant:${MUTANT}`, '--only', 'pipe-blocking', '--runs', '30', '--seed', '1', '--out', out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const report = readReport(out);
    // the matrix of `ipcspec run`, for every target
    expect(report.targets.map((t) => t.name)).toEqual(['host', `host+mutant:${MUTANT}`]);
    expect(report.results.find((x) => x.clause === MUTANT && x.target === 'host')?.status).toBe('pass');
    expect(report.results.find((x) => x.clause === MUTANT && x.target !== 'host')?.status).toBe('fail');
    const d = report.differences!.find((x) => x.key === `fail:${MUTANT}`)!;
    expect(d).toMatchObject({ kind: 'verdict', clauses: [MUTANT], stable: true });
    expect(d.sides.map((s) => [s.target, s.status])).toEqual([['host', 'pass'], [`host+mutant:${MUTANT}`, 'fail']]);
    const files = d.sides.map((s) => fromJson<Counterexample>(readFileSync(join(out, s.counterexample), 'utf8')));
    // shrunk: a pipe and the one nonblocking read the mutant answers wrongly (plus what the generator always appends)
    expect(files[0].scenario.steps.length).toBeLessThanOrEqual(4);
    expect(files[0].scenario).toEqual(files[1].scenario);
    expect(files[1].verdict).toMatchObject({ status: 'fail', clause: MUTANT });
    // replayable per target, with the recorded outcome
    const onHost = replay(d.sides[0].replay);
    expect(onHost.status, onHost.stderr).toBe(0);
    expect(onHost.stdout).toContain('-1 EAGAIN');
    const onMutant = replay(d.sides[1].replay);
    expect(onMutant.status, onMutant.stderr).toBe(1);
    expect(onMutant.stdout).toContain(`FAIL ${MUTANT}`);
    // every report file says so
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/## Differences[\s\S]*1 behaviour difference/);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.match(new RegExp(`class="cell s-\\w+ differs" data-differs="true" data-clause="${MUTANT.replace(/\./g, '\\.')}"`, 'g'))?.length).toBe(2);
    expect(html).toContain('value="differs"');
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toMatch(/<testsuite name="differences" tests="1" failures="1"/);
    // merge keeps the differences, files copied and replay commands pointed at the copies
    const merged = tempDir('diff-merged-');
    const m = ipcspec('report', 'merge', join(out, 'report.json'), '--out', merged);
    expect(m.status, m.stderr).toBe(1);
    const md = readReport(merged).differences!;
    expect(md.map((x) => x.key)).toEqual(report.differences!.map((x) => x.key));
    for (const s of md[0].sides) {
      expect(existsSync(join(merged, s.counterexample))).toBe(true);
      expect(s.replay).toContain(join(merged, s.counterexample));
    }
  });

  it('finds an observation difference where the model allows both: a partial write size (host vs the model, posix)', () => {
    const out = tempDir('diff-');
    const r = ipcspec('diff', '--target', 'host', '--target', 'model', '--profile', 'posix', '--only', 'pipe.nonblocking-write-when-full', '--runs', '50', '--seed', '1', '--out', out);
    expect(r.status, r.stderr).toBe(1);
    const report = readReport(out);
    expect(report.summary.fail).toBe(0); // both conform
    const d = report.differences!.find((x: Difference) => x.key === 'write/value')!;
    expect(d).toMatchObject({ kind: 'observation', stable: true });
    expect(d.clauses).toContain('pipe.nonblocking-write-when-full');
    const [host, model] = d.sides;
    expect(host.status).toBe('pass');
    expect(model.status).toBe('pass');
    expect(host.observed).toMatch(/^\d+$/);
    expect(model.observed).toMatch(/^\d+$/);
    expect(Number(model.observed)).toBeLessThan(Number(host.observed)); // the model's canonical choice: a partial write
    for (const s of d.sides) {
      const x = replay(s.replay);
      expect(x.status, x.stderr).toBe(0);
      expect(x.stdout).toContain(`-> ${s.observed}`);
    }
  });

  it('gives exit 0 and no differences for targets that behave alike', () => {
    const out = tempDir('diff-');
    const r = ipcspec('diff', '--target', 'host', '--target', 'model', '--only', 'pipe-data,fifo-namespace', '--runs', '30', '--seed', '2', '--out', out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = readReport(out);
    expect(report.differences).toEqual([]);
    expect(report.results.every((x) => x.status === 'pass')).toBe(true);
    expect(r.stdout).toContain('0 behaviour differences');
  });

  it('keeps the other targets when a driver crashes: its cells are errors with its stderr, exit 2', () => {
    const out = tempDir('diff-');
    const crash = `exec:sh ${join(import.meta.dirname, 'fixtures', 'drivers', 'crash.sh')}`;
    const r = ipcspec('diff', '--target', 'host', '--target', crash, '--only', 'pipe-data', '--runs', '10', '--seed', '1', '--out', out);
    expect(r.status).toBe(2);
    const report = readReport(out);
    expect(report.results.filter((x) => x.target === 'host').every((x) => x.status === 'pass')).toBe(true);
    const driver = report.results.filter((x) => x.target === crash);
    expect(driver.length).toBeGreaterThan(0);
    for (const x of driver) expect(x).toMatchObject({ status: 'error', reason: expect.stringContaining('dying on purpose') });
    expect(report.differences).toEqual([]);
  });

  it.each([
    [['diff', '--target', 'host'], /at least two --target/],
    [['diff'], /at least two --target/],
    [['diff', '--target', 'host', '--target', 'nosuch'], /unknown target "nosuch"/],
    [['diff', '--target', 'host', '--target', 'host'], /given twice/],
    [['diff', '--target', 'host', '--target', 'model', '--runs', 'x'], /--runs takes a whole number/],
    [['diff', '--target', 'host', '--target', 'model', '--only', 'nosuch.*'], /no clause or area matches/],
  ])('rejects %j with one line and exit 2', (args, msg) => {
    const r = ipcspec(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(msg);
    expect(oneLine(r.stderr)).toBe(true);
  });

  it('labels a target that disagrees with itself on the minimal scenario nondeterministic, not a behaviour difference', async () => {
    // A target that is the host on odd sessions and the mutant on even ones: every difference it shows is noise.
    const host = new HostTarget();
    const mutant = MUTANTS.find((m) => m.clause === MUTANT)!.wrap(new HostTarget());
    let n = 0;
    const flaky: Target = { info: { ...host.info, name: 'flaky' }, open: () => (n++ % 2 ? mutant : host).open(), dispose: async () => {} };
    const prop = PROPERTIES.find((p) => p.clauses.includes(MUTANT))!;
    try {
      const d = await diffProperty(prop, [host, flaky], loadProfile('linux'), { runs: 30, seed: 1 });
      const f = d.findings.find((x) => x.difference && x.finding.kind === 'verdict')!;
      expect(f).toBeDefined();
      expect(f.nondeterministic).toEqual([1]);
    } finally {
      await host.dispose();
      await mutant.dispose();
    }
  });
});

describe('observation normalising', () => {
  it('keeps behaviour and drops descriptor numbers, ports and scratch paths', () => {
    expect(normAddr('127.0.0.1:40123')).toBe('v4#1:*');
    expect(normAddr('0.0.0.0:0')).toBe('0.0.0.0:0');
    expect(normAddr('[::1]:0')).toBe('v6#1:0');
    expect(normAddr('unix:/tmp/ipcspec-abc/s0')).toBe('unix:…/s0');
    expect(normAddr('unix:/tmp/other-dir-longer/len64-xxxx')).toBe('unix:a 32-byte path');
    const scenario = { property: 't', steps: [{ actor: 'main', op: 'dup' as const, fd: 'r', as: 'r2' }, { actor: 'main', op: 'write' as const, fd: 'w', size: 10 }] };
    const trace = (dupFd: number, wrote: number, settled = true) => ({ target: 'x', settled, privileged: false, events: [
      { type: 'call' as const, step: 0, actor: 'main', outcome: { kind: 'ok' as const, value: dupFd } }, { type: 'quiescent' as const },
      { type: 'call' as const, step: 1, actor: 'main', outcome: wrote < 0 ? { kind: 'pending' as const } : { kind: 'ok' as const, value: wrote } }, { type: 'quiescent' as const }] });
    expect(compareObservations(scenario, [trace(5, 10), trace(9, 10)])).toEqual([]);
    expect(compareObservations(scenario, [trace(5, 10), trace(5, 4)]).map((d) => d.key)).toEqual(['write/value']);
    // blocked vs returned is behaviour between settled targets, timing when one cannot prove a block
    expect(compareObservations(scenario, [trace(5, 10), trace(5, -1)]).map((d) => d.key)).toEqual(['write/blocks']);
    expect(compareObservations(scenario, [trace(5, 10), trace(5, -1, false)])).toEqual([]);
 
  });

  it('does not compare what follows a point where the runner issued steps in a different order', () => {
    // R1 and R2 are woken in one batch; a target that lists R2 first gets R2's queued read issued first.
    const sc = { property: 't', steps: [
      { actor: 'R1', op: 'read' as const, fd: 'r', size: 1 }, { actor: 'R2', op: 'read' as const, fd: 'r', size: 1 }, { actor: 'W', op: 'write' as const, fd: 'w', size: 9 },
      { actor: 'R1', op: 'read' as const, fd: 'r', size: 9 }, { actor: 'R2', op: 'read' as const, fd: 'r', size: 9 }] };
    const ok = (value: number) => ({ kind: 'ok' as const, value });
    const trace = (first: number, firstGot: number, secondGot: number) => ({ target: 'x', settled: true, privileged: false, events: [
      { type: 'call' as const, step: 0, actor: 'R1', outcome: { kind: 'pending' as const } }, { type: 'quiescent' as const },
      { type: 'call' as const, step: 1, actor: 'R2', outcome: { kind: 'pending' as const } }, { type: 'quiescent' as const },
      { type: 'call' as const, step: 2, actor: 'W', outcome: ok(9) },
      { type: 'complete' as const, step: first - 3, actor: first === 3 ? 'R1' : 'R2', outcome: ok(1) }, { type: 'complete' as const, step: first === 3 ? 1 : 0, actor: first === 3 ? 'R2' : 'R1', outcome: ok(1) }, { type: 'quiescent' as const },
      { type: 'call' as const, step: first, actor: first === 3 ? 'R1' : 'R2', outcome: ok(firstGot) }, { type: 'quiescent' as const },
      { type: 'call' as const, step: first === 3 ? 4 : 3, actor: first === 3 ? 'R2' : 'R1', outcome: ok(secondGot) }, { type: 'quiescent' as const }] });
    expect(compareObservations(sc, [trace(3, 7, 0), trace(3, 7, 0)])).toEqual([]);
    expect(compareObservations(sc, [trace(3, 7, 0), trace(3, 6, 1)]).map((d) => d.key)).toEqual(['read/value', 'read/value']);
    expect(compareObservations(sc, [trace(3, 7, 0), trace(4, 7, 0)])).toEqual([]);
  });
});
