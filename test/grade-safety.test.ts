// Submissions are untrusted: each purpose-built misbehaving submission (test/fixtures/submissions)
// costs only the clauses it affects, each with a clear message; the grader goes on and always writes
// its result, also when the submission cannot start or the run is interrupted.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClauseGrade, Grade } from '../spec/grade.ts';
import { grade } from '../engine/grade/engine.ts';
import { parseRubric } from '../engine/grade/rubric.ts';
import { parseSubmission } from '../engine/grade/submission.ts';
import { ESCAPE_DIR } from './fixtures/submissions/misbehave.ts';
import { tempDir } from './support/tmp.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'ipcspec.mjs');
const SUBS = join(ROOT, 'test', 'fixtures', 'submissions');
// Exec submissions run as uid 65534: their files live where that user can read them (not under a 0700 clone).
const scratch = tempDir('ipcspec-grade-safety-', '/var/tmp');
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Three clauses: the misbehaviours fire on FIFO opens (op `open`), which only the fifo clause's scenarios make.
// stdout_visibility: visible, so that each reason carries what the submission printed (the default withholds it).
const RUBRIC = `
runs: 10
seeds: { fixed: 5 }
stdout_visibility: visible
limits: { reply_seconds: 2, clause_seconds: 30, processes: 24 }
clauses:
  - match: pipe.order-and-content
    points: 2
  - match: fifo.open-blocks-until-partner
    points: 1
  - match: pipe.eof-after-last-writer
    points: 1
`;
const rubricFile = join(scratch, 'rubric.yaml');
writeFileSync(rubricFile, RUBRIC);
const rubric = parseRubric(RUBRIC, rubricFile);

const gradeOf = (submission: string, interrupted = () => false): Promise<Grade> =>
  grade({ rubric, submission: parseSubmission(submission), version: 'test', interrupted });
const byClause = (g: Grade, id: string): ClauseGrade => g.tests.find((t) => t.clause === id)!;
const module = (name: string) => `module:${join(SUBS, `${name}.ts`)}`;

/** Processes running `sleep 1000` (what the fork bomb leaves behind, if anything survives it). */
const sleepers = (): number =>
  readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try { return readFileSync(`/proc/${p}/cmdline`, 'latin1') === 'sleep\u00001000\u0000'; } catch { return false; }
  }).length;

/** Processes of uid 65534 (zombies included): RLIMIT_NPROC counts them all, whoever started them. */
const nobodyProcesses = (): number =>
  readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try { return /^Uid:\s+65534\s/m.test(readFileSync(`/proc/${p}/status`, 'latin1')); } catch { return false; }
  }).length;

/** The misbehaviour costs the fifo clause alone, with `message` in its reason; the pipe clauses still score. */
function expectOnlyFifoCost(g: Grade, message: RegExp): void {
  expect(g.message).toBeUndefined();
  expect(byClause(g, 'pipe.order-and-content')).toMatchObject({ outcome: 'pass', score: 2 });
  expect(byClause(g, 'pipe.eof-after-last-writer')).toMatchObject({ outcome: 'pass', score: 1 });
  const fifo = byClause(g, 'fifo.open-blocks-until-partner');
  expect(fifo).toMatchObject({ outcome: 'error', score: 0 });
  expect(fifo.reason).toMatch(message);
  expect(fifo.counterexample?.scenario.steps.length).toBeGreaterThan(0); // the scenario it failed in, replayable
  expect(g.score).toBe(3);
}

