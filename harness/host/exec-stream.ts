// Stream data and half-close on the host. Sends are in exec-send.ts; over TCP a send and a recv wait
// (long deadline) until the connection is quiet, so each step sees the data where it stays.
import type { Step } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import type { ActorResult } from './actor.ts';
import { fdOf, mayBlock, onActor, outcome, tcpPeerWatch } from './exec-socket-kit.ts';
import { MSG, net, SHUT } from './libc-net.mjs';
import type { HostSession, Waiting } from './session.ts';
import { syscallNumber } from './syscalls.ts';
import { streamSend, tcpArrivals } from './exec-send.ts';

const SHUT_HOW = { wr: SHUT.WR, rd: SHUT.RD, rdwr: SHUT.RDWR } as const;

export type DataStep = Extract<Step, { op: 'send' | 'recv' | 'shutdown' }>;

export const recvFlags = (step: Extract<Step, { op: 'recv' }>): number =>
  (step.waitall ? MSG.WAITALL : 0) | (step.dontwait ? MSG.DONTWAIT : 0) | (step.peek ? MSG.PEEK : 0) | (step.trunc ? MSG.TRUNC : 0);

export async function execStreamStep(s: HostSession, i: number, step: DataStep): Promise<Outcome | Waiting> {
  const fd = fdOf(s, step.fd);
  switch (step.op) {
    case 'send': return streamSend(s, i, step, fd);
    case 'recv': {
      const flags = recvFlags(step);
      const finish = (r: ActorResult) => outcome(r, { data: r.errno ? undefined : r.data });
      await tcpArrivals(s, fd);
      if (step.dontwait || !mayBlock(fd)) return finish(net.recv(fd, step.size, flags));
      return onActor(s, i, step.actor, 'recv', { fd, size: step.size, flags }, syscallNumber('recvfrom'), fd, finish);
    }
    case 'shutdown': {
      // Only a write half shut sends a FIN for the peer to see; SHUT_RD has no effect on the wire.
      const watch = step.how === 'rd' ? undefined : tcpPeerWatch(s, fd);
      const r = net.shutdown(fd, SHUT_HOW[step.how]);
      if (!r.errno) await watch?.();
      return outcome(r);
    }
  }
}
