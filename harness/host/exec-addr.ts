// Creating sockets and naming them on the host: socketpair, socket, bind, getsockname/getpeername,
// and a bind by an unprivileged child process.
import type { Step } from '../../spec/scenario.ts';
import type { Family, UnixName } from '../../spec/socket-scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { AF, net } from './libc-net.mjs';
import { bindHandle, fdOf, outcome, resolveAddr, rootFor } from './exec-socket-kit.ts';
import type { HostSession } from './session.ts';
import { bindUnprivileged, whyNoUnprivilegedUser } from './unprivileged.ts';

const FAMILY: Record<Family, number> = { unix: AF.UNIX, inet: AF.INET, inet6: AF.INET6 };

export type AddrStep = Extract<Step, { op: 'socketpair' | 'socket' | 'bind' | 'sockname' | 'bind-unprivileged' }>;

export async function execAddrStep(s: HostSession, step: AddrStep): Promise<Outcome> {
  switch (step.op) {
    case 'socketpair': {
      const r = net.socketpair(step.nonblock, !!step.dgram);
      if (r.fds) { bindHandle(s, step.a, r.fds[0]); bindHandle(s, step.b, r.fds[1]); }
      return outcome(r);
    }
    case 'socket': {
      const r = net.socket(FAMILY[step.family], step.nonblock, !!step.dgram);
      if (!r.errno) bindHandle(s, step.as, r.value);
      return outcome(r);
    }
    case 'bind': {
      const fd = fdOf(s, step.fd);
      const a = step.addr;
      if ('pathLength' in a || 'abstract' in a) return bindUnixName(s, fd, a);
      const root = rootFor(s, fd);
      const r = net.bind(fd, resolveAddr(s, fd, a), root);
      return outcome(r, r.errno ? {} : { addr: net.getsockname(fd, root).addr });
    }
    case 'sockname': {
      const fd = fdOf(s, step.fd);
      const root = rootFor(s, fd);
      const r = step.peer ? net.getpeername(fd, root) : net.getsockname(fd, root);
      return outcome(r, { addr: r.addr });
    }
    case 'bind-unprivileged': {
      const why = whyNoUnprivilegedUser();
      if (why) return { kind: 'unsupported', reason: why };
      const r = await bindUnprivileged(step.family, step.port);
      return r.errno ? { kind: 'err', errno: r.errno, detail: { ranAs: r.ranAs } } : { kind: 'ok', value: 0, detail: { addr: r.addr, ranAs: r.ranAs } };
    }
  }
}

/**
 * A path of exactly N bytes inside the session dir ("DIR/lenN-xxx"), or an abstract name made
 * unique by the session dir's path ("\0DIR/NAME"). The bound name is reported absolute for a path
 * (its length is the point) and as "unix:@NAME" for an abstract name.
 */
function bindUnixName(s: HostSession, fd: number, a: UnixName): Outcome {
  let bytes: Buffer;
  if ('pathLength' in a) {
    const head = `${s.dir}/len${a.pathLength}-`;
    const pad = a.pathLength - Buffer.byteLength(head);
    if (pad < 1) return { kind: 'unsupported', reason: `the temp dir ${s.dir} is too long to build a ${a.pathLength}-byte path in it` };
    bytes = Buffer.from(`${head}${'x'.repeat(pad)}\0`);
  } else bytes = Buffer.concat([Buffer.of(0), Buffer.from(`${s.dir}/${a.abstract}`)]);
  const r = net.bindUnix(fd, bytes);
  if (r.errno) return outcome(r);
  const n = net.sunPath(fd);
  if (n.errno || !n.bytes) return { kind: 'error', message: `getsockname after bind: ${n.errno}` };
  const b = n.bytes;
  if (b[0] === 0) {
    const name = b.subarray(1).toString('utf8');
    const mine = `${s.dir}/`;
    return { kind: 'ok', value: 0, detail: { addr: `unix:@${name.startsWith(mine) ? name.slice(mine.length) : name}` } };
  }
  const end = b.indexOf(0);
  return { kind: 'ok', value: 0, detail: { addr: `unix:${b.subarray(0, end < 0 ? b.length : end).toString('utf8')}` } };
}
