// --wrap PREFIX (harness/wrap.ts): the host target as a driver process and the C driver (--target c)
// run under a command prefix; the report names the wrap and its replay commands carry it; an
// LD_PRELOAD shim under the wrap really changes what the driver sees; a wrapper that does not exist
// is an error result with a clear message (exit 2) while the other results are kept; a port that
// drops zero-length datagrams fails dgram.zero-length, and one whose TCP close sends no FIN fails
// stream.eof-after-peer-close, rather than erroring (a wait for what must happen is a verdict); and, where
// gVisor's runsc is installed, a short run inside it gives real results.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unwrapName, wrappedName } from '../harness/wrap.ts';
import { tempDir } from './support/tmp.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'ipcspec.mjs');
const scratch = tempDir('wrap-test-');
/** --target c builds here, not in the tree's cache. */
const CACHE = join(scratch, 'cache');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Result { clause: string; target: string; status: string; runs: number; reason?: string; counterexample?: string }
interface Report { targets: Array<{ name: string; description: string; settled: boolean }>; results: Result[] }

const ipcspec = (args: string[], env: Record<string, string> = {}) => {
  const out = mkdtempSync(join(scratch, 'out-'));
  const r = spawnSync('node', [BIN, ...args, '--out', out], { encoding: 'utf8', timeout: 240_000, env: { ...process.env, IPCSPEC_CACHE_DIR: CACHE, ...env } });
  const file = join(out, 'report.json');
  const report = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Report) : undefined;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, report, out };
};
const replay = (args: string[]) => spawnSync('node', [BIN, 'replay', ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, IPCSPEC_CACHE_DIR: CACHE } });

const hasCc = spawnSync('cc', ['--version']).status === 0;
const hasRunsc = spawnSync('runsc', ['--version']).status === 0;
if (!hasCc) console.warn('wrap.test: no `cc`, so --target c is not tested');
if (!hasRunsc) console.warn('wrap.test: no `runsc` (gVisor), so the gVisor run is not tested');

describe('wrapped target names', () => {
  it('show the wrap and come apart again into --target and --wrap', () => {
    const n = wrappedName('exec:./drv --x', 'runsc --rootless do');
    expect(n).toBe('exec:./drv --x (wrapped: runsc --rootless do)');
    expect(unwrapName(n)).toEqual({ target: 'exec:./drv --x', wrap: 'runsc --rootless do' });
    expect(unwrapName('host')).toEqual({ target: 'host' });
    expect(wrappedName('host', undefined)).toBe('host');
  });
});

