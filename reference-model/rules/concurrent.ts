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
    // Every record must sit whole at a record boundary, each writer's in order.
    for (let at = 0; at < stream.length; at += call.size) {
      const chunk = stream.subarray(at, at + call.size);
      const w = streams.find((st) => st.next < call.records && bytesEqual(st.parts[st.next], chunk));
      ctx.require('pipe.atomic-small-writes', !!w, () => `bytes ${at}..${at + call.size} are not one whole record`, () => `whole records of ${call.size} bytes (<= PIPE_BUF ${ctx.profile.pipeBuf})`);
      w!.next++;
    }
    return;
  }
  // Larger writes may interleave: demultiplex greedily by content; each writer's bytes must stay in order.
  ctx.exercise('pipe.atomic-small-writes');
  let at = 0;
  const flat = streams.map((st) => { const b = new Uint8Array(call.records * call.size); st.parts.forEach((p, i) => b.set(p, i * call.size)); return { b, pos: 0 }; });
  while (at < stream.length) {
    let best = -1, bestLen = 0;
    flat.forEach((f, i) => {
      const k = matchLen(stream, at, f.b, f.pos, stream.length);
      if (k > bestLen) { best = i; bestLen = k; }
    });
    ctx.require('pipe.order-and-content', best >= 0, () => `byte ${at} continues no writer's data`, () => 'each writer\'s bytes in order');
    // A run ends where another writer's next bytes start to match: coincidences of 8 bytes do not happen.
    let end = at + bestLen;
    for (let p = at + 1; p < end; p++) {
      if (flat.some((f, i) => i !== best && f.pos < f.b.length && matchLen(stream, p, f.b, f.pos, p + 8) >= Math.min(8, stream.length - p, f.b.length - f.pos))) { end = p; break; }
    }
    flat[best].pos += end - at;
    at = end;
  }
}

function matchLen(a: Uint8Array, at: number, b: Uint8Array, pos: number, limit: number): number {
  let k = 0;
  while (at + k < limit && at + k < a.length && pos + k < b.length && a[at + k] === b[pos + k]) k++;
  return k;
}
