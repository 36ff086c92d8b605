// Every op the runtime driver performs, by vocabulary name (the hello declares exactly these).
import { CHILD_OPS } from './child-ops.mjs';
import { FIFO_OPS } from './fifo-ops.mjs';
import { dispatchSocketOps } from './socket-dispatch.mjs';

export const OPS = { ...FIFO_OPS, ...CHILD_OPS, ...dispatchSocketOps() };

/**
 * Whether a call may block (spec/driver-protocol.md, Handles and actors), judged before it starts:
 * only such a call is ever reported pending; any other the loop waits for, however slow the machine.
 */
export function mayBlock(ctx, call) {
  const e = call.fd === undefined ? undefined : ctx.handles.get(call.fd);
  switch (call.op) {
    case 'read': case 'readv': case 'write': case 'writev': return e?.kind === 'fd' && e.nonblock !== true;
    case 'open': return !call.nonblock;
    case 'send': return e?.kind === 'stream' && call.dontwait === false;
    case 'recv': return e?.kind === 'udp' ? !call.dontwait : call.waitall || !call.dontwait;
    case 'accept': case 'connect': return e?.kind === 'stream';
    case 'child-write': case 'child-read': case 'pipeline': return true;
    default: return false;
  }
}
