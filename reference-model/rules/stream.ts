// The readable stream of a pipe: committed bytes, then (where the model cannot know how much a
// blocked writer has transferred) that writer's in-flight bytes.
import type { Ctx } from '../context.ts';
import { OutOfScope } from '../context.ts';
import { consume, peek } from '../pipe-buffer.ts';
import { buffered, type ModelState, type Pending, type PipeObj } from '../state.ts';

export type InFlight = Extract<Pending, { kind: 'write' | 'child-write' }>;

/** The one writer blocked on `obj`, if any. Two at once is outside the model (their interleaving is unobservable). */
export function blockedWriter(s: ModelState, obj: PipeObj): InFlight | undefined {
  let found: InFlight | undefined;
  for (const p of s.pending.values()) {
    if ((p.kind === 'write' || p.kind === 'child-write') && s.ofds.get(p.ofd)?.obj === obj.id) {
      if (found) throw new OutOfScope(`two writers blocked on one pipe (steps ${found.step} and ${p.step})`);
      found = p;
    }
  }
  return found;
}

export const remainingOf = (w: InFlight): Uint8Array => (w.kind === 'write' ? w.remaining : w.data);

/** Bytes a read may see: committed ones, plus in-flight ones when transfer is not exactly known. */
export function readable(s: ModelState, obj: PipeObj, ctx: Ctx): { committed: number; inflight: number } {
  const w = ctx.exact ? undefined : blockedWriter(s, obj);
  return { committed: buffered(obj), inflight: w ? remainingOf(w).length : 0 };
}

export function streamPrefix(s: ModelState, obj: PipeObj, n: number, ctx: Ctx): Uint8Array {
  const head = peek(obj, n);
  if (head.length >= n || ctx.exact) return head;
  const w = blockedWriter(s, obj);
  if (!w) return head;
  const out = new Uint8Array(Math.min(n, head.length + remainingOf(w).length));
  out.set(head);
  out.set(remainingOf(w).subarray(0, out.length - head.length), head.length);
  return out;
}

/** Consume `m` bytes from the stream: committed first, then the in-flight writer's (which proves it transferred them). */
export function take(s: ModelState, obj: PipeObj, m: number, ctx: Ctx): void {
  const fromPipe = Math.min(m, buffered(obj));
  consume(obj, fromPipe);
  if (m === fromPipe) return;
  const w = blockedWriter(s, obj)!;
  if (w.kind === 'write') {
    w.remaining = w.remaining.subarray(m - fromPipe);
    w.written += m - fromPipe;
  } else {
    w.data = w.data.subarray(m - fromPipe);
  }
  void ctx;
}
