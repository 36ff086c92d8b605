// reference-model/rules/send-buffer.ts on hand-written traces over an AF_UNIX socketpair: a
// nonblocking send never blocks, a blocked sender is woken once the reader has drained the
// connection, (linux) an idle connection takes the measured sure room unless its buffers were set,
// and a send's count is within 1..size.
import { describe, expect, it } from 'vitest';
import { both, err, got, main, ok, PENDING, profile, TraceBuilder, traceOf, verdicts, type Built } from '../support/trace.ts';
import type { Step } from '../../spec/scenario.ts';

const PAIR = main({ op: 'socketpair', a: 'a', b: 'b', nonblock: false });
const EAGAIN = err('EAGAIN');
const send = (size: number, dontwait = true): Step => ({ actor: 'S', op: 'send', fd: 'a', size, ...(dontwait ? {} : { dontwait: false }) });
const recv = (size: number): Step => ({ actor: 'R', op: 'recv', fd: 'b', size, waitall: false, dontwait: true });
const setBufs = main({ op: 'set-buffers', fd: 'a', snd: 16_384, rcv: 65_536 });
const room = profile('linux').streamSendBuffer.sureRoom!.unix;
const big = 300_000;

/** The pair, a blocking send of `big` that blocks, then the reader's receives (each with its wakes). */
function blockedSend(...recvs: Array<[number, ReturnType<typeof ok>, Array<[number, ReturnType<typeof ok>]>?]>): Built {
  const b = new TraceBuilder().call(PAIR, ok(0)).call(send(big, false), PENDING);
  for (const [size, out, wakes] of recvs) b.call(recv(size), out, wakes ?? []);
  return b.build();
}

describe('stream.full-send-buffer', () => {
  it('passes a blocked send that the reader wakes, and that returns everything', () => {
    expect(verdicts(blockedSend([200_000, got(1, big, 0, 200_000), [[1, ok(big)]]], [200_000, got(1, big, 200_000, big)]))).toEqual(both('pass'));
  });

  it('fails a nonblocking send that blocks', () => {
    expect(verdicts(traceOf([[PAIR, ok(0)], [send(big), PENDING]]))).toEqual(both('stream.full-send-buffer'));
  });

  it('fails a blocked sender left asleep once the reader drained the connection (the reader finds nothing)', () => {
    expect(verdicts(blockedSend([200_000, got(1, big, 0, 150_000)], [200_000, EAGAIN]))).toEqual(both('stream.full-send-buffer'));
  });

  it('fails a blocked sender still asleep after the reader received all its bytes', () => {
    expect(verdicts(blockedSend([200_000, got(1, big, 0, 200_000)], [200_000, got(1, big, 200_000, big)]))).toEqual(both('stream.full-send-buffer'));
  });

  it('fails a woken sender that returns less than the reader took (linux: less than all)', () => {
    const short = blockedSend([200_000, got(1, big, 0, 200_000), [[1, ok(100)]]], [200_000, got(1, big, 200_000, big)]);
    expect(verdicts(short)).toEqual(both('stream.full-send-buffer'));
    const part = blockedSend([200_000, got(1, big, 0, 200_000), [[1, ok(250_000)]]]);
    expect(verdicts(part)).toEqual({ posix: 'pass', linux: 'stream.full-send-buffer' });
  });

  it('fails a blocking send that returns part (linux; posix allows it) or EAGAIN (both)', () => {
    expect(verdicts(traceOf([[PAIR, ok(0)], [send(big, false), ok(1000)]]))).toEqual({ posix: 'pass', linux: 'stream.full-send-buffer' });
    expect(verdicts(traceOf([[PAIR, ok(0)], [send(big, false), EAGAIN]]))).toEqual(both('stream.full-send-buffer'));
  });

  it('under linux, an idle connection takes the sure room: no EAGAIN, no less, no blocking; posix guarantees no size', () => {
    for (const out of [EAGAIN, ok(room - 1)]) expect(verdicts(traceOf([[PAIR, ok(0)], [send(room), out]]))).toEqual({ posix: 'pass', linux: 'stream.full-send-buffer' });
    expect(verdicts(traceOf([[PAIR, ok(0)], [send(room), ok(room)]]))).toEqual(both('pass'));
    // not idle (unread data): EAGAIN is allowed
    expect(verdicts(traceOf([[PAIR, ok(0)], [send(10), ok(10)], [send(room), EAGAIN]]))).toEqual(both('pass'));
  });

  it('with buffers set before data, no measured size applies, but a nonblocking send still never blocks', () => {
    expect(verdicts(traceOf([[PAIR, ok(0)], [setBufs, ok(0)], [send(room), EAGAIN]]))).toEqual(both('pass'));
    expect(verdicts(traceOf([[PAIR, ok(0)], [setBufs, ok(0)], [send(room), ok(1)]]))).toEqual(both('pass'));
    expect(verdicts(traceOf([[PAIR, ok(0)], [setBufs, ok(0)], [send(room), PENDING]]))).toEqual(both('stream.full-send-buffer'));
  });

  it('set-buffers on a connected socket returns 0; an error breaks the clause; after data it is not judged', () => {
    expect(verdicts(traceOf([[PAIR, ok(0)], [setBufs, EAGAIN]]))).toEqual(both('stream.full-send-buffer'));
    expect(verdicts(traceOf([[PAIR, ok(0)], [send(10), ok(10)], [setBufs, ok(0)]]))).toEqual(both('error'));
  });
});

describe('stream.order-and-content (send counts)', () => {
  it('passes a nonblocking send of 1..size bytes into a busy connection', () => {
    expect(verdicts(traceOf([[PAIR, ok(0)], [send(10), ok(10)], [send(100), ok(1)]]))).toEqual(both('pass'));
  });

  it('fails a send that reports 0 bytes, or more than it was given', () => {
    for (const out of [ok(0), ok(11)]) expect(verdicts(traceOf([[PAIR, ok(0)], [send(10), out]]))).toEqual(both('stream.order-and-content'));
  });

  it('fails a woken sender whose bytes never reached the peer (detail.arrival not-seen)', () => {
    const lost = blockedSend([200_000, got(1, big, 0, 200_000), [[1, ok(big, { detail: { arrival: 'not-seen' } })]]], [200_000, got(1, big, 200_000, big)]);
    expect(verdicts(lost)).toEqual(both('stream.order-and-content'));
  });
});
