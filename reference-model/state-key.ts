// A canonical text for a model state, so that the checker of unsettled traces can merge two
// explanations that reached the same state by different orders. Two states with the same key must be
// equal in everything a rule reads: object keys are sorted, maps and sets keep their entries in order
// (the pending map's order is the wait queue's), and bytes are hashed in full, never sampled.
import { createHash } from 'node:crypto';
import type { ModelState } from './state.ts';

export function stateKey(s: ModelState): string {
  const h = createHash('sha1');
  // Uint8Array identity matters to a few rules (datagram senders are keyed by the datagram): ids keep it.
  const ids = new Map<Uint8Array, number>();
  const walk = (v: unknown): void => {
    if (v === undefined) return void h.update('u');
    if (v === null || typeof v !== 'object') return void h.update(`${typeof v}:${String(v)};`);
    if (v instanceof Uint8Array) {
      let id = ids.get(v);
      if (id === undefined) ids.set(v, (id = ids.size));
      h.update(`b${v.length}#${id}:`);
      return void h.update(v);
    }
    if (v instanceof Map) {
      h.update('M{');
      for (const [k, x] of v) { walk(k); h.update('='); walk(x); }
      return void h.update('}');
    }
    if (v instanceof Set) {
      h.update('S{');
      for (const x of v) walk(x);
      return void h.update('}');
    }
    if (Array.isArray(v)) {
      h.update('[');
      for (const x of v) walk(x);
      return void h.update(']');
    }
    h.update('{');
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x === undefined) continue; // { a: undefined } and {} are read alike by every rule
      h.update(`${k}:`);
      walk(x);
    }
    h.update('}');
  };
  walk(s);
  return h.digest('base64');
}
