// Ends shared with real child processes, and shell pipelines.
import type { Call, Step } from '../../spec/scenario.ts';
import { concat, payload, payloadTag, producerBytes } from '../../spec/payload.ts';
import type { Detail, Outcome } from '../../spec/trace.ts';
import { OutOfScope, type Ctx } from '../context.ts';
import { hex } from '../describe.ts';
import { appendUnbounded, bytesEqual, consume, exactTransfer, guaranteedRoom } from '../pipe-buffer.ts';
import { buffered, type ModelState, type Pending } from '../state.ts';
import { resolveEnd, unref } from './fd.ts';

type Exit = NonNullable<Detail['exit']>;
const exitOf = (o: Outcome): Exit | undefined => (o.kind === 'ok' ? o.detail?.exit : undefined);
const showExit = (e?: Exit) => (!e ? 'no exit status' : e.signal ? `killed by ${e.signal}` : `exit ${e.code}`);

export function childWrite(s: ModelState, step: number, actor: string, call: Extract<Call, { op: 'child-write' }>, out: Outcome, ctx: Ctx): void {
  const end = resolveEnd(s, call.fd, 'w', out, ctx);
  if (!end) return;
  const { obj, ofd } = end;
  if (ofd.nonblock) throw new OutOfScope('child-write on a nonblocking end');
  const data = payload(payloadTag(step), call.size);
  if (obj.readers === 0) return noReader(call.sigpipe, out, ctx);
  if (obj.drainer) throw new OutOfScope('child-write into a pipe another child drains');
  const fits = ctx.exact ? exactTransfer(obj, ctx.profile.capacity as never, data) : 0;
  const sure = ctx.exact ? fits === data.length : guaranteedRoom(obj, ctx.capacity) >= data.length;
  // Readers blocked on the pipe drain it while the child writes, so an exit 0 may be right although
  // not everything fitted: keep the rest in flight as claimed; quiescence proves it got in.
  const claimed = ctx.exact && !sure && out.kind !== 'pending' && [...s.pending.values()].some((p) => p.kind === 'read' && s.ofds.get(p.ofd)?.obj === obj.id);
  if (out.kind === 'pending' || claimed) {
    if (!claimed) ctx.require('pipe.inherited-by-child', !sure, () => 'child still running', () => 'the child writes everything and exits 0');
    else ctx.require('pipe.inherited-by-child', exitOf(out)?.code === 0, () => showExit(exitOf(out)), () => 'exit 0 after writing');
    ofd.refs++; // the child's inherited copy
    s.pending.set(step, { kind: 'child-write', step, actor, ofd: ofd.id, data: ctx.exact ? data.subarray(fits) : data, call: { actor, ...call }, claimed });
    return;
  }
  // linux, exact: what does not fit cannot have been written by a child that already exited
  if (ctx.exact && !sure) ctx.violate('pipe.full-pipe-blocks-writer', showExit(exitOf(out)), `the child blocked: ${data.length - fits} of its ${data.length} bytes do not fit`);
  ctx.require('pipe.inherited-by-child', exitOf(out)?.code === 0, () => showExit(exitOf(out)), () => 'exit 0 after writing');
  if (!ctx.exact) appendUnbounded(obj, data, ctx.pageSize);
}

function noReader(sigpipe: 'default' | 'ignore', out: Outcome, ctx: Ctx): void {
  const e = exitOf(out);
  if (sigpipe === 'default') return ctx.require('pipe.sigpipe-kills-writer', e?.signal === 'SIGPIPE', () => showExit(e), () => 'killed by SIGPIPE');
  const seen = out.kind === 'ok' ? out.detail?.errnoSeen : undefined;
  ctx.require('pipe.sigpipe-kills-writer', !!e && e.signal === null && e.code !== 0 && seen === 'EPIPE', () => `${showExit(e)}, errno ${seen}`, () => 'EPIPE, then a normal (failing) exit');
}

export function childWriteCompleted(s: ModelState, p: Extract<Pending, { kind: 'child-write' }>, out: Outcome, ctx: Ctx): void {
  const obj = s.objects.get(s.ofds.get(p.ofd)!.obj)!;
  if (obj.readers === 0 && p.data.length > 0) noReader((p.call as Step & { sigpipe: 'default' | 'ignore' }).sigpipe, out, ctx);
  else {
    if (ctx.exact && p.data.length > 0) ctx.violate('pipe.inherited-by-child', showExit(exitOf(out)), `still writing: ${p.data.length} bytes do not fit`);
    ctx.require('pipe.inherited-by-child', exitOf(out)?.code === 0, () => showExit(exitOf(out)), () => 'exit 0');
    if (!ctx.exact) appendUnbounded(obj, p.data, ctx.pageSize);
  }
  s.pending.delete(p.step);
  unref(s, p.ofd);
}

