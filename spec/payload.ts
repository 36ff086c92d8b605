import type { Call } from './scenario.ts';

// Payload bytes are a pure function of the tag: every write gets distinct content, so loss,
// duplication and reordering are visible and a counterexample needs to store no data.
// Bytes are the little-endian words of a xorshift32 stream, the same on every machine.

const cache = new Map<string, Uint8Array>();
const CACHE_ENTRIES = 512;

/** The payload for `tag`, `size` bytes long. Shared and cached: callers must not modify it. */
export function payload(tag: number, size: number): Uint8Array {
  const key = `${tag}:${size}`;
  let out = cache.get(key);
  if (!out) {
    if (cache.size >= CACHE_ENTRIES) cache.clear();
    out = generate(tag, size);
    cache.set(key, out);
  }
  return out;
}

function generate(tag: number, size: number): Uint8Array {
  const words = new Uint32Array(Math.ceil(size / 4));
  let x = (Math.imul(tag + 1, 0x9e3779b1) ^ 0x5bd1e995) >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  const bytes = new Uint8Array(words.buffer, 0, size);
  if (BIG_ENDIAN) for (let i = 0; i + 3 < words.length * 4; i += 4) new Uint8Array(words.buffer, i, 4).reverse();
  return bytes;
}

const BIG_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 0;

/** The tag of the payload a step writes: its index in the scenario, plus the iovec index for writev. */
export const payloadTag = (stepIndex: number, part = 0): number => stepIndex * 64 + part;

/** A record written by concurrent writer `writer`, number `seq`: self-describing so interleaving is visible. */
export function record(writer: number, seq: number, size: number): Uint8Array {
  const out = generate(writer * 100_003 + seq, size);
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
