// The C driver is split into files (harness/drivers/c/), with one op table, and porters get one file by
// concatenation (amalgamate.sh). Both forms are built here, with each build switch a port uses, and must
// say the same hello and pass the same conformance smoke; the hello's ops are the table's rows, in order.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { C_DRIVER_DIR, cDriverSources } from '../harness/c-driver.ts';
import { CALL_RULES } from '../reference-model/rules/index.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'ipcspec.mjs');
const scratch = mkdtempSync(join(tmpdir(), 'c-driver-split-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const has = (cc: string) => spawnSync(cc, ['--version']).status === 0;
const hasCc = has('cc');
const canUnshare = spawnSync('unshare', ['-r', 'true']).status === 0;
if (!canUnshare) console.warn('c-driver-split.test: `unshare -r` does not work here, so the hello of a driver lacking bind-unprivileged is not checked');
if (!has('musl-gcc')) console.warn('c-driver-split.test: no musl-gcc (apt-get install musl-tools), so the musl builds are skipped');

interface Hello { type: string; ops: string[]; features: string[]; lacks: Array<{ ops?: string[]; reason: string }>; settle: string }
interface Result { clause: string; status: string; runs: number }

/** Build with `cc` (or musl-gcc) and these flags; the compiler's complaints come back, to be empty. */
function build(cc: string, out: string, sources: string[], flags: string[] = []): string {
  const r = spawnSync(cc, ['-O2', '-pthread', '-Wall', '-Wextra', ...flags, '-o', out, ...sources], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stderr;
}
/** The driver's hello line, as it writes it (the text, so two builds compare byte for byte). */
function helloOf(exe: string, prefix: string[] = []): string {
  const cmd = [...prefix, exe];
  const r = spawnSync(cmd[0], cmd.slice(1), { input: '{"type":"hello","protocol":1}\n{"type":"shutdown"}\n', encoding: 'utf8', timeout: 20_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n')[0];
}
/** The op names of ops.c's table, in order; `#if` rows included (this is Linux with F_GETPIPE_SZ). */
const tableOps = (): string[] => [...readFileSync(join(C_DRIVER_DIR, 'ops.c'), 'utf8').matchAll(/^\s*\{ "([a-z-]+)", op_[a-z_]+, /gm)].map((m) => m[1]);

describe.skipIf(process.platform !== 'linux' || !hasCc)('the C driver split into files, and as one file', () => {
  const split = join(scratch, 'split');
  const one = join(scratch, 'one'); // no header beside it: the one file must stand alone
  const oneSource = join(scratch, 'one-file', 'ipcspec-driver.c');
  beforeAll(() => {
    const a = spawnSync('sh', [join(C_DRIVER_DIR, 'amalgamate.sh')], { encoding: 'utf8' });
    expect(a.status, a.stderr).toBe(0);
    mkdirSync(join(scratch, 'one-file'));
    writeFileSync(oneSource, a.stdout);
  });

  it('one file is every file of the directory, the header first, and plain cat gives the same program', () => {
    const text = readFileSync(oneSource, 'utf8');
    const banners = [...text.matchAll(/^\/\* ==== (\S+) ==== \*\/$/gm)].map((m) => m[1]);
    expect(banners).toEqual(['ipcspec-driver.h', ...cDriverSources().map((f) => f.slice(C_DRIVER_DIR.length))]);
    const cat = join(scratch, 'one-file', 'cat.c');
    writeFileSync(cat, [join(C_DRIVER_DIR, 'ipcspec-driver.h'), ...cDriverSources()].map((f) => readFileSync(f, 'utf8')).join(''));
    expect(build('cc', join(scratch, 'cat'), [cat])).toBe('');
  });

  it('builds split and as one file without a warning: as is, without /proc, POSIX-only, and strict C11', () => {
    for (const [name, flags] of [['', []], ['-noproc', ['-DIPCSPEC_NO_PROC']], ['-posix', ['-DIPCSPEC_POSIX_ONLY']], ['-strict', ['-Wpedantic', '-std=c11', '-D_POSIX_C_SOURCE=200809L']]] as const) {
      expect(build('cc', split + name, cDriverSources(), [...flags]), `split${name}`).toBe('');
      expect(build('cc', one + name, [oneSource], [...flags]), `one${name}`).toBe('');
    }
  });

  it('both forms say the same hello in every build, and it lists the op table, in order', () => {
    for (const name of ['', '-noproc', '-posix', '-strict']) expect(helloOf(one + name), name).toBe(helloOf(split + name));
    const hello = JSON.parse(helloOf(split)) as Hello;
    // root that can drop to uid 65534 (or not root): every row of the table is an op it can do here
    const lacking = hello.lacks.flatMap((l) => l.ops ?? []);
    expect(hello.ops).toEqual(tableOps().filter((op) => !lacking.includes(op)));
    expect(hello.ops.length + lacking.length).toBe(tableOps().length);
    // every name in the table is an op of the vocabulary (a misspelt row would be an op no harness sends)
    expect(tableOps().filter((op) => !(op in CALL_RULES))).toEqual([]);
    expect(new Set(tableOps()).size).toBe(tableOps().length);
    // the POSIX-only build has no pipe-size fcntls: those rows are under the same #if as their functions
    const posix = JSON.parse(helloOf(split + '-posix')) as Hello;
    expect(posix.ops).toEqual(hello.ops.filter((op) => !/pipe-size/.test(op)));
  });

  // `unshare -r` maps only uid 0: a root driver's child cannot drop to uid 65534, so bind-unprivileged is lacking
  it.skipIf(!canUnshare)('an op whose capability is missing here leaves the hello, and lacks names it with the reason', () => {
    for (const exe of [split, one]) {
      const hello = JSON.parse(helloOf(exe, ['unshare', '-r'])) as Hello;
      expect(hello.ops).toEqual(tableOps().filter((op) => op !== 'bind-unprivileged'));
      expect(hello.lacks.filter((l) => l.ops)).toEqual([{ ops: ['bind-unprivileged'], reason: expect.stringMatching(/^a child cannot drop to uid 65534 here/) }]);
    }
  });

  it('an op that is not in the table is unsupported, and the driver goes on', () => {
    const r = spawnSync(split, [], { input: ['{"type":"hello","protocol":1}', '{"type":"begin","scenario":1}', '{"type":"step","step":0,"call":{"op":"no-such-op","actor":"A"}}', '{"type":"end"}', '{"type":"shutdown"}', ''].join('\n'), encoding: 'utf8', timeout: 20_000 });
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; outcome?: unknown });
    expect(lines.slice(1).map((l) => l.type)).toEqual(['begun', 'result', 'ended', 'bye']);
    expect(lines[2].outcome).toEqual({ kind: 'unsupported', reason: 'op not implemented by ipcspec-driver.c' });
  });

  it('the split form and the one file pass the same conformance smoke with the same verdicts', () => {
    const only = 'pipe-data,pipe-blocking,fifo-open,pipe.inherited-by-child,pipeline,stream-data,dgram-data,bind-errors';
    const verdicts = (exe: string, out: string) => {
      const r = spawnSync('node', [BIN, 'run', '--target', `exec:${exe}`, '--only', only, '--runs', '6', '--seed', '31', '--out', out], { encoding: 'utf8', timeout: 180_000 });
      expect(r.stderr.replace(/^ipcspec (run|diff): inconclusive: .*\n/, '')).toBe(''); // a few clauses may go unreached in so few runs (exit 3)
      const results = (JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { results: Result[] }).results;
      // clauses that two-host properties reach too are unsupported here (no test hosts); a few may be not exercised
      return Object.fromEntries(results.map((x) => [x.clause, x.status]));
    };
    const a = verdicts(split, join(scratch, 'out-split'));
    const b = verdicts(one, join(scratch, 'out-one'));
    expect(b).toEqual(a);
    expect(Object.values(a)).not.toContain('fail');
    for (const id of ['pipe.order-and-content', 'pipe.inherited-by-child', 'pipeline.order-and-eof', 'dgram.message-boundaries', 'bind.privileged-port-eacces']) expect(a[id], id).toBe('pass');
  });
});

describe.skipIf(process.platform !== 'linux' || !hasCc || !has('musl-gcc'))('the C driver built with musl', () => {
  it('builds split and as one file with musl-gcc, says the same hello as with cc, and passes pipes and sockets', () => {
    const a = spawnSync('sh', [join(C_DRIVER_DIR, 'amalgamate.sh')], { encoding: 'utf8' });
    const oneSource = join(scratch, 'musl-one.c');
    writeFileSync(oneSource, a.stdout);
    const glibc = join(scratch, 'glibc');
    build('cc', glibc, cDriverSources());
    for (const [exe, sources] of [[join(scratch, 'musl-split'), cDriverSources()], [join(scratch, 'musl-one'), [oneSource]]] as const) {
      expect(build('musl-gcc', exe, [...sources])).toBe('');
      expect(helloOf(exe)).toBe(helloOf(glibc));
    }
    const out = join(scratch, 'out-musl');
    const r = spawnSync('node', [BIN, 'run', '--target', `exec:${join(scratch, 'musl-split')}`, '--only', 'pipe-data,stream-data,dgram.message-boundaries', '--runs', '6', '--seed', '32', '--out', out], { encoding: 'utf8', timeout: 180_000 });
    expect(r.stderr.replace(/^ipcspec (run|diff): inconclusive: .*\n/, '')).toBe(''); // a few clauses may go unreached in so few runs (exit 3)
    const results = (JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { results: Result[] }).results;
    expect(results.length).toBeGreaterThan(3);
    for (const x of results) expect(['pass', 'unsupported'], x.clause).toContain(x.status);
    expect(results.filter((x) => x.status === 'pass').map((x) => x.clause)).toContain('pipe.order-and-content');
  });
});
