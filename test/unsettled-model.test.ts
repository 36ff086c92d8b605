// The model's reading of unsettled traces (reference-model/unsettled.ts): one set of rules with the
// settled reading, so the two cannot disagree on a conforming trace, and still strict enough to catch
// what shows without timing. Traces here are real: recorded on the host kernel.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { HostTarget } from '../harness/host/target.ts';
import { runScenario } from '../engine/run-scenario.ts';
import { check } from '../reference-model/check.ts';
import { fromJson } from '../spec/codec.ts';
import { loadProfile, PROFILE_NAMES } from '../spec/profile.ts';
import type { Scenario } from '../spec/scenario.ts';
import type { Trace } from '../spec/trace.ts';
import { PROPERTIES } from '../suites/properties/index.ts';
import { unsettled } from './support/trace.ts';

const host = process.platform === 'linux' ? new HostTarget() : undefined;
afterAll(() => host?.dispose());

describe.skipIf(!host)('unsettled traces are judged by the same rules as settled ones', () => {
  for (const profileName of PROFILE_NAMES) {
    const profile = loadProfile(profileName);
    it(`every property, profile ${profileName}: a host trace that passes settled passes unsettled`, async () => {
      let judged = 0;
      for (const prop of PROPERTIES) {
        if (prop.area === 'two-host') continue; // needs namespaces; same rules as stream-*
        const scenarios = fc.sample(prop.scenario(profile), { numRuns: 4, seed: 7 });
        for (const sc of scenarios) {
          const trace = await runScenario(host!, sc);
          const settled = check(sc, trace, profile);
          if (settled.status !== 'pass') continue;
          const loose = check(sc, unsettled(trace), profile);
          expect({ property: prop.name, status: loose.status, why: 'reason' in loose ? loose.reason : 'violation' in loose ? loose.violation : undefined }).toEqual({ property: prop.name, status: 'pass', why: undefined });
          judged++;
        }
      }
      expect(judged).toBeGreaterThan(100);
    }, 240_000);
  }
});

/** A recorded host trace of `steps`, the outcome at `at` replaced: what a faulty unsettled target would report. */
async function recorded(steps: Scenario['steps'], edit?: { at: number; outcome: Trace['events'][number] & { type: 'call' } extends { outcome: infer O } ? O : never }): Promise<{ sc: Scenario; trace: Trace }> {
  const sc: Scenario = { property: 'pipe-size', steps };
  const trace = unsettled(await runScenario(host!, sc));
  if (edit) for (const e of trace.events) if (e.type === 'call' && e.step === edit.at) e.outcome = edit.outcome;
  return { sc, trace };
}