export function childWriteStillBlocked(s: ModelState, p: Extract<Pending, { kind: 'child-write' }>, ctx: Ctx): void {
  const obj = s.objects.get(s.ofds.get(p.ofd)!.obj)!;
  if (p.claimed) ctx.violate('pipe.inherited-by-child', 'exit 0 at once', `still writing: ${p.data.length} bytes never fitted`);
  if (obj.readers === 0) ctx.violate('pipe.sigpipe-kills-writer', 'child still blocked with no reader', 'SIGPIPE or EPIPE');
  if (ctx.exact && p.data.length === 0) ctx.violate('pipe.inherited-by-child', 'child still running', 'exit 0: all its data fitted');
  if (!ctx.exact && guaranteedRoom(obj, ctx.capacity) >= p.data.length) ctx.violate('pipe.inherited-by-child', 'child still running', 'exit 0: the rest of its data surely fits');
}

export function childRead(s: ModelState, step: number, actor: string, call: Extract<Call, { op: 'child-read' }>, out: Outcome, ctx: Ctx): void {
  const end = resolveEnd(s, call.fd, 'r', out, ctx);
  if (!end) return;
  const { obj, ofd } = end;
  if (obj.drainer) throw new OutOfScope('two children draining one pipe');
  if (ofd.nonblock) throw new OutOfScope('a child draining through an O_NONBLOCK description stops at its first EAGAIN, whose timing is a race');
  if ([...s.pending.values()].some((p) => p.kind === 'read' && s.ofds.get(p.ofd)?.obj === obj.id)) {
    throw new OutOfScope('a child starts draining a pipe on which a reader is already blocked (who gets the data is a race)');
  }
  obj.drainer = { step, received: [consume(obj, buffered(obj))] };
  ofd.refs++;
  s.pending.set(step, { kind: 'child-read', step, actor, ofd: ofd.id, obj: obj.id, call: { actor, ...call } });
  if (out.kind !== 'pending') childReadCompleted(s, s.pending.get(step) as Extract<Pending, { kind: 'child-read' }>, out, ctx);
}

export function childReadCompleted(s: ModelState, p: Extract<Pending, { kind: 'child-read' }>, out: Outcome, ctx: Ctx): void {
  const obj = s.objects.get(p.obj)!;
  const want = concat(obj.drainer!.received);
  const got = out.kind === 'ok' ? out.detail?.output ?? new Uint8Array(0) : new Uint8Array(0);
  ctx.require('pipe.inherited-by-child', obj.writers === 0 && exitOf(out)?.code === 0, () => showExit(exitOf(out)), () => (obj.writers > 0 ? 'still reading: a write end is open' : 'exit 0 at EOF'));
  ctx.require('pipe.order-and-content', bytesEqual(got, want), () => `child read [${hex(got)}]`, () => `[${hex(want)}]`);
  obj.drainer = undefined;
  s.pending.delete(p.step);
  unref(s, p.ofd);
}

export function childReadStillBlocked(s: ModelState, p: Extract<Pending, { kind: 'child-read' }>, ctx: Ctx): void {
  if (s.objects.get(p.obj)!.writers === 0) ctx.violate('pipe.inherited-by-child', 'child still reading after every write end closed', 'EOF: the child exits');
}

export function pipeline(s: ModelState, step: number, actor: string, call: Extract<Call, { op: 'pipeline' }>, out: Outcome, ctx: Ctx): void {
  if (out.kind === 'pending') {
    s.pending.set(step, { kind: 'opaque', step, actor, call: { actor, ...call } });
    return;
  }
  pipelineDone(step, call, out, ctx);
}

export function pipelineDone(step: number, call: Extract<Call, { op: 'pipeline' }>, out: Outcome, ctx: Ctx): void {
  const d = out.kind === 'ok' ? out.detail : undefined;
  const output = d?.output ?? new Uint8Array(0);
  if (call.producer.kind === 'bytes') {
    const want = producerBytes(step, call);
    ctx.require('pipeline.order-and-eof', d?.consumerExit?.code === 0 && d?.producerExit?.code === 0, () => `producer ${showExit(d?.producerExit)}, consumer ${showExit(d?.consumerExit)}`, () => 'both exit 0 (the consumer saw EOF)');
    ctx.require('pipeline.order-and-eof', bytesEqual(output, want), () => `consumer wrote [${hex(output)}]`, () => `the producer's ${want.length} bytes [${hex(want)}]`);
    return;
  }
  const lines = call.consumer.kind === 'head-lines' ? call.consumer.lines : 0;
  const want = new TextEncoder().encode('y\n'.repeat(lines));
  ctx.require('pipeline.reader-exit-kills-writer', d?.producerExit?.signal === 'SIGPIPE', () => `yes: ${showExit(d?.producerExit)}`, () => 'yes killed by SIGPIPE');
  ctx.require('pipeline.order-and-eof', d?.consumerExit?.code === 0 && bytesEqual(output, want), () => `head: ${showExit(d?.consumerExit)}, ${output.length} bytes`, () => `exit 0 after ${lines} lines`);
}
