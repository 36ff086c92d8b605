// F_GETPIPE_SZ / F_SETPIPE_SZ (linux only): fcntl(2), fs/pipe.c round_pipe_size and pipe_set_size.
import type { Call } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { OutOfScope, type Ctx } from '../context.ts';
import { showOutcome } from '../describe.ts';
import type { ModelState } from '../state.ts';
import { isErr, isOk, resolveEnd } from './fd.ts';

export function getPipeSize(s: ModelState, call: Extract<Call, { op: 'get-pipe-size' }>, out: Outcome, ctx: Ctx): void {
  const end = resolveEnd(s, call.fd, 'any', out, ctx);
  if (!end) return;
  const cap = pageSlots(ctx);
  const want = end.obj.slots * cap.pageSize;
  ctx.require('pipe.capacity-query', isOk(out, want), () => showOutcome(out), () => `${want}`);
}

export function setPipeSize(s: ModelState, call: Extract<Call, { op: 'set-pipe-size' }>, out: Outcome, ctx: Ctx): void {
  const end = resolveEnd(s, call.fd, 'any', out, ctx);
  if (!end) return;
  const cap = pageSlots(ctx);
  const rules = ctx.profile.setPipeSize!;
  const got = () => showOutcome(out);
  const arg = call.size >>> 0; // the kernel takes the argument as unsigned int
  if (arg > rules.maxArg) return ctx.require('pipe.capacity-resize', isErr(out, 'EINVAL'), got, () => `-1 EINVAL (${arg} > ${rules.maxArg})`);
  const bytes = arg < cap.pageSize ? cap.pageSize : 2 ** Math.ceil(Math.log2(arg));
  const slots = bytes / cap.pageSize;
  const obj = end.obj;
  if (slots > obj.slots && bytes > rules.pipeMaxSize && !ctx.privileged) {
    return ctx.require('pipe.capacity-resize', isErr(out, 'EPERM'), got, () => `-1 EPERM (above pipe-max-size ${rules.pipeMaxSize})`);
  }
  if (slots < obj.pages.length) {
    return ctx.require('pipe.capacity-resize', isErr(out, 'EBUSY'), got, () => `-1 EBUSY (${obj.pages.length} slots hold data)`);
  }
  ctx.require('pipe.capacity-resize', isOk(out, bytes), got, () => `${bytes} (${arg} rounded up to a power-of-two number of pages)`);
  obj.slots = slots;
}

function pageSlots(ctx: Ctx) {
  const cap = ctx.profile.capacity;
  if (cap.accounting !== 'page-slots' || !ctx.profile.setPipeSize) throw new OutOfScope(`profile ${ctx.profile.name} has no F_GETPIPE_SZ/F_SETPIPE_SZ`);
  return cap;
}
