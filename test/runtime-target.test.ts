// The runtime targets (harness/runtime-target.ts): the runtime driver (harness/drivers/runtime, node:
// APIs only) under node, bun and deno. Each starts and names its runtime and version, runs real FIFO
// and TCP scenarios that the model passes (a blocked read reported pending, then completed), passes a
// few generated runs of a FIFO and a stream-socket property, and reports a pipe(2) scenario
// unsupported, never pass.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../engine/run-scenario.ts';
import { runtimeArgv } from '../harness/runtime-target.ts';
import { makeTarget } from '../engine/targets.ts';
import type { Target } from '../spec/target.ts';
import { check } from '../reference-model/check.ts';
import { loadProfile } from '../spec/profile.ts';
import type { Scenario } from '../spec/scenario.ts';
import { PROPERTIES } from '../suites/properties/index.ts';
import { runProperty } from '../engine/run-property.ts';

const ROOT = join(import.meta.dirname, '..');
const profile = loadProfile('linux');

/** What the runtime says its version is, asked outside the driver. */
function versionOf(name: 'node' | 'bun' | 'deno'): string {
  if (name === 'node') return `node ${process.versions.node}`;
  const bin = join(ROOT, 'node_modules', '.bin', name);
  const out = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim();
  return name === 'bun' ? `bun ${out}` : out.split(' ').slice(0, 2).join(' '); // "deno 2.9.6 (stable, ...)"
}

const fifo: Scenario = {
  property: 'runtime-target test: FIFO',
  steps: [
    { actor: 'main', op: 'make-pipe', variant: 'fifo', read: 'r0', write: 'w0' },
    { actor: 'R', op: 'read', fd: 'r0', size: 10 },
    { actor: 'main', op: 'write', fd: 'w0', size: 3 },
    { actor: 'main', op: 'close', fd: 'w0' },
    { actor: 'R', op: 'read', fd: 'r0', size: 10 },
  ],
};

const tcp: Scenario = {
  property: 'runtime-target test: TCP',
  steps: [
    { actor: 'main', op: 'socket', family: 'inet', as: 'L', nonblock: false },
    { actor: 'main', op: 'bind', fd: 'L', addr: { port: 0 } },
    { actor: 'main', op: 'listen', fd: 'L', backlog: 5 },
    { actor: 'main', op: 'socket', family: 'inet', as: 'a', nonblock: false },
    { actor: 'main', op: 'connect', fd: 'a', to: { of: 'L' } },
    { actor: 'main', op: 'accept', fd: 'L', as: 'b' },
    { actor: 'main', op: 'send', fd: 'a', size: 40 },
    { actor: 'B', op: 'recv', fd: 'b', size: 100, waitall: false, dontwait: false },
    { actor: 'main', op: 'shutdown', fd: 'a', how: 'wr' },
    { actor: 'B', op: 'recv', fd: 'b', size: 100, waitall: false, dontwait: false },
  ],
};

const pipe: Scenario = {
  property: 'runtime-target test: pipe(2)',
  steps: [{ actor: 'main', op: 'make-pipe', variant: 'pipe', read: 'r0', write: 'w0' }, { actor: 'main', op: 'write', fd: 'w0', size: 1 }],
};

