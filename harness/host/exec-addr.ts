// Creating sockets and naming them on the host: socketpair, socket, bind, getsockname/getpeername.
import type { Step } from '../../spec/scenario.ts';
import type { Family } from '../../spec/socket-scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { AF, net } from './libc-net.mjs';
import { bindHandle, fdOf, outcome, resolveAddr } from './exec-socket-kit.ts';
import type { HostSession } from './session.ts';

const FAMILY: Record<Family, number> = { unix: AF.UNIX, inet: AF.INET, inet6: AF.INET6 };

export type AddrStep = Extract<Step, { op: 'socketpair' | 'socket' | 'bind' | 'sockname' }>;

export function execAddrStep(s: HostSession, step: AddrStep): Outcome {
  const root = s.dir;
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
      const r = net.bind(fd, resolveAddr(s, fd, step.addr), root);
      return outcome(r, r.errno ? {} : { addr: net.getsockname(fd, root).addr });
    }
    case 'sockname': {
      const fd = fdOf(s, step.fd);
      const r = step.peer ? net.getpeername(fd, root) : net.getsockname(fd, root);
      return outcome(r, { addr: r.addr });
    }
  }
}
