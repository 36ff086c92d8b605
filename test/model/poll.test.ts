// reference-model/rules/poll.ts on hand-written traces: revents agree with the buffer and the open
// ends, a closed descriptor reads as POLLNVAL, and (linux) a FIFO reader that never saw a writer
// gets no POLLHUP.
import { describe, expect, it } from 'vitest';
import type { Step } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { both, main, ok, traceOf, verdicts } from '../support/trace.ts';

const PIPE = main({ op: 'make-pipe', variant: 'pipe', read: 'r0', write: 'w0' });
const poll = (fd: string): Step => main({ op: 'poll', fd });
const revents = (...bits: string[]): Outcome => ok(bits.length ? 1 : 0, { detail: { revents: bits } });
const pipeThen = (...calls: Array<[Step, Outcome]>) => traceOf([[PIPE, ok(0)], ...calls]);

describe('pipe.poll-readiness', () => {
  it('passes no POLLIN on an empty pipe, POLLIN once data is written, POLLOUT on the write end', () => {
    expect(verdicts(pipeThen([poll('r0'), revents()], [main({ op: 'write', fd: 'w0', size: 5 }), ok(5)], [poll('r0'), revents('POLLIN')], [poll('w0'), revents('POLLOUT')]))).toEqual(both('pass'));
  });
  it('fails POLLIN on an empty pipe with a writer, and no POLLIN with data buffered', () => {
    expect(verdicts(pipeThen([poll('r0'), revents('POLLIN')]))).toEqual(both('pipe.poll-readiness'));
    expect(verdicts(pipeThen([main({ op: 'write', fd: 'w0', size: 5 }), ok(5)], [poll('r0'), revents()]))).toEqual(both('pipe.poll-readiness'));
  });
  it('fails no POLLHUP on the read end once the last writer closed', () => {
    expect(verdicts(pipeThen([main({ op: 'close', fd: 'w0' }), ok(0)], [poll('r0'), revents('POLLHUP')]))).toEqual(both('pass'));
    expect(verdicts(pipeThen([main({ op: 'close', fd: 'w0' }), ok(0)], [poll('r0'), revents()]))).toEqual(both('pipe.poll-readiness'));
  });
});

describe('pipe.closed-fd-ebadf (poll)', () => {
  it('passes POLLNVAL for a closed descriptor, and fails revents 0 there', () => {
    expect(verdicts(pipeThen([main({ op: 'close', fd: 'r0' }), ok(0)], [poll('r0'), revents('POLLNVAL')]))).toEqual(both('pass'));
    expect(verdicts(pipeThen([main({ op: 'close', fd: 'r0' }), ok(0)], [poll('r0'), revents()]))).toEqual(both('pipe.closed-fd-ebadf'));
  });
});

describe('fifo.read-before-any-writer (poll)', () => {
  const fifoReader: Array<[Step, Outcome]> = [[main({ op: 'mkfifo', path: 'f0' }), ok(0)], [main({ op: 'open', path: 'f0', as: 'fr', mode: 'read', nonblock: true }), ok(0)]];
  it('linux: no POLLHUP for a reader that never saw a writer, POLLHUP there breaks it; posix allows either', () => {
    expect(verdicts(traceOf([...fifoReader, [poll('fr'), revents()]]))).toEqual(both('pass'));
    expect(verdicts(traceOf([...fifoReader, [poll('fr'), revents('POLLHUP')]]))).toEqual({ posix: 'pass', linux: 'fifo.read-before-any-writer' });
  });
});
