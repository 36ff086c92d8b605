// Datagram send, sendto and receive on the host. Loopback UDP delivers in softirq, so after a send
// the step waits (long deadline) for what must follow: the receiver queued the datagram or counted
// it dropped; with no receiver, the ICMP port unreachable came back (a connected sender shows
// POLLERR; for an unconnected one, which is told nothing, the netns counted the unreachable).
// Not seen within the deadline, the send's outcome says so (detail.arrival), and the model judges it.
import { payload, payloadTag } from '../../spec/payload.ts';
import type { Step } from '../../spec/scenario.ts';
import type { SockAddr } from '../../spec/socket-scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import type { ActorResult } from './actor.ts';
import { afterWait, domainOf, fdOf, isDgram, mayBlock, onActor, outcome, resolveAddr, rootFor, until } from './exec-socket-kit.ts';
import { recvFlags } from './exec-stream.ts';
import { icmpUnreachIn } from './icmp-counters.ts';
import { sys } from './libc.mjs';
import { AF, MSG, net } from './libc-net.mjs';
import type { HostSession, Waiting } from './session.ts';
import { syscallNumber } from './syscalls.ts';

const POLLERR = 0x8;

/** The last name seen for each datagram handle, so a sendto can still address a socket since closed. */
const names = new WeakMap<HostSession, Map<string, string>>();

function destination(s: HostSession, fd: number, to: SockAddr): string {
  const seen = names.get(s) ?? new Map<string, string>();
  names.set(s, seen);
  if (!('of' in to)) return resolveAddr(s, fd, to);
  const live = s.fds.get(to.of);
  const addr = live === undefined ? undefined : net.getsockname(live, rootFor(s, live)).addr;
  if (addr !== undefined) seen.set(to.of, addr);
  const known = addr ?? seen.get(to.of);
  if (known === undefined) throw new Error(`sendto ${to.of}: its address was never seen while it was open`);
  return known;
}


/**
 * IP datagram sockets' names once they have a port: that never changes while the descriptor is
 * open, so it is asked once while the same handles name it (FdMap.versionOf), not on every send.
 */
const fixedNames = new WeakMap<HostSession, Map<number, { at: string; addr: string }>>();
function nameOf(s: HostSession, fd: number): string | undefined {
  let byFd = fixedNames.get(s);
  if (!byFd) fixedNames.set(s, (byFd = new Map()));
  const at = s.fds.versionOf(fd);
  const known = byFd.get(fd);
  if (known?.at === at) return known.addr;
  const addr = net.getsockname(fd).addr;
  if (addr !== undefined && !addr.endsWith(':0')) byFd.set(fd, { at, addr });
  return addr;
}

/** The session's UDP socket named `addr`, if any. */
function receiverAt(s: HostSession, fd: number, addr: string): number | undefined {
  for (const other of s.fds.values()) if (other !== fd && isDgram(other, s) && nameOf(s, other) === addr) return other;
  return undefined;
}

/** After a UDP datagram left: a wait until loopback has done what must follow (false: not seen within the long deadline). */
function udpSettle(s: HostSession, fd: number, to: string | undefined): (() => Promise<boolean>) | undefined {
  const fam = domainOf(fd, s) ?? -1;
  if (fam === AF.UNIX) return undefined;
  const addr = to ?? net.getpeername(fd).addr;
  if (addr === undefined) return undefined;
  const r = receiverAt(s, fd, addr);
  if (r !== undefined) {
    const before = net.meminfo(r);
    return () => until(() => { const now = net.meminfo(r); return now.rmem !== before.rmem || now.drops !== before.drops; });
  }
  if (to === undefined) return () => until(() => ((sys.poll(fd, POLLERR).revents ?? 0) & POLLERR) !== 0);
  const n = icmpUnreachIn(fam);
  // Another sender's unreachable could end this wait early: then the check can only miss.
  return () => until(() => icmpUnreachIn(fam) > n);
}

export async function execDgramStep(s: HostSession, i: number, step: Extract<Step, { op: 'send' | 'recv' }>): Promise<Outcome | Waiting> {
  const fd = fdOf(s, step.fd);
  if (step.op === 'send') {
    const data = payload(payloadTag(i), step.size);
    const to = step.to ? destination(s, fd, step.to) : undefined;
    // a blocking send (AF_UNIX into a full queue sleeps until a receive makes room) runs on its actor
    if (step.dontwait === false && mayBlock(fd)) {
      const args = { fd, data: data.slice(), flags: MSG.NOSIGNAL };
      if (to !== undefined) throw new Error('a blocking sendto is not a step the walks make');
      return onActor(s, i, step.actor, 'send', args, syscallNumber('sendto'), fd, (r) => outcome(r));
    }
    const settle = udpSettle(s, fd, to);
    const r = to === undefined ? net.send(fd, data, MSG.DONTWAIT | MSG.NOSIGNAL) : net.sendto(fd, data, MSG.DONTWAIT | MSG.NOSIGNAL, to, rootFor(s, fd));
    return afterWait(outcome(r), !!r.errno || !settle || (await settle()));
  }
  const flags = recvFlags(step);
  if (step.dontwait) {
    // recvmsg, to see msg_flags and the sender's address
    const r = net.recvfrom(fd, step.size, flags, rootFor(s, fd));
    const o = outcome(r, { data: r.errno ? undefined : r.data });
    return o.kind === 'ok' ? { ...o, detail: { msgFlags: (r.msgFlags ?? 0) & MSG.TRUNC ? ['MSG_TRUNC'] : [], addr: r.addr ?? 'unix:' } } : o;
  }
  const finish = (r: ActorResult) => outcome(r, { data: r.errno ? undefined : r.data });
  if (!mayBlock(fd)) return finish(net.recv(fd, step.size, flags));
  return onActor(s, i, step.actor, 'recv', { fd, size: step.size, flags }, syscallNumber('recvfrom'), fd, finish);
}
