// Ctrl-C and SIGTERM (issue 12, defects 2 and 4): an interrupt at any moment of a run, including
// while two-host network namespaces are being set up, writes the partial report and ends the process.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { whyNoTestHosts } from '../harness/host/test-hosts.ts';
import { runCli, waitFor } from './helpers/cli-child.ts';

const dirs: string[] = [];
const tmp = (): string => { const d = mkdtempSync(join(tmpdir(), 'cli-interrupt-')); dirs.push(d); return d; };
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

const partialReport = (out: string) => JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { interrupted: boolean; results: unknown[] };

/** Start `args`, wait for `marker` on stdout, wait `delayMs` more, then send `signal`. */
const interrupt = (args: string[], marker: RegExp, delayMs: number, signal: NodeJS.Signals = 'SIGINT') => runCli(args, {
  deadlineMs: 90_000,
  onSpawn: (child, out) => { void waitFor(out, marker).then(() => setTimeout(() => child.kill(signal), delayMs), () => child.kill(signal)); },
});

const noHosts = process.platform === 'linux' ? whyNoTestHosts() : 'not Linux';

describe.skipIf(noHosts !== undefined)(`Ctrl-C while two-host namespaces are set up${noHosts ? ` (skipped: ${noHosts})` : ''}`, () => {
  // [1/3] and [2/3] are one-host properties; right after [2/3] the two-host one makes its namespaces.
  const args = (out: string) => ['run', '--only', 'connect.tcp-no-listener-econnrefused,bind.port-zero-ephemeral', '--runs', '200', '--seed', '1', '--out', out];
  it.each([0, 100, 300])('SIGINT %i ms after the namespaces start: exit 130 and the partial report', async (delay) => {
    const out = tmp();
    const r = await interrupt(args(out), /\[2\/3\][^\n]*\n/, delay);
    expect(r.hung).toBe(false);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/partial report written/);
    const report = partialReport(out);
    expect(report.interrupted).toBe(true);
    expect(report.results.length).toBeGreaterThan(0);
  });
});

describe.skipIf(process.platform !== 'linux')('an interrupt at any moment of a run', () => {
  const args = (out: string) => ['run', '--only', 'pipe-blocking,pipe-data', '--runs', '100000', '--seed', '3', '--out', out];
  it.each([
    ['SIGINT', 'the header', /^ipcspec run:/m, 0, 130],
    ['SIGINT', 'a property', /^ipcspec run:/m, 800, 130],
    ['SIGTERM', 'a property', /^ipcspec run:/m, 800, 143],
  ] as const)('%s at %s: the partial report, then the process ends', async (sig, _, marker, delay, code) => {
    const out = tmp();
    const r = await interrupt(args(out), marker, delay, sig);
    expect(r.hung).toBe(false);
    expect(r.code).toBe(code);
    expect(partialReport(out).interrupted).toBe(true);
  });

  it('diff: SIGINT while the targets run a property: exit 130 and the partial report', async () => {
    const out = tmp();
    const r = await interrupt(['diff', '--target', 'host', '--target', 'model', '--only', 'pipe-data', '--runs', '100000', '--seed', '3', '--out', out], /^ipcspec diff:/m, 500);
    expect(r.hung).toBe(false);
    expect(r.code).toBe(130);
    expect(partialReport(out).interrupted).toBe(true);
  });

  it('a second SIGINT ends the process at once, whatever the cleanup is doing', async () => {
    const out = tmp();
    const r = await runCli(args(out), {
      deadlineMs: 60_000,
      onSpawn: (child, o) => { void waitFor(o, /^ipcspec run:/m).then(() => { child.kill('SIGINT'); child.kill('SIGINT'); }); },
    });
    expect(r.hung).toBe(false);
    expect(r.code).toBe(130);
  });
});
