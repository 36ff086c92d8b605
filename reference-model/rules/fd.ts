// Descriptors and open file descriptions: make-pipe, close, dup, set-nonblock, and the EBADF rules
// every other call relies on.
import type { Call } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { concat } from '../../spec/payload.ts';
import { OutOfScope, SetupFailed, type Ctx } from '../context.ts';
import { showOutcome } from '../describe.ts';
import type { ModelState, Ofd, PipeObj } from '../state.ts';
import { closeSocket, isSocketHandle } from './socket.ts';

export interface OpenEnd { ofd: Ofd; obj: PipeObj }

/**
 * Resolve `handle` for an operation that needs end `want`. Returns undefined when the rule is done:
 * the descriptor is closed (EBADF, pipe.closed-fd-ebadf) or the wrong end (EBADF, pipe.wrong-end-ebadf).
 */
export function resolveEnd(s: ModelState, handle: string, want: 'r' | 'w' | 'any', out: Outcome, ctx: Ctx): OpenEnd | undefined {
  // A handle never opened (its open failed) holds -1: EBADF like a closed one.
  const e = s.fds.get(handle) ?? { closed: true as const };
  if ('closed' in e) {
    ctx.require('pipe.closed-fd-ebadf', isErr(out, 'EBADF'), () => showOutcome(out), () => '-1 EBADF (descriptor is closed)');
    return undefined;
  }
  const ofd = s.ofds.get(e.ofd)!;
  if (want !== 'any' && ofd.end !== want) {
    ctx.require('pipe.wrong-end-ebadf', isErr(out, 'EBADF'), () => showOutcome(out), () => `-1 EBADF (${handle} is the ${ofd.end === 'r' ? 'read' : 'write'} end)`);
    return undefined;
  }
  return { ofd, obj: s.objects.get(ofd.obj)! };
}

export const isErr = (o: Outcome, errno: string): boolean => o.kind === 'err' && o.errno === errno;
export const isOk = (o: Outcome, value?: number): boolean => o.kind === 'ok' && (value === undefined || o.value === value);

export function newPipeObj(s: ModelState, kind: 'pipe' | 'fifo', slots: number): PipeObj {
  const o: PipeObj = { id: s.nextId++, kind, readers: 0, writers: 0, wCounter: 0, rCounter: 0, pages: [], slots };
  s.objects.set(o.id, o);
  return o;
}

export function openOfd(s: ModelState, obj: PipeObj, end: 'r' | 'w', nonblock: boolean): Ofd {
  // -1: POLLHUP follows the writer count alone. fifo_open records w_counter only for an O_NONBLOCK
  // reader that finds no writer (see rules/fifo.ts open).
  const ofd: Ofd = { id: s.nextId++, obj: obj.id, end, nonblock, refs: 0, wCounterAtOpen: -1 };
  s.ofds.set(ofd.id, ofd);
  if (end === 'r') { obj.readers++; obj.rCounter++; } else { obj.writers++; obj.wCounter++; }
  return ofd;
}

export function bindFd(s: ModelState, handle: string, ofd: Ofd): void {
  ofd.refs++;
  s.fds.set(handle, { ofd: ofd.id });
}

/** Drop one reference; the last one closes the end (which may wake readers or writers). */
export function unref(s: ModelState, ofdId: number): void {
  const ofd = s.ofds.get(ofdId)!;
  if (--ofd.refs > 0) return;
  const obj = s.objects.get(ofd.obj)!;
  if (ofd.end === 'r') obj.readers--; else obj.writers--;
  s.ofds.delete(ofdId);
  // XSH close(): "When all file descriptors associated with a pipe or FIFO special file are closed,
  // any data remaining in the pipe or FIFO shall be discarded."
  if (obj.readers === 0 && obj.writers === 0 && obj.pages.length > 0) {
    obj.discarded = concat(obj.pages.map((p) => p.bytes));
    obj.pages = [];
  }
}

export function makePipe(s: ModelState, call: Extract<Call, { op: 'make-pipe' }>, out: Outcome, ctx: Ctx): void {
  if (out.kind !== 'ok') throw new SetupFailed(`make-pipe gave ${showOutcome(out)}`);
  const slots = ctx.profile.capacity.accounting === 'page-slots' ? ctx.profile.capacity.defaultSlots : Infinity;
  const fifo = call.variant.startsWith('fifo');
  const obj = newPipeObj(s, fifo ? 'fifo' : 'pipe', slots);
  const nonblock = call.variant.endsWith('nonblock');
  bindFd(s, call.read, openOfd(s, obj, 'r', nonblock));
  bindFd(s, call.write, openOfd(s, obj, 'w', nonblock));
}

export function close(s: ModelState, call: Extract<Call, { op: 'close' }>, out: Outcome, ctx: Ctx): void {
  if (isSocketHandle(s, call.fd)) return closeSocket(s, call.fd, out, ctx);
  const end = resolveEnd(s, call.fd, 'any', out, ctx);
  if (!end) return;
  if (!isOk(out, 0)) throw new Error(`close failed on an open descriptor: ${showOutcome(out)}`);
  s.fds.set(call.fd, { closed: true });
  unref(s, end.ofd.id);
}

export function dup(s: ModelState, call: Extract<Call, { op: 'dup' }>, out: Outcome, ctx: Ctx): void {
  const end = resolveEnd(s, call.fd, 'any', out, ctx);
  if (!end) return;
  ctx.require('pipe.dup-shares-end', out.kind === 'ok' && out.value >= 0, () => showOutcome(out), () => 'a new descriptor');
  bindFd(s, call.as, end.ofd);
}

export function setNonblock(s: ModelState, call: Extract<Call, { op: 'set-nonblock' }>, out: Outcome, ctx: Ctx): void {
  const end = resolveEnd(s, call.fd, 'any', out, ctx);
  if (!end) return;
  if (!isOk(out)) throw new Error(`fcntl(F_SETFL) failed on an open descriptor: ${showOutcome(out)}`);
  // O_NONBLOCK is a file status flag: it belongs to the open file description, so dups share it
  // (and so does a child that inherited it).
  if (call.on && end.obj.drainer && end.ofd.end === 'r') throw new OutOfScope('O_NONBLOCK set under a draining child: its first EAGAIN is a race');
  end.ofd.nonblock = call.on;
}
