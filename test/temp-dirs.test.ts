// Temp dirs (harness/temp-dirs.ts): named ipcspec-<kind>-<pid>-<random>, removed on a clean exit and on
// SIGINT; what a kill -9 leaves is swept by the next start, and a live run's dirs survive that sweep,
// also when a dead owner's PID was reused. Each case runs real `ipcspec` children in a TMPDIR of its own.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir, ownerMayBeAlive, ownerPid, processStartMs, removeTempDir, sweepStaleTempDirs } from '../harness/temp-dirs.ts';
import { planSandbox, probeSandbox } from '../harness/sandbox/sandbox.ts';
import { tempDir } from './support/tmp.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'ipcspec.mjs');
const HANG = join(ROOT, 'test', 'fixtures', 'submissions', 'hang-marked.ts');

/** A TMPDIR for one case, searchable by others (a graded submission runs as uid 65534 below it). */
function base(): string {
  const d = tempDir('td-');
  chmodSync(d, 0o755);
  return d;
}

/** Names in dir that ipcspec made for pid. */
const dirsOf = (dir: string, pid: number): string[] => readdirSync(dir).filter((n) => ownerPid(n) === pid).sort();
const kindOf = (name: string): string => name.replace(/^ipcspec-(.*)-\d+-[A-Za-z0-9]{6}$/, '$1');

function start(tmp: string, args: string[]): ChildProcess & { closed: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.resume();
  return Object.assign(child, { closed: new Promise<number | null>((res) => child.on('close', (code) => res(code))) });
}

