// reference-model/rules/connect.ts on hand-written traces: what the address alone gives (ENOENT,
// ECONNREFUSED), EISCONN on a connected socket, the listen queue (linux: backlog + 1 connections,
// then EAGAIN for a nonblocking AF_UNIX connect and sleep for a blocking one), and accept (a
// connected socket, the listener keeps listening, the names agree).
import { describe, expect, it } from 'vitest';
import type { Step } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { both, by, err, main, ok, PENDING, traceOf, verdicts } from '../support/trace.ts';

const named = (addr: string): Outcome => ok(0, { detail: { addr } });
const unix = (as: string, nonblock = false): Step => main({ op: 'socket', family: 'unix', as, nonblock });
const connect = (fd: string, to: Record<string, unknown> = { of: 'l' }, actor = 'main'): Step => by(actor, { op: 'connect', fd, to });
/** An AF_UNIX listener at l0 with backlog 0 (linux: holds one connection). */
const listener: Array<[Step, Outcome]> = [[unix('l'), ok(0)], [main({ op: 'bind', fd: 'l', addr: { path: 'l0' } }), named('unix:l0')], [main({ op: 'listen', fd: 'l', backlog: 0 }), ok(0)]];
const accept = (as: string): Step => main({ op: 'accept', fd: 'l', as });

describe('connect.unix-missing-path-enoent', () => {
  const missing = (out: Outcome) => traceOf([[unix('c'), ok(0)], [connect('c', { path: 'nowhere' }), out]]);
  it('passes ENOENT, and fails a connect to a missing path that succeeds or is refused', () => {
    expect(verdicts(missing(err('ENOENT')))).toEqual(both('pass'));
    expect(verdicts(missing(err('ECONNREFUSED')))).toEqual(both('connect.unix-missing-path-enoent'));
  });
});

describe('connect.unix-not-listening-econnrefused', () => {
  const bound = (out: Outcome) => traceOf([[unix('l'), ok(0)], [main({ op: 'bind', fd: 'l', addr: { path: 'l0' } }), named('unix:l0')], [unix('c'), ok(0)], [connect('c'), out]]);
  it('passes ECONNREFUSED from a bound socket that does not listen, and fails a connect that succeeds', () => {
    expect(verdicts(bound(err('ECONNREFUSED')))).toEqual(both('pass'));
    expect(verdicts(bound(named('unix:')))).toEqual(both('connect.unix-not-listening-econnrefused'));
  });
});

describe('connect.tcp-no-listener-econnrefused', () => {
  const tcp = (out: Outcome) => traceOf([[main({ op: 'socket', family: 'inet', as: 'l', nonblock: false }), ok(0)], [main({ op: 'bind', fd: 'l', addr: { port: 0 } }), named('127.0.0.1:40000')], [main({ op: 'socket', family: 'inet', as: 'c', nonblock: false }), ok(0)], [connect('c'), out]]);
  it('passes ECONNREFUSED where nothing listens, and fails a connect there that succeeds', () => {
    expect(verdicts(tcp(err('ECONNREFUSED')))).toEqual(both('pass'));
    expect(verdicts(tcp(named('127.0.0.1:40001')))).toEqual(both('connect.tcp-no-listener-econnrefused'));
  });
});

describe('connect.already-connected-eisconn', () => {
  const pair = main({ op: 'socketpair', a: 'a', b: 'b', nonblock: false });
  const again = (out: Outcome) => traceOf([...listener, [pair, ok(0)], [connect('a'), out]]);
  it('passes EISCONN, and fails a second connect that succeeds', () => {
    expect(verdicts(again(err('EISCONN')))).toEqual(both('pass'));
    expect(verdicts(again(named('unix:')))).toEqual(both('connect.already-connected-eisconn'));
  });
});

describe('listen.backlog-overflow and listen.full-queue-blocks-unix', () => {
  const first: Array<[Step, Outcome]> = [...listener, [unix('c1', true), ok(0)], [connect('c1'), named('unix:')]];
  it('passes the first connection queued, then (linux) EAGAIN for a nonblocking AF_UNIX connect to the full queue', () => {
    expect(verdicts(traceOf([...first, [unix('c2', true), ok(0)], [connect('c2'), err('EAGAIN')]]))).toEqual(both('pass'));
  });
  it('linux fails a nonblocking connect to the full queue that succeeds (posix: the queue length is unspecified)', () => {
    expect(verdicts(traceOf([...first, [unix('c2', true), ok(0)], [connect('c2'), named('unix:')]]))).toEqual({ posix: 'pass', linux: 'listen.backlog-overflow' });
  });
  it('linux fails a nonblocking connect refused while the queue surely has room (posix promises no room)', () => {
    expect(verdicts(traceOf([...listener, [unix('c1', true), ok(0)], [connect('c1'), err('EAGAIN')]]))).toEqual({ posix: 'pass', linux: 'listen.backlog-overflow' });
  });
  it('linux fails a blocking AF_UNIX connect to the full queue that returns at once; one that blocks passes', () => {
    expect(verdicts(traceOf([...first, [unix('c2'), ok(0)], [connect('c2', { of: 'l' }, 'C'), named('unix:')]]))).toEqual({ posix: 'pass', linux: 'listen.full-queue-blocks-unix' });
    expect(verdicts(traceOf([...first, [unix('c2'), ok(0)], [connect('c2', { of: 'l' }, 'C'), PENDING]]))).toEqual(both('pass'));
  });
});

describe('stream.accept-keeps-listening and stream.names-agree (accept)', () => {
  const queued: Array<[Step, Outcome]> = [...listener, [unix('c1', true), ok(0)], [connect('c1'), named('unix:')]];
  it('passes accept of a pending connection, then a connect and accept again', () => {
    expect(verdicts(traceOf([...queued, [accept('s1'), named('unix:')], [unix('c2', true), ok(0)], [connect('c2'), named('unix:')], [accept('s2'), named('unix:')]]))).toEqual(both('pass'));
  });
  it('fails an accept of a pending connection that fails', () => expect(verdicts(traceOf([...queued, [accept('s1'), err('EAGAIN')]]))).toEqual(both('stream.accept-keeps-listening')));
  it('linux fails a connect refused after an accept emptied the queue (posix promises no room)', () => {
    expect(verdicts(traceOf([...queued, [accept('s1'), named('unix:')], [unix('c2', true), ok(0)], [connect('c2'), err('EAGAIN')]]))).toEqual({ posix: 'pass', linux: 'stream.accept-keeps-listening' });
  });
  it("fails accept reporting another peer name than the connecting socket's", () => {
    expect(verdicts(traceOf([...queued, [accept('s1'), named('unix:elsewhere')]]))).toEqual(both('stream.names-agree'));
  });
});
