// The exec target (spec/driver-protocol.md): the portable C driver passes the pipe properties, and
// a driver that crashes, hangs or prints garbage gives an error result with its stderr, exit 2,
// while the run's other results are kept.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cDriverSources } from '../harness/c-driver.ts';
import { parseDriverLine } from '../harness/driver-messages.ts';
import { splitCommand } from '../harness/exec-command.ts';
import { ExecTarget } from '../harness/exec-target.ts';
import { loadProfile } from '../spec/profile.ts';
import { PROPERTIES } from '../suites/properties/index.ts';
import { runProperty } from '../engine/run-property.ts';
import { childrenOfThisProcess } from './fixtures/proc.ts';
import { tempDir } from './support/tmp.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'ipcspec.mjs');
const DRIVERS = join(ROOT, 'test', 'fixtures', 'drivers');
const scratch = tempDir('exec-target-');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Result { clause: string; target: string; status: string; runs: number; reason?: string }
const ipcspec = (args: string[], env: Record<string, string> = {}) => {
  const out = mkdtempSync(join(scratch, 'out-'));
  const r = spawnSync('node', [BIN, ...args, '--out', out], { encoding: 'utf8', timeout: 240_000, env: { ...process.env, ...env } });
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { targets: Array<{ name: string; settled: boolean }>; results: Result[]; properties: Array<{ property: string; area: string; status: string }> };
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, report };
};


const hasCc = spawnSync('cc', ['--version']).status === 0;
if (!hasCc) console.warn('exec-target.test: no `cc` on this machine, so the C driver is not built and its conformance test is skipped');