describe.skipIf(process.platform !== 'linux').each(['node', 'bun', 'deno'] as const)('--target %s', (name) => {
  let target: Target;
  beforeAll(async () => { target = await makeTarget(name, profile); }, 30_000);
  afterAll(async () => { await target?.dispose(); });

  it('starts the driver under that runtime and names it with its version', () => {
    expect(runtimeArgv(name)).toContain(join(ROOT, 'harness', 'drivers', 'runtime', 'main.mjs'));
    expect(target.info.name).toBe(name);
    expect(target.info.description).toContain(versionOf(name));
    expect(target.info.settled).toBe(false); // a runtime cannot prove a call asleep in the kernel
  });

  it('runs a FIFO scenario: the blocked read is pending, the write completes it, then EOF', async () => {
    const trace = await runScenario(target, fifo);
    expect(check(fifo, trace, profile)).toMatchObject({ status: 'pass' });
    const calls = trace.events.filter((e) => e.type === 'call');
    expect(calls[1]).toMatchObject({ step: 1, outcome: { kind: 'pending' } });
    expect(trace.events).toContainEqual(expect.objectContaining({ type: 'complete', step: 1, outcome: expect.objectContaining({ kind: 'ok', value: 3 }) }));
    expect(trace.events.find((e) => e.type !== 'quiescent' && e.step === 4)).toMatchObject({ outcome: { kind: 'ok', value: 0 } });
  });

  it('runs a TCP scenario: the bytes sent arrive, then EOF after shutdown(SHUT_WR)', async () => {
    const trace = await runScenario(target, tcp);
    expect(check(tcp, trace, profile)).toMatchObject({ status: 'pass' });
    const recv = trace.events.filter((e) => e.type !== 'quiescent' && (e.step === 7 || e.step === 9) && e.outcome.kind === 'ok');
    expect(recv.map((e) => (e.type !== 'quiescent' && e.outcome.kind === 'ok' ? e.outcome.value : -1))).toEqual([40, 0]);
  });

  it('passes generated FIFO-open scenarios', async () => {
    const p = PROPERTIES.find((x) => x.area === 'fifo-open')!;
    const o = await runProperty(p, target, profile, { runs: 12, seed: 21 });
    expect(o.failure?.verdict).toBeUndefined();
    expect(o.exercised.get('fifo.open-blocks-until-partner') ?? 0).toBeGreaterThan(0);
  }, 40_000);

  it('passes generated stream-accept scenarios (AF_UNIX, TCP over IPv4 and IPv6)', async () => {
    const p = PROPERTIES.find((x) => x.area === 'stream-accept')!;
    const o = await runProperty(p, target, profile, { runs: 12, seed: 22 });
    expect(o.failure?.verdict).toBeUndefined();
    expect(o.exercised.get('stream.accept-keeps-listening') ?? 0).toBeGreaterThan(0);
  }, 40_000);

  it('reports a pipe(2) scenario unsupported, not pass: the runtime has no pipe(2)', async () => {
    const trace = await runScenario(target, pipe);
    const v = check(pipe, trace, profile);
    expect(v.status).toBe('unsupported');
    expect(v.status === 'unsupported' && v.reason).toMatch(/variant:pipe/);
  });
});

// deno's fs.write on a full FIFO blocks its one thread (README, "On JavaScript runtimes"): the runtime
// driver's watchdog says so on the protocol (a `fatal` message) instead of leaving the harness to wait
// out its reply deadline; node and bun run the same write on their thread pool, and it is pending.
describe.skipIf(process.platform !== 'linux')('a call that blocks the runtime\'s event loop', () => {
  const fullFifoWrite: Scenario = {
    property: 'runtime-target test: a blocking write bigger than the FIFO',
    steps: [
      { actor: 'main', op: 'make-pipe', variant: 'fifo', read: 'r0', write: 'w0' },
      { actor: 'W', op: 'write', fd: 'w0', size: 70_000 },
    ],
  };

  it('on deno: an error naming the blocked event loop, from the watchdog, not the reply deadline', async () => {
    const before = process.env.IPCSPEC_EXEC_DEADLINE_MS;
    process.env.IPCSPEC_EXEC_DEADLINE_MS = '120000'; // the deadline's own message would be "no result ... within 120 s"
    const deno = await makeTarget('deno', profile);
    try {
      const trace = await runScenario(deno, fullFifoWrite);
      const write = trace.events.find((e) => e.type === 'call' && e.step === 1);
      expect(write?.type === 'call' && write.outcome).toMatchObject({ kind: 'error', message: expect.stringMatching(/the driver gave up .*event loop has not turned for \d+ s while handling step 1/) });
    } finally {
      await deno.dispose();
      if (before === undefined) delete process.env.IPCSPEC_EXEC_DEADLINE_MS; else process.env.IPCSPEC_EXEC_DEADLINE_MS = before;
    }
  }, 180_000);

  it('on node: the same write is pending (its thread pool runs the call; the event loop turns on)', async () => {
    const node = await makeTarget('node', profile);
    try {
      const trace = await runScenario(node, fullFifoWrite);
      const write = trace.events.find((e) => e.type === 'call' && e.step === 1);
      expect(write?.type === 'call' && write.outcome).toEqual({ kind: 'pending' });
    } finally {
      await node.dispose();
    }
  }, 60_000);
});
