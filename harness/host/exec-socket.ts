// Socket steps as real calls on the host: one module per concern, chosen here.
import type { Step } from '../../spec/scenario.ts';
import type { SocketCall } from '../../spec/socket-scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { execAddrStep } from './exec-addr.ts';
import { execConnectStep } from './exec-connect.ts';
import { execDgramStep } from './exec-dgram.ts';
import { fdOf, isDgram } from './exec-socket-kit.ts';
import { execStreamStep } from './exec-stream.ts';
import { setBuffers } from './exec-send.ts';
import { execHostSocket } from './exec-two-host.ts';
import type { HostSession, Waiting } from './session.ts';

export { afterWait, tcpPeerWatch } from './exec-socket-kit.ts';

export async function execSocketStep(s: HostSession, i: number, step: Extract<Step, SocketCall>): Promise<Outcome | Waiting> {
  if (step.op === 'socket' && step.host) return execHostSocket(s, { ...step, host: step.host });
  switch (step.op) {
    case 'socketpair': case 'socket': case 'bind': case 'sockname': case 'bind-unprivileged':
      return execAddrStep(s, step);
    case 'listen': case 'connect': case 'connect-status': case 'connect-wait': case 'connect-fill': case 'accept':
      return execConnectStep(s, i, step);
    case 'send': case 'recv':
      return isDgram(fdOf(s, step.fd), s) ? execDgramStep(s, i, step) : execStreamStep(s, i, step);
    case 'shutdown':
      return execStreamStep(s, i, step);
    case 'set-buffers':
      return setBuffers(s, step);
  }
}
