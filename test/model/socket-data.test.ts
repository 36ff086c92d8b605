// reference-model/rules/socket-data.ts on hand-written traces over an AF_UNIX stream socketpair:
// bytes in order, coalesced as recv asks, MSG_PEEK and MSG_WAITALL, MSG_DONTWAIT never blocking,
// and what send and recv return after a shutdown or a close of either end.
import { describe, expect, it } from 'vitest';
import type { Step } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { both, by, err, got, main, ok, PENDING, sent, TraceBuilder, traceOf, verdicts } from '../support/trace.ts';

const PAIR = main({ op: 'socketpair', a: 'a', b: 'b', nonblock: false });
const send = (size: number, fd = 'a'): Step => by('S', { op: 'send', fd, size });
const recv = (size: number, more: Record<string, unknown> = {}, fd = 'b'): Step => by('R', { op: 'recv', fd, size, waitall: false, dontwait: true, ...more });
const EAGAIN = err('EAGAIN');
const pairThen = (...calls: Array<[Step, Outcome]>) => traceOf([[PAIR, ok(0)], ...calls]);
const both10 = ok(10, { data: new Uint8Array([...sent(1, 5), ...sent(2, 5)]) });

describe('stream.order-and-content', () => {
  it('passes the bytes sent, received in order', () => expect(verdicts(pairThen([send(5), ok(5)], [recv(5), got(1, 5)]))).toEqual(both('pass')));
  it('fails other bytes, EOF while the peer can still send, and bytes that never reached the peer', () => {
    expect(verdicts(pairThen([send(5), ok(5)], [recv(5), ok(5, { data: sent(7, 5) })]))).toEqual(both('stream.order-and-content'));
    expect(verdicts(pairThen([recv(5, { dontwait: false }), ok(0)]))).toEqual(both('stream.order-and-content'));
    expect(verdicts(pairThen([send(5), ok(5, { detail: { arrival: 'not-seen' } })]))).toEqual(both('stream.order-and-content'));
  });
});

describe('stream.no-message-boundaries', () => {
  it('passes two sends received by one recv', () => expect(verdicts(pairThen([send(5), ok(5)], [send(5), ok(5)], [recv(10), both10]))).toEqual(both('pass')));
  it('linux fails a recv that stops at a send boundary over AF_UNIX; posix allows it', () => {
    expect(verdicts(pairThen([send(5), ok(5)], [send(5), ok(5)], [recv(10), got(1, 5)]))).toEqual({ posix: 'pass', linux: 'stream.no-message-boundaries' });
  });
  it('fails a blocking recv that blocks with data buffered', () => {
    expect(verdicts(pairThen([send(5), ok(5)], [recv(5, { dontwait: false }), PENDING]))).toEqual(both('stream.no-message-boundaries'));
  });
});

describe('stream.dontwait-never-blocks', () => {
  it('passes EAGAIN from an empty blocking socket with MSG_DONTWAIT', () => expect(verdicts(pairThen([recv(5), EAGAIN]))).toEqual(both('pass')));
  it('fails a MSG_DONTWAIT recv that blocks, or answers other than EAGAIN', () => {
    expect(verdicts(pairThen([recv(5), PENDING]))).toEqual(both('stream.dontwait-never-blocks'));
    expect(verdicts(pairThen([recv(5), err('EINTR')]))).toEqual(both('stream.dontwait-never-blocks'));
  });
});

describe('stream.peek-does-not-consume', () => {
  it('passes a peek, then the same bytes received', () => expect(verdicts(pairThen([send(5), ok(5)], [recv(5, { peek: true }), got(1, 5)], [recv(5), got(1, 5)]))).toEqual(both('pass')));
  it('fails EAGAIN, or other bytes, after a peek', () => {
    expect(verdicts(pairThen([send(5), ok(5)], [recv(5, { peek: true }), got(1, 5)], [recv(5), EAGAIN]))).toEqual(both('stream.peek-does-not-consume'));
    expect(verdicts(pairThen([send(5), ok(5)], [send(5), ok(5)], [recv(5, { peek: true }), got(1, 5)], [recv(5), got(2, 5)]))).toEqual(both('stream.peek-does-not-consume'));
  });
});

