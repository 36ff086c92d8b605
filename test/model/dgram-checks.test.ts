// reference-model/rules/dgram-checks.ts on hand-written UDP and AF_UNIX datagram traces: the
// ECONNREFUSED a refused datagram leaves for a connected sender, the size limit (EMSGSIZE), and the
// source address a receive reports. (Moved from test/conformance/dgram-data.test.ts.)
import { describe, expect, it } from 'vitest';
import type { Step } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { both, err, main, ok, sent, traceOf, verdicts } from '../support/trace.ts';

const B = '127.0.0.1:40000';
const A = '127.0.0.1:40001';
const named = (addr: string): Outcome => ok(0, { detail: { addr } });
const recv = (fd: string, peek = false): Step => main({ op: 'recv', fd, size: 4096, waitall: false, dontwait: true, ...(peek ? { peek: true } : {}) });
const from = (step: number, size: number, addr: string): Outcome => ok(size, { data: sent(step, size), detail: { msgFlags: [], addr } });
const udpPair: Array<[Step, Outcome]> = [
  [main({ op: 'socket', family: 'inet', as: 'b', nonblock: false, dgram: true }), ok(0)],
  [main({ op: 'bind', fd: 'b', addr: { port: 0 } }), named(B)],
  [main({ op: 'socket', family: 'inet', as: 'a', nonblock: false, dgram: true }), ok(0)],
  [main({ op: 'connect', fd: 'a', to: { of: 'b' } }), named(A)],
];
const pairThen = (...calls: Array<[Step, Outcome]>) => traceOf([...udpPair, ...calls]);

describe('dgram.connected-udp-refused', () => {
  const refusedThen = (third: Outcome, fourth: Outcome) => pairThen([main({ op: 'close', fd: 'b' }), ok(0)], [main({ op: 'send', fd: 'a', size: 1 }), ok(1)], [recv('a'), third], [recv('a'), fourth]);
  it("requires (linux) or allows (posix) the refusal on the connected sender's next call, once", () => {
    expect(verdicts(refusedThen(err('ECONNREFUSED'), err('EAGAIN')))).toEqual(both('pass'));
    expect(verdicts(refusedThen(err('EAGAIN'), err('EAGAIN')))).toEqual({ posix: 'pass', linux: 'dgram.connected-udp-refused' });
    expect(verdicts(refusedThen(err('ECONNREFUSED'), err('ECONNREFUSED')))).toEqual(both('dgram.connected-udp-refused'));
  });

  it('linux fails a refused datagram whose port unreachable was never seen at the connected sender', () => {
    const unseen = pairThen([main({ op: 'close', fd: 'b' }), ok(0)], [main({ op: 'send', fd: 'a', size: 1 }), ok(1, { detail: { arrival: 'not-seen' } })]);
    expect(verdicts(unseen)).toEqual({ posix: 'pass', linux: 'dgram.connected-udp-refused' });
  });

  it('tells an unconnected sender nothing on linux, and never reports a refusal that did not happen', () => {
    const steps: Array<[Step, Outcome]> = [
      udpPair[0], udpPair[1],
      [main({ op: 'socket', family: 'inet', as: 'c', nonblock: false, dgram: true }), ok(0)],
      [main({ op: 'send', fd: 'c', size: 3, to: { of: 'b' } }), ok(3)],
    ];
    const then = (a: Outcome, b: Outcome) => traceOf([...steps, [recv('c'), a], [main({ op: 'close', fd: 'b' }), ok(0)], [main({ op: 'send', fd: 'c', size: 1, to: { of: 'b' } }), ok(1)], [recv('c'), b]]);
    expect(verdicts(then(err('EAGAIN'), err('EAGAIN')))).toEqual(both('pass'));
    expect(verdicts(then(err('EAGAIN'), err('ECONNREFUSED')))).toEqual({ posix: 'pass', linux: 'dgram.connected-udp-refused' });
    expect(verdicts(then(err('ECONNREFUSED'), err('EAGAIN')))).toEqual(both('dgram.connected-udp-refused'));
  });
});

describe('dgram.size-limit-emsgsize', () => {
  const sized = (size: number, out: Outcome) => pairThen([main({ op: 'send', fd: 'a', size }), out]);
  it('passes EMSGSIZE above 65507 bytes (UDP over IPv4), and a send of exactly the limit (linux)', () => {
    expect(verdicts(sized(65508, err('EMSGSIZE')))).toEqual(both('pass'));
    expect(verdicts(sized(65507, ok(65507)))).toEqual(both('pass'));
  });
  it('fails a send above the limit that succeeds (both), and EMSGSIZE at the limit (linux takes every one up to it)', () => {
    expect(verdicts(sized(65508, ok(65508)))).toEqual(both('dgram.size-limit-emsgsize'));
    expect(verdicts(sized(65507, err('EMSGSIZE')))).toEqual({ posix: 'pass', linux: 'dgram.size-limit-emsgsize' });
  });
});

describe('dgram.source-address', () => {
  const pair = main({ op: 'socketpair', a: 'a', b: 'b', nonblock: false, dgram: true });
  it("passes the sender's address: the UDP peer's port, no name for a socketpair end", () => {
    expect(verdicts(pairThen([main({ op: 'send', fd: 'a', size: 5 }), ok(5)], [recv('b'), from(4, 5, A)]))).toEqual(both('pass'));
    expect(verdicts(traceOf([[pair, ok(0)], [main({ op: 'send', fd: 'a', size: 5 }), ok(5)], [recv('b'), from(1, 5, 'unix:')]]))).toEqual(both('pass'));
  });
  it('fails another address than the sender has', () => {
    expect(verdicts(pairThen([main({ op: 'send', fd: 'a', size: 5 }), ok(5)], [recv('b'), from(4, 5, '127.0.0.1:50000')]))).toEqual(both('dgram.source-address'));
    expect(verdicts(traceOf([[pair, ok(0)], [main({ op: 'send', fd: 'a', size: 5 }), ok(5)], [recv('b', true), from(1, 5, 'unix:elsewhere')]]))).toEqual(both('dgram.source-address'));
  });
});
