import type { Call } from './scenario.ts';

// Payload bytes are a pure function of the tag: every write gets distinct content, so loss,
// duplication and reordering are visible and a counterexample needs to store no data.
// A payload is a view into one pseudo-random pool (little-endian xorshift32 words from a fixed seed,
// the same on every machine) at an offset derived from the tag: making one costs nothing. A fault
// could hide only where two payloads' pool offsets line up exactly: about 1 in POOL per chunk.

const POOL = 16 << 20;
let pool: Uint8Array | undefined;

function thePool(): Uint8Array {
  if (!pool) {
    const words = new Uint32Array(POOL / 4);
    let x = 0x9e3779b9;
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x >>> 0;
    }
    pool = new Uint8Array(words.buffer);
    if (new Uint8Array(new Uint32Array([1]).buffer)[0] === 0) for (let i = 0; i < POOL; i += 4) pool.subarray(i, i + 4).reverse();
  }
  return pool;
}

const MAX_PAYLOAD = POOL / 2;

/** The payload for `tag`, `size` bytes long: a shared view, so callers must not modify it. */
export function payload(tag: number, size: number): Uint8Array {
  if (size > MAX_PAYLOAD) throw new RangeError(`payloads are at most ${MAX_PAYLOAD} bytes (asked ${size})`);
  let h = Math.imul(tag + 1, 0x9e3779b1) ^ 0x5bd1e995;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39) ^ (h >>> 15);
  const offset = (h >>> 0) % (POOL - size + 1);
  return thePool().subarray(offset, offset + size);
}

/**
 * Independent bytes for one tag (not a pool view): concurrent writers' records must be told apart
 * by content everywhere, and two pool views may overlap.
 */
function generate(tag: number, size: number): Uint8Array {
  const words = new Uint32Array(Math.ceil(size / 4));
  let x = (Math.imul(tag + 1, 0x9e3779b1) ^ 0x5bd1e995) >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return new Uint8Array(words.buffer, 0, size);
}

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
