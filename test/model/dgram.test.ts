// reference-model/rules/dgram.ts on hand-written traces over datagram sockets: what a send and a
// MSG_DONTWAIT receive may return (message boundaries, truncation, zero-length datagrams, delivery
// order and loss, MSG_PEEK), under each profile.
import { describe, expect, it } from 'vitest';
import type { Step } from '../../spec/scenario.ts';
import type { Detail, Outcome } from '../../spec/trace.ts';
import { both, err, main, ok, PENDING, sent, traceOf, verdicts } from '../support/trace.ts';

const PAIR = main({ op: 'socketpair', a: 'a', b: 'b', nonblock: false, dgram: true });
const send = (size: number, more: Record<string, unknown> = {}): Step => main({ op: 'send', fd: 'a', size, ...more });
const recv = (size = 4096, more: Record<string, unknown> = {}): Step => main({ op: 'recv', fd: 'b', size, waitall: false, dontwait: true, ...more });
/** A receive of bytes [from, to) of step `step`'s datagram (socketpair: the sender is unnamed). */
const dgram = (step: number, size: number, from = 0, to = size, msgFlags: string[] = []): Outcome =>
  ok(to - from, { data: sent(step, size, from, to), detail: { msgFlags, addr: 'unix:' } satisfies Detail });
const EAGAIN = err('EAGAIN');
const pairThen = (...calls: Array<[Step, Outcome]>) => traceOf([[PAIR, ok(0)], ...calls]);

describe('dgram.message-boundaries', () => {
  it('passes one whole datagram per receive', () => {
    expect(verdicts(pairThen([send(5), ok(5)], [send(7), ok(7)], [recv(), dgram(1, 5)], [recv(), dgram(2, 7)]))).toEqual(both('pass'));
  });
  it('fails two datagrams coalesced into one receive, or part of one that fit', () => {
    const both2 = new Uint8Array([...sent(1, 5), ...sent(2, 7)]);
    expect(verdicts(pairThen([send(5), ok(5)], [send(7), ok(7)], [recv(), ok(12, { data: both2, detail: { msgFlags: [], addr: 'unix:' } })]))).toEqual(both('dgram.message-boundaries'));
    expect(verdicts(pairThen([send(5), ok(5)], [recv(), dgram(1, 5, 0, 3)]))).toEqual(both('dgram.message-boundaries'));
  });
  it('fails a nonblocking send or a MSG_DONTWAIT receive that blocks, and a send that sends part', () => {
    expect(verdicts(pairThen([send(5), PENDING]))).toEqual(both('dgram.message-boundaries'));
    expect(verdicts(pairThen([recv(), PENDING]))).toEqual(both('dgram.message-boundaries'));
    expect(verdicts(pairThen([send(5), ok(3)]))).toEqual(both('dgram.message-boundaries'));
  });
});

describe('dgram.truncation', () => {
  it('passes the first bytes of a longer datagram with MSG_TRUNC, the rest discarded', () => {
    expect(verdicts(pairThen([send(10), ok(10)], [recv(4), dgram(1, 10, 0, 4, ['MSG_TRUNC'])], [recv(), EAGAIN]))).toEqual(both('pass'));
  });
  it('fails a truncated datagram without MSG_TRUNC, and MSG_TRUNC on one that fit', () => {
    expect(verdicts(pairThen([send(10), ok(10)], [recv(4), dgram(1, 10, 0, 4)]))).toEqual(both('dgram.truncation'));
    expect(verdicts(pairThen([send(3), ok(3)], [recv(4), dgram(1, 3, 0, 3, ['MSG_TRUNC'])]))).toEqual(both('dgram.truncation'));
  });
  it('fails the rest of a truncated datagram coming back on the next (as short) receive', () => {
    expect(verdicts(pairThen([send(10), ok(10)], [recv(4), dgram(1, 10, 0, 4, ['MSG_TRUNC'])], [recv(4), dgram(1, 10, 4, 8)]))).toEqual(both('dgram.truncation'));
  });
  it('with the MSG_TRUNC flag: linux returns the real length; posix may also refuse the flag', () => {
    const real = ok(10, { data: sent(1, 10, 0, 4), detail: { msgFlags: ['MSG_TRUNC'], addr: 'unix:' } });
    expect(verdicts(pairThen([send(10), ok(10)], [recv(4, { trunc: true }), real]))).toEqual(both('pass'));
    expect(verdicts(pairThen([send(10), ok(10)], [recv(4, { trunc: true }), dgram(1, 10, 0, 4, ['MSG_TRUNC'])]))).toEqual({ posix: 'pass', linux: 'dgram.truncation' });
    expect(verdicts(pairThen([send(10), ok(10)], [recv(4, { trunc: true }), err('EINVAL')]))).toEqual({ posix: 'pass', linux: 'dgram.message-boundaries' });
  });
});

