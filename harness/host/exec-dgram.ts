// Datagram send and receive on the host. Loopback UDP delivers in softirq, so after a send the step
// waits (long deadline) until the receiver queued the datagram or counted it dropped.
import { payload, payloadTag } from '../../spec/payload.ts';
import type { Step } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import type { ActorResult } from './actor.ts';
import { fdOf, isDgram, mayBlock, onActor, outcome, until } from './exec-socket-kit.ts';
import { recvFlags } from './exec-stream.ts';
import { AF, MSG, net } from './libc-net.mjs';
import type { HostSession, Waiting } from './session.ts';
import { syscallNumber } from './syscalls.ts';

/** A connected UDP socket's receiver among the session's sockets (bound to its peer name), if any. */
function udpReceiver(s: HostSession, fd: number): number | undefined {
  if (net.domain(fd).value === AF.UNIX) return undefined;
  const to = net.getpeername(fd);
  if (to.errno) return undefined;
  for (const other of s.fds.values()) if (other !== fd && isDgram(other) && net.getsockname(other).addr === to.addr) return other;
  return undefined;
}

export async function execDgramStep(s: HostSession, i: number, step: Extract<Step, { op: 'send' | 'recv' }>): Promise<Outcome | Waiting> {
  const fd = fdOf(s, step.fd);
  if (step.op === 'send') {
    const udp = udpReceiver(s, fd);
    const before = udp === undefined ? undefined : { m: net.rmem(udp).value, d: net.drops(udp).value };
    const r = net.send(fd, payload(payloadTag(i), step.size), MSG.DONTWAIT | MSG.NOSIGNAL);
    if (!r.errno && udp !== undefined && before) await until(() => net.rmem(udp).value !== before.m || net.drops(udp).value !== before.d, 'the datagram to reach the receiver');
    return outcome(r);
  }
  const flags = recvFlags(step);
  if (step.dontwait) {
    // recvmsg, to see msg_flags
    const r = net.recvmsg(fd, step.size, flags);
    const o = outcome(r, { data: r.errno ? undefined : r.data });
    return o.kind === 'ok' ? { ...o, detail: { msgFlags: (r.msgFlags ?? 0) & MSG.TRUNC ? ['MSG_TRUNC'] : [] } } : o;
  }
  const finish = (r: ActorResult) => outcome(r, { data: r.errno ? undefined : r.data });
  if (!mayBlock(fd)) return finish(net.recv(fd, step.size, flags));
  return onActor(s, i, step.actor, 'recv', { fd, size: step.size, flags }, syscallNumber('recvfrom'), fd, finish);
}