describe.skipIf(process.platform !== 'linux' || !hasCc)('the portable C driver (harness/drivers/c/)', () => {
  const exe = join(scratch, 'ipcspec-driver');
  let cc: ReturnType<typeof spawnSync>;
  beforeAll(() => {
    cc = spawnSync('cc', ['-O2', '-pthread', '-Wall', '-o', exe, ...cDriverSources()], { encoding: 'utf8' });
  });

  it('builds with cc -O2 -pthread and passes pipe-data and pipe-blocking, settled by /proc', () => {
    expect(cc.stderr).toBe('');
    expect(cc.status).toBe(0);
    const r = ipcspec(['run', '--target', `exec:${exe}`, '--only', 'pipe-data,pipe-blocking', '--seed', '11']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.report.targets[0]).toMatchObject({ name: `exec:${exe}`, settled: true });
    expect(r.report.results.map((x) => x.clause).sort()).toEqual([
      'pipe.eof-after-last-writer', 'pipe.last-writer-close-wakes-readers', 'pipe.no-message-boundaries',
      'pipe.nonblocking-read-eagain', 'pipe.order-and-content', 'pipe.read-blocks-while-writer-open',
    ]);
    for (const x of r.report.results) expect(x, x.clause).toMatchObject({ status: 'pass' });
    expect(r.report.results.every((x) => x.runs > 0)).toBe(true);
  });

  it('passes children, concurrent writers, FIFO opens and AF_UNIX stream sockets too', () => {
    const only = 'pipe.inherited-by-child,pipe.sigpipe-kills-writer,pipe.atomic-small-writes,fifo-open,bind.unix-*,listen.full-queue-blocks-unix,stream.shutdown-read,stream.shutdown-both';
    const r = ipcspec(['run', '--target', `exec:${exe}`, '--only', only, '--seed', '12']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.report.results.length).toBeGreaterThanOrEqual(12);
    for (const x of r.report.results) expect(x, x.clause).toMatchObject({ status: 'pass' });
  });

  it('built without /proc (as for an OS that has none), says it cannot prove blocking, and its traces are not settled', () => {
    const noproc = `${exe}-noproc`;
    const b = spawnSync('cc', ['-O2', '-pthread', '-DIPCSPEC_NO_PROC', '-o', noproc, ...cDriverSources()], { encoding: 'utf8' });
    expect(b.status).toBe(0);
    const r = ipcspec(['run', '--target', `exec:${noproc}`, '--only', 'pipe-data,pipe-blocking', '--runs', '40', '--seed', '14']);
    expect(r.status, r.stdout.slice(-3000)).toBe(0);
    expect(r.report.targets[0]).toMatchObject({ settled: false });
    for (const x of r.report.results) expect(x, x.clause).toMatchObject({ status: 'pass' });
  });

  it('leaves no descriptor, temp dir or process behind, also when scenarios end with calls blocked', async () => {
    const fds = readdirSync('/proc/self/fd').length;
    const target = await ExecTarget.start(exe);
    for (const area of ['pipe-blocking', 'fifo-open', 'pipe-no-reader', 'stream-close']) {
      for (const p of PROPERTIES.filter((x) => x.area === area)) {
        const o = await runProperty(p, target, loadProfile('linux'), { runs: 15, seed: 3 });
        expect(o.failure?.verdict, p.name).toBeUndefined();
      }
    }
    expect(existsSync(target.root)).toBe(true);
    await target.dispose();
    expect(existsSync(target.root)).toBe(false);
    expect(readdirSync('/proc/self/fd').length).toBe(fds);
    expect(childrenOfThisProcess()).toEqual([]);
  });

  it('reports what it cannot do as unsupported, never as pass', () => {
    // it makes no test hosts: the two-host properties are unsupported, and a clause they reach too
    // passes only on its other properties' scenarios, saying how many could not run
    const r = ipcspec(['run', '--target', `exec:${exe}`, '--only', 'stream.accept-keeps-listening,dgram.zero-length', '--runs', '5', '--seed', '13']);
    expect(r.status).toBe(0);
    expect(r.report.results.length).toBe(2);
    for (const x of r.report.results) {
      expect(x, x.clause).toMatchObject({ status: 'pass' });
      expect(x.reason, x.clause).toMatch(/could not run \(.*does not support feature test-hosts/);
    }
    const twoHost = r.report.properties.filter((p) => p.area === 'two-host');
    expect(twoHost.length).toBeGreaterThan(0);
    for (const p of twoHost) expect(p.status, p.property).toBe('unsupported');
  });
});

describe.skipIf(process.platform !== 'linux')('a misbehaving driver', () => {
  it.each([
    ['crashes', 'crash', /driver exited with status 3 .*driver stderr: crash fixture: dying on purpose/],
    ['hangs', 'hang', /no result from the driver within 1\.5 s.*driver stderr: hang fixture: not answering on purpose/],
    ['prints garbage', 'garbage', /not JSON: "this is not json \{".*driver stderr: garbage fixture: printing nonsense on purpose/],
    ['speaks another protocol', 'no-hello', /driver speaks protocol 99, ipcspec speaks 1; driver stderr: no-hello fixture: this is not an ipcspec driver/],
  ])('that %s gives an error with its stderr and exit 2, and the host results are kept', (_what, name, why) => {
    const exec = `exec:sh ${join(DRIVERS, `${name}.sh`)}`;
    const r = ipcspec(['run', '--target', 'host', '--target', exec, '--only', 'pipe-data', '--runs', '5', '--seed', '3'], { IPCSPEC_EXEC_DEADLINE_MS: '1500' });
    expect(r.status).toBe(2);
    const host = r.report.results.filter((x) => x.target === 'host');
    const bad = r.report.results.filter((x) => x.target === exec);
    expect(host.length).toBe(2);
    for (const x of host) expect(x).toMatchObject({ status: 'pass' });
    expect(bad.length).toBe(2);
    for (const x of bad) {
      expect(x.status).toBe('error');
      expect(x.reason).toMatch(why);
    }
  });
});

describe('driver lines and commands', () => {
  it('rejects every malformed line, naming the problem', () => {
    const bad: Array<[string, RegExp]> = [
      ['{"type":"result","step":1,"outcome":{"kind":"ok"}}', /integer value/],
      ['{"type":"result","step":"1","outcome":{"kind":"pending"}}', /"step" must be an integer/],
      ['{"type":"result","step":1,"outcome":{"kind":"err","errno":"11"}}', /errno name/],
      ['{"type":"result","step":1,"outcome":{"kind":"pass"}}', /no valid kind/],
      ['{"type":"result","step":1,"outcome":{"kind":"ok","value":1,"data":"abc"}}', /base64/],
      ['{"type":"settled","proven":true,"extra":1}', /unknown field "extra"/],
      ['{"type":"settled"}', /"proven" must be true or false/],
      ['{"type":"ok"}', /not a driver message/],
      ['[1,2]', /not a driver message/],
      ['{"type":', /not JSON/],
    ];
    for (const [line, why] of bad) expect(() => parseDriverLine(line), line).toThrow(why);
    expect(parseDriverLine('{"type":"complete","step":2,"outcome":{"kind":"ok","value":3,"data":{"$base64":"q83v"}}}')).toEqual({
      type: 'complete', step: 2, outcome: { kind: 'ok', value: 3, data: new Uint8Array([0xab, 0xcd, 0xef]) },
    });
  });

  it('splits exec:CMD like a shell splits plain words and quotes', () => {
    expect(splitCommand(`runsc --rootless do ./d 'a b' "c \\"d\\"" e\\ f`)).toEqual(['runsc', '--rootless', 'do', './d', 'a b', 'c "d"', 'e f']);
    expect(() => splitCommand(`sh -c 'oops`)).toThrow(/unterminated/);
  });
});
