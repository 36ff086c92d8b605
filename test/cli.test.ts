// The CLI contract that users' CI scripts build on.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './support/tmp.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'ipcspec.mjs');
const ipcspec = (...args: string[]) => spawnSync('node', [BIN, ...args], { encoding: 'utf8', timeout: 240_000 });
const oneLine = (s: string) => s.trim().split('\n').length === 1;

describe.skipIf(process.platform !== 'linux')('ipcspec CLI', () => {
  it('runs selected clauses against the host, writes the report and exits 0', () => {
    const out = tempDir('cli-');
    const r = ipcspec('run', '--only', 'pipe.zero-length-io,fifo.mkfifo-*', '--runs', '10', '--seed', '5', '--out', out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report).toMatchObject({ schemaVersion: 1, profile: 'linux', seed: 5, interrupted: false });
    expect(report.targets[0].name).toBe('host');
    expect(report.results.map((x: { clause: string }) => x.clause).sort()).toEqual(['fifo.mkfifo-creates-fifo', 'fifo.mkfifo-eexist', 'fifo.mkfifo-enoent', 'pipe.zero-length-io']);
    expect(report.results.every((x: { status: string; runs: number }) => x.status === 'pass' && x.runs > 0)).toBe(true);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('pipe.zero-length-io');
    expect(r.stdout).toMatch(/4 pass, 0 fail, 0 unsupported, 0 error/);
  });

  it.each([
    [['run', '--target', 'nosuch'], /unknown target "nosuch"/],
    [['run', '--only', 'nosuch.*'], /no clause or area matches/],
    [['run', '--profile', 'bsd'], /unknown profile "bsd"/],
    [['run', '--runs', 'many'], /--runs takes a whole number/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('rejects %j with one line and exit 2', (args, msg) => {
    const r = ipcspec(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(msg);
    expect(oneLine(r.stderr)).toBe(true);
  });

  it('rejects malformed replay files with one line naming the problem and exit 2', () => {
    const dir = tempDir('cli-');
    const cases: Array<[string, RegExp]> = [
      ['{not json', /not valid JSON/],
      ['{"kind":"ipcspec-counterexample","schemaVersion":99}', /schemaVersion 99/],
      ['{"property":"pipe-data","steps":[{"actor":"main","op":"teleport"}]}', /steps\[0\]\.op: unknown operation/],
      ['{"property":"pipe-data","steps":[{"actor":"main","op":"make-pipe","variant":"pipe","read":"r","write":"w"},{"actor":"main","op":"write","fd":"w","size":-1}]}', /steps\[1\]\.size/],
      ['[]', /neither an ipcspec counterexample/],
    ];
    for (const [i, [text, msg]] of cases.entries()) {
      const f = join(dir, `bad${i}.json`);
      writeFileSync(f, text);
      const r = ipcspec('replay', f);
      expect(r.status, text).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(oneLine(r.stderr)).toBe(true);
    }
    expect(ipcspec('replay', join(dir, 'missing.json')).status).toBe(2);
  });

  it('replays a scenario file and reports the verdict', () => {
    const f = join(tempDir('cli-'), 's.json');
    writeFileSync(f, JSON.stringify({ property: 'pipe-blocking', steps: [
      { actor: 'main', op: 'make-pipe', variant: 'pipe', read: 'r', write: 'w' },
      { actor: 'R', op: 'read', fd: 'r', size: 10 },
      { actor: 'main', op: 'close', fd: 'w' },
    ] }));
    const r = ipcspec('replay', f, '--profile', 'posix');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/read\(r, 10\) -> blocks/);
    expect(r.stdout).toMatch(/returns 0/);
    expect(r.stdout).toMatch(/verdict: PASS/);
  });

  it('fails with exit 1, prints the shrunk steps and a replay command that reproduces it', () => {
    const out = tempDir('cli-');
    const r = ipcspec('run', '--target', 'mutant:pipe.eof-after-last-writer', '--only', 'pipe-blocking', '--seed', '3', '--out', out);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL pipe\.eof-after-last-writer/);
    expect(r.stdout).toMatch(/ 1\. \[main\] make pipe/);
    expect(r.stdout).toMatch(/<-- violates pipe\.eof-after-last-writer/);
    const replay = /replay: npx ipcspec replay (\S+) --target (\S+)/.exec(r.stdout)!;
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.summary.fail).toBe(1);
    expect(existsSync(replay[1])).toBe(true);
    // the fault reproduces on the mutant it came from, and the real kernel conforms on the same steps
    expect(ipcspec('replay', replay[1], '--target', replay[2]).status).toBe(1);
    expect(ipcspec('replay', replay[1], '--target', 'host').status).toBe(0);
  });

  it('a reused --out keeps no counterexample of an earlier run', () => {
    const out = tempDir('cli-reuse-');
    expect(ipcspec('run', '--target', 'mutant:pipe.zero-length-io', '--only', 'pipe.zero-length-io', '--runs', '20', '--seed', '5', '--out', out).status).toBe(1);
    expect(readdirSync(join(out, 'counterexamples'))).toHaveLength(1);
    expect(ipcspec('run', '--only', 'pipe.zero-length-io', '--runs', '20', '--seed', '5', '--out', out).status).toBe(0);
    expect(readdirSync(join(out, 'counterexamples'))).toEqual([]);
  });

  it('lists the catalogue as JSON', () => {
    const r = ipcspec('clauses', '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).length).toBeGreaterThan(30);
  });

  it('keeps what it gathered when interrupted with Ctrl-C', async () => {
    const out = tempDir('cli-');
    const child = spawn('node', [BIN, 'run', '--runs', '100000', '--seed', '3', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => { stdout += d; });
    await new Promise((res) => setTimeout(res, 6000));
    child.kill('SIGINT');
    const code = await new Promise((res) => child.on('close', res));
    expect(code).toBe(130);
    expect(stdout).toMatch(/ipcspec run: profile linux/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.interrupted).toBe(true);
    expect(existsSync(join(out, 'report.md'))).toBe(true);
  });
});