describe.skipIf(!host)('false alarms of the old lenient reading, and what is still caught (profile linux)', () => {
  const linux = loadProfile('linux');
  const pipe = { actor: 'main', op: 'make-pipe', variant: 'pipe', read: 'r0', write: 'w0' } as const;

  it('the shared repro: two 1-byte writes share a page slot, so shrinking to one page succeeds', async () => {
    const file = fromJson(readFileSync(join(import.meta.dirname, 'fixtures', 'unsettled-pipe-size.json'), 'utf8')) as Scenario;
    const { trace } = await recorded(file.steps);
    expect(check(file, trace, linux).status).toBe('pass');
    // a port that refuses it does fail, unsettled or not
    const bad = await recorded(file.steps, { at: 3, outcome: { kind: 'err', errno: 'EBUSY' } });
    expect(check(bad.sc, bad.trace, linux)).toMatchObject({ status: 'fail', violation: { clause: 'pipe.capacity-resize' } });
  });

  it('write 8194, read 8193, F_SETPIPE_SZ(0), then a nonblocking write of 4097 merges 1 byte into the tail page', async () => {
    const steps = [
      { actor: 'main', op: 'make-pipe', variant: 'pipe2-nonblock', read: 'r0', write: 'w0' },
      { actor: 'main', op: 'write', fd: 'w0', size: 8194 },
      { actor: 'main', op: 'read', fd: 'r0', size: 8193 },
      { actor: 'main', op: 'set-pipe-size', fd: 'w0', size: 0 },
      { actor: 'main', op: 'write', fd: 'w0', size: 4097 },
    ] as Scenario['steps'];
    const { sc, trace } = await recorded(steps);
    expect(trace.events.find((e) => e.type === 'call' && e.step === 4)).toMatchObject({ outcome: { kind: 'ok', value: 1 } });
    expect(check(sc, trace, linux).status).toBe('pass');
    const bad = await recorded(steps, { at: 4, outcome: { kind: 'ok', value: 4097 } });
    expect(check(bad.sc, bad.trace, linux)).toMatchObject({ status: 'fail', violation: { clause: 'pipe.nonblocking-write-when-full' } });
  });

  it('write 61441, write 1, then growing to 65536 bytes succeeds (the 1 byte merged into the 16th slot)', async () => {
    const steps = [pipe, { actor: 'main', op: 'write', fd: 'w0', size: 61441 }, { actor: 'main', op: 'write', fd: 'w0', size: 1 }, { actor: 'main', op: 'set-pipe-size', fd: 'w0', size: 65536 }] as Scenario['steps'];
    const { sc, trace } = await recorded(steps);
    expect(check(sc, trace, linux).status).toBe('pass');
  });

  it('F_SETPIPE_SZ(0), write 8193 gives 4096, read 17, then a 1-byte write gets EAGAIN (a partly read page takes no more)', async () => {
    const steps = [
      { actor: 'main', op: 'make-pipe', variant: 'pipe2-nonblock', read: 'r0', write: 'w0' },
      { actor: 'main', op: 'set-pipe-size', fd: 'w0', size: 0 },
      { actor: 'main', op: 'write', fd: 'w0', size: 8193 },
      { actor: 'main', op: 'read', fd: 'r0', size: 17 },
      { actor: 'main', op: 'write', fd: 'w0', size: 1 },
    ] as Scenario['steps'];
    const { sc, trace } = await recorded(steps);
    expect(trace.events.find((e) => e.type === 'call' && e.step === 4)).toMatchObject({ outcome: { kind: 'err', errno: 'EAGAIN' } });
    expect(check(sc, trace, linux).status).toBe('pass');
    const bad = await recorded(steps, { at: 4, outcome: { kind: 'ok', value: 1 } });
    expect(check(bad.sc, bad.trace, linux)).toMatchObject({ status: 'fail', violation: { clause: 'pipe.nonblocking-small-write-all-or-nothing' } });
  });

  it('a read reported pending while data is buffered may just not have returned yet; its wrong data still fails', async () => {
    const steps = [pipe, { actor: 'main', op: 'write', fd: 'w0', size: 10 }, { actor: 'R', op: 'read', fd: 'r0', size: 10 }] as Scenario['steps'];
    const { sc, trace } = await recorded(steps);
    const read = trace.events.findIndex((e) => e.type === 'call' && e.step === 2);
    const got = (trace.events[read] as { outcome: { kind: 'ok'; value: number; data?: Uint8Array } }).outcome;
    // reported late: pending at the call, its completion in a later settle
    const late: Trace = { ...trace, events: [...trace.events.slice(0, read), { type: 'call', step: 2, actor: 'R', outcome: { kind: 'pending' } }, { type: 'complete', step: 2, actor: 'R', outcome: got }] };
    expect(check(sc, late, linux).status).toBe('pass');
    expect(check(sc, { ...late, settled: true }, linux)).toMatchObject({ status: 'fail', violation: { clause: 'pipe.read-blocks-while-writer-open' } });
    const wrong: Trace = { ...late, events: [...late.events.slice(0, -1), { type: 'complete', step: 2, actor: 'R', outcome: { ...got, data: new Uint8Array(10) } }] };
    expect(check(sc, wrong, linux)).toMatchObject({ status: 'fail', violation: { clause: 'pipe.order-and-content' } });
  });
});
