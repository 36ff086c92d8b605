// Real traces recorded on the host that the model once rejected wrongly. The model must accept every
// one of them (they are what Linux does), and must still reject them when a count is tampered with.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromJson } from '../spec/codec.ts';
import { concat, record, writeData } from '../spec/payload.ts';
import { loadProfile } from '../spec/profile.ts';
import type { Scenario } from '../spec/scenario.ts';
import type { Trace } from '../spec/trace.ts';
import { check } from '../reference-model/check.ts';

const DIR = join(import.meta.dirname, 'fixtures', 'traces');
const fixtures = readdirSync(DIR).map((f) => ({ f, ...(fromJson(readFileSync(join(DIR, f), 'utf8')) as { scenario: Scenario; trace: Trace; profile: 'linux' | 'posix' }) }));

describe('recorded host traces', () => {
  it.each(fixtures.map((x) => [x.f, x] as const))('%s conforms under linux and posix', (_f, x) => {
    for (const p of ['linux', 'posix']) expect(check(x.scenario, x.trace, loadProfile(p)).status, p).toBe('pass');
  });

  it('rejects the last-reader race with a count neither order gives', () => {
    const x = fixtures.find((y) => y.f === 'last-reader-race-65536.json')!;
    const trace = structuredClone(x.trace);
    for (const e of trace.events) if (e.type !== 'quiescent' && e.step === 3 && e.outcome.kind === 'ok') e.outcome.value = 65535;
    const v = check(x.scenario, trace, loadProfile('linux'));
    expect(v.status).toBe('fail');
    expect(v.status === 'fail' && v.violation.clause).toBe('pipe.epipe-when-no-reader');
  });
});

describe('concurrent writers larger than PIPE_BUF', () => {
  // Linux splits a 4098-byte write into 2 bytes merged into the tail page and one full page. Here
  // B's 2-byte chunk (fe 01) lands just where A's next record starts (fe 00): one byte coincides.
  const steps = [
    { actor: 'main', op: 'make-pipe' as const, variant: 'pipe' as const, read: 'r0', write: 'w0' },
    { actor: 'main', op: 'concurrent-writes' as const, fd: 'w0', reader: 'r0', writers: 2, records: 2, size: 4098 },
  ];
  const [a0, a1, b0, b1] = [record(0, 0, 4098), record(0, 1, 4098), record(1, 0, 4098), record(1, 1, 4098)];
  const traceOf = (records: Uint8Array): Trace => ({
    target: 'synthetic', settled: true, privileged: false,
    events: [
      { type: 'call', step: 0, actor: 'main', outcome: { kind: 'ok', value: 0 } }, { type: 'quiescent' },
      { type: 'call', step: 1, actor: 'main', outcome: { kind: 'ok', value: records.length, detail: { records } } }, { type: 'quiescent' },
    ],
  });

  it('accepts an interleaving whose chunk boundary coincides with a record header byte', () => {
    const stream = concat([a0, b0.subarray(0, 2), a1, b0.subarray(2), b1]);
    expect(check({ property: 'x', steps }, traceOf(stream), loadProfile('linux')).status).toBe('pass');
  });

  it('rejects a stream in which one writer\'s bytes are out of order', () => {
    const stream = concat([a1, b0, a0, b1]);
    const v = check({ property: 'x', steps }, traceOf(stream), loadProfile('linux'));
    expect(v.status === 'fail' && v.violation.clause).toBe('pipe.order-and-content');
  });
});

describe('a trace that is not settled (a driver that cannot prove its calls asleep)', () => {
  // The blocked writer's read partner had not returned when the driver answered: pending means only
  // "not returned yet", and its completion is what is judged.
  const steps = [
    { actor: 'main', op: 'make-pipe' as const, variant: 'pipe' as const, read: 'r0', write: 'w0' },
    { actor: 'main', op: 'write' as const, fd: 'w0', size: 3 },
    { actor: 'R', op: 'read' as const, fd: 'r0', size: 3 },
  ];
  const data = writeData(1, { op: 'write', fd: 'w0', size: 3 }); // what the harness writes at step 1
  const trace = (settled: boolean, completion: number): Trace => ({
    target: 'synthetic', settled, privileged: false,
    events: [
      { type: 'call', step: 0, actor: 'main', outcome: { kind: 'ok', value: 0 } }, { type: 'quiescent' },
      { type: 'call', step: 1, actor: 'main', outcome: { kind: 'ok', value: 3 } }, { type: 'quiescent' },
      { type: 'call', step: 2, actor: 'R', outcome: { kind: 'pending' } }, { type: 'quiescent' },
      { type: 'complete', step: 2, actor: 'R', outcome: { kind: 'ok', value: completion, data: data.subarray(0, completion) } }, { type: 'quiescent' },
    ],
  });
  // The completion belongs after a later step; a scenario of three steps leaves it to teardown, so give the model one more step.
  const sc: Scenario = { property: 'synthetic', steps: [...steps, { actor: 'main', op: 'close', fd: 'w0' }] };
  const withClose = (t: Trace): Trace => ({ ...t, events: [...t.events.slice(0, 6), { type: 'call', step: 3, actor: 'main', outcome: { kind: 'ok', value: 0 } }, ...t.events.slice(6)] });

  it('accepts a read still pending while data is buffered, and judges its completion', () => {
    expect(check(sc, withClose(trace(false, 3)), loadProfile('linux')).status).toBe('pass');
    const v = check(sc, withClose(trace(false, 0)), loadProfile('linux'));
    expect(v.status).toBe('fail');
  });

  it('rejects the same pending read in a settled trace', () => {
    const v = check(sc, withClose(trace(true, 3)), loadProfile('linux'));
    expect(v.status === 'fail' && v.violation.clause).toBe('pipe.read-blocks-while-writer-open');
  });
});

describe('F_SETPIPE_SZ under a pending writer, not settled', () => {
  // Recorded from the C driver built without /proc: the blocked writer had filled slots the model had not counted.
  const x = fromJson(readFileSync(join(import.meta.dirname, 'fixtures', 'unsettled', 'ebusy-while-writer-pending.json'), 'utf8')) as { scenario: Scenario; trace: Trace };
  it('allows EBUSY', () => {
    expect(x.trace.settled).toBe(false);
    expect(check(x.scenario, x.trace, loadProfile('linux')).status).toBe('pass');
  });
  it('still rejects EBUSY for a size that does not shrink the pipe', () => {
    const steps = x.scenario.steps.map((st) => (st.op === 'set-pipe-size' ? { ...st, size: 65536 } : st));
    const v = check({ ...x.scenario, steps }, x.trace, loadProfile('linux'));
    expect(v.status === 'fail' && v.violation.clause).toBe('pipe.capacity-resize');
  });
});

describe('a UDP receive before the datagram arrived, not settled', () => {
  // Recorded from deno under load: recv(MSG_DONTWAIT) ran before the runtime had the datagram.
  const x = fromJson(readFileSync(join(import.meta.dirname, 'fixtures', 'unsettled', 'dgram-eagain-before-arrival.json'), 'utf8')) as { scenario: Scenario; trace: Trace };
  it('allows EAGAIN when the trace cannot prove arrival', () => {
    expect(x.trace.settled).toBe(false);
    expect(check(x.scenario, x.trace, loadProfile('linux')).status).toBe('pass');
  });
  it('rejects it where arrival is proven', () => {
    const v = check(x.scenario, { ...x.trace, settled: true }, loadProfile('linux'));
    expect(v.status === 'fail' && v.violation.clause).toBe('dgram.delivery');
  });
});
