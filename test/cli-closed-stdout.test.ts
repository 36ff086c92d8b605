// `ipcspec run | head -1` (issue 12, defect 5): once the reader of stdout goes away, the output ends
// quietly, the run still writes its report, and the exit code is the run's own verdict. The reader
// here really closes its end of the pipe, as head does after its first line.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isOneCleanLine, runCli } from './helpers/cli-child.ts';

const dirs: string[] = [];
const tmp = (): string => { const d = mkdtempSync(join(tmpdir(), 'cli-closed-stdout-')); dirs.push(d); return d; };
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/** Run the CLI and close our end of its stdout as soon as the first line has arrived (head -1). */
const headOne = (args: string[]) => runCli(args, {
  deadlineMs: 120_000,
  onSpawn: (child) => {
    child.stdout!.on('data', (d: Buffer) => { if (d.includes(10)) child.stdout!.destroy(); });
  },
});

describe.skipIf(process.platform !== 'linux')('a closed stdout', () => {
  it('run | head -1 on a conforming run: exit 0, no stack trace, the report written', async () => {
    const out = tmp();
    const r = await headOne(['run', '--only', 'pipe.zero-length-io,fifo.mkfifo-*', '--runs', '10', '--seed', '5', '--out', out]);
    expect(r.stdout).toMatch(/^ipcspec run: profile/);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).summary).toMatchObject({ pass: 4, fail: 0 });
    expect(existsSync(join(out, 'junit.xml'))).toBe(true);
  });

  it('run | head -1 on a failing run: exit 1 (the failure, not the pipe), the counterexample kept', async () => {
    const out = tmp();
    const r = await headOne(['run', '--target', 'mutant:pipe.zero-length-io', '--only', 'pipe.zero-length-io', '--runs', '20', '--seed', '5', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.summary.fail).toBe(1);
    expect(existsSync(join(out, report.results.find((x: { status: string }) => x.status === 'fail').counterexample))).toBe(true);
  });

  it('clauses | head: exit 0 and nothing on stderr, every time', async () => {
    for (let i = 0; i < 4; i++) {
      const r = await headOne(['clauses']);
      expect(r.stderr, `attempt ${i}`).toBe('');
      expect(r.code, `attempt ${i}`).toBe(0);
    }
  });

  it('a stdout that fails for another reason (/dev/full) is exit 2 with one line naming it', async () => {
    const r = await runCli(['clauses'], { shell: 'exec $0 "$@" > /dev/full', deadlineMs: 30_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot write to standard output: ENOSPC/);
    expect(isOneCleanLine(r.stderr)).toBe(true);
  });
});
