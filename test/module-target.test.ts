// `--target module:PATH`: a JS/TS module exporting a Target runs in a child process (bundled with
// esbuild), for run and replay alike; a module that cannot load is a one-line error, exit 2.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './support/tmp.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'ipcspec.mjs');
const CORRECT = join(ROOT, 'examples', 'course', 'submissions', 'correct', 'pipes.ts');
const scratch = tempDir('module-target-');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const report = (out: string) => JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { targets: Array<{ description: string }>; results: Array<{ clause: string; status: string }> };

describe('module: targets', () => {
  it('the course kit\'s correct simulator passes pipe-data and fifo-open under posix', () => {
    const out = join(scratch, 'correct');
    const r = spawnSync(process.execPath, [BIN, 'run', '--target', `module:${CORRECT}`, '--profile', 'posix', '--only', 'pipe-data,fifo-open', '--runs', '30', '--seed', '3', '--out', out], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const results = report(out).results;
    expect(results.length).toBeGreaterThan(3);
    for (const x of results) expect(x.status).toBe('pass');
  });

  it('runs in a child process, not in ipcspec\'s', async () => {
    const out = join(scratch, 'whoami');
    const child = spawn(process.execPath, [BIN, 'run', '--target', `module:${join(ROOT, 'test', 'fixtures', 'submissions', 'whoami.ts')}`, '--profile', 'posix', '--only', 'pipe-data', '--runs', '2', '--out', out], { stdio: 'ignore' });
    await new Promise((res) => child.on('close', res));
    const m = /pid (\d+)/.exec(report(out).targets[0].description);
    expect(m).not.toBeNull();
    expect(Number(m![1])).not.toBe(child.pid);
    expect(report(out).results.every((x) => x.status === 'unsupported')).toBe(true);
  });

  it('a module that cannot be built: one line naming the file and line, exit 2', () => {
    const r = spawnSync(process.execPath, [BIN, 'run', '--target', `module:${join(ROOT, 'test', 'fixtures', 'submissions', 'cannot-start.ts')}`, '--only', 'pipe-data', '--out', join(scratch, 'bad')], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot-start\.ts:3:1: /);
  });
});
