// What the socket steps share: outcomes, handles, the long-deadline wait for loopback effects, the
// TCP peer watch, address resolution, and running a call that may block on its actor.
import type { SockAddr } from '../../spec/socket-scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import type { ActorResult } from './actor.ts';
import { F, O, sys, type Sys } from './libc.mjs';
import { AF, net, SHUT } from './libc-net.mjs';
import type { HostSession, Waiting } from './session.ts';
import { testHostAddr } from './exec-two-host.ts';

export const NETWORK_DEADLINE_MS = 10_000;
/** Raised (never lowered) by test hosts whose round trip asks for longer: max(10 s, 100 x RTT). */
let networkDeadlineMs = NETWORK_DEADLINE_MS;
export const raiseNetworkDeadline = (ms: number): void => { networkDeadlineMs = Math.max(networkDeadlineMs, ms); };
const POLLRDHUP = 0x2000;

export const outcome = (r: Sys | ActorResult, extra: { data?: Uint8Array; addr?: string } = {}): Outcome =>
  r.errno ? { kind: 'err', errno: r.errno } : { kind: 'ok', value: r.value, ...(extra.data ? { data: extra.data } : {}), ...(extra.addr !== undefined ? { detail: { addr: extra.addr } } : {}) };

export const fdOf = (s: HostSession, h: string): number => s.fds.get(h) ?? -1;
/** SO_DOMAIN and SO_TYPE of a session's descriptors, each kept while no handle starts or stops naming that fd (FdMap.versionOf). */
const kinds = new WeakMap<HostSession, Map<number, { at: string; kind: { domain: number; type: number } | undefined }>>();
function kindOf(fd: number, s?: HostSession): { domain: number; type: number } | undefined {
  const ask = () => { const d = net.domain(fd); const t = net.type(fd); return d.errno || t.errno ? undefined : { domain: d.value, type: t.value }; };
  if (!s) return ask();
  let byFd = kinds.get(s);
  if (!byFd) kinds.set(s, (byFd = new Map()));
  const at = s.fds.versionOf(fd);
  const k = byFd.get(fd);
  if (k?.at === at) return k.kind;
  const kind = ask();
  byFd.set(fd, { at, kind });
  return kind;
}
/** Pass the session when fd is one of its handles' descriptors: the answer is then looked up once. */
export const isTcp = (fd: number, s?: HostSession): boolean => { const k = kindOf(fd, s); return !!k && k.domain !== AF.UNIX && k.type === 1; };
export const isDgram = (fd: number, s?: HostSession): boolean => kindOf(fd, s)?.type === 2;
/** The address family (SO_DOMAIN) of a socket, or undefined. */
export const domainOf = (fd: number, s?: HostSession): number | undefined => kindOf(fd, s)?.domain;
/** Where a socket's relative AF_UNIX paths live: the session dir (made on first use), which IP sockets never need. */
export const rootFor = (s: HostSession, fd: number): string | undefined => (domainOf(fd, s) === AF.UNIX ? s.dir : undefined);
export const mayBlock = (fd: number): boolean => {
  const fl = sys.fcntl(fd, F.GETFL);
  return !fl.errno && (fl.value & O.NONBLOCK) === 0;
};
/** A handle now names fd (an open socket). */
export const bindHandle = (s: HostSession, h: string, fd: number): void => { s.fds.set(h, fd); s.closed.delete(h); };

/**
 * Wait for something loopback must do: true once seen, false when the long deadline expired first.
 * Expiry is an observation (markUnseen), for the model to judge against the profile, never an error.
 */
export async function until(cond: () => boolean): Promise<boolean> {
  const t0 = Date.now();
  for (let spins = 0; !cond(); spins++) {
    if (Date.now() - t0 > networkDeadlineMs) return false;
    await new Promise((res) => (spins < 100 ? setImmediate(res) : setTimeout(res, 1)));
  }
  return true;
}
/** Whether a wait that began at `t0` has run past the long deadline (for waits checked by polling). */
export const pastDeadline = (t0: number): boolean => Date.now() - t0 > networkDeadlineMs;

/** The call's outcome, marked: what must follow it on the wire was not seen within the long deadline. */
export const markUnseen = (o: Outcome): Outcome => (o.kind === 'ok' || o.kind === 'err' ? { ...o, detail: { ...o.detail, arrival: 'not-seen' } } : o);
/** The outcome as it is when what followed was seen, else marked. */
export const afterWait = (o: Outcome, seen: boolean): Outcome => (seen ? o : markUnseen(o));

/** The session's socket connected to `fd` (its name is our peer name), if any. */
export function peerOf(s: HostSession, fd: number): number | undefined {
  const me = net.getsockname(fd);
  const mine = net.getpeername(fd);
  if (me.errno || mine.errno) return undefined;
  for (const other of s.fds.values()) {
    if (other === fd || !isTcp(other, s)) continue;
    if (net.getpeername(other).addr === me.addr && net.getsockname(other).addr === mine.addr) return other;
  }
  return undefined;
}

/** Before closing or shutting down a TCP socket: returns a wait until its peer has seen the FIN (or a reset); false at expiry. */
export function tcpPeerWatch(s: HostSession, fd: number): (() => Promise<boolean>) | undefined {
  if (!isTcp(fd, s)) return undefined;
  const peer = peerOf(s, fd);
  if (peer === undefined) return undefined;
  return () => until(() => { const r = sys.poll(peer, POLLRDHUP); return !!r.errno || ((r.revents ?? 0) & (POLLRDHUP | 0x8 | 0x10)) !== 0; });
}

export function resolveAddr(s: HostSession, fd: number, a: SockAddr): string {
  if ('path' in a) return `unix:${a.path}`;
  if ('host' in a) return testHostAddr(s, fd, a.host);
  if ('of' in a) return net.getsockname(fdOf(s, a.of)).addr ?? 'unix:/nonexistent';
  return net.domain(fd).value === AF.INET6 ? '[::1]:0' : '127.0.0.1:0';
}


/**
 * A socket call that may block, on its actor. Closing a descriptor does not wake a thread blocked on
 * it, so the call keeps a duplicate: teardown shuts the socket down through it, which does.
 */
export async function onActor(s: HostSession, i: number, actorName: string, op: string, args: unknown, syscall: number, fd: number, finish: (r: ActorResult & { addr?: string }) => Outcome): Promise<Waiting> {
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
