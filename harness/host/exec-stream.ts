// Stream data and half-close on the host. After a TCP send the step waits (long deadline) until
// the peer acknowledged the data (SIOCOUTQ 0), so it is queued at the peer when the next step runs.
import { payload, payloadTag } from '../../spec/payload.ts';
import type { Step } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import type { ActorResult } from './actor.ts';
import { fdOf, isTcp, mayBlock, onActor, outcome, tcpPeerWatch, until } from './exec-socket-kit.ts';
import { sys } from './libc.mjs';
import { MSG, net, SHUT } from './libc-net.mjs';
import type { HostSession, Waiting } from './session.ts';
import { syscallNumber } from './syscalls.ts';

export type DataStep = Extract<Step, { op: 'send' | 'recv' | 'shutdown' }>;

export const recvFlags = (step: Extract<Step, { op: 'recv' }>): number =>
  (step.waitall ? MSG.WAITALL : 0) | (step.dontwait ? MSG.DONTWAIT : 0) | (step.peek ? MSG.PEEK : 0) | (step.trunc ? MSG.TRUNC : 0);

export async function execStreamStep(s: HostSession, i: number, step: DataStep): Promise<Outcome | Waiting> {
  const fd = fdOf(s, step.fd);
  switch (step.op) {
    case 'send': {
      const r = net.send(fd, payload(payloadTag(i), step.size), MSG.DONTWAIT | MSG.NOSIGNAL);
      if (!r.errno && isTcp(fd)) {
        await until(() => { const q = net.outq(fd); const p = sys.poll(fd, 0); return !!q.errno || q.value === 0 || ((p.revents ?? 0) & 0x18) !== 0; }, 'the peer to acknowledge the data');
      }
      return outcome(r);
    }
    case 'recv': {
      const flags = recvFlags(step);
      const finish = (r: ActorResult) => outcome(r, { data: r.errno ? undefined : r.data });
      if (step.dontwait || !mayBlock(fd)) return finish(net.recv(fd, step.size, flags));
      return onActor(s, i, step.actor, 'recv', { fd, size: step.size, flags }, syscallNumber('recvfrom'), fd, finish);
    }
    case 'shutdown': {
      const watch = tcpPeerWatch(s, fd);
      const r = net.shutdown(fd, SHUT.WR);
      if (!r.errno) await watch?.();
      return outcome(r);
    }
  }
}
