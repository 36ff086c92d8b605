// The portable C driver beyond pipes: datagram sockets, TCP and UDP over loopback (with the host
// target's arrival waits), connect-wait/connect-fill/set-buffers, bind-unprivileged and pipelines.
// It is built here with warnings on, asked what it declares, and run on the socket areas: every
// property must pass with nothing unsupported, so the new ops really ran on this kernel.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cDriverSources } from '../harness/c-driver.ts';
import { ExecTarget } from '../harness/exec-target.ts';
import { loadProfile } from '../spec/profile.ts';
import { PROPERTIES } from '../suites/properties/index.ts';
import { runProperty } from '../engine/run-property.ts';
import { childrenOfThisProcess } from './fixtures/proc.ts';
import { tempDir } from './support/tmp.ts';

const ROOT = join(import.meta.dirname, '..');
const SOURCES = cDriverSources();
const BIN = join(ROOT, 'bin', 'ipcspec.mjs');
const scratch = tempDir('c-driver-');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const hasCc = spawnSync('cc', ['--version']).status === 0;


interface Prop { property: string; area: string; runs: number; unsupported: number; status: string }
interface Result { clause: string; status: string; runs: number; reason?: string }

describe.skipIf(process.platform !== 'linux' || !hasCc)('the C driver: sockets, datagrams, TCP/UDP, pipelines', () => {
  const exe = join(scratch, 'ipcspec-driver');
  let cc: ReturnType<typeof spawnSync>;
  beforeAll(() => {
    cc = spawnSync('cc', ['-O2', '-pthread', '-Wall', '-Wextra', '-o', exe, ...SOURCES], { encoding: 'utf8' });
  });

  it('builds without a warning, also as strict C11 with POSIX 2008 and -Wpedantic', () => {
    expect(cc.stderr).toBe('');
    expect(cc.status).toBe(0);
    const strict = spawnSync('cc', ['-O2', '-pthread', '-Wall', '-Wextra', '-Wpedantic', '-std=c11', '-D_POSIX_C_SOURCE=200809L', '-o', `${exe}-strict`, ...SOURCES], { encoding: 'utf8' });
    expect(strict.stderr).toBe('');
    expect(strict.status).toBe(0);
  });

  it('declares the socket ops, datagrams and, on this Linux, TCP and UDP, with calls proven asleep', () => {
    const r = spawnSync(exe, [], { input: '{"type":"hello","protocol":1}\n{"type":"shutdown"}\n', encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(0);
    const [hello, bye] = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; ops: string[]; features: string[]; settle: string });
    expect(bye).toEqual({ type: 'bye' });
    expect(hello.settle).toBe('proven');
    for (const op of ['pipeline', 'connect-wait', 'connect-fill', 'set-buffers', 'bind-unprivileged', 'send', 'recv']) expect(hello.ops).toContain(op);
    expect(hello.features).toContain('dgram');
    expect(hello.features).toContain('family:inet');
    // IPv6 loopback may be switched off in a container; where the kernel has it, the driver must use it
    if (existsSync('/proc/net/snmp6')) expect(hello.features).toContain('family:inet6');
    expect(hello.features).not.toContain('test-hosts');
  });

  it('built as for a POSIX system that is not Linux, falls back (no /proc, no TCP waits) and still passes pipes, FIFOs and AF_UNIX sockets', () => {
    const posix = `${exe}-posix`;
    const b = spawnSync('cc', ['-O2', '-pthread', '-Wall', '-Wextra', '-DIPCSPEC_POSIX_ONLY', '-o', posix, ...SOURCES], { encoding: 'utf8' });
    expect(b.stderr).toBe('');
    const hello = JSON.parse(spawnSync(posix, [], { input: '{"type":"hello","protocol":1}\n{"type":"shutdown"}\n', encoding: 'utf8' }).stdout.split('\n')[0]) as { features: string[]; settle: string };
    expect(hello.settle).toBe('unknown');
    expect(hello.features).toContain('dgram');
    expect(hello.features.filter((f) => /inet|abstract/.test(f))).toEqual([]);
    const out = join(scratch, 'out-posix');
    const r = spawnSync('node', [BIN, 'run', '--target', `exec:${posix}`, '--only', 'pipe-data,fifo-open,stream-data,dgram.message-boundaries', '--runs', '8', '--seed', '22', '--out', out], { encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr.replace(/^ipcspec (run|diff): inconclusive: .*\n/, '')).toBe(''); // a few clauses may go unreached in so few runs (exit 3)
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { targets: Array<{ settled: boolean }>; properties: Prop[] };
    expect(report.targets[0].settled).toBe(false);
    const ran = report.properties.filter((p) => p.area !== 'two-host');
    expect(ran.length).toBeGreaterThan(3);
    // the socket properties also make TCP and UDP sockets: those runs are unsupported here, the AF_UNIX ones pass
    for (const p of ran) {
      expect(['pass', 'unsupported'], p.property).toContain(p.status);
      expect(p.runs - p.unsupported, p.property).toBeGreaterThan(0);
      if (p.area.startsWith('pipe') || p.area.startsWith('fifo')) expect(p, p.property).toMatchObject({ status: 'pass', unsupported: 0 });
    }
  });

  it('passes the socket, datagram, backlog and pipeline areas with nothing unsupported', () => {
    const out = join(scratch, 'out');
    const areas = 'dgram-data,stream-data,stream-close,stream-accept,stream-buffer,connect-errors,bind-errors,listen-backlog,pipeline';
    const r = spawnSync('node', [BIN, 'run', '--target', `exec:${exe}`, '--only', areas, '--runs', '6', '--seed', '21', '--out', out], { encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr.replace(/^ipcspec (run|diff): inconclusive: .*\n/, '')).toBe(''); // a few clauses may go unreached in so few runs (exit 3)
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { properties: Prop[]; results: Result[] };
    // Clauses the two-host properties reach too are unsupported (no test hosts here), and a few runs may
    // miss a clause ("not exercised"); no clause fails, and no run errs.
    for (const x of report.results) {
      expect(x.status, x.clause).not.toBe('fail');
      if (x.status === 'error') expect(x.reason, x.clause).toMatch(/^not exercised/);
    }
    const props = report.properties.filter((p) => p.area !== 'two-host');
    expect(new Set(props.map((p) => p.area))).toEqual(new Set(areas.split(',')));
    for (const p of props) expect(p, p.property).toMatchObject({ status: 'pass', unsupported: 0 });
    for (const p of props) expect(p.runs, p.property).toBeGreaterThan(0);
    // clauses that only these properties reach (the two-host ones leave the others unsupported)
    const byClause = new Map(report.results.map((x) => [x.clause, x]));
    for (const id of ['dgram.source-address', 'dgram.connected-udp-refused', 'dgram.size-limit-emsgsize', 'dgram.peek-does-not-consume', 'bind.privileged-port-eacces', 'listen.dropped-syn-completes-later', 'listen.backlog-truncated', 'pipeline.order-and-eof', 'stream.full-send-buffer']) {
      expect(byClause.get(id), id).toMatchObject({ status: 'pass' });
    }
  });

  it('leaves no descriptor, temp dir or process behind after pipelines, TCP backlogs, UDP and unprivileged binds', async () => {
    const fds = readdirSync('/proc/self/fd').length;
    const target = await ExecTarget.start(exe);
    for (const area of ['pipeline', 'listen-backlog', 'dgram-data', 'bind-errors']) {
      for (const p of PROPERTIES.filter((x) => x.area === area && !/retransmission/.test(x.name))) {
        const o = await runProperty(p, target, loadProfile('linux'), { runs: 5, seed: 4 });
        expect(o.failure?.verdict, p.name).toBeUndefined();
      }
    }
    await target.dispose();
    expect(existsSync(target.root)).toBe(false);
    expect(readdirSync('/proc/self/fd').length).toBe(fds);
    expect(childrenOfThisProcess()).toEqual([]);
  });
});
