// Mutants of the byte stream: content, message boundaries, atomicity of small concurrent writes.
import type { Step } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { isOk, isRead, isWrite, mutant, PIPE_BUF, rewrite, sizeOf, truncate, type Hook } from './kit.ts';

/** A read that returns bytes 0 and 1 swapped, as a copy loop with an off-by-one in its first word would. */
const swapFirstTwo = mutant(
  'pipe.order-and-content',
  'reads return their first two bytes swapped (an off-by-one in the copy-out loop)',
  () => rewrite((out, step) => {
    if (!isRead(step) || !isOk(out) || !out.data || out.data.length < 2) return out;
    const data = out.data.slice();
    [data[0], data[1]] = [data[1], data[0]];
    return { ...out, data };
  }),
);

/**
 * A pipe that keeps each write as a message: a read stops at the end of the first unread write.
 * The hook tracks, per pipe, the sizes of the writes not yet read, and shrinks a read that would
 * cross a boundary to end there.
 */
const keepsBoundaries = mutant(
  'pipe.no-message-boundaries',
  'a read returns at most the rest of the first unread write, as if the pipe kept message boundaries',
  (): Hook => {
    const segments = new Map<number, number[]>();
    const lost = new Set<number>(); // pipes whose segments are no longer known
    const queue = (pipe: number) => segments.get(pipe) ?? (segments.set(pipe, []), segments.get(pipe)!);
    const consume = (pipe: number, n: number) => {
      const q = queue(pipe);
      while (n > 0 && q.length) {
        const k = Math.min(n, q[0]);
        q[0] -= k;
        n -= k;
        if (q[0] === 0) q.shift();
      }
    };
    return async (c) => {
      const s = c.step;
      const p = 'fd' in s ? c.view.pipeOf(s.fd) : undefined;
      let run: Step = s;
      if (p && isRead(s) && !lost.has(p.id)) {
        const q = queue(p.id);
        const n = sizeOf(s);
        const held = q.reduce((a, b) => a + b, 0);
        if (q.length >= 2 && n > q[0] && c.view.buffered(p) === held) run = truncate(s, q[0]);
      }
      const out = await c.pass(run);
      // what was written and read, in the order the pipe saw it (a pending write's bytes queue behind the rest)
      const note = (step: Step, o: Outcome, completing: boolean) => {
        const q = 'fd' in step ? c.view.pipeOf(step.fd) : undefined;
        if (!q) return;
        if (isWrite(step)) {
          if (o.kind === 'pending') queue(q.id).push(sizeOf(step));
          else if (isOk(o) && !completing) { if (o.value > 0) queue(q.id).push(o.value); }
          else if (completing && !(isOk(o) && o.value === sizeOf(step))) lost.add(q.id);
        } else if (isRead(step) && isOk(o)) consume(q.id, o.value);
        if (q.opaque) lost.add(q.id);
      };
      note(run, out, false);
      for (const k of c.completed) note(c.steps.get(k.step)!, k.outcome, true);
      return out;
    };
  },
);

/** Block size of an mbuf-style chain of buffers. */
const BLOCK = 128;

/**
 * The pipe buffer is a chain of 128-byte blocks and the copy drops the pipe lock between blocks:
 * a write that straddles a block boundary can have another writer's record land in the middle.
 * The drained stream is rewritten as that interleaving would have produced it.
 */
const splitsAtBlocks = mutant(
  'pipe.atomic-small-writes',
  'a write that straddles a 128-byte buffer block is copied in two parts with the pipe lock dropped between them, so another writer can slip in',
  () => rewrite((out, step) => {
    if (step.op !== 'concurrent-writes' || !isOk(out) || !out.detail?.records) return out;
    const stream = out.detail.records;
    const size = step.size;
    // Only writes of at most PIPE_BUF are whole records in the real stream; shorter than 4 bytes, a record has no writer number.
    if (size < 4 || size > PIPE_BUF) return out;
    for (let at = 0; at + 2 * size <= stream.length; at += size) {
      const cut = (Math.floor(at / BLOCK) + 1) * BLOCK - at;
      if (cut >= size) continue;
      const a = stream.subarray(at, at + size);
      const b = stream.subarray(at + size, at + 2 * size);
      if (a[0] !== 0xfe || b[0] !== 0xfe || a[1] === b[1]) continue; // the next record is the same writer's: nobody slipped in
      const split = new Uint8Array(stream);
      split.set(a.subarray(0, cut), at);
      split.set(b, at + cut);
      split.set(a.subarray(cut), at + cut + size);
      return { ...out, detail: { ...out.detail, records: split } };
    }
    return out;
  }),
);

export const PIPE_DATA_MUTANTS = [swapFirstTwo, keepsBoundaries, splitsAtBlocks] as const;
