// Socket steps as real calls on the host. Loopback TCP moves data and FINs in softirq context, so
// after a TCP send, shutdown or close, and after a TCP connect, the step waits (long deadline) until
// the kernel shows the effect arrived: SIOCOUTQ 0 (acknowledged, so queued at the peer), the peer's
// POLLRDHUP, the listener's accept queue growing. A slow machine makes that wait longer, never wrong.
import { payload, payloadTag } from '../../spec/payload.ts';
import type { Step } from '../../spec/scenario.ts';
import type { Family, SockAddr, SocketCall } from '../../spec/socket-scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import type { ActorResult } from './actor.ts';
import { errnoName, F, O, sys, type Sys } from './libc.mjs';
import { AF, MSG, net, SHUT } from './libc-net.mjs';
import type { HostSession, Waiting } from './session.ts';
import { syscallNumber } from './syscalls.ts';

const NETWORK_DEADLINE_MS = 10_000;
const POLLRDHUP = 0x2000;
const FAMILY: Record<Family, number> = { unix: AF.UNIX, inet: AF.INET, inet6: AF.INET6 };

const outcome = (r: Sys | ActorResult, extra: { data?: Uint8Array; addr?: string } = {}): Outcome =>
  r.errno ? { kind: 'err', errno: r.errno } : { kind: 'ok', value: r.value, ...(extra.data ? { data: extra.data } : {}), ...(extra.addr !== undefined ? { detail: { addr: extra.addr } } : {}) };

const fdOf = (s: HostSession, h: string): number => s.fds.get(h) ?? -1;
const isTcp = (fd: number): boolean => { const d = net.domain(fd); return !d.errno && d.value !== AF.UNIX && net.type(fd).value === 1; };

async function until(cond: () => boolean, what: string): Promise<void> {
  const t0 = Date.now();
  for (let spins = 0; !cond(); spins++) {
    if (Date.now() - t0 > NETWORK_DEADLINE_MS) throw new Error(`loopback did not deliver within ${NETWORK_DEADLINE_MS / 1000} s: ${what}`);
    await new Promise((res) => (spins < 100 ? setImmediate(res) : setTimeout(res, 1)));
  }
}

/** A connected UDP socket's receiver among the session's sockets (bound to its peer name), if any. */
function udpReceiver(s: HostSession, fd: number): number | undefined {
  if (net.type(fd).value !== 2 || net.domain(fd).value === AF.UNIX) return undefined;
  const to = net.getpeername(fd);
  if (to.errno) return undefined;
  for (const other of s.fds.values()) if (other !== fd && net.type(other).value === 2 && net.getsockname(other).addr === to.addr) return other;
  return undefined;
}

const CONNECT_DEADLINE_S = 15;
const isBlocking = (fd: number): boolean => {
  const fl = sys.fcntl(fd, F.GETFL);
  return !fl.errno && (fl.value & O.NONBLOCK) === 0;
};

/** The session's socket connected to `fd` (its name is our peer name), if any. */
function peerOf(s: HostSession, fd: number): number | undefined {
  const me = net.getsockname(fd);
  const mine = net.getpeername(fd);
  if (me.errno || mine.errno) return undefined;
  for (const other of s.fds.values()) {
    if (other === fd || !isTcp(other)) continue;
    if (net.getpeername(other).addr === me.addr && net.getsockname(other).addr === mine.addr) return other;
  }
  return undefined;
}

/** Before closing or shutting down a TCP socket: returns a wait until its peer has seen the FIN (or a reset). */
export function tcpPeerWatch(s: HostSession, fd: number): (() => Promise<void>) | undefined {
  if (!isTcp(fd)) return undefined;
  const peer = peerOf(s, fd);
  if (peer === undefined) return undefined;
  return () => until(() => { const r = sys.poll(peer, POLLRDHUP); return !!r.errno || ((r.revents ?? 0) & (POLLRDHUP | 0x8 | 0x10)) !== 0; }, 'the FIN to reach the peer');
}

