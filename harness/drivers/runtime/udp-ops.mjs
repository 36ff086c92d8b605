// UDP through node:dgram (AF_UNIX datagram sockets: net and dgram have none, so unsupported).
// - `recv` takes the next datagram the runtime already received ('message' events, read from the
//   kernel on the event loop into the runtime's queue): MSG_DONTWAIT with none queued is EAGAIN. The
//   runtime hands over whole datagrams: a recv of fewer bytes still gets all of it (value = its
//   length), and there is no MSG_PEEK or MSG_TRUNC.
// - `send` is socket.send(), which completes in its callback (after the sendto call).
// - Errors the runtime's receive path reports ('error' events, e.g. ECONNREFUSED from recvmsg after
//   an ICMP port unreachable) take their place in the receive queue, in the order they came: a recv
//   reports the error when it reaches it. A send reports only its own callback's answer.
import dgram from 'node:dgram';
import { b64, bindHandle, entryOf, ok, once, unsupported } from './kit.mjs';
import { netAddress, showAddr } from './stream-ops.mjs';

function socketStep(ctx, call) {
  if (call.family === 'unix') return unsupported('AF_UNIX datagram sockets: the runtime has none');
  if (call.nonblock) return unsupported('a nonblocking socket: dgram has no such mode (every call is asynchronous)');
  const sock = dgram.createSocket({ type: call.family === 'inet6' ? 'udp6' : 'udp4', ipv6Only: call.family === 'inet6' });
  const e = { kind: 'udp', family: call.family, sock, queue: [] };
  sock.on('message', (msg, rinfo) => { e.queue.push({ msg, rinfo }); ctx.touch(); });
  sock.on('error', (err) => { e.queue.push({ err }); ctx.touch(); });
  ctx.cleanups.push(() => { try { sock.close(); } catch { /* closed */ } });
  bindHandle(ctx, call.as, e);
  ctx.sockets = true;
  return ok(0);
}

const name = (e) => { try { const n = e.sock.address(); e.lastName = { host: n.address, port: n.port }; return e.lastName; } catch { return undefined; } };
const withAddr = (ctx, n) => { const a = showAddr(ctx, n); return a === undefined ? {} : { detail: { addr: a } }; };

async function bindStep(ctx, call) {
  const e = entryOf(ctx, call.fd);
  const a = netAddress(ctx, e.family, call.addr);
  if (a.bad) return a.bad;
  let failed;
  let bound = false;
  const onError = (err) => { failed = err; };
  e.sock.once('error', onError);
  e.sock.bind({ port: a.port, address: a.host, exclusive: true }, () => { bound = true; });
  await once(e.sock, ['listening', 'error'], () => bound || failed !== undefined);
  e.sock.off('error', onError);
  // the error event is this call's answer, not one for the receive queue
  if (failed) { e.queue = e.queue.filter((x) => x.err !== failed); throw failed; }
  return ok(0, withAddr(ctx, name(e)));
}

async function connectStep(ctx, call) {
  const e = entryOf(ctx, call.fd);
  const a = netAddress(ctx, e.family, call.to);
  if (a.bad) return a.bad;
  await new Promise((res, rej) => e.sock.connect(a.port, a.host, (err) => (err ? rej(err) : res())));
  return ok(0, withAddr(ctx, name(e)));
}

async function sendStep(ctx, call, data) {
  const e = entryOf(ctx, call.fd);
  let to;
  if (call.to) {
    to = netAddress(ctx, e.family, call.to);
    if (to.bad) return to.bad;
  }
  const n = await new Promise((res, rej) => {
    const done = (err, bytes) => (err ? rej(err) : res(bytes));
    if (to) e.sock.send(data, to.port, to.host, done);
    else e.sock.send(data, done);
  });
  return ok(n ?? data.length);
}

async function recvStep(ctx, call) {
  const e = entryOf(ctx, call.fd);
  if (call.peek || call.trunc) return unsupported(`recv with ${call.peek ? 'MSG_PEEK' : 'MSG_TRUNC'}: dgram has no such receive`);
  for (;;) {
    const m = e.queue.shift();
    if (m?.err) return { kind: 'err', errno: m.err.code ?? 'EIO' };
    // dgram has no receive size: a buffer shorter than the datagram cannot be expressed (nor its truncation)
    if (m && m.msg.length > call.size) return unsupported(`a ${call.size}-byte receive of a ${m.msg.length}-byte datagram: dgram delivers whole datagrams, a program cannot ask for fewer bytes`);
    if (m) return ok(m.msg.length, { data: b64(m.msg), detail: { msgFlags: [], addr: showAddr(ctx, { host: m.rinfo.address, port: m.rinfo.port }) } });
    if (call.dontwait) return { kind: 'err', errno: 'EAGAIN' }; // nothing in the runtime's queue
    await once(e.sock, ['message', 'error', 'close']);
  }
}

export const UDP_OPS = { socket: socketStep, bind: bindStep, connect: connectStep, send: sendStep, recv: recvStep };

