// Listening, connecting and accepting on the host. A TCP connect waits (long deadline) until the
// listener has queued the handshake or dropped the SYN, so the next step sees the kernel's answer.
// A blocking connect runs on its actor: against a full queue it sleeps in connect (the session
// proves that by /proc), and returns once accept frees room (AF_UNIX) or a retransmitted SYN gets in (TCP).
import type { Step } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import type { ActorResult } from './actor.ts';
import { afterWait, fdOf, isDgram, isTcp, mayBlock, bindHandle, onActor, outcome, resolveAddr, rootFor, until } from './exec-socket-kit.ts';
import { errnoName, sys } from './libc.mjs';
import { AF, net } from './libc-net.mjs';
import type { HostSession, Waiting } from './session.ts';
import { syscallNumber } from './syscalls.ts';

/** connect-wait: how long a connect that must complete may take (SYN retransmits come at 1, 3, 7, 15 s). */
export const CONNECT_WAIT_MS = 30_000;
const POLLOUT = 0x4;
const DONE = POLLOUT | 0x8 | 0x10; // POLLOUT | POLLERR | POLLHUP

export type ConnectStep = Extract<Step, { op: 'listen' | 'connect' | 'connect-status' | 'connect-wait' | 'connect-fill' | 'accept' }>;

/** poll(POLLOUT) said the connect is over: 1 connected, or its error (SO_ERROR). */
function connectResult(fd: number): Outcome {
  const e = net.soError(fd);
  if (e.errno) return outcome(e);
  return e.value === 0 ? { kind: 'ok', value: 1 } : { kind: 'err', errno: errnoName(e.value) };
}

export async function execConnectStep(s: HostSession, i: number, step: ConnectStep): Promise<Outcome | Waiting> {
  // AF_UNIX paths are relative to the session dir; IP sockets never make it
  const root = step.op === 'connect-fill' ? (step.family === 'unix' ? s.dir : undefined) : rootFor(s, fdOf(s, step.fd));
  switch (step.op) {
    case 'listen': return outcome(net.listen(fdOf(s, step.fd), step.backlog));
    case 'connect': {
      const fd = fdOf(s, step.fd);
      const listener = 'of' in step.to ? fdOf(s, step.to.of) : undefined;
      const tcp = isTcp(fd, s);
      const before = tcp && listener !== undefined ? { q: net.acceptQueue(listener), d: net.drops(listener) } : undefined;
      const watch = before && !before.q.errno && !before.d.errno ? before : undefined;
      // the server side completes on the final ACK: wait until the listener queued it, or dropped the SYN
      const handshake = (also: () => boolean) => until(() => (net.acceptQueue(listener!).value ?? 0) > watch!.q.value || (net.drops(listener!).value ?? 0) > watch!.d.value || also());
      const name = () => net.getsockname(fd, root).addr;
      const addr = resolveAddr(s, fd, step.to);
      // A datagram connect only sets the default destination: it never blocks, so it runs inline.
      if (mayBlock(fd) && !isDgram(fd, s)) {
        const w = await onActor(s, i, step.actor, 'connect', { fd, addr, root }, syscallNumber('connect'), fd, (r) => outcome(r, r.errno ? {} : { addr: name() }));
        const actor = await s.actorFor(step.actor);
        // not seen within the deadline: the connect is still out, and the settle says where it is
        if (watch) await handshake(() => !!actor.result?.errno);
        return w;
      }
      const r = net.connect(fd, addr, root);
      const seen = !watch || (!!r.errno && r.errno !== 'EINPROGRESS') || (await handshake(() => false));
      if (r.errno === 'EINPROGRESS') return afterWait({ kind: 'err', errno: r.errno, detail: { addr: name() } }, seen);
      return afterWait(outcome(r, r.errno ? {} : { addr: name() }), seen);
    }
    case 'connect-status': {
      const fd = fdOf(s, step.fd);
      const p = sys.poll(fd, POLLOUT);
      if (p.errno) return outcome(p);
      return ((p.revents ?? 0) & DONE) === 0 ? { kind: 'ok', value: 0 } : connectResult(fd);
    }
    case 'connect-wait': {
      // Something that must happen (the model decides whether it must): a long deadline, and at
      // expiry the honest answer "still in progress" (0), never a guess.
      const fd = fdOf(s, step.fd);
      const t0 = Date.now();
      for (;;) {
        const p = sys.poll(fd, POLLOUT);
        if (p.errno) return outcome(p);
        if (((p.revents ?? 0) & DONE) !== 0) return connectResult(fd);
        if (Date.now() - t0 > CONNECT_WAIT_MS) return { kind: 'ok', value: 0 };
        await new Promise((res) => setTimeout(res, 2));
      }
    }
    case 'connect-fill': {
      const listener = 'of' in step.to ? fdOf(s, step.to.of) : undefined;
      const family = step.family === 'unix' ? AF.UNIX : step.family === 'inet' ? AF.INET : AF.INET6;
      for (let n = 0; n < step.count; n++) {
        const k = net.socket(family, true);
        if (k.errno) return outcome(k);
        bindHandle(s, `${step.as}${n + 1}`, k.value);
        const tcp = family !== AF.UNIX && listener !== undefined;
        const before = tcp ? { q: net.acceptQueue(listener).value, d: net.drops(listener).value } : undefined;
        const r = net.connect(k.value, resolveAddr(s, k.value, step.to), root);
        if (!before) { if (r.errno) return { kind: 'ok', value: n }; continue; }
        if (r.errno !== 'EINPROGRESS') return r.errno ? { kind: 'ok', value: n } : { kind: 'error', message: 'a nonblocking TCP connect returned 0 at once' };
        let queued = false;
        // neither queued nor dropped within the deadline: it did not complete, and the count says so
        if (!(await until(() => (queued = net.acceptQueue(listener!).value > before.q) || net.drops(listener!).value > before.d))) return { kind: 'ok', value: n, detail: { arrival: 'not-seen' } };
        if (!queued) return { kind: 'ok', value: n };
      }
      return { kind: 'ok', value: step.count };
    }
    case 'accept': {
      const fd = fdOf(s, step.fd);
      const finish = (r: ActorResult & { addr?: string }) => { if (!r.errno) bindHandle(s, step.as, r.value); return outcome(r, { addr: r.addr }); };
      if (!mayBlock(fd)) return finish(net.accept(fd, root));
      return onActor(s, i, step.actor, 'accept', { fd, root }, syscallNumber('accept4'), fd, finish);
    }
  }
}