describe('a misbehaving submission costs only the clauses it affects', () => {
  it('crashes: the exit status and its stderr', async () => {
    expectOnlyFifoCost(await gradeOf(module('crash')), /exited with status 3.*simulated crash/);
  });

  it.skipIf(process.getuid?.() !== 0)('runs as uid 65534 in a fresh temp dir (the grader is root)', async () => {
    const g = await gradeOf(module('whoami-uid'));
    expect(byClause(g, 'fifo.open-blocks-until-partner').reason).toMatch(/running as uid 65534 gid 65534 in \/\S*ipcspec-grade-/);
  });

  it('throws from a step: the exception', async () => {
    expectOnlyFifoCost(await gradeOf(module('throw')), /threw: simulated bug/);
  });

  it('hangs: the reply deadline', async () => {
    expectOnlyFifoCost(await gradeOf(module('hang')), /no result .* within 2 s/);
  });

  it('is too slow: the clause deadline stops it', async () => {
    // 1.5 s per FIFO open, well within the reply deadline; the fifo clause's 10 scenarios need over 15 s of its 6
    const slowRubric = parseRubric(RUBRIC.replace('reply_seconds: 2', 'reply_seconds: 10').replace('clause_seconds: 30', 'clause_seconds: 6'), rubricFile);
    const g = await grade({ rubric: slowRubric, submission: parseSubmission(module('slow')), version: 'test', interrupted: () => false });
    expect(byClause(g, 'pipe.order-and-content')).toMatchObject({ outcome: 'pass', score: 2 });
    expect(byClause(g, 'fifo.open-blocks-until-partner')).toMatchObject({ outcome: 'error', score: 0 });
    expect(byClause(g, 'fifo.open-blocks-until-partner').reason).toMatch(/did not finish this clause within its 6 s deadline/);
  });

  it('starts slowly: the start deadline (start_seconds), not the reply deadline, applies to its hello', async () => {
    const ok = await gradeOf(module('slow-start')); // reply_seconds 2, start_seconds 30 (default)
    expect(ok.message).toBeUndefined();
    expect(ok.score).toBe(4);
    const tight = parseRubric(RUBRIC.replace('reply_seconds: 2,', 'reply_seconds: 2, start_seconds: 1,'), rubricFile);
    const g = await grade({ rubric: tight, submission: parseSubmission(module('slow-start')), version: 'test', interrupted: () => false });
    expect(g.message).toMatch(/^The submission could not start: .*no hello from the driver within 1 s/);
    expect(g.sandbox).toMatch(/deadlines: 1 s to start, 2 s per reply, 30 s per clause/);
  });

  it('takes all the memory it can: the memory limit refuses it', async () => {
    expectOnlyFifoCost(await gradeOf(module('hog')), /allocation failed|status 134|killed by/);
  });

  it('a module may use WebAssembly (node reserves ~10 GiB of address space for it): the limit counts writable data', async () => {
    const g = await gradeOf(module('wasm'));
    expect(g.sandbox).toMatch(/memory 1024 MiB \(writable data\)/);
    expect(g.score).toBe(4);
  });

  it('spins on the CPU: the reply deadline', async () => {
    expectOnlyFifoCost(await gradeOf(module('spin')), /no result .* within 2 s/);
  });

  it('speaks garbage on the protocol: what it said', async () => {
    expectOnlyFifoCost(await gradeOf(module('garbage')), /not JSON: "this is not JSON"/);
  });

  it('floods its stderr: contained, its tail is cut short', async () => {
    const g = await gradeOf(module('flood-stderr'));
    expectOnlyFifoCost(g, /flood x|bad_alloc|status 134/); // its tail, or its own death by the memory limit (node buffers stderr)
    expect(byClause(g, 'fifo.open-blocks-until-partner').reason.length).toBeLessThan(3_000);
  });

  it('forks a lot: bounded by the process limit, and every child dies with the submission', async () => {
    const before = nobodyProcesses();
    // What it dies of depends on where the limit bites first: a reply it never sends, or node failing to make a thread.
    expectOnlyFifoCost(await gradeOf(module('forkbomb')), /no result .* within 2 s|fork bomb stopped|status 134|killed by/);
    expect(sleepers()).toBe(0);
    // Where no pids cgroup can be made the limit is RLIMIT_NPROC, shared by every process of uid 65534:
    // then wait until the bomb's processes are reaped before the next submission of that uid starts.
    for (let i = 0; i < 200 && nobodyProcesses() > before; i++) await new Promise((r) => setTimeout(r, 50));
  });

  it('forks a lot where the machine allows no namespaces or cgroups (a container): still bounded, and nothing survives', async () => {
    const before = process.env.IPCSPEC_SANDBOX_WITHOUT;
    process.env.IPCSPEC_SANDBOX_WITHOUT = 'netns,pidns,pids';
    try {
      const g = await gradeOf(module('forkbomb'));
      expect(g.sandbox).toMatch(/no PID namespace \(turned off by IPCSPEC_SANDBOX_WITHOUT\)/);
      expectOnlyFifoCost(g, /no result .* within 2 s|fork bomb stopped|status 134|killed by/);
      expect(sleepers()).toBe(0); // its children were detached (setsid): the process-group kill alone misses them
    } finally {
      if (before === undefined) delete process.env.IPCSPEC_SANDBOX_WITHOUT; else process.env.IPCSPEC_SANDBOX_WITHOUT = before;
    }
    const start = Date.now();
    while (nobodyProcesses() > 0 && Date.now() - start < 10_000) await new Promise((r) => setTimeout(r, 50));
  });

  describe('writes outside its temp dir', () => {
    beforeAll(() => {
      rmSync(ESCAPE_DIR, { recursive: true, force: true });
      mkdirSync(ESCAPE_DIR);
      chmodSync(ESCAPE_DIR, 0o777); // world-writable: only the sandbox (Landlock) stands in the way
    });
    afterAll(() => rmSync(ESCAPE_DIR, { recursive: true, force: true }));

    it('is refused (EACCES), and the file is not there', async () => {
      expectOnlyFifoCost(await gradeOf(module('escape')), /EACCES/);
      expect(existsSync(join(ESCAPE_DIR, 'escaped.txt'))).toBe(false);
    });
  });

  it('floods its stdout: killed at the cap, every clause it floods costs', async () => {
    const flood = join(scratch, 'exec-stdout-flood.mjs');
    copyFileSync(join(SUBS, 'exec-stdout-flood.mjs'), flood);
    chmodSync(flood, 0o644);
    const g = await gradeOf(`exec:${process.execPath} ${flood}`);
    expect(g.tests.map((t) => t.outcome)).toEqual(['error', 'error', 'error']);
    for (const t of g.tests) expect(t.reason).toMatch(/flooded its stdout \(over 64 MiB unread\)/);
    expect(g.score).toBe(0);
  });
});

