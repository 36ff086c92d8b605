// Listening, connecting and accepting on the host. A TCP connect waits (long deadline) until the
// listener has queued the handshake or dropped the SYN, so the next step sees the kernel's answer.
import type { Step } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import type { ActorResult } from './actor.ts';
import { fdOf, isTcp, mayBlock, bindHandle, onActor, outcome, resolveAddr, until } from './exec-socket-kit.ts';
import { errnoName, sys } from './libc.mjs';
import { net } from './libc-net.mjs';
import type { HostSession, Waiting } from './session.ts';
import { syscallNumber } from './syscalls.ts';

const CONNECT_DEADLINE_S = 15;

export type ConnectStep = Extract<Step, { op: 'listen' | 'connect' | 'connect-status' | 'accept' }>;

export async function execConnectStep(s: HostSession, i: number, step: ConnectStep): Promise<Outcome | Waiting> {
  const root = s.dir;
  switch (step.op) {
    case 'listen': return outcome(net.listen(fdOf(s, step.fd), step.backlog));
    case 'connect': {
      const fd = fdOf(s, step.fd);
      const listener = 'of' in step.to ? fdOf(s, step.to.of) : undefined;
      const tcp = isTcp(fd);
      const before = tcp && listener !== undefined ? { q: net.acceptQueue(listener), d: net.drops(listener) } : undefined;
      // A blocking connect runs inline: bound it, so that one which would block (a full queue) ends
      // in a harness error after the deadline instead of hanging the run.
      const inline = mayBlock(fd) && !net.sendTimeout(fd, CONNECT_DEADLINE_S).errno;
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
      const finish = (r: ActorResult & { addr?: string }) => { if (!r.errno) bindHandle(s, step.as, r.value); return outcome(r, { addr: r.addr }); };
      if (!mayBlock(fd)) return finish(net.accept(fd, root));
      return onActor(s, i, step.actor, 'accept', { fd, root }, syscallNumber('accept4'), fd, finish);
    }
  }
}