describe('dgram.zero-length', () => {
  it('passes a zero-length datagram sent as 0 and received as 0', () => {
    expect(verdicts(pairThen([send(0), ok(0)], [recv(), dgram(1, 0)]))).toEqual(both('pass'));
  });
  it('fails a zero-length send that fails (the send branch)', () => {
    expect(verdicts(pairThen([send(0), err('EINVAL')]))).toEqual(both('dgram.zero-length'));
  });
  it('fails a receive of 0 when no zero-length datagram was sent: no EOF (the receive branch)', () => {
    expect(verdicts(pairThen([recv(), dgram(0, 0)]))).toEqual(both('dgram.zero-length'));
    expect(verdicts(pairThen([send(5), ok(5)], [main({ op: 'close', fd: 'a' }), ok(0)], [recv(), dgram(1, 5)], [recv(), dgram(0, 0)]))).toEqual(both('dgram.zero-length'));
  });
  it('linux: a zero-length datagram that never arrives (EAGAIN, or not seen at the receiver) breaks it; posix may lose it', () => {
    expect(verdicts(pairThen([send(0), ok(0)], [recv(), EAGAIN]))).toEqual({ posix: 'pass', linux: 'dgram.zero-length' });
    expect(verdicts(pairThen([send(0), ok(0, { detail: { arrival: 'not-seen' } })]))).toEqual({ posix: 'pass', linux: 'dgram.zero-length' });
  });
});

describe('dgram.delivery', () => {
  it('passes datagrams received in order, then EAGAIN', () => {
    expect(verdicts(pairThen([send(3), ok(3)], [send(4), ok(4)], [recv(), dgram(1, 3)], [recv(), dgram(2, 4)], [recv(), EAGAIN]))).toEqual(both('pass'));
  });
  it('linux fails one received out of order, one lost (EAGAIN with one queued), one received twice; posix allows each', () => {
    expect(verdicts(pairThen([send(3), ok(3)], [send(4), ok(4)], [recv(), dgram(2, 4)]))).toEqual({ posix: 'pass', linux: 'dgram.delivery' });
    expect(verdicts(pairThen([send(3), ok(3)], [recv(), EAGAIN]))).toEqual({ posix: 'pass', linux: 'dgram.delivery' });
    expect(verdicts(pairThen([send(3), ok(3)], [recv(), dgram(1, 3)], [recv(), dgram(1, 3)]))).toEqual({ posix: 'pass', linux: 'dgram.delivery' });
  });
  it('linux fails a send that gets EAGAIN while the receiver has room, and one whose datagram never arrives', () => {
    expect(verdicts(pairThen([send(3), EAGAIN]))).toEqual({ posix: 'pass', linux: 'dgram.delivery' });
    expect(verdicts(pairThen([send(3), ok(3, { detail: { arrival: 'not-seen' } })]))).toEqual({ posix: 'pass', linux: 'dgram.delivery' });
  });
});

describe('dgram.peek-does-not-consume', () => {
  it('passes a peek, then the same datagram received', () => {
    expect(verdicts(pairThen([send(5), ok(5)], [recv(4096, { peek: true }), dgram(1, 5)], [recv(), dgram(1, 5)]))).toEqual(both('pass'));
  });
  it('fails EAGAIN, or another datagram, after a peek returned one', () => {
    expect(verdicts(pairThen([send(5), ok(5)], [recv(4096, { peek: true }), dgram(1, 5)], [recv(), EAGAIN]))).toEqual(both('dgram.peek-does-not-consume'));
    expect(verdicts(pairThen([send(5), ok(5)], [send(6), ok(6)], [recv(4096, { peek: true }), dgram(1, 5)], [recv(), dgram(2, 6)]))).toEqual(both('dgram.peek-does-not-consume'));
  });
});
