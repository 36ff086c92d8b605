import type { Call } from './scenario.ts';

// Payload bytes are a pure function of (tag, offset): every write gets distinct, position-dependent
// content, so loss, duplication and reordering are visible and a counterexample needs no data.

export function payload(tag: number, size: number, offset = 0): Uint8Array {
  const out = new Uint8Array(size);
  let x = (Math.imul(tag + 1, 0x9e3779b1) ^ 0x5bd1e995) >>> 0;
  for (let i = 0; i < offset; i++) x = next(x);
  for (let i = 0; i < size; i++) {
    x = next(x);
    out[i] = x >>> 24;
  }
  return out;
}

function next(x: number): number {
  // xorshift32: cheap, full period, no zero state for x != 0
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x >>> 0 || 1;
}

/** The tag of the payload a step writes: its index in the scenario, plus the iovec index for writev. */
export const payloadTag = (stepIndex: number, part = 0): number => stepIndex * 64 + part;

/** A record written by concurrent writer `writer`, number `seq`: self-describing so interleaving is visible. */
export function record(writer: number, seq: number, size: number): Uint8Array {
  const out = payload(writer * 100_003 + seq, size);
  if (size >= 4) {
    out[0] = 0xfe;
    out[1] = writer;
    out[2] = seq & 0xff;
    out[3] = (seq >> 8) & 0xff;
  }
  return out;
}

/** The bytes a write or writev step writes (writev: its parts, concatenated). */
export function writeData(step: number, call: Extract<Call, { op: 'write' | 'writev' }>): Uint8Array {
  if (call.op === 'write') return payload(payloadTag(step), call.size);
  return concat(call.sizes.map((n, i) => payload(payloadTag(step, i), n)));
}

/** The bytes a pipeline's producer emits (none for `yes`, whose output is unbounded). */
export function producerBytes(step: number, call: Extract<Call, { op: 'pipeline' }>): Uint8Array {
  return call.producer.kind === 'bytes' ? payload(payloadTag(step), call.producer.size) : new Uint8Array(0);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
