// Named FIFOs: XSH mkfifo(), open() "When opening a FIFO", unlink(), stat(); linux fs/pipe.c fifo_open.
import type { Call } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import type { Ctx } from '../context.ts';
import { showOutcome } from '../describe.ts';
import { bytesEqual, peek } from '../pipe-buffer.ts';
import { buffered, type ModelState, type Pending, type PipeObj } from '../state.ts';
import { bindFd, isErr, isOk, newPipeObj, openOfd, unref } from './fd.ts';

const inMissingDir = (path: string): boolean => path.includes('/');

export function mkfifo(s: ModelState, call: Extract<Call, { op: 'mkfifo' }>, out: Outcome, ctx: Ctx): void {
  const got = () => showOutcome(out);
  if (inMissingDir(call.path)) return ctx.require('fifo.mkfifo-enoent', isErr(out, 'ENOENT'), got, () => '-1 ENOENT (no such directory)');
  if (s.names.has(call.path)) return ctx.require('fifo.mkfifo-eexist', isErr(out, 'EEXIST'), got, () => '-1 EEXIST');
  ctx.require('fifo.mkfifo-creates-fifo', isOk(out, 0), got, () => '0');
  const named = new Set(s.names.values());
  const reused = [...s.objects.values()].some((o) => o.kind === 'fifo' && !named.has(o.id) && o.readers + o.writers > 0);
  if (reused) ctx.exercise('fifo.recreate-is-independent');
  const slots = ctx.profile.capacity.accounting === 'page-slots' ? ctx.profile.capacity.defaultSlots : Infinity;
  const obj = newPipeObj(s, 'fifo', slots);
  obj.path = call.path;
  s.names.set(call.path, obj.id);
}

/** Another FIFO made at the same path (unlinked since, or made since) still has `side` open: an open of this one must not see it. */
const oldFifoHas = (s: ModelState, obj: PipeObj, path: string, side: 'readers' | 'writers'): boolean =>
  [...s.objects.values()].some((o) => o.kind === 'fifo' && o.id !== obj.id && o.path === path && o[side] > 0);

/** `data`, read from `obj`, begins with bytes buffered in another FIFO made at the same path: the two share a buffer. */
export function heldByOtherFifo(s: ModelState, obj: PipeObj, data: Uint8Array): boolean {
  if (obj.kind !== 'fifo' || obj.path === undefined || data.length === 0) return false;
  return [...s.objects.values()].some((o) => {
    if (o.kind !== 'fifo' || o.id === obj.id || o.path !== obj.path) return false;
    const head = peek(o, Math.min(8, data.length));
    return head.length > 0 && bytesEqual(head, data.subarray(0, head.length));
  });
}

export function stat(s: ModelState, call: Extract<Call, { op: 'stat' }>, out: Outcome, ctx: Ctx): void {
  const got = () => showOutcome(out);
  const id = s.names.get(call.path);
  if (id === undefined) return ctx.require('fifo.unlink-keeps-open-ends', isErr(out, 'ENOENT'), got, () => '-1 ENOENT (no such name)');
  ctx.require('fifo.mkfifo-creates-fifo', out.kind === 'ok' && out.detail?.type === 'fifo', () => `type ${out.kind === 'ok' ? out.detail?.type : got()}`, () => 'type fifo');
  const obj = s.objects.get(id)!;
  if (ctx.profile.fifo.statSize === 'zero') {
    const size = out.kind === 'ok' ? out.detail?.size : undefined;
    ctx.require('fifo.data-not-in-file', size === 0, () => `st_size ${size}`, () => `st_size 0 (${buffered(obj)} bytes are in the kernel)`);
  } else if (buffered(obj) > 0) {
    ctx.exercise('fifo.data-not-in-file');
  }
}

export function unlink(s: ModelState, call: Extract<Call, { op: 'unlink' }>, out: Outcome, ctx: Ctx): void {
  const got = () => showOutcome(out);
  const id = s.names.get(call.path);
  if (id === undefined) return ctx.require('fifo.unlink-keeps-open-ends', isErr(out, 'ENOENT'), got, () => '-1 ENOENT');
  ctx.require('fifo.unlink-keeps-open-ends', isOk(out, 0), got, () => '0');
  s.names.delete(call.path);
}