/** Poll until cond holds; a generous bound, so that a run that never gets there fails instead of hanging. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never happened: ${what}`);
}

/** A start of ipcspec in tmp (any command: the sweep runs first). */
function anotherStart(tmp: string): void {
  const r = spawnSync(process.execPath, [BIN, 'clauses'], { cwd: ROOT, env: { ...process.env, TMPDIR: tmp }, encoding: 'utf8', timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
}

/** Processes started with TMPDIR at or below tmp (a grader's, its drivers' and its submissions'), or as test says. */
function marked(tmp: string, test = (v: string) => v === `TMPDIR=${tmp}` || v.startsWith(`TMPDIR=${tmp}/`)): number[] {
  return readdirSync('/proc').filter((x) => /^\d+$/.test(x)).map(Number).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/environ`, 'latin1').split('\0').some(test);
    } catch { return false; }
  });
}
/** The submission is stuck in its hang: it left `hanging` in its sandbox dir. */
const submissionHangs = (tmp: string, pid: number): boolean => dirsOf(tmp, pid).some((n) => kindOf(n) === 'grade' && existsSync(join(tmp, n, 'hanging')));

/** SIGKILL what a killed grader left running (its drivers are in process groups of their own). */
function killOrphans(tmp: string): void {
  for (const p of marked(tmp)) try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
}

/** Whether this machine gives a submission its own PID namespace (as root, where the kernel lets it). */
const sandboxHasPidns = (): boolean => planSandbox(probeSandbox(), { cpuSeconds: 1, memoryMb: 1, processes: 1, fileSizeMb: 1 }, '/x').pidns;

/** A rubric whose one clause hangs on the `hang` submission for a long while: grading stays under way. */
function slowRubric(dir: string): string {
  const f = join(dir, 'rubric.yaml');
  writeFileSync(f, 'runs: 10\nseeds: { fixed: 5 }\nlimits: { reply_seconds: 120, clause_seconds: 600 }\nclauses:\n  - match: fifo.open-blocks-until-partner\n    points: 1\n');
  return f;
}
const gradeArgs = (dir: string) => ['grade', '--submission', `module:${HANG}`, '--rubric', slowRubric(dir), '--format', 'json', '--out', join(dir, 'out', 'grade.json')];
const GRADE_KINDS = ['exec', 'grade', 'grade-module'];
const hasAll = (tmp: string, pid: number, kinds: string[]) => kinds.every((k) => dirsOf(tmp, pid).some((n) => kindOf(n) === k)) && submissionHangs(tmp, pid);

describe('temp dir names and removal', () => {
  it('carry the owner PID, are removed on request, and are short inside an ipcspec dir', () => {
    const tmp = base();
    const d = makeTempDir('exec', tmp);
    expect(d).toMatch(new RegExp(`/ipcspec-exec-${process.pid}-[A-Za-z0-9]{6}$`));
    expect(ownerPid(d.split('/').pop()!)).toBe(process.pid);
    const inner = makeTempDir('host', d);
    expect(inner).toMatch(/\/ipcspec-exec-\d+-\w{6}\/host-[A-Za-z0-9]{6}$/);
    removeTempDir(d);
    expect(existsSync(d)).toBe(false);
  });

  it('a sweep removes dirs of dead owners only: not live ones, not other names, not symlinks', async () => {
    const tmp = base();
    const dead = spawnSync('true').pid!;
    const sleeper = spawn('sleep', ['600']);
    await until(() => processStartMs(sleeper.pid!) !== undefined, 'the sleeper started');
    try {
      const live = join(tmp, `ipcspec-grade-module-${sleeper.pid}-abcDEF`); // made after its owner started
      const gone = join(tmp, `ipcspec-grade-module-${dead}-abcDEF`);
      const legacy = join(tmp, `ipcspec--${dead}-abcdefABCDEF`); // tmp-promise's name in ipcspec 0.1
      const reused = join(tmp, `ipcspec-host-${sleeper.pid}-zzzZZZ`); // last changed long before that PID's process started
      const other = join(tmp, `ipcspec-cache-${dead}-abcDEF`);
      for (const d of [live, gone, legacy, reused, other]) mkdirSync(join(d, 'sub'), { recursive: true });
      const hour = Date.now() / 1000 - 3600;
      utimesSync(reused, hour, hour);
      const target = join(tmp, 'target');
      mkdirSync(target);
      symlinkSync(target, join(tmp, `ipcspec-exec-${dead}-lnkLNK`));
      writeFileSync(join(tmp, `ipcspec-exec-${dead}-fileFF`), '');

      expect(ownerMayBeAlive(sleeper.pid!, lstatSync(live).mtimeMs)).toBe(true);
      expect(sweepStaleTempDirs(tmp).sort()).toEqual([gone, legacy, reused].sort());
      expect(readdirSync(tmp).sort()).toEqual([`ipcspec-cache-${dead}-abcDEF`, `ipcspec-exec-${dead}-fileFF`, `ipcspec-exec-${dead}-lnkLNK`, `ipcspec-grade-module-${sleeper.pid}-abcDEF`, 'target'].sort());
    } finally {
      sleeper.kill('SIGKILL');
    }
  });
});

describe.skipIf(process.platform !== 'linux')('real ipcspec processes', () => {
  it('kill -9 of `ipcspec run` leaves its dirs; the next start sweeps them', async () => {
    const tmp = base();
    const run = start(tmp, ['run', '--target', 'host', '--only', 'fifo-open', '--runs', '5000', '--seed', '1', '--out', join(tmp, 'out')]);
    const pid = run.pid!;
    await until(() => dirsOf(tmp, pid).some((n) => kindOf(n) === 'host' && readdirSync(join(tmp, n)).length > 0), 'the run made its host dir and a session in it');
    run.kill('SIGKILL');
    await run.closed;
    expect(dirsOf(tmp, pid).length).toBeGreaterThan(0); // what kill -9 leaves
    anotherStart(tmp);
    expect(dirsOf(tmp, pid)).toEqual([]);
  });

  it('kill -9 of `ipcspec grade` leaves the bundled submission and sandbox dirs (its sandbox dies with it); the next start sweeps them', async () => {
    const tmp = base();
    const g = start(tmp, gradeArgs(tmp));
    const pid = g.pid!;
    try {
      await until(() => hasAll(tmp, pid, GRADE_KINDS), 'the grader made its exec, grade and grade-module dirs, and the submission hangs');
      g.kill('SIGKILL');
      await g.closed;
      const left = dirsOf(tmp, pid);
      expect(left.map(kindOf)).toEqual(expect.arrayContaining(GRADE_KINDS));
      const bundle = left.find((n) => kindOf(n) === 'grade-module')!;
      expect(readdirSync(join(tmp, bundle)).length).toBeGreaterThan(0); // the student's bundled code
      // In a PID namespace the sandbox dies with the grader: nothing of the submission runs on.
      if (sandboxHasPidns()) await until(() => marked(tmp).length === 0, 'the killed grader\'s sandbox died with it');
      killOrphans(tmp);
      anotherStart(tmp);
      expect(dirsOf(tmp, pid)).toEqual([]);
    } finally {
      g.kill('SIGKILL');
      killOrphans(tmp);
    }
  });

  it('a clean Ctrl-C (SIGINT) of `ipcspec run` leaves nothing', async () => {
    const tmp = base();
    const run = start(tmp, ['run', '--target', 'host', '--only', 'fifo-open', '--runs', '5000', '--seed', '1', '--out', join(tmp, 'out')]);
    await until(() => dirsOf(tmp, run.pid!).some((n) => kindOf(n) === 'host'), 'the run made its host dir');
    run.kill('SIGINT');
    expect(await run.closed).toBe(130);
    expect(readdirSync(tmp).filter((n) => n.startsWith('ipcspec-'))).toEqual([]);
  });

  it('a clean Ctrl-C (SIGINT) of `ipcspec grade` leaves nothing, the bundled submission included', async () => {
    const tmp = base();
    const g = start(tmp, gradeArgs(tmp));
    try {
      await until(() => hasAll(tmp, g.pid!, GRADE_KINDS), 'the grader made its exec, grade and grade-module dirs, and the submission hangs');
      g.kill('SIGINT');
      expect(await g.closed).toBe(130);
      expect(readdirSync(tmp).filter((n) => n.startsWith('ipcspec-'))).toEqual([]);
      expect(existsSync(join(tmp, 'out', 'grade.json'))).toBe(true); // and the interrupted grade was still written
    } finally {
      g.kill('SIGKILL');
      killOrphans(tmp);
    }
  });

  it("a sweep at another start leaves a live run's dirs alone", async () => {
    const tmp = base();
    const run = start(tmp, ['run', '--target', 'host', '--only', 'fifo-open', '--runs', '5000', '--seed', '1', '--out', join(tmp, 'out')]);
    try {
      await until(() => dirsOf(tmp, run.pid!).some((n) => kindOf(n) === 'host'), 'the run made its host dir');
      const before = dirsOf(tmp, run.pid!).map((n) => join(tmp, n));
      const dead = join(tmp, `ipcspec-exec-${spawnSync('true').pid}-deadDD`);
      mkdirSync(dead);
      anotherStart(tmp);
      expect(existsSync(dead)).toBe(false);
      for (const d of before) expect(existsSync(d), d).toBe(true);
      expect(run.exitCode).toBe(null); // and the live run goes on
    } finally {
      run.kill('SIGINT');
      await run.closed;
    }
  });
});
