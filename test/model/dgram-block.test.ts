// reference-model/rules/dgram-block.ts on hand-written traces: a blocking AF_UNIX datagram send from
// a sender that is not the receiver's peer sleeps while the receiver's queue is full (linux: exactly
// unixQueue datagrams), returns the whole datagram once a receive makes room, and not before.
import { describe, expect, it } from 'vitest';
import type { Step } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { both, err, main, ok, PENDING, profile, sent, TraceBuilder, verdicts } from '../support/trace.ts';

const QUEUE = profile('linux').dgramDelivery.unixQueue!;
const send = (dontwait = true): Step => main({ op: 'send', fd: 's', size: 8, ...(dontwait ? {} : { dontwait: false }) });
const blockingSend: Step = { actor: 'S', op: 'send', fd: 's', size: 8, dontwait: false };
const recv: Step = { actor: 'R', op: 'recv', fd: 'r', size: 4096, waitall: false, dontwait: true };
const from = (step: number): Outcome => ok(8, { data: sent(step, 8), detail: { msgFlags: [], addr: 'unix:' } });

/** A bound AF_UNIX datagram receiver, a sender connected to it, and `queued` datagrams sent (steps 4..). */
function queued(n: number): TraceBuilder {
  const b = new TraceBuilder()
    .call(main({ op: 'socket', family: 'unix', as: 'r', nonblock: false, dgram: true }), ok(0))
    .call(main({ op: 'bind', fd: 'r', addr: { path: 'd0' } }), ok(0, { detail: { addr: 'unix:d0' } }))
    .call(main({ op: 'socket', family: 'unix', as: 's', nonblock: false, dgram: true }), ok(0))
    .call(main({ op: 'connect', fd: 's', to: { of: 'r' } }), ok(0, { detail: { addr: 'unix:' } }));
  for (let i = 0; i < n; i++) b.call(send(), ok(8));
  return b;
}
const FIRST = 4; // step index of the first queued datagram

describe('dgram.delivery (a blocking send into a full AF_UNIX receiver)', () => {
  it('passes a send asleep on a full queue that a receive wakes, returning the whole datagram', () => {
    const t = queued(QUEUE).call(blockingSend, PENDING).call(recv, from(FIRST), [[FIRST + QUEUE, ok(8)]]).build();
    expect(verdicts(t)).toEqual(both('pass'));
  });

  it('linux fails a nonblocking send that does not get EAGAIN from the full queue', () => {
    expect(verdicts(queued(QUEUE).call(send(), ok(8)).build())).toEqual({ posix: 'pass', linux: 'dgram.delivery' });
    expect(verdicts(queued(QUEUE).call(send(), err('EAGAIN')).build())).toEqual(both('pass'));
  });

  it('linux fails a blocking send that sleeps while the queue has room', () => {
    expect(verdicts(queued(QUEUE - 1).call(blockingSend, PENDING).build())).toEqual({ posix: 'pass', linux: 'dgram.delivery' });
  });

  it('linux fails a sender left asleep after a receive made room', () => {
    expect(verdicts(queued(QUEUE).call(blockingSend, PENDING).call(recv, from(FIRST)).build())).toEqual({ posix: 'pass', linux: 'dgram.delivery' });
  });
});

describe('dgram.message-boundaries (a woken blocking send)', () => {
  it('fails a woken send that returns part of its datagram', () => {
    const t = queued(QUEUE).call(blockingSend, PENDING).call(recv, from(FIRST), [[FIRST + QUEUE, ok(3)]]).build();
    expect(verdicts(t)).toEqual(both('dgram.message-boundaries'));
  });
});
