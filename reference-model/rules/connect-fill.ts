// connect-fill: many nonblocking connects to one listener in one step, stopping at the first that
// does not complete at once. How many complete is the listen queue's length (listen.backlog-overflow,
// listen.backlog-truncated for a backlog linux truncates to somaxconn).
import type { SocketCall } from '../../spec/socket-scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { OutOfScope, type Ctx } from '../context.ts';
import { showOutcome } from '../describe.ts';
import type { ModelState } from '../state.ts';
import { overflowClause, queueLimit, target } from './connect.ts';
import { connectPair, newSock } from './socket.ts';

type C<K extends SocketCall['op']> = Extract<SocketCall, { op: K }>;

export function connectFill(s: ModelState, call: C<'connect-fill'>, out: Outcome, ctx: Ctx): void {
  const l = target(s, call.to);
  if (!l || l.state !== 'listening' || l.family !== call.family) throw new OutOfScope('connect-fill to something other than a listener of its family');
  if (out.kind !== 'ok') throw new OutOfScope(`connect-fill could not run: ${showOutcome(out)}`);
  const { sure, exact } = queueLimit(l, ctx);
  const room = Math.max(0, sure - l.queue.length);
  const want = Math.min(call.count, room);
  const n = out.value;
  // linux: exactly what the queue holds; posix: at least what it surely holds, at most all of them
  ctx.require(overflowClause(l, ctx), exact ? n === want : n >= want && n <= call.count, () => `${n} connected`,
    () => `${exact ? want : `${want} to ${call.count}`} (the queue holds ${exact ? '' : 'at least '}${sure}, ${l.queue.length} taken)`);
  for (let i = 1; i <= Math.min(n + 1, call.count); i++) {
    const k = newSock(s, call.family, true);
    s.net.handles.set(`${call.as}${i}`, k.id);
    if (i > n) {
      // the first that did not complete: AF_UNIX failed (EAGAIN), TCP's SYN was dropped (in progress)
      if (call.family !== 'unix') k.connecting = { listener: l.id, acceptedAt: l.accepted, dropped: exact };
      break;
    }
    const server = newSock(s, l.family, false);
    server.local = l.local;
    connectPair(s, k, server);
    l.queue.push(server.id);
  }
}
