// A submission reads only what it needs (the runtime, the harness pieces it loads, its own files):
// never the rubric with its hidden seeds, nor other submissions, nor a listing of `/`. What it prints
// reaches the feedback only under the rubric's stdout_visibility, and never with a hidden seed's value.
// Purpose-built snooping submissions (test/fixtures/submissions/snoop.ts) try it for real.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Grade } from '../spec/grade.ts';
import { grade } from '../engine/grade/engine.ts';
import { parseRubric } from '../engine/grade/rubric.ts';
import { parseSubmission } from '../engine/grade/submission.ts';
import { probeSandbox } from '../harness/sandbox/sandbox.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'ipcspec.mjs');
const COURSE_RUBRIC = join(ROOT, 'examples', 'course', 'rubric.yaml');
const OTHER_SUBMISSION = join(ROOT, 'examples', 'course', 'submissions', 'buggy', 'pipes.ts');
const landlock = process.platform === 'linux' && probeSandbox().landlock > 0;

// uid 65534 must reach the exec submission's files: not under a 0700 clone.
const scratch = mkdtempSync('/var/tmp/ipcspec-confinement-');
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// The fifo clause's scenarios open FIFOs, where the snoop strikes; the pipe clause's never do.
// Hidden seeds no grade could print by chance: results.json is searched for them.
const HIDDEN = [731904226, 482915077];
const rubricText = (extra = '') => `runs: 5
seeds: { fixed: 5, hidden: [${HIDDEN.join(', ')}] }
limits: { reply_seconds: 5 }
${extra}clauses:
  - match: pipe.order-and-content
    points: 2
  - match: fifo.open-blocks-until-partner
    points: 1
`;
const rubricFile = join(scratch, 'rubric.yaml');
writeFileSync(rubricFile, rubricText());
// The course rubric's hidden seeds (31, 47) as it writes them, the test rubric's anywhere, or any rubric's text.
const SECRET = new RegExp(`hidden: \\[31, 47\\]|${HIDDEN.join('|')}|match: pipe\\.order-and-content|seeds:`);

/** A snooping module submission (its entry in scratch, naming the paths it tries). */
function snoop(name: string, paths: string[], say?: string): string {
  const entry = join(scratch, `${name}.ts`);
  writeFileSync(entry, `import { snooping } from ${JSON.stringify(join(ROOT, 'test', 'fixtures', 'submissions', 'snoop.ts'))};\nexport default snooping(${JSON.stringify(paths)}, ${JSON.stringify(say)});\n`);
  return `module:${entry}`;
}

const gradeWith = (submission: string, extra = ''): Promise<Grade> =>
  grade({ rubric: parseRubric(rubricText(extra), rubricFile), submission: parseSubmission(submission), version: 'test', interrupted: () => false });
const fifo = (g: Grade) => g.tests.find((t) => t.clause === 'fifo.open-blocks-until-partner')!;

describe.skipIf(!landlock)('what a submission can read', () => {
  it('the rubric (the course\'s and the one grading it), another submission, /tmp and / are refused; its own clause still passes', async () => {
    const g = await gradeWith(snoop('read-rubric', [COURSE_RUBRIC, rubricFile, OTHER_SUBMISSION, '/tmp', '/']));
    expect(g.sandbox).toMatch(/Landlock ABI \d+: reads only the runtime, the harness and its own files/);
    expect(g.tests.find((t) => t.clause === 'pipe.order-and-content')).toMatchObject({ outcome: 'pass', score: 2 });
    const t = fifo(g);
    expect(t.outcome).toBe('error');
    // what it printed, kept for staff: every read refused
    for (const p of [COURSE_RUBRIC, rubricFile, OTHER_SUBMISSION, '/tmp', '/']) expect(t.output).toContain(`could not read ${p}: EACCES`);
    expect(t.output).not.toMatch(SECRET);
    expect(t.output).not.toMatch(/^read /m);
  });

  it('an exec: submission reads its program and libc, not the rubric beside it, nor /', async () => {
    const script = join(scratch, 'snoop.sh');
    writeFileSync(script, `cat ${rubricFile} >&2; ls / >&2; echo "own file: $(head -c 9 ${script})" >&2; exit 3\n`, { mode: 0o644 });
    const g = await gradeWith(`exec:/bin/sh ${script}`);
    expect(g.message).toMatch(/^The submission could not start/);
    expect(g.output).toMatch(/cat: .*rubric\.yaml: Permission denied/);
    expect(g.output).toMatch(/ls: cannot open directory '\/': Permission denied/);
    expect(g.output).toContain('own file: cat /var/'); // its own file (the program it was given) is readable
    expect(g.output).not.toMatch(SECRET);
  });

  it('a script in a directory of its own reads its own files there, not another submission beside it, nor the temp dirs', async () => {
    const alice = join(scratch, 'alice');
    const bob = join(scratch, 'bob');
    for (const d of [alice, bob]) { mkdirSync(d); chmodSync(d, 0o755); }
    writeFileSync(join(bob, 'driver.py'), 'print("bob\'s work")\n', { mode: 0o644 });
    writeFileSync(join(alice, 'helper.txt'), 'alice helper\n', { mode: 0o644 });
    const script = join(alice, 'driver.py');
    writeFileSync(script, [
      'import os, sys',
      `for p in [${JSON.stringify(join(alice, 'helper.txt'))}, ${JSON.stringify(join(bob, 'driver.py'))}, ${JSON.stringify(rubricFile)}]:`,
      '    try: sys.stderr.write("read %s: %s" % (p, open(p).read()))',
      '    except OSError as e: sys.stderr.write("could not read %s: %s\\n" % (p, e.strerror))',
      `for d in [${JSON.stringify(tmpdir())}, ${JSON.stringify(scratch)}]:`,
      '    try: sys.stderr.write("listed %s: %s\\n" % (d, os.listdir(d)))',
      '    except OSError as e: sys.stderr.write("could not list %s: %s\\n" % (d, e.strerror))',
      'sys.exit(3)',
    ].join('\n'), { mode: 0o644 });
    const g = await gradeWith(`exec:python3 ${script}`);
    expect(g.message).toMatch(/^The submission could not start/);
    expect(g.output).toContain(`read ${join(alice, 'helper.txt')}: alice helper`);
    expect(g.output).toContain(`could not read ${join(bob, 'driver.py')}: Permission denied`);
    expect(g.output).toContain(`could not read ${rubricFile}: Permission denied`);
    expect(g.output).toContain(`could not list ${tmpdir()}: Permission denied`);
    expect(g.output).toContain(`could not list ${scratch}: Permission denied`);
    expect(g.output).not.toContain("bob's work");
  });
});

