// `ipcspec grade` end to end on the course kit (examples/course): both submission kinds, the kit's
// expected scores and feedback, the same grade twice, a valid Gradescope results.json, and a replay
// command that really replays the counterexample on the student's own copy.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCDriver } from '../harness/c-driver.ts';
import type { Grade } from '../spec/grade.ts';
import { tempDir } from './support/tmp.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'ipcspec.mjs');
const KIT = join(ROOT, 'examples', 'course');
const RUBRIC = join(KIT, 'rubric.yaml');
const expected = JSON.parse(readFileSync(join(KIT, 'expected.json'), 'utf8')) as {
  maxScore: number;
  submissions: Array<{ submission: string; score: number; maxScore: number; failing: string[] }>;
};
// An exec submission runs as uid 65534: its binary lives where that user can read it.
const scratch = tempDir('ipcspec-grade-test-', '/var/tmp');
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const gradeCli = (submission: string, format: string, out: string) => {
  const r = spawnSync(process.execPath, [BIN, 'grade', '--submission', submission, '--rubric', RUBRIC, '--format', format, '--out', out], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  return { status: r.status, stderr: r.stderr, text: readFileSync(out, 'utf8') };
};

/** The fields Gradescope documents for results.json (https://gradescope-autograders.readthedocs.io/en/latest/specs/). */
function expectValidGradescope(res: Record<string, unknown>): void {
  const VIS = ['visible', 'hidden', 'after_due_date', 'after_published'];
  expect(typeof res.score).toBe('number');
  expect(typeof res.execution_time).toBe('number');
  expect(typeof res.output).toBe('string');
  expect(Array.isArray(res.tests)).toBe(true);
  let sum = 0;
  for (const t of res.tests as Array<Record<string, unknown>>) {
    expect(Object.keys(t).sort()).toEqual(['extra_data', 'max_score', 'name', 'number', 'output', 'output_format', 'score', 'status', 'tags', 'visibility']);
    expect(typeof t.name).toBe('string');
    expect(typeof t.number).toBe('string');
    expect(['passed', 'failed']).toContain(t.status);
    expect(VIS).toContain(t.visibility);
    expect(t.score).toBe(t.status === 'passed' ? t.max_score : 0); // all or nothing per clause
    sum += t.score as number;
  }
  expect(res.score).toBeCloseTo(sum, 6);
}

describe.each(expected.submissions)('the course kit: $submission', (sub) => {
  let grade: Grade;
  let again: Grade;
  beforeAll(() => {
    const a = gradeCli(sub.submission, 'json', join(scratch, `${sub.score}-a.json`));
    const b = gradeCli(sub.submission, 'json', join(scratch, `${sub.score}-b.json`));
    expect(a.status, a.stderr).toBe(0);
    grade = JSON.parse(a.text);
    again = JSON.parse(b.text);
  }, 300_000);

  it('gets the expected score, failing exactly the expected clauses', () => {
    expect(grade.message).toBeUndefined();
    expect(grade.maxScore).toBe(expected.maxScore);
    expect(grade.score).toBe(sub.score);
    expect(grade.tests.filter((t) => t.outcome !== 'pass').map((t) => t.clause).sort()).toEqual([...sub.failing].sort());
  });

  it('gets the same grade when graded again (per clause, never per run)', () => {
    const strip = (g: Grade) => ({ ...g, executionTimeS: 0 });
    expect(strip(again)).toEqual(strip(grade));
  });

  it('explains each failure it has: a reason naming what is allowed, a counterexample from the fixed seed, and a replay command', () => {
    const failed = grade.tests.filter((x) => x.outcome === 'fail');
    expect(failed.map((t) => t.clause).sort()).toEqual([...sub.failing].sort()); // violations, not errors or unsupported
    for (const t of failed) {
      expect(t.counterexample?.hidden).toBe(false); // the kit's bugs all show under the fixed seed
      expect(t.reason).toMatch(/observed .*; the specification allows /);
      expect(t.counterexample?.replay).toMatch(/^cat > .*\.json <<'EOF'\n\{.*\}\nEOF\nnpx ipcspec replay .* --target module:\.\/pipes\.ts --profile posix$/s);
    }
  });

});

describe('Gradescope output', () => {
  it('the buggy submission: a valid results.json whose failed tests a student can act on', () => {
    const buggy = expected.submissions.find((s) => s.failing.length)!;
    const r = gradeCli(buggy.submission, 'gradescope', join(scratch, 'results.json'));
    const res = JSON.parse(r.text);
    expectValidGradescope(res);
    expect(res.score).toBe(buggy.score);
    const eof = res.tests.find((t: { name: string }) => t.name.startsWith('pipe.eof-after-last-writer'));
    expect(eof.status).toBe('failed');
    expect(eof.output).toMatch(/Clause pipe\.eof-after-last-writer: /); // the clause text
    expect(eof.output).toMatch(/POSIX/); // its citation
    expect(eof.output).toMatch(/\n {2}1\. \[main\] make /); // numbered steps
    expect(eof.output).toMatch(/<-- violates pipe\.eof-after-last-writer: observed .*; allowed /);
    expect(eof.output).toMatch(/npx ipcspec replay pipe\.eof-after-last-writer\.json --target module:\.\/pipes\.ts --profile posix/);
    const hidden = res.tests.find((t: { name: string }) => t.name.startsWith('fifo.recreate-is-independent'));
    expect(hidden.visibility).toBe('hidden'); // the rubric's per-test visibility
  }, 300_000);

  it("the replay command in the feedback reproduces the failure on the student's own copy", () => {
    const buggy = expected.submissions.find((s) => s.failing.length)!;
    const res = JSON.parse(readFileSync(join(scratch, 'results.json'), 'utf8'));
    const eof = res.tests.find((t: { name: string }) => t.name.startsWith('pipe.eof-after-last-writer'));
    const command = (eof.output as string).split('Replay it locally:\n')[1];
    // A student's working copy inside a checkout of ipcspec (where `npx ipcspec` resolves), as the handout says.
    const cache = join(ROOT, 'node_modules', '.cache');
    mkdirSync(cache, { recursive: true });
    const student = mkdtempSync(join(cache, 'ipcspec-student-'));
    try {
      copyFileSync(join(ROOT, buggy.submission.slice('module:'.length)), join(student, 'pipes.ts'));
      const r = spawnSync('bash', ['-c', command], { cwd: student, encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stderr).toBe(1);
      expect(r.stdout).toMatch(/verdict: FAIL pipe\.eof-after-last-writer/);
    } finally {
      rmSync(student, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('an exec: submission', () => {
  it('the portable C driver (real syscalls through the driver protocol) scores full marks under the sandbox', () => {
    const dir = mkdtempSync(join(scratch, 'cdrv-'));
    chmodSync(dir, 0o755);
    const bin = buildCDriver(dir);
    // a relative path, as a teacher types it: it names the file from the grader's directory, not the sandbox's
    const r = gradeCli(`exec:${relative(ROOT, bin)}`, 'gradescope', join(scratch, 'c.json'));
    const res = JSON.parse(r.text);
    expectValidGradescope(res);
    expect(res.output).toMatch(/Sandbox: uid 65534; own network namespace/);
    expect(res.tests.filter((t: { status: string }) => t.status !== 'passed').map((t: { name: string }) => t.name)).toEqual([]);
    expect(res.score).toBe(expected.maxScore);
  }, 300_000);
});

describe('the starters', () => {
  const expectAllUnsupported = (text: string, said: RegExp) => {
    const g = JSON.parse(text) as Grade;
    expect(g.message).toBeUndefined();
    expect(g.score).toBe(0);
    expect(new Set(g.tests.map((t) => t.outcome))).toEqual(new Set(['unsupported']));
    expect(g.tests[0].reason).toMatch(said); // its own words, from inside the submission
  };

  it('the module: starter grades 0, every clause unsupported (nothing errors)', () => {
    const r = gradeCli(`module:${join(KIT, 'starter', 'pipes.ts')}`, 'json', join(scratch, 'starter-module.json'));
    expect(r.status, r.stderr).toBe(0);
    expectAllUnsupported(r.text, /unsupported/);
  }, 120_000);

  it('the exec: starter (Python, the driver protocol) grades 0, every clause unsupported: its protocol loop works', () => {
    const py = join(scratch, 'driver.py');
    copyFileSync(join(KIT, 'starter', 'driver.py'), py);
    chmodSync(py, 0o644);
    const r = gradeCli(`exec:python3 ${py}`, 'json', join(scratch, 'starter-exec.json'));
    expect(r.status, r.stderr).toBe(0);
    expectAllUnsupported(r.text, /the starter does not do make-pipe/);
  }, 120_000);
});

describe('--only', () => {
  it('grades just the matching rubric clauses, and says the grade is partial', () => {
    const buggy = expected.submissions.find((s) => s.failing.length)!;
    const out = join(scratch, 'only.json');
    const r = spawnSync(process.execPath, [BIN, 'grade', '--submission', buggy.submission, '--rubric', RUBRIC, '--only', 'pipe.eof-*,pipe.order-*', '--format', 'gradescope', '--out', out], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(readFileSync(out, 'utf8'));
    expect(res.tests.map((t: { extra_data: { clause: string } }) => t.extra_data.clause)).toEqual(['pipe.order-and-content', 'pipe.eof-after-last-writer']);
    expect(res.score).toBe(2);
    expect(res.output).toMatch(/PARTIAL: only the 2 of 32 rubric clauses matching --only pipe\.eof-\*,pipe\.order-\* were graded/);
  }, 120_000);
});

describe('hidden seeds', () => {
  // The buggy submission's partial small write shows under seed 6 but not under seed 1 (runs 50).
  const gradeHidden = (feedback: string) => {
    const rubric = join(scratch, `hidden-${feedback}.yaml`);
    writeFileSync(rubric, `runs: 50\nseeds: { fixed: 1, hidden: [6], hidden_feedback: ${feedback} }\nclauses:\n  - match: pipe.nonblocking-small-write-all-or-nothing\n    points: 2\n`);
    const out = join(scratch, `hidden-${feedback}.json`);
    const buggy = expected.submissions.find((s) => s.failing.length)!;
    const r = spawnSync(process.execPath, [BIN, 'grade', '--submission', buggy.submission, '--rubric', rubric, '--format', 'gradescope', '--out', out], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(readFileSync(out, 'utf8'));
  };

  it('a failure only a hidden seed finds costs the clause; clause-only feedback shows the clause, no scenario', () => {
    const res = gradeHidden('clause-only');
    expect(res.score).toBe(0);
    const t = res.tests[0];
    expect(t.status).toBe('failed');
    expect(t.output).toMatch(/a hidden test scenario breaks this clause; the fixed-seed scenarios pass/);
    expect(t.output).toMatch(/Clause pipe\.nonblocking-small-write-all-or-nothing: /);
    expect(t.output).not.toMatch(/Replay it locally|\n {2}1\. /);
    expect(res.output).toMatch(/Seeds: fixed 1 plus 1 hidden seed\n/);
    expect(JSON.stringify(res)).not.toMatch(/seed 6|"6"/); // a hidden seed's value is never shown
  }, 120_000);

  it('with counterexample feedback the scenario and its replay are shown, labelled a hidden seed, without its value', () => {
    const t = gradeHidden('counterexample').tests[0];
    expect(t.output).toMatch(/Counterexample \(a hidden seed, property /);
    expect(t.output).toMatch(/Replay it locally:/);
    expect(t.output).not.toMatch(/seed 6/);
  }, 120_000);
});

describe("Gradescope's run_autograder (examples/course/gradescope)", () => {
  const script = join(KIT, 'gradescope', 'run_autograder');
  const autograder = (upload: Record<string, string>) => {
    const ag = mkdtempSync(join(scratch, 'autograder-'));
    mkdirSync(join(ag, 'submission'));
    for (const [name, from] of Object.entries(upload)) copyFileSync(from, join(ag, 'submission', name));
    const r = spawnSync('bash', [script], { encoding: 'utf8', timeout: 300_000, env: { ...process.env, AUTOGRADER: ag, IPCSPEC_DIR: ROOT } });
    return { status: r.status, stderr: r.stderr, results: JSON.parse(readFileSync(join(ag, 'results', 'results.json'), 'utf8')) };
  };

  it("grades an uploaded pipes.ts into /autograder/results/results.json", () => {
    const buggy = expected.submissions.find((s) => s.failing.length)!;
    const r = autograder({ 'pipes.ts': join(ROOT, buggy.submission.slice('module:'.length)) });
    expect(r.status, r.stderr).toBe(0);
    expectValidGradescope(r.results);
    expect(r.results.score).toBe(buggy.score);
  }, 300_000);

  it('with nothing uploaded, still writes a results.json that says what to upload', () => {
    const r = autograder({});
    expect(r.status).toBe(0);
    expect(r.results).toMatchObject({ score: 0, tests: [] });
    expect(r.results.output).toMatch(/No submission found: upload pipes\.ts/);
  }, 60_000);
});
