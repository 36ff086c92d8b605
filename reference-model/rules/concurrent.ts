// Truly concurrent writers: XSH write() "Write requests of {PIPE_BUF} bytes or less shall not be
// interleaved with data from other processes doing writes on the same pipe."
import type { Call } from '../../spec/scenario.ts';
import { record } from '../../spec/payload.ts';
import type { Outcome } from '../../spec/trace.ts';
import { OutOfScope, type Ctx } from '../context.ts';
import { showOutcome } from '../describe.ts';
import { bytesEqual } from '../pipe-buffer.ts';
import { buffered, type ModelState } from '../state.ts';
import { resolveEnd } from './fd.ts';

export function concurrentWrites(s: ModelState, call: Extract<Call, { op: 'concurrent-writes' }>, out: Outcome, ctx: Ctx): void {
  const end = resolveEnd(s, call.fd, 'w', out, ctx);
  if (!end) return;
  if (buffered(end.obj) > 0 || end.obj.readers === 0) throw new OutOfScope('concurrent-writes needs an empty pipe with a reader');
  if (out.kind !== 'ok' || !out.detail?.records) return ctx.violate('pipe.order-and-content', showOutcome(out), 'every record drained');
  const stream = out.detail.records;
  const streams = Array.from({ length: call.writers }, (_, w) => {
    const parts = Array.from({ length: call.records }, (_, q) => record(w, q, call.size));
    return { parts, next: 0, offset: 0 };
  });
  const total = call.writers * call.records * call.size;
  ctx.require('pipe.order-and-content', stream.length === total, () => `${stream.length} bytes`, () => `${total} bytes`);
  if (call.size <= ctx.profile.pipeBuf) {
    // Every record must sit whole at a record boundary, each writer's in order. Records shorter than
    // their 4-byte header can coincide across writers, so search (memoised) rather than match greedily.
    const bad = wholeRecords(stream, streams.map((st) => st.parts), call.size);
    ctx.require('pipe.atomic-small-writes', bad < 0, () => `bytes ${bad}..${bad + call.size} are not one whole record`, () => `whole records of ${call.size} bytes (<= PIPE_BUF ${ctx.profile.pipeBuf})`);
    return;
  }
  // Larger writes may interleave: demultiplex by content; each writer's bytes must stay in order.
  ctx.exercise('pipe.atomic-small-writes');
  const flat = streams.map((st) => { const b = new Uint8Array(call.records * call.size); st.parts.forEach((p, i) => b.set(p, i * call.size)); return b; });
  const stuck = interleaved(stream, flat);
  ctx.require('pipe.order-and-content', stuck < 0, () => `byte ${stuck} continues no writer's data`, () => 'each writer\'s bytes in order');
}

/**
 * -1 if `stream` is an interleaving of the writers' byte streams, else the furthest offset reached.
 * A run may end a few bytes before its longest match (a short chunk of another writer can begin
 * with the same byte, e.g. a record header), so cuts are tried longest first, then up to 16 bytes
 * shorter; failed states are remembered, and a budget bounds the search.
 */
function interleaved(stream: Uint8Array, writers: Uint8Array[]): number {
  const pos = writers.map(() => 0);
  const failed = new Set<string>();
  let furthest = 0;
  let budget = 200_000;
  const go = (at: number): boolean => {
    if (at === stream.length) return pos.every((p, i) => p === writers[i].length);
    furthest = Math.max(furthest, at);
    const key = pos.join(',');
    if (failed.has(key) || --budget < 0) return false;
    const options = writers.map((b, i) => ({ i, len: matchLen(stream, at, b, pos[i], stream.length) })).filter((o) => o.len > 0).sort((a, b) => b.len - a.len);
    for (const { i, len } of options) {
      for (let cut = len; cut >= Math.max(1, len - 16); cut--) {
        pos[i] += cut;
        const ok = go(at + cut);
        pos[i] -= cut;
        if (ok) return true;
      }
    }
    failed.add(key);
    return false;
  };
  return go(0) ? -1 : furthest;
}

function matchLen(a: Uint8Array, at: number, b: Uint8Array, pos: number, limit: number): number {
  let k = 0;
  while (at + k < limit && at + k < a.length && pos + k < b.length && a[at + k] === b[pos + k]) k++;
  return k;
}

/** -1 if `stream` splits into whole records, each writer's in order; else the furthest offset no split gets past. */
function wholeRecords(stream: Uint8Array, parts: Uint8Array[][], size: number): number {
  const seen = new Set<string>();
  let furthest = 0;
  const next = parts.map(() => 0);
  const stack: Array<{ at: number; w: number }> = [{ at: 0, w: -1 }];
  // Iterative DFS over (offset, records taken per writer); `w` is the last writer tried at this depth.
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.at >= stream.length) return -1;
    furthest = Math.max(furthest, top.at);
    const chunk = stream.subarray(top.at, top.at + size);
    let w = top.w + 1;
    while (w < parts.length && !(next[w] < parts[w].length && bytesEqual(parts[w][next[w]], chunk) && !seen.has(key(next, w)))) w++;
    if (w < parts.length) {
      top.w = w;
      seen.add(key(next, w));
      next[w]++;
      stack.push({ at: top.at + size, w: -1 });
      continue;
    }
    stack.pop();
    const parent = stack[stack.length - 1];
    if (parent) next[parent.w]--;
  }
  return furthest;
}

const key = (next: number[], w: number): string => { const k = next.slice(); k[w]++; return k.join(','); };