describe("where Landlock cannot confine reads (IPCSPEC_SANDBOX_WITHOUT=landlock): file permissions or nothing", () => {
  const without = (f: () => Promise<void>) => async () => {
    const before = process.env.IPCSPEC_SANDBOX_WITHOUT;
    process.env.IPCSPEC_SANDBOX_WITHOUT = 'landlock';
    try { await f(); } finally {
      if (before === undefined) delete process.env.IPCSPEC_SANDBOX_WITHOUT; else process.env.IPCSPEC_SANDBOX_WITHOUT = before;
    }
  };

  it.skipIf(process.getuid?.() !== 0)('a rubric with hidden seeds that uid 65534 could read: refused, the grader\'s fault, nothing run', without(async () => {
    chmodSync(rubricFile, 0o644);
    const g = await gradeWith(snoop('unconfined', [rubricFile]));
    expect(g.graderError).toBe(true);
    expect(g.message).toMatch(/without Landlock nothing stops the submission reading the rubric .*rubric\.yaml and its hidden seeds, which uid 65534 can read: make it unreadable/);
    expect(g.tests.every((t) => t.score === 0 && !t.output)).toBe(true);
  }));

  it.skipIf(process.getuid?.() !== 0)('the same rubric unreadable to uid 65534 (0600): graded, the sandbox line says reads are not confined, and the read is refused', without(async () => {
    chmodSync(rubricFile, 0o600);
    try {
      const g = await gradeWith(snoop('unconfined-0600', [rubricFile]));
      expect(g.graderError).toBeUndefined();
      expect(g.sandbox).toMatch(/no Landlock in this kernel: reads and writes are limited only by file permissions/);
      expect(fifo(g).output).toContain(`could not read ${rubricFile}: EACCES`);
      expect(fifo(g).output).not.toMatch(SECRET);
    } finally {
      chmodSync(rubricFile, 0o644);
    }
  }));
});

describe.skipIf(!landlock)("what a submission prints reaches the feedback only under the rubric's stdout_visibility", () => {
  const cli = (submission: string, rubric: string, out: string) => {
    const r = spawnSync(process.execPath, [BIN, 'grade', '--submission', submission, '--rubric', rubric, '--format', 'gradescope', '--out', out], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    return { res: JSON.parse(readFileSync(out, 'utf8')), stdout: r.stdout, stderr: r.stderr };
  };

  it('by default (hidden): results.json carries neither the rubric nor what it printed; stdout_visibility says hidden', () => {
    const sub = snoop('loud', [COURSE_RUBRIC], 'PRINTED-BY-THE-SUBMISSION');
    const { res, stdout, stderr } = cli(sub, rubricFile, join(scratch, 'hidden.json'));
    const text = JSON.stringify(res);
    expect(text).not.toMatch(SECRET);
    expect(text).not.toContain('PRINTED-BY-THE-SUBMISSION');
    expect(res.stdout_visibility).toBe('hidden');
    const t = res.tests.find((x: { extra_data: { clause: string } }) => x.extra_data.clause === 'fifo.open-blocks-until-partner');
    expect(t.output).toMatch(/withheld from the feedback: the rubric's stdout_visibility is hidden/);
    // the grader's own stdout (which Gradescope shows under stdout_visibility) has it, for staff
    expect(stdout).toContain('PRINTED-BY-THE-SUBMISSION');
    expect(stderr).not.toContain('PRINTED-BY-THE-SUBMISSION');
    expect(res.execution_time).toBeGreaterThan(0); // the real time, not 0
  });

  it('visible: the feedback shows what it printed, with every hidden seed\'s value redacted', () => {
    const rubric = join(scratch, 'visible.yaml');
    writeFileSync(rubric, rubricText('stdout_visibility: visible\n'));
    // as if it had learnt them elsewhere: the rubric is out of its reach
    const sub = snoop('seeds', [COURSE_RUBRIC], `the hidden seeds are ${HIDDEN[0]} and ${HIDDEN[1]}, not ${HIDDEN[0] + 1}, nor inside 9${HIDDEN[1]}.5`);
    const { res, stdout } = cli(sub, rubric, join(scratch, 'visible.json'));
    expect(res.stdout_visibility).toBe('visible');
    expect(JSON.stringify(res)).not.toMatch(SECRET);
    expect(stdout).not.toMatch(SECRET);
    const t = res.tests.find((x: { extra_data: { clause: string } }) => x.extra_data.clause === 'fifo.open-blocks-until-partner');
    expect(t.output).toContain(`the hidden seeds are [hidden seed] and [hidden seed], not ${HIDDEN[0] + 1}, nor inside 9[hidden seed].5`);
    expect(t.output).toContain(`could not read ${COURSE_RUBRIC}: EACCES`);
  });
});