export function open(s: ModelState, step: number, actor: string, call: Extract<Call, { op: 'open' }>, out: Outcome, ctx: Ctx): void {
  const got = () => showOutcome(out);
  const id = s.names.get(call.path);
  if (id === undefined) return ctx.require('fifo.unlink-keeps-open-ends', isErr(out, 'ENOENT'), got, () => '-1 ENOENT (no such name)');
  const obj = s.objects.get(id)!;
  if (call.mode === 'write' && call.nonblock) {
    const blockedReaders = [...s.pending.values()].filter((p) => p.kind === 'open' && p.obj === obj.id && p.mode === 'read').length;
    const openReaders = obj.readers - blockedReaders;
    // linux counts a reader blocked in open(); POSIX says "currently has the file open", so posix allows both.
    const may = obj.readers > 0;
    const mayEnxio = obj.readers === 0 || (openReaders === 0 && ctx.profile.name !== 'linux');
    if (!may && isOk(out) && oldFifoHas(s, obj, call.path, 'readers')) ctx.violate('fifo.recreate-is-independent', got(), '-1 ENXIO (only the old FIFO at this path has a reader)');
    ctx.require('fifo.nonblocking-write-open-enxio', (may && isOk(out)) || (mayEnxio && isErr(out, 'ENXIO')), got, () => [may && 'a descriptor', mayEnxio && '-1 ENXIO (no reader)'].filter(Boolean).join(' or '));
    if (out.kind === 'ok') bindFd(s, call.as, openOfd(s, obj, 'w', true));
    return;
  }
  if (call.mode === 'read' && call.nonblock) {
    ctx.require('fifo.nonblocking-read-open-succeeds', isOk(out), got, () => 'a descriptor at once');
    const ofd = openOfd(s, obj, 'r', true);
    // pipe_poll suppresses POLLHUP until a writer has been seen since this open.
    if (obj.writers === 0) ofd.wCounterAtOpen = obj.wCounter;
    return bindFd(s, call.as, ofd);
  }
  // Blocking open: the opener counts as a reader/writer at once, then waits for the partner's counter to move.
  const partnerPresent = call.mode === 'read' ? obj.writers > 0 : obj.readers > 0;
  const ofd = openOfd(s, obj, call.mode === 'read' ? 'r' : 'w', false);
  ofd.wCounterAtOpen = -1;
  if (partnerPresent) {
    ctx.require('fifo.open-blocks-until-partner', isOk(out), got, () => 'a descriptor (the other side is open)');
    return bindFd(s, call.as, ofd);
  }
  const partner = call.mode === 'read' ? 'writer' : 'reader';
  if (isOk(out) && oldFifoHas(s, obj, call.path, `${partner}s`)) ctx.violate('fifo.recreate-is-independent', got(), `blocked (only the old FIFO at this path has a ${partner})`);
  ctx.require('fifo.open-blocks-until-partner', out.kind === 'pending', got, () => `blocked until a ${partner} opens`);
  ofd.refs++;
  const counterAtStart = call.mode === 'read' ? obj.wCounter : obj.rCounter;
  s.pending.set(step, { kind: 'open', step, actor, obj: obj.id, mode: call.mode, counterAtStart, call: { actor, ...call }, as: call.as, ofd: ofd.id });
}

const partnerArrived = (s: ModelState, p: Extract<Pending, { kind: 'open' }>): boolean => {
  const obj = s.objects.get(p.obj)!;
  return (p.mode === 'read' ? obj.wCounter : obj.rCounter) !== p.counterAtStart;
};

export function openCompleted(s: ModelState, p: Extract<Pending, { kind: 'open' }>, out: Outcome, ctx: Ctx): void {
  ctx.require('fifo.open-blocks-until-partner', isOk(out) && partnerArrived(s, p), () => showOutcome(out), () => `still blocked: no ${p.mode === 'read' ? 'writer' : 'reader'} has opened`);
  s.pending.delete(p.step);
  bindFd(s, p.as, s.ofds.get(p.ofd)!);
  unref(s, p.ofd);
}

export function openStillBlocked(s: ModelState, p: Extract<Pending, { kind: 'open' }>, ctx: Ctx): void {
  if (partnerArrived(s, p)) ctx.violate('fifo.open-blocks-until-partner', 'still blocked', `a descriptor: a ${p.mode === 'read' ? 'writer' : 'reader'} opened`);
}