describe.skipIf(process.platform !== 'linux')('--wrap env', () => {
  it.skipIf(!hasCc)('runs the host driver process and the C driver (built by --target c), and both pass', () => {
    const r = ipcspec(['run', '--target', 'host', '--target', 'c', '--wrap', 'env', '--only', 'pipe-data,pipe-blocking', '--runs', '30', '--seed', '21']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(existsSync(join(CACHE, 'ipcspec-driver'))).toBe(true);
    expect(r.report!.targets.map((t) => [t.name, t.settled])).toEqual([['host (wrapped: env)', true], ['c (wrapped: env)', true]]);
    expect(r.report!.targets[0].description).toContain('host-driver.ts');
    expect(r.report!.targets[1].description).toContain('ipcspec-driver.c');
    expect(r.stdout).toContain('targets host (wrapped: env), c (wrapped: env)');
    expect(r.report!.results).toHaveLength(12);
    for (const x of r.report!.results) expect(x, `${x.clause} on ${x.target}`).toMatchObject({ status: 'pass' });
    expect(r.report!.results.every((x) => x.runs > 0)).toBe(true);
  });

  it('replays a scenario under the wrap (replay --wrap), on the host driver process', () => {
    const file = join(scratch, 'scenario.json');
    writeFileSync(file, JSON.stringify({ property: 'pipe-blocking', steps: [
      { actor: 'main', op: 'make-pipe', variant: 'pipe', read: 'r0', write: 'w0' },
      { actor: 'R', op: 'read', fd: 'r0', size: 10 },
      { actor: 'main', op: 'write', fd: 'w0', size: 3 },
      { actor: 'main', op: 'close', fd: 'w0' },
      { actor: 'R', op: 'read', fd: 'r0', size: 10 },
    ] }));
    const r = replay([file, '--target', 'host', '--wrap', 'env']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('on host (wrapped: env)');
    expect(r.stdout).toContain('verdict: PASS');
    expect(r.status).toBe(0);
  });
});

describe.skipIf(process.platform !== 'linux' || !hasCc)('--wrap env LD_PRELOAD=shim.so', () => {
  it('reaches the system under test: a shim that fails zero-length writes breaks pipe.zero-length-io on the C driver, and the replay command (with --wrap) reproduces it', () => {
    const shim = join(scratch, 'zero-write-epipe.so');
    const b = spawnSync('cc', ['-O2', '-shared', '-fPIC', '-o', shim, join(ROOT, 'test', 'fixtures', 'shims', 'zero-write-epipe.c')], { encoding: 'utf8' });
    expect(b.stderr).toBe('');
    const wrap = `env LD_PRELOAD=${shim}`;
    const r = ipcspec(['run', '--target', 'c', '--wrap', wrap, '--only', 'pipe.zero-length-io', '--runs', '30', '--seed', '25']);
    expect(r.status).toBe(1);
    const x = r.report!.results.find((y) => y.clause === 'pipe.zero-length-io')!;
    expect(x).toMatchObject({ target: `c (wrapped: ${wrap})`, status: 'fail' });
    expect(x.reason).toContain('observed -1 EPIPE; allowed 0');
    const cx = JSON.parse(readFileSync(join(r.out, x.counterexample!), 'utf8')) as { replay: string };
    expect(cx.replay).toContain(` --target c --wrap '${wrap}' --profile linux`);
    // The replay command as printed, run by a shell: the wrap comes back, and so does the failure.
    const again = spawnSync('sh', ['-c', cx.replay.replace(/^npx ipcspec /, `node ${BIN} `)], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, IPCSPEC_CACHE_DIR: CACHE } });
    expect(again.stdout).toContain(`on c (wrapped: ${wrap})`);
    expect(again.stdout).toContain('verdict: FAIL pipe.zero-length-io');
    expect(again.status).toBe(1);
    // Without the shim the same scenario passes: the failure is the wrap's doing.
    const plain = replay([join(r.out, x.counterexample!), '--target', 'c']);
    expect(plain.stdout).toContain('verdict: PASS');
    expect(plain.status).toBe(0);
  });
});

