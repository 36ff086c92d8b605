// poll: POSIX XSH poll() and linux fs/pipe.c pipe_poll.
import type { ClauseId } from '../../spec/catalogue.ts';
import type { Call } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import type { Ctx } from '../context.ts';
import { showOutcome } from '../describe.ts';
import { guaranteedRoom, hasFreeSlot } from '../pipe-buffer.ts';
import { buffered, type ModelState } from '../state.ts';
import { blockedWriter, readable } from './stream.ts';

type Bit = 'POLLIN' | 'POLLOUT' | 'POLLHUP' | 'POLLERR';
/** Per bit: must be set (true), must be clear (false), or either. */
type Rule = Partial<Record<Bit, boolean | 'either'>>;

export function poll(s: ModelState, call: Extract<Call, { op: 'poll' }>, out: Outcome, ctx: Ctx): void {
  const e = s.fds.get(call.fd) ?? { closed: true as const };
  const revents = out.kind === 'ok' ? out.detail?.revents ?? [] : [];
  if ('closed' in e) {
    // poll reports a closed descriptor as POLLNVAL instead of failing; a negative fd is ignored (revents 0).
    const want = s.fds.has(call.fd) ? 'POLLNVAL' : '';
    return ctx.require('pipe.closed-fd-ebadf', out.kind === 'ok' && revents.join() === want, () => showOutcome(out), () => `revents=${want || '0'}`);
  }
  const ofd = s.ofds.get(e.ofd)!;
  const obj = s.objects.get(ofd.obj)!;
  const p = ctx.profile.poll;
  const rule: Rule = {};
  let clause: ClauseId = 'pipe.poll-readiness';
  if (ofd.end === 'r') {
    const { committed, inflight } = readable(s, obj, ctx);
    rule.POLLIN = committed > 0 ? true : inflight > 0 ? 'either' : obj.writers === 0 && p.pollinAtEof === 'either' ? 'either' : false;
    const neverSawWriter = ofd.wCounterAtOpen === obj.wCounter;
    if (obj.writers > 0) rule.POLLHUP = false;
    else if (!neverSawWriter) rule.POLLHUP = true;
    else {
      rule.POLLHUP = p.fifoHupNeedsWriterSinceOpen === 'either' ? 'either' : !p.fifoHupNeedsWriterSinceOpen;
      if (p.fifoHupNeedsWriterSinceOpen === true) clause = 'fifo.read-before-any-writer';
    }
    rule.POLLOUT = false;
    rule.POLLERR = false;
  } else {
    if (p.pollout === 'free-slot' && ctx.exact) rule.POLLOUT = hasFreeSlot(obj);
    // a blocked writer may already have filled a pipe of unknown capacity
    else rule.POLLOUT = !blockedWriter(s, obj) && guaranteedRoom(obj, ctx.capacity) >= ctx.profile.pipeBuf ? true : 'either';
    if (obj.drainer) rule.POLLOUT = 'either';
    rule.POLLERR = obj.readers === 0 ? (p.pollerrNoReader === 'always' ? true : 'either') : false;
    rule.POLLIN = false;
    rule.POLLHUP = p.pollerrNoReader === 'always' ? false : obj.readers === 0 ? 'either' : false;
  }
  const bad = (Object.keys(rule) as Bit[]).filter((b) => rule[b] !== 'either' && rule[b] !== revents.includes(b));
  const expected = (Object.keys(rule) as Bit[]).map((b) => (rule[b] === 'either' ? `${b}?` : rule[b] ? b : `!${b}`)).join(' ');
  ctx.require(clause, out.kind === 'ok' && bad.length === 0, () => `revents=${revents.join('|') || '0'}`, () => `${expected} (${buffered(obj)} bytes buffered, ${obj.readers} readers, ${obj.writers} writers)`);
  if (clause !== 'pipe.poll-readiness') ctx.exercise('pipe.poll-readiness');
}
