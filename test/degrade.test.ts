// Degrade, never die: a driver that lacks a facility loses only the capabilities that need it, says
// which and why in its hello (`lacks`, every capability a probe left out), and still runs the rest.
// Each missing facility is taken away for real where this machine allows it (a mount namespace
// without /proc, a user namespace without uid 65534, proot, which cannot open /proc/PID/ns/*) and
// otherwise by an LD_PRELOAD shim (no /proc/TID/syscall; gVisor's short SO_MEMINFO and TCP_INFO for
// the C driver) or, for the host driver, whose libc calls go through koffi where no shim reaches,
// IPCSPEC_HOST_WITHOUT. A target that does not start has its failure printed once per run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCDriver } from '../harness/c-driver.ts';
import { splitCommand } from '../harness/exec-command.ts';
import { hostDriverCommand } from '../harness/wrap.ts';
import { tempDir } from './support/tmp.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'ipcspec.mjs');
const scratch = tempDir('degrade-test-');
const CACHE = join(scratch, 'cache');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const works = (cmd: string, ...args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const linux = process.platform === 'linux';
const root = process.geteuid?.() === 0;
const hasCc = works('cc', '--version');
const hasProot = works('proot', 'true');
const canUnshare = root && works('unshare', '-m', 'true');
if (!hasProot) console.warn('degrade.test: no working `proot`, so the proot run is not tested');
if (!canUnshare) console.warn('degrade.test: not root or no `unshare`, so the no-/proc and no-uid cases are not tested');

/** A mount namespace whose /proc is an empty tmpfs: no /proc at all. */
const NO_PROC = `unshare -m sh -c 'mount -t tmpfs none /proc && exec "$@"' sh`;
/** A user namespace that maps uid 0 only: root in it has no uid 65534 to drop to. */
const NO_UID = 'unshare -r';

interface Lack { ops?: string[]; features?: string[]; reason: string }
interface Hello { description: string; ops: string[]; features: string[]; lacks?: Lack[]; settle: string; privileged: boolean }

/** The hello of a driver started as `wrap cmd`, with env. */
function helloOf(cmd: string, wrap = '', env: Record<string, string> = {}): Hello {
  const [exe, ...args] = [...splitCommand(wrap), ...splitCommand(cmd)];
  const r = spawnSync(exe, args, { input: '{"type":"hello","protocol":1}\n', encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  const line = r.stdout.split('\n')[0];
  expect(line, `no hello; stderr: ${r.stderr}`).toMatch(/^\{"type":"hello"/);
  return JSON.parse(line) as Hello;
}

interface Result { clause: string; target: string; status: string; reason?: string }
const ipcspec = (args: string[], env: Record<string, string> = {}) => {
  const out = mkdtempSync(join(scratch, 'out-'));
  const r = spawnSync('node', [BIN, ...args, '--out', out], { encoding: 'utf8', timeout: 300_000, env: { ...process.env, IPCSPEC_CACHE_DIR: CACHE, ...env } });
  const file = join(out, 'report.json');
  const report = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { targets: Array<{ name: string; settled: boolean; description: string }>; results: Result[] }) : undefined;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, report };
};
const cDriver = () => buildCDriver(CACHE);
const lackOf = (h: Hello, name: string) => h.lacks?.find((l) => l.features?.includes(name) || l.ops?.includes(name));
const BOTH_FAMILIES = ['family:inet', 'family:inet6'];

describe.skipIf(!linux || !hasProot)('under proot (no /proc/PID/ns/* to open)', () => {
  it('the host driver starts, leaves out only test hosts with the reason, and everything else runs', () => {
    const h = helloOf(hostDriverCommand(), 'proot');
    expect(h.settle).toBe('proven');
    expect(h.features).toEqual(expect.arrayContaining(BOTH_FAMILIES));
    expect(h.lacks).toEqual([{ features: ['test-hosts'], reason: expect.stringContaining('/proc/thread-self/ns/net (ENOENT)') }]);
    const r = ipcspec(['run', '--target', 'host', '--wrap', 'proot', '--only', 'pipe-data,bind-errors,stream-data', '--runs', '8', '--seed', '41']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.report!.results.filter((x) => x.status === 'error' || x.status === 'fail')).toEqual([]);
    expect(r.stdout).toMatch(/two-host: .*UNSUPPORTED: .*test-hosts left out: cannot open this thread's network namespace/);
  });
});

describe.skipIf(!linux || !canUnshare)('without /proc (an empty tmpfs over it, in a mount namespace)', () => {
  it('the host driver settles unproven, and leaves out both IP families (one reason naming both: no ICMP counters) and test hosts', () => {
    const h = helloOf(hostDriverCommand(), NO_PROC);
    expect(h.settle).toBe('unknown');
    expect(h.description).toContain('cannot prove a call is blocked: no /proc');
    expect(h.features).not.toEqual(expect.arrayContaining(['family:inet']));
    expect(h.features).not.toEqual(expect.arrayContaining(['family:inet6']));
    expect(lackOf(h, 'family:inet')).toEqual({ features: BOTH_FAMILIES, reason: expect.stringMatching(/family:inet: no ICMP counters \(\/proc\/net\/snmp: ENOENT\); family:inet6: no ICMP counters \(\/proc\/net\/snmp6: ENOENT\)/) });
    expect(lackOf(h, 'test-hosts')?.reason).toBeTruthy();
    expect(h.privileged).toBe(false);
  });

  it.skipIf(!hasCc)('the C driver settles unproven and leaves out both IP families in one entry', () => {
    const h = helloOf(cDriver(), NO_PROC);
    expect(h.settle).toBe('unknown');
    expect(lackOf(h, 'family:inet6')).toEqual({ features: BOTH_FAMILIES, reason: expect.any(String) });
  });

  it('the loopback guard still refuses any other address (no test host can exist without the namespace file)', () => {
    const script = `import('${join(ROOT, 'harness/host/libc-net.mjs')}').then(({ AF, net }) => { const s = net.socket(AF.INET, true); try { net.connect(s.value, '10.9.8.7:9'); console.log('connected'); } catch (e) { console.log(e.message); } })`;
    const [exe, ...args] = splitCommand(NO_PROC);
    const r = spawnSync(exe, [...args, process.execPath, '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout).toContain('refusing to reach 10.9.8.7:9');
  });

  it.skipIf(!hasCc)('a run on both drivers has no errors, and what could not run names both families left out', () => {
    const r = ipcspec(['run', '--target', 'host', '--target', 'c', '--wrap', NO_PROC, '--only', 'pipe-data,stream-data', '--runs', '10', '--seed', '42']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.report!.targets.map((t) => t.settled)).toEqual([false, false]);
    const stream = r.report!.results.filter((x) => x.clause.startsWith('stream.'));
    expect(stream.length).toBeGreaterThan(0);
    for (const x of stream) expect(x.reason, `${x.clause} on ${x.target}`).toMatch(/family:inet and family:inet6 left out/);
  });
});

describe.skipIf(!linux || !hasCc)('without /proc/TID/syscall (an LD_PRELOAD shim hides those files, as gVisor has none)', () => {
  const shim = join(scratch, 'hide-facilities.so');
  const build = () => {
    if (!existsSync(shim)) expect(spawnSync('cc', ['-O2', '-shared', '-fPIC', '-o', shim, join(ROOT, 'test/fixtures/shims/hide-facilities.c'), '-ldl'], { encoding: 'utf8' }).stderr).toBe('');
    return `env LD_PRELOAD=${shim} IPCSPEC_SHIM_HIDE_SYSCALL=1`;
  };

  it('both drivers say settle "unknown" and still pass', () => {
    const wrap = build();
    expect(helloOf(hostDriverCommand(), wrap).description).toContain('no /proc/self/task/TID/syscall');
    expect(helloOf(cDriver(), wrap).description).toContain('/proc/self/task/TID/syscall does not name it');
    const r = ipcspec(['run', '--target', 'host', '--target', 'c', '--wrap', wrap, '--only', 'pipe-data,pipe-blocking', '--runs', '15', '--seed', '43']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.report!.targets.map((t) => t.settled)).toEqual([false, false]);
    for (const x of r.report!.results) expect(x, `${x.clause} on ${x.target}`).toMatchObject({ status: 'pass' });
  });

  it('a short SO_MEMINFO and TCP_INFO (the shim on the C driver; IPCSPEC_HOST_WITHOUT on the host driver) leave out both families, named together', () => {
    const c = helloOf(cDriver(), `${build()} IPCSPEC_SHIM_SHORT_NET=1`);
    expect(lackOf(c, 'family:inet')).toEqual({ features: BOTH_FAMILIES, reason: expect.stringContaining('SO_MEMINFO') });
    const h = helloOf(hostDriverCommand(), '', { IPCSPEC_HOST_WITHOUT: 'so-meminfo,tcp-info-bytes' });
    expect(lackOf(h, 'family:inet6')).toEqual({ features: BOTH_FAMILIES, reason: expect.stringMatching(/no SO_MEMINFO \(ENOPROTOOPT\), TCP_INFO of 224 bytes/) });
    const r = ipcspec(['run', '--target', 'host-process', '--only', 'stream-data', '--runs', '10', '--seed', '44'], { IPCSPEC_HOST_WITHOUT: 'so-meminfo' });
    expect(r.status).toBe(0);
    for (const x of r.report!.results) expect(x.reason, x.clause).toMatch(/family:inet and family:inet6 left out: the loopback waits cannot observe here \(no SO_MEMINFO/);
  });
});

describe.skipIf(!linux || !canUnshare)('without a uid to drop to (a user namespace that maps uid 0 only)', () => {
  it('the host driver leaves out bind-unprivileged, saying why', () => {
    const h = helloOf(hostDriverCommand(), NO_UID);
    expect(h.ops).not.toContain('bind-unprivileged');
    expect(lackOf(h, 'bind-unprivileged')?.reason).toMatch(/no uid 65534 to drop to/);
    expect(h.privileged).toBe(false); // CAP_SYS_RESOURCE in a user namespace does not lift pipe-max-size
  });

  it.skipIf(!hasCc)('the C driver leaves it out too', () => {
    const h = helloOf(cDriver(), NO_UID);
    expect(h.ops).not.toContain('bind-unprivileged');
    expect(lackOf(h, 'bind-unprivileged')?.reason).toMatch(/cannot drop to uid 65534/);
  });
});

describe.skipIf(!linux)('a target that does not start', () => {
  it('has its failure printed once per run, not once per property; the report keeps it in full', () => {
    const crash = join(scratch, 'crash.sh');
    writeFileSync(crash, 'echo first-line-of-the-crash >&2; echo second-line-of-the-crash >&2; exit 3\n');
    const wrap = `sh ${crash}`;
    const r = ipcspec(['run', '--target', 'host', '--wrap', wrap, '--only', 'pipe-data,pipe-blocking', '--runs', '5']);
    expect(r.status).toBe(2);
    expect(r.stdout.split('second-line-of-the-crash')).toHaveLength(2);
    expect(r.stdout).toMatch(/did not start: exec driver: driver exited with status 3/);
    expect(r.stdout).toMatch(/pipe-blocking: .*: ERROR: .*the target did not start \(printed above\)/);
    for (const x of r.report!.results) expect(x).toMatchObject({ status: 'error', reason: expect.stringContaining('second-line-of-the-crash') });
  });
});
