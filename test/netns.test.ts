// The two-host scenarios' test hosts (harness/host/test-hosts.ts): made, reachable only through their
// own link, always removed (after a run, after Ctrl-C, after a crash), and reported unsupported,
// never passed, where they cannot be made.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HostTarget } from '../harness/host/target.ts';
import { setUpTestHosts, sweepStale, whyNoTestHosts } from '../harness/host/test-hosts.ts';
import { AF, net } from '../harness/host/libc-net.mjs';
import { sys } from '../harness/host/libc.mjs';
import { loadProfile } from '../spec/profile.ts';
import { TWO_HOST_PROPERTIES } from '../suites/properties/two-host.ts';
import { runProperty } from '../engine/run-property.ts';
import { tempDir } from './support/tmp.ts';

const ROOT = join(import.meta.dirname, '..');
const CHILD = join(import.meta.dirname, 'fixtures', 'two-host-child.mts');
const netnsList = (): string[] => spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.split(' ')[0]).filter(Boolean);
const openFds = () => readdirSync('/proc/self/fd').length;
const ofPid = (pid: number) => netnsList().filter((n) => n.startsWith(`ipcspec-${pid}-`));
/** Long deadline for something that must happen (expiry is a broken machine, not a verdict). */
async function eventually(cond: () => boolean, what: string, ms = 120_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`not within ${ms / 1000} s: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const why = process.platform === 'linux' ? whyNoTestHosts() : 'not Linux';

describe('test hosts for two-host scenarios', () => {
  it.skipIf(!!why)(`are made, reach each other only over their link, and are removed${why ? ` (cannot here: ${why})` : ''}`, async () => {
    const r = await setUpTestHosts();
    if ('unsupported' in r) throw new Error(r.unsupported);
    const h = r.hosts;
    try {
      expect(netnsList()).toEqual(expect.arrayContaining([h.names.a, h.names.b]));
      expect(h.rttMs).toBeGreaterThan(0);
      expect(h.deadlineMs).toBeGreaterThanOrEqual(10_000);
      const l = h.inHost('b', () => net.socket(AF.INET, false)).value;
      const c = h.inHost('a', () => net.socket(AF.INET, false)).value;
      const here = net.socket(AF.INET, false).value;
      try {
        expect([h.hostOf(l), h.hostOf(c), h.hostOf(here)]).toEqual(['b', 'a', undefined]);
        expect(net.bind(l, `${h.inet.b}:0`).errno).toBeUndefined();
        expect(net.listen(l, 1).errno).toBeUndefined();
        const to = net.getsockname(l).addr!;
        expect(net.connect(c, to)).toEqual({ value: 0 });
        expect(net.getsockname(c).addr).toMatch(new RegExp(`^${h.inet.a.replaceAll('.', '\\.')}:\\d+$`));
        // a socket of this machine's own namespace is never let out towards a test host's address
        expect(() => net.connect(here, to)).toThrow(/refusing to reach/);
      } finally {
        for (const fd of [l, c, here]) sys.close(fd);
      }
    } finally {
      h.dispose();
    }
    expect(netnsList()).not.toEqual(expect.arrayContaining([h.names.a]));
    expect(netnsList()).not.toEqual(expect.arrayContaining([h.names.b]));
  });

  it.skipIf(!!why)('are gone after a run of every two-host property, and no descriptor is left open', async () => {
    const fds = openFds();
    const target = new HostTarget();
    for (const p of TWO_HOST_PROPERTIES) {
      const out = await runProperty(p, target, loadProfile('linux'), { runs: 4, seed: 7 });
      expect(out.failure?.verdict).toBeUndefined();
      expect(out.unsupported).toBe(0);
    }
    expect(ofPid(process.pid)).toHaveLength(2);
    await target.dispose();
    expect(ofPid(process.pid)).toEqual([]);
    expect(openFds()).toBe(fds);
  });

  it.skipIf(!!why)('are gone after Ctrl-C in the middle of `ipcspec run`', async () => {
    const out = tempDir('netns-');
    const child = spawn('node', [join(ROOT, 'bin', 'ipcspec.mjs'), 'run', '--only', 'stream.peek-does-not-consume', '--runs', '400', '--seed', '3', '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    await eventually(() => ofPid(child.pid!).length === 2, 'the run to make its test hosts');
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/SIGINT/);
    expect(ofPid(child.pid!)).toEqual([]);
  });

  it.skipIf(!!why)('left behind by a killed run are swept by the next', () => {
    const r = spawnSync('node', ['--import', 'tsx', CHILD, 'crash'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.signal).toBe('SIGKILL');
    const names = JSON.parse(r.stdout.trim()) as { a: string; b: string };
    expect(netnsList()).toEqual(expect.arrayContaining([names.a, names.b]));
    expect(sweepStale()).toEqual(expect.arrayContaining([names.a, names.b]));
    expect(netnsList()).not.toEqual(expect.arrayContaining([names.a]));
    expect(netnsList()).not.toEqual(expect.arrayContaining([names.b]));
  });
});

describe.skipIf(process.platform !== 'linux' || process.getuid?.() !== 0)('where test hosts cannot be made', () => {
  it.each([
    ['as uid 65534 (not root)', ['drop'], process.env.PATH, /not root/],
    ['without `ip` on PATH', [], '/nonexistent', /no `ip` command/],
  ])('%s, the two-host scenarios are unsupported with the reason, never pass', (_what, extra, PATH, reason) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', CHILD, 'unsupported', ...extra], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, PATH } });
    expect(r.stderr).toBe('');
    const got = JSON.parse(r.stdout.trim().split('\n').pop()!) as { properties: Array<{ runs: number; unsupported: number; reason: string; exercised: string[]; failed: boolean }>; results: Array<{ status: string; reason: string }> };
    for (const p of got.properties) {
      expect(p).toMatchObject({ runs: 3, unsupported: 3, exercised: [], failed: false });
      expect(p.reason).toMatch(reason);
    }
    expect(got.results.length).toBeGreaterThan(0);
    for (const c of got.results) {
      expect(c.status).toBe('unsupported');
      expect(c.reason).toMatch(reason);
    }
  });
});