describe('stream.recv-waitall', () => {
  const waitall = (size: number) => recv(size, { waitall: true, dontwait: false });
  it('passes a MSG_WAITALL recv that blocks for the rest, woken with everything', () => {
    const t = new TraceBuilder().call(PAIR, ok(0)).call(send(5), ok(5)).call(waitall(10), PENDING).call(send(5), ok(5), [[2, ok(10, { data: new Uint8Array([...sent(1, 5), ...sent(3, 5)]) })]]).build();
    expect(verdicts(t)).toEqual(both('pass'));
  });
  it('fails a MSG_WAITALL recv that returns part while the peer can still send', () => {
    expect(verdicts(pairThen([send(5), ok(5)], [waitall(10), got(1, 5)]))).toEqual(both('stream.recv-waitall'));
  });
  it('fails a MSG_WAITALL recv asleep with all it asked for buffered', () => {
    const t = new TraceBuilder().call(PAIR, ok(0)).call(send(5), ok(5)).call(waitall(10), PENDING).call(send(5), ok(5)).build();
    expect(verdicts(t)).toEqual(both('stream.recv-waitall'));
  });
});

describe('stream.shutdown-write-half-close', () => {
  const shut = main({ op: 'shutdown', fd: 'a', how: 'wr' });
  it('passes the data, then EOF, at the peer; EPIPE for a send after the shutdown; the other direction works', () => {
    expect(verdicts(pairThen([send(5), ok(5)], [shut, ok(0)], [recv(10), got(1, 5)], [recv(10), ok(0)], [send(3, 'b'), ok(3)], [recv(3, {}, 'a'), got(5, 3)]))).toEqual(both('pass'));
    expect(verdicts(pairThen([shut, ok(0)], [send(3), err('EPIPE')]))).toEqual(both('pass'));
  });
  it('fails a send after the shutdown that succeeds, and a recv at the peer that does not see EOF', () => {
    expect(verdicts(pairThen([shut, ok(0)], [send(3), ok(3)]))).toEqual(both('stream.shutdown-write-half-close'));
    expect(verdicts(pairThen([shut, ok(0)], [recv(10), EAGAIN]))).toEqual(both('stream.shutdown-write-half-close'));
  });
});

describe('stream.eof-after-peer-close and stream.send-after-peer-close', () => {
  const close = main({ op: 'close', fd: 'a' });
  it('passes the data then EOF after the peer closed; EPIPE for a send to it', () => {
    expect(verdicts(pairThen([send(5), ok(5)], [close, ok(0)], [recv(10), got(1, 5)], [recv(10), ok(0)], [send(3, 'b'), err('EPIPE')]))).toEqual(both('pass'));
  });
  it('fails no EOF after the peer closed, and a blocked recv left asleep then', () => {
    expect(verdicts(pairThen([close, ok(0)], [recv(10), EAGAIN]))).toEqual(both('stream.eof-after-peer-close'));
    expect(verdicts(new TraceBuilder().call(PAIR, ok(0)).call(recv(10, { dontwait: false }), PENDING).call(close, ok(0)).build())).toEqual(both('stream.eof-after-peer-close'));
  });
  it('linux fails a send to a closed AF_UNIX peer that succeeds (posix allows the first to)', () => {
    expect(verdicts(pairThen([close, ok(0)], [send(3, 'b'), ok(3)]))).toEqual({ posix: 'pass', linux: 'stream.send-after-peer-close' });
  });
});

describe('stream.close-unread-resets', () => {
  it('passes ECONNRESET at the peer of a socket closed with data unread (linux); fails plain EOF there', () => {
    const closedUnread = (out: Outcome) => pairThen([send(5, 'b'), ok(5)], [main({ op: 'close', fd: 'a' }), ok(0)], [recv(10), out]);
    expect(verdicts(closedUnread(err('ECONNRESET'))).linux).toBe('pass');
    expect(verdicts(closedUnread(ok(0))).linux).toBe('stream.close-unread-resets');
  });
});

describe('stream.shutdown-read', () => {
  const shutRd = main({ op: 'shutdown', fd: 'b', how: 'rd' });
  it('passes the buffered data, then 0 without blocking, after SHUT_RD', () => {
    expect(verdicts(pairThen([send(5), ok(5)], [shutRd, ok(0)], [recv(10), got(1, 5)], [recv(10, { dontwait: false }), ok(0)]))).toEqual(both('pass'));
  });
  it('fails a recv after SHUT_RD that blocks', () => {
    expect(verdicts(pairThen([shutRd, ok(0)], [recv(10, { dontwait: false }), PENDING]))).toEqual(both('stream.shutdown-read'));
  });
});