describe.skipIf(process.platform !== 'linux' || !hasCc)('ports whose loopback never does what must follow a call (shims on the C driver)', () => {
  // A wait for what must happen, when it expires, is a verdict: the driver reports the call with
  // detail.arrival "not-seen" and the model fails the clause that promised the arrival (linux).
  const shimOf = (name: string) => {
    const so = join(scratch, `${name}.so`);
    const b = spawnSync('cc', ['-O2', '-shared', '-fPIC', '-o', so, join(ROOT, 'test', 'fixtures', 'shims', `${name}.c`)], { encoding: 'utf8' });
    expect(b.stderr).toBe('');
    return so;
  };
  const udp = join(scratch, 'udp-zero.json');
  writeFileSync(udp, JSON.stringify({ property: 'dgram-data', steps: [
    { actor: 'main', op: 'socket', family: 'inet', as: 'b', nonblock: false, dgram: true },
    { actor: 'main', op: 'bind', fd: 'b', addr: { port: 0 } },
    { actor: 'main', op: 'socket', family: 'inet', as: 'a', nonblock: false, dgram: true },
    { actor: 'main', op: 'connect', fd: 'a', to: { of: 'b' } },
    { actor: 'main', op: 'send', fd: 'a', size: 0 },
    { actor: 'main', op: 'recv', fd: 'b', size: 10, waitall: false, dontwait: true },
  ] }));

  it('one that silently drops zero-length datagrams fails dgram.zero-length (exit 1), not an error; over UDP at the send whose datagram the driver waited 10 s for in vain', () => {
    const wrap = `env LD_PRELOAD=${shimOf('zero-dgram-drop')}`;
    // Every shrink step of a dropped datagram waits out the deadline: 1 s, not 10, keeps the shrink short.
    const r = ipcspec(['run', '--target', 'c', '--wrap', wrap, '--only', 'dgram.zero-length', '--runs', '30', '--seed', '1'], { IPCSPEC_NETWORK_DEADLINE_MS: '1000' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const x = r.report!.results.find((y) => y.clause === 'dgram.zero-length')!;
    expect(x).toMatchObject({ target: `c (wrapped: ${wrap})`, status: 'fail' });
    expect(r.report!.results.filter((y) => y.status === 'error')).toEqual([]);
    // The UDP send whose datagram never reached its receiver: judged at the send, with the wait's expiry as the fact.
    const u = replay([udp, '--target', 'c', '--wrap', wrap, '--profile', 'linux']);
    expect(u.stdout).toMatch(/5\. \[main\] send\(a, 0 bytes, [^)]*\) -> 0, never seen to arrive +<-- violates dgram\.zero-length: observed 0, then the zero-length datagram never reached the receiver \(not seen within the long deadline\)/);
    expect(u.stdout).toContain('verdict: FAIL dgram.zero-length');
    expect(u.status).toBe(1);
    // Without the shim the datagram arrives and the same scenario passes.
    const plain = replay([udp, '--target', 'c', '--profile', 'linux']);
    expect(plain.stdout).toContain('verdict: PASS');
    expect(plain.status).toBe(0);
  });

  it('one whose close of a connected TCP socket sends no FIN fails stream.eof-after-peer-close at the close, not an error', () => {
    const file = join(scratch, 'tcp-close.json');
    writeFileSync(file, JSON.stringify({ property: 'stream-accept', steps: [
      { actor: 'main', op: 'socket', family: 'inet', as: 'l', nonblock: false },
      { actor: 'main', op: 'bind', fd: 'l', addr: { port: 0 } },
      { actor: 'main', op: 'listen', fd: 'l', backlog: 4 },
      { actor: 'main', op: 'socket', family: 'inet', as: 'c', nonblock: false },
      { actor: 'C', op: 'connect', fd: 'c', to: { of: 'l' } },
      { actor: 'main', op: 'accept', fd: 'l', as: 's' },
      { actor: 'main', op: 'close', fd: 'c' },
    ] }));
    const r = replay([file, '--target', 'c', '--wrap', `env LD_PRELOAD=${shimOf('tcp-close-silent')}`, '--profile', 'linux']);
    expect(r.stdout).toMatch(/7\. \[main\] close\(c\) -> 0, never seen to arrive +<-- violates stream\.eof-after-peer-close: observed 0, then the peer never saw the FIN \(not seen within the long deadline\)/);
    expect(r.status).toBe(1);
  });
});

describe.skipIf(process.platform !== 'linux')('the host driver process where /proc cannot prove blocking', () => {
  it('says settle "unknown", its traces are not settled, and it still passes (IPCSPEC_HOST_UNPROVEN=1 acts as gVisor does)', () => {
    const r = ipcspec(['run', '--target', 'host-process', '--only', 'pipe-data,pipe-blocking,pipe-sharing', '--runs', '20', '--seed', '24'], { IPCSPEC_HOST_UNPROVEN: '1' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.report!.targets[0]).toMatchObject({ name: 'host-process', settled: false });
    expect(r.report!.targets[0].description).toContain('cannot prove a call is blocked: IPCSPEC_HOST_UNPROVEN=1');
    expect(r.report!.results.length).toBeGreaterThanOrEqual(8);
    for (const x of r.report!.results) expect(x, x.clause).toMatchObject({ status: 'pass' });
  });
});

describe.skipIf(process.platform !== 'linux')('a wrapper that does not exist', () => {
  it('gives error results saying so, exit 2, the other target\'s results kept, and replay commands that carry --wrap', () => {
    const r = ipcspec(['run', '--target', 'host-process', '--target', 'host (wrapped: /nonexistent)', '--only', 'pipe-data', '--runs', '10', '--seed', '22']);
    expect(r.status).toBe(2);
    const byTarget = (t: string) => r.report!.results.filter((x) => x.target === t);
    expect(byTarget('host-process').map((x) => x.status)).toEqual(['pass', 'pass']);
    const wrapped = byTarget('host (wrapped: /nonexistent)');
    expect(wrapped.map((x) => x.status)).toEqual(['error', 'error']);
    for (const x of wrapped) expect(x.reason).toMatch(/could not start \/nonexistent: spawn \/nonexistent ENOENT/);
    // The erring scenario is saved with its replay command, which names the wrap; replaying it with those flags re-runs it wrapped.
    const cx = JSON.parse(readFileSync(join(r.out, wrapped[0].counterexample!), 'utf8')) as { replay: string };
    expect(cx.replay).toContain(" --target host --wrap /nonexistent --profile ");
    // The file alone never starts its wrapper: it is refused with the flags to pass.
    const bare = replay([join(r.out, wrapped[0].counterexample!)]);
    expect(bare.status).toBe(2);
    expect(bare.stderr).toContain('pass --target host --wrap /nonexistent');
    const again = replay([join(r.out, wrapped[0].counterexample!), '--target', 'host', '--wrap', '/nonexistent']);
    expect(again.stdout).toContain('on host (wrapped: /nonexistent)');
    expect(again.stdout).toMatch(/could not start \/nonexistent/);
    expect(again.status).toBe(2);
  });

  it.skipIf(!hasCc)('--target c without a compiler is a one-line error, exit 2', () => {
    const r = ipcspec(['run', '--target', 'c', '--only', 'pipe-data', '--runs', '1'], { CC: '/nonexistent/cc', IPCSPEC_CACHE_DIR: join(scratch, 'empty-cache') });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--target c needs a C compiler: /nonexistent/cc is not installed');
  });
});

describe.skipIf(process.platform !== 'linux' || !hasRunsc)('gVisor (runsc --rootless --network=none do)', () => {
  it('runs the host driver process inside the sandbox with real results (settle unknown: gVisor has no /proc/TID/syscall)', () => {
    // posix: under linux gVisor deviates for real (it counts pipe capacity in bytes, not page slots:
    // a 65537-byte write returns once a reader took 4094 bytes, where Linux still waits for a free slot)
    const r = ipcspec(['run', '--target', 'host', '--wrap', 'runsc --rootless --network=none do', '--only', 'pipe-data,pipe-blocking', '--runs', '20', '--seed', '23', '--profile', 'posix']);
    const t = r.report!.targets[0];
    expect(t.name).toBe('host (wrapped: runsc --rootless --network=none do)');
    // gVisor's own kernel, not this machine's: it says Linux 4.4.0.
    expect(t.description).toMatch(/host: Linux 4\.4\.0 .*cannot prove a call is blocked/);
    expect(t.settled).toBe(false);
    // Real results: passes with runs behind them, none unsupported; no fail either (gVisor keeps to
    // these clauses, so a fail here would be a false alarm of the unproven settle); an error only for
    // a clause that 20 runs did not reach.
    const results = r.report!.results;
    expect(results).toHaveLength(6);
    expect(results.filter((x) => x.status === 'pass' && x.runs > 0).length).toBeGreaterThanOrEqual(5);
    for (const x of results) {
      expect(x.status, `${x.clause}: ${x.reason}`).toMatch(/^(pass|error)$/);
      if (x.status === 'error') expect(x.reason).toMatch(/^not exercised/);
    }
  });
});