describe('the result is always written', () => {
  const cli = (args: string[]) => spawnSync(process.execPath, [BIN, 'grade', ...args], { encoding: 'utf8', timeout: 120_000 });

  it('a submission that cannot start: Gradescope results.json with a top-level message and a score of 0', () => {
    const out = join(scratch, 'cannot-start.json');
    const r = cli(['--submission', module('cannot-start'), '--rubric', rubricFile, '--format', 'gradescope', '--out', out]);
    expect(r.status).toBe(0);
    const res = JSON.parse(readFileSync(out, 'utf8'));
    expect(res.score).toBe(0);
    expect(res.output).toMatch(/^The submission could not start: .*cannot-start\.ts:3:1/);
    expect(res.tests).toHaveLength(3);
    for (const t of res.tests) expect(t).toMatchObject({ score: 0, status: 'failed' });
  });

  it('an exec submission whose program does not exist: the same, naming the program', () => {
    const out = join(scratch, 'missing.json');
    const r = cli(['--submission', 'exec:/nonexistent/driver', '--rubric', rubricFile, '--format', 'gradescope', '--out', out]);
    expect(r.status).toBe(0);
    const res = JSON.parse(readFileSync(out, 'utf8'));
    expect(res.score).toBe(0);
    expect(res.output).toMatch(/could not start.*\/nonexistent\/driver/);
  });

  it("the grader's own failure (no C compiler for its sandbox): exit 2, and results.json says it is not the submission's fault", () => {
    const out = join(scratch, 'no-cc.json');
    const cache = mkdtempSync(join(scratch, 'empty-cache-'));
    const r = spawnSync(process.execPath, [BIN, 'grade', '--submission', module('crash'), '--rubric', rubricFile, '--format', 'gradescope', '--out', out], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, CC: '/nonexistent/cc', IPCSPEC_CACHE_DIR: cache } });
    expect(r.status).toBe(2);
    const res = JSON.parse(readFileSync(out, 'utf8'));
    expect(res.score).toBe(0);
    expect(res.output).toMatch(/^The autograder could not set up its sandbox \(not the submission's fault\): .*C compiler/);
  });

  it.skipIf(process.getuid?.() !== 0)("the grader's own failure mid-way (a TMPDIR uid 65534 cannot reach): exit 2, and results.json says so", () => {
    const priv = mkdtempSync(join(scratch, 'private-'));
    chmodSync(priv, 0o700);
    const out = join(scratch, 'private.json');
    const r = spawnSync(process.execPath, [BIN, 'grade', '--submission', module('crash'), '--rubric', rubricFile, '--format', 'gradescope', '--out', out], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, TMPDIR: priv } });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not reachable by uid 65534/);
    const res = JSON.parse(readFileSync(out, 'utf8'));
    expect(res.score).toBe(0);
    expect(res.output).toMatch(/^The autograder failed \(not the submission's fault\): .*not searchable by others/);
  });

  it('a rubric with an error: exit 2, the line on stderr, and results.json saying so', () => {
    const bad = join(scratch, 'bad.yaml');
    writeFileSync(bad, RUBRIC.replace('points: 1\n', 'point: 1\n'));
    const out = join(scratch, 'bad.json');
    const r = cli(['--submission', module('crash'), '--rubric', bad, '--format', 'gradescope', '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:\d+: /);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ score: 0, output: expect.stringMatching(/misconfigured/) });
  });

  it('Ctrl-C during grading: exit 130, results.json with the clauses so far, a message and a score of 0', async () => {
    const out = join(scratch, 'interrupted.json');
    const slow = join(scratch, 'slow.yaml');
    // The hang costs 2 s per scenario on the fifo clause (graded second): the interrupt lands there.
    writeFileSync(slow, RUBRIC.replace('reply_seconds: 2', 'reply_seconds: 20'));
    const child = spawn(process.execPath, [BIN, 'grade', '--submission', module('hang'), '--rubric', slow, '--format', 'gradescope', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const firstClauseDone = new Promise<void>((res) => child.stderr.on('data', (d: Buffer) => { stderr += d; if (/\[1\/3\]/.test(stderr)) res(); }));
    const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    await firstClauseDone;
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const res = JSON.parse(readFileSync(out, 'utf8'));
    expect(res.score).toBe(0);
    expect(res.output).toMatch(/^Grading was interrupted after 1 of 3 clauses/);
    expect(res.tests).toHaveLength(3);
    expect(res.tests[0].extra_data.outcome).toBe('pass');
    expect(res.tests.slice(1).map((t: { extra_data: { outcome: string } }) => t.extra_data.outcome)).toEqual(['not-run', 'not-run']);
  });
});

// A teacher's own machine: the grader is not root, so there is no uid to drop to and no namespace or
// cgroup; Landlock still confines the submission's writes, and the process limit still leaves room.
describe.skipIf(process.getuid?.() !== 0)('a grader that is not root', () => {
  const TEACHER = 64_125; // no account has it
  let copy: string;
  beforeAll(() => {
    // the grader's own files, owned by that user (the checkout may sit under a 0700 directory)
    copy = tempDir('ipcspec-nonroot-', '/var/tmp');
    cpSync(ROOT, copy, { recursive: true, filter: (src) => !/\/(\.git|\.scratch|ipcspec-report|ipcspec-test-failures|\.cache)(\/|$)/.test(src.slice(ROOT.length)) });
    spawnSync('chown', ['-R', `${TEACHER}:${TEACHER}`, copy]);
    chmodSync(copy, 0o755);
    rmSync(ESCAPE_DIR, { recursive: true, force: true });
    mkdirSync(ESCAPE_DIR);
    chmodSync(ESCAPE_DIR, 0o777);
  }, 120_000);
  afterAll(() => {
    rmSync(copy, { recursive: true, force: true });
    rmSync(ESCAPE_DIR, { recursive: true, force: true });
  });

  it('grades under Landlock and limits alone, says so, and the write outside is still refused', () => {
    const out = join(copy, 'grade.json');
    const r = spawnSync('setpriv', [`--reuid=${TEACHER}`, `--regid=${TEACHER}`, '--clear-groups', 'env', `HOME=${copy}`, process.execPath, join(copy, 'bin', 'ipcspec.mjs'), 'grade',
      '--submission', `module:${join(copy, 'test', 'fixtures', 'submissions', 'escape.ts')}`, '--rubric', rubricFile, '--format', 'json', '--out', out], { cwd: copy, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const g = JSON.parse(readFileSync(out, 'utf8')) as Grade;
    expect(g.sandbox).toMatch(/^not root: runs as the grader's user, no namespaces; Landlock ABI \d+: reads only the runtime, the harness and its own files; writes only in its temp dir; .*more than the grader's user runs at the start/);
    expectOnlyFifoCost(g, /EACCES/);
    expect(existsSync(join(ESCAPE_DIR, 'escaped.txt'))).toBe(false);
  }, 120_000);
});
