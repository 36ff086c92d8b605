// Real traces recorded on the host (and on unsettled targets) that the model once rejected wrongly.
// The model must accept every one of them (they are what the systems do), and must still reject
// them when a count is tampered with. Hand-written traces per rule are in test/model/.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromJson } from '../spec/codec.ts';
import type { Scenario } from '../spec/scenario.ts';
import type { Trace } from '../spec/trace.ts';
import { verdict, verdicts } from './support/trace.ts';

type Recorded = { scenario: Scenario; trace: Trace };
const read = (...path: string[]): Recorded => fromJson(readFileSync(join(import.meta.dirname, 'fixtures', ...path), 'utf8')) as Recorded;
const DIR = join(import.meta.dirname, 'fixtures', 'traces');
const fixtures = readdirSync(DIR).map((f) => ({ f, ...read('traces', f) }));

describe('recorded host traces', () => {
  it.each(fixtures.map((x) => [x.f, x] as const))('%s conforms under linux and posix', (_f, x) => {
    expect(verdicts(x)).toEqual({ posix: 'pass', linux: 'pass' });
  });

  it('rejects the last-reader race with a count neither order gives', () => {
    const x = fixtures.find((y) => y.f === 'last-reader-race-65536.json')!;
    const trace = structuredClone(x.trace);
    for (const e of trace.events) if (e.type !== 'quiescent' && e.step === 3 && e.outcome.kind === 'ok') e.outcome.value = 65535;
    expect(verdict({ scenario: x.scenario, trace }, 'linux')).toBe('pipe.epipe-when-no-reader');
  });
});

describe('F_SETPIPE_SZ under a pending writer, not settled', () => {
  // Recorded from the C driver built without /proc: the blocked writer had filled slots the model had not counted.
  const x = read('unsettled', 'ebusy-while-writer-pending.json');
  it('allows EBUSY', () => {
    expect(x.trace.settled).toBe(false);
    expect(verdict(x, 'linux')).toBe('pass');
  });
  it('still rejects EBUSY for a size that does not shrink the pipe', () => {
    const steps = x.scenario.steps.map((st) => (st.op === 'set-pipe-size' ? { ...st, size: 65536 } : st));
    expect(verdict({ scenario: { ...x.scenario, steps }, trace: x.trace }, 'linux')).toBe('pipe.capacity-resize');
  });
});

describe('a UDP receive before the datagram arrived, not settled', () => {
  // Recorded from deno under load: recv(MSG_DONTWAIT) ran before the runtime had the datagram.
  const x = read('unsettled', 'dgram-eagain-before-arrival.json');
  it('allows EAGAIN when the trace cannot prove arrival', () => {
    expect(x.trace.settled).toBe(false);
    expect(verdict(x, 'linux')).toBe('pass');
  });
  it('rejects it where arrival is proven', () => {
    expect(verdict({ scenario: x.scenario, trace: { ...x.trace, settled: true } }, 'linux')).toBe('dgram.delivery');
  });
});
