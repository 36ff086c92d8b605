// Stream data and half-close on the host. Sends are in exec-send.ts; over TCP a send and a recv wait
// (long deadline) until the connection is quiet, so each step sees the data where it stays, and a
// recv that sleeps while the peer's bytes are still on their way is not reported blocked.
import type { Step } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import type { ActorResult } from './actor.ts';
import { afterWait, fdOf, isTcp, mayBlock, onActor, outcome, peerOf, tcpPeerWatch } from './exec-socket-kit.ts';
import { tcpBroken, tcpNothingComing } from './tcp-quiet.ts';
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
      const w = await onActor(s, i, step.actor, 'recv', { fd, size: step.size, flags }, syscallNumber('recvfrom'), fd, finish);
      // Over TCP a recv asleep in recvfrom counts as blocked only once nothing more is coming (tcpNothingComing).
      const peer = isTcp(fd, s) ? peerOf(s, fd) : undefined;
      if (peer === undefined) return w;
      return { ...w, poll: () => { const r = w.poll(); return r !== 'blocked' || tcpBroken(fd) || tcpNothingComing(peer, fd) ? r : 'running'; } };
    }
    case 'shutdown': {
      // Only a write half shut sends a FIN for the peer to see; SHUT_RD has no effect on the wire.
      const watch = step.how === 'rd' ? undefined : tcpPeerWatch(s, fd);
      const r = net.shutdown(fd, SHUT_HOW[step.how]);
      const seen = r.errno || !watch ? true : await watch();
      return afterWait(outcome(r), seen);
    }
  }
}
