// Socket ops by the kind of socket a handle names: stream (node:net) or UDP (node:dgram); `close` also
// closes descriptors (FIFO ends).
import { closeFd } from './fifo-ops.mjs';
import { entryOf, unsupported } from './kit.mjs';
import { closeStream, STREAM_OPS } from './stream-ops.mjs';
import { UDP_OPS } from './udp-ops.mjs';

const byKind = (op) => (ctx, call, data, step) => {
  const h = op === 'socket' ? undefined : call.fd;
  const udp = op === 'socket' ? !!call.dgram : entryOf(ctx, h)?.kind === 'udp';
  if (!udp && op !== 'socket' && entryOf(ctx, h)?.kind !== 'stream') return unsupported(`${op} on ${h}, which names no socket`);
  const f = (udp ? UDP_OPS : STREAM_OPS)[op];
  return f ? f(ctx, call, data, step) : unsupported(`${op} on a ${udp ? 'UDP' : 'stream'} socket`);
};

function close(ctx, call) {
  const e = entryOf(ctx, call.fd);
  if (e?.kind === 'stream') return closeStream(ctx, call.fd);
  if (e?.kind === 'udp') {
    e.sock.close();
    ctx.handles.delete(call.fd);
    ctx.closed.set(call.fd, -1);
    return { kind: 'ok', value: 0 };
  }
  return closeFd(ctx, call);
}

export function dispatchSocketOps() {
  const ops = { close };
  for (const op of ['socket', 'bind', 'listen', 'connect', 'accept', 'send', 'recv', 'shutdown', 'sockname']) ops[op] = byKind(op);
  return ops;
}
