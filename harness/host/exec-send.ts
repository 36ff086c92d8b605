// send on a stream socket. With MSG_DONTWAIT (the default) it runs inline; without it, on a blocking
// socket, it may block in a full send buffer and runs on its actor. Over TCP the step then waits
// (long deadline) until the connection is quiet (tcp-quiet.ts): everything sent has arrived, and
// what did not fit waits behind the receiver's shut window, so the next step sees it where it stays.
// set-buffers (fixed SO_SNDBUF / SO_RCVBUF before data) is here too: it is what lets TCP fill for real.
import { payload, payloadTag } from '../../spec/payload.ts';
import type { Step } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { afterWait, fdOf, isTcp, markUnseen, mayBlock, onActor, outcome, pastDeadline, peerOf, until } from './exec-socket-kit.ts';
import { MSG, net } from './libc-net.mjs';
import type { HostSession, Waiting } from './session.ts';
import { syscallNumber } from './syscalls.ts';
import { tcpBroken, tcpQuiet, tcpSenderMayWait } from './tcp-quiet.ts';

type SendStep = Extract<Step, { op: 'send' }>;
type SetBuffersStep = Extract<Step, { op: 'set-buffers' }>;

/**
 * set-buffers: SO_SNDBUF, then SO_RCVBUF, each if given. Fixed sizes keep a loopback TCP receiver from
 * growing its window past what its memory holds (autotuning does, and then drops segments), so a
 * walk can fill the send buffer and every step still settles.
 */
export function setBuffers(s: HostSession, step: SetBuffersStep): Outcome {
  const fd = fdOf(s, step.fd);
  for (const [which, bytes] of [['snd', step.snd], ['rcv', step.rcv]] as const) {
    if (bytes === undefined) continue;
    const r = net.setBuffer(fd, which, bytes);
    if (r.errno) return outcome(r);
  }
  return { kind: 'ok', value: 0 };
}

/** The connection fd sends on has settled, or broke; with the peer unknown (closed), all data acknowledged. */
function settled(s: HostSession, fd: number): (() => boolean) | undefined {
  if (!isTcp(fd, s)) return undefined;
  const peer = peerOf(s, fd);
  if (peer === undefined) return () => { const q = net.outq(fd); return !!q.errno || q.value === 0 || tcpBroken(fd); };
  return () => tcpQuiet(fd, peer) || tcpBroken(fd);
}

export async function streamSend(s: HostSession, i: number, step: SendStep, fd: number): Promise<Outcome | Waiting> {
  const data = payload(payloadTag(i), step.size);
  const quiet = settled(s, fd);
  if (step.dontwait === false && mayBlock(fd)) return blockingSend(s, i, step, fd, data, quiet);
  const r = net.send(fd, data, (step.dontwait === false ? 0 : MSG.DONTWAIT) | MSG.NOSIGNAL);
  // the data reached the peer (or waits behind its full receive window), else it is marked "not-seen"
  return afterWait(outcome(r), !!r.errno || !quiet || (await until(quiet)));
}

/**
 * A send that may block, on its actor. Over TCP, a sender asleep in sendto is reported blocked only
 * while the connection gives it reason to be (tcpSenderMayWait), and its return only once the
 * connection is quiet: so "blocked" and "returned" are facts about the connection, not a moment.
 */
async function blockingSend(s: HostSession, i: number, step: SendStep, fd: number, data: Uint8Array, quiet: (() => boolean) | undefined): Promise<Waiting> {
  // A copy: posting a view of the payload pool would clone the whole pool.
  const w = await onActor(s, i, step.actor, 'send', { fd, data: data.slice(), flags: MSG.NOSIGNAL }, syscallNumber('sendto'), fd, (r) => outcome(r));
  const peer = isTcp(fd, s) ? peerOf(s, fd) : undefined;
  if (!quiet) return w;
  let done: Outcome | undefined;
  let returnedAt = 0;
  return {
    ...w,
    poll: () => {
      if (!done) {
        const r = w.poll();
        if (r === 'running') return r;
        if (r === 'blocked') return peer === undefined || tcpBroken(fd) || tcpSenderMayWait(fd, peer) ? 'blocked' : 'running';
        done = r;
        returnedAt = Date.now();
      }
      if (quiet()) return done;
      // returned, but its bytes never reached the peer within the long deadline: the model judges that
      return pastDeadline(returnedAt) ? markUnseen(done) : 'running';
    },
  };
}

/**
 * Before a recv over TCP: wait (long deadline) until what the peer sent has arrived and, if nothing is
 * queued here, nothing waits unsent at the peer (a window update from an earlier recv may still be
 * on its way): so a recv finds every byte it can get, as over AF_UNIX.
 */
export async function tcpArrivals(s: HostSession, fd: number): Promise<void> {
  if (!isTcp(fd, s)) return;
  const peer = peerOf(s, fd);
  // at expiry the recv runs anyway: what it returns is the observation
  if (peer !== undefined) await until(() => tcpQuiet(peer, fd) || tcpBroken(fd));
}