function resolveAddr(s: HostSession, fd: number, a: SockAddr): string {
  if ('path' in a) return `unix:${a.path}`;
  if ('of' in a) return net.getsockname(fdOf(s, a.of)).addr ?? 'unix:/nonexistent';
  return net.domain(fd).value === AF.INET6 ? '[::1]:0' : '127.0.0.1:0';
}

export async function execSocketStep(s: HostSession, i: number, step: Extract<Step, SocketCall>): Promise<Outcome | Waiting> {
  const root = s.dir;
  const bind = (h: string, fd: number) => { s.fds.set(h, fd); s.closed.delete(h); };
  switch (step.op) {
    case 'socketpair': {
      const r = net.socketpair(step.nonblock, !!step.dgram);
      if (r.fds) { bind(step.a, r.fds[0]); bind(step.b, r.fds[1]); }
      return outcome(r);
    }
    case 'socket': {
      const r = net.socket(FAMILY[step.family], step.nonblock, !!step.dgram);
      if (!r.errno) bind(step.as, r.value);
      return outcome(r);
    }
    case 'bind': {
      const fd = fdOf(s, step.fd);
      const r = net.bind(fd, resolveAddr(s, fd, step.addr), root);
      return outcome(r, r.errno ? {} : { addr: net.getsockname(fd, root).addr });
    }
    case 'listen': return outcome(net.listen(fdOf(s, step.fd), step.backlog));
    case 'connect': {
      const fd = fdOf(s, step.fd);
      const listener = 'of' in step.to ? fdOf(s, step.to.of) : undefined;
      const tcp = isTcp(fd);
      const before = tcp && listener !== undefined ? { q: net.acceptQueue(listener), d: net.drops(listener) } : undefined;
      // A blocking connect runs inline: bound it, so that one which would block (a full queue) ends
      // in a harness error after the deadline instead of hanging the run.
      const inline = isBlocking(fd) && !net.sendTimeout(fd, CONNECT_DEADLINE_S).errno;
      const t0 = Date.now();
      const r = net.connect(fd, resolveAddr(s, fd, step.to), root);
      if (inline) {
        net.sendTimeout(fd, 0);
        if (r.errno && Date.now() - t0 >= CONNECT_DEADLINE_S * 1000 - 50) {
          return { kind: 'error', message: `blocking connect still waiting after ${CONNECT_DEADLINE_S} s (the host harness runs connect inline; use a nonblocking socket to observe a full queue)` };
        }
      }
      const name = () => net.getsockname(fd, root).addr;
      if (before && !before.q.errno && !before.d.errno && (!r.errno || r.errno === 'EINPROGRESS')) {
        // the server side completes on the final ACK: wait until the listener queued it, or dropped the SYN
        await until(() => (net.acceptQueue(listener!).value ?? 0) > before.q.value || (net.drops(listener!).value ?? 0) > before.d.value, 'the handshake to be queued or dropped by the listener');
      }
      if (r.errno === 'EINPROGRESS') return { kind: 'err', errno: r.errno, detail: { addr: name() } };
      return outcome(r, r.errno ? {} : { addr: name() });
    }
    case 'connect-status': {
      const fd = fdOf(s, step.fd);
      const p = sys.poll(fd, 0x4);
      if (p.errno) return outcome(p);
      if (((p.revents ?? 0) & (0x4 | 0x8 | 0x10)) === 0) return { kind: 'ok', value: 0 };
      const e = net.soError(fd);
      if (e.errno) return outcome(e);
      return e.value === 0 ? { kind: 'ok', value: 1 } : { kind: 'err', errno: errnoName(e.value) };
    }
    case 'accept': {
      const fd = fdOf(s, step.fd);
      const finish = (r: ActorResult & { addr?: string }) => { if (!r.errno) bind(step.as, r.value); return outcome(r, { addr: r.addr }); };
      if (!mayBlock(fd)) return finish(net.accept(fd, root));
      return onActor(s, i, step.actor, 'accept', { fd, root }, syscallNumber('accept4'), fd, finish);
    }
    case 'send': {
      const fd = fdOf(s, step.fd);
      const udp = udpReceiver(s, fd);
      const before = udp === undefined ? undefined : { m: net.rmem(udp).value, d: net.drops(udp).value };
      const r = net.send(fd, payload(payloadTag(i), step.size), MSG.DONTWAIT | MSG.NOSIGNAL);
      // loopback UDP delivers in softirq: wait until the receiver queued the datagram or dropped it
      if (!r.errno && udp !== undefined && before) await until(() => net.rmem(udp).value !== before.m || net.drops(udp).value !== before.d, 'the datagram to reach the receiver');
      if (!r.errno && isTcp(fd)) {
        await until(() => { const q = net.outq(fd); const p = sys.poll(fd, 0); return !!q.errno || q.value === 0 || ((p.revents ?? 0) & 0x18) !== 0; }, 'the peer to acknowledge the data');
      }
      return outcome(r);
    }
    case 'recv': {
      const fd = fdOf(s, step.fd);
      const flags = (step.waitall ? MSG.WAITALL : 0) | (step.dontwait ? MSG.DONTWAIT : 0) | (step.peek ? MSG.PEEK : 0) | (step.trunc ? MSG.TRUNC : 0);
      if (step.dontwait && net.type(fd).value === 2) {
        // a datagram socket: recvmsg, to see msg_flags
        const r = net.recvmsg(fd, step.size, flags);
        const o = outcome(r, { data: r.errno ? undefined : r.data });
        return o.kind === 'ok' ? { ...o, detail: { msgFlags: (r.msgFlags ?? 0) & MSG.TRUNC ? ['MSG_TRUNC'] : [] } } : o;
      }
      const finish = (r: ActorResult) => outcome(r, { data: r.errno ? undefined : r.data });
      if (step.dontwait || !mayBlock(fd)) return finish(net.recv(fd, step.size, flags));
      return onActor(s, i, step.actor, 'recv', { fd, size: step.size, flags }, syscallNumber('recvfrom'), fd, finish);
    }
    case 'shutdown': {
      const fd = fdOf(s, step.fd);
      const watch = tcpPeerWatch(s, fd);
      const r = net.shutdown(fd, SHUT.WR);
      if (!r.errno) await watch?.();
      return outcome(r);
    }
    case 'sockname': {
      const fd = fdOf(s, step.fd);
      const r = step.peer ? net.getpeername(fd, root) : net.getsockname(fd, root);
      return outcome(r, { addr: r.addr });
    }
  }
}

const mayBlock = (fd: number): boolean => {
  const fl = sys.fcntl(fd, F.GETFL);
  return !fl.errno && (fl.value & O.NONBLOCK) === 0;
};

/**
 * A socket call that may block, on its actor. Closing a descriptor does not wake a thread blocked on
 * it, so the call keeps a duplicate: teardown shuts the socket down through it, which does.
 */
async function onActor(s: HostSession, i: number, actorName: string, op: string, args: unknown, syscall: number, fd: number, finish: (r: ActorResult & { addr?: string }) => Outcome): Promise<Waiting> {
  const keep = sys.fcntl(fd, F.DUPFD_CLOEXEC, 0);
  const actor = await s.actorFor(actorName);
  actor.send(op, args, syscall);
  let closed = false;
  const drop = () => { if (!keep.errno && !closed) { closed = true; sys.close(keep.value); } };
  s.cleanups.push(drop);
  return {
    step: i,
    label: `${op} #${i} on actor ${actorName}`,
    poll: () => {
      const r = actor.poll();
      if (r.state !== 'done') return r.state;
      drop();
      return finish(r.result);
    },
    release: () => { if (!keep.errno && !closed) net.shutdown(keep.value, SHUT.RDWR); },
  };
}
