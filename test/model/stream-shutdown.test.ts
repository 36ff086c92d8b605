// reference-model/rules/stream-shutdown.ts and the shutdown rule of socket.ts on hand-written
// AF_UNIX traces: what a send gets once the peer shut its read half (linux AF_UNIX: EPIPE) or both
// halves (a closed peer), and what shutdown itself returns.
import { describe, expect, it } from 'vitest';
import type { Step } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { both, err, main, ok, traceOf, verdicts } from '../support/trace.ts';

const PAIR = main({ op: 'socketpair', a: 'a', b: 'b', nonblock: false });
const shutdown = (fd: string, how: 'wr' | 'rd' | 'rdwr'): Step => main({ op: 'shutdown', fd, how });
const send = (size: number): Step => main({ op: 'send', fd: 'a', size });
const pairThen = (...calls: Array<[Step, Outcome]>) => traceOf([[PAIR, ok(0)], ...calls]);

describe('stream.shutdown-read (the peer sends)', () => {
  it('linux passes EPIPE for a send to an AF_UNIX peer that shut its read half, and fails a send it accepts', () => {
    expect(verdicts(pairThen([shutdown('b', 'rd'), ok(0)], [send(4), err('EPIPE')])).linux).toBe('pass');
    expect(verdicts(pairThen([shutdown('b', 'rd'), ok(0)], [send(4), ok(4)])).linux).toBe('stream.shutdown-read');
  });
  it('fails SHUT_RD that fails', () => expect(verdicts(pairThen([shutdown('b', 'rd'), err('EINVAL')]))).toEqual(both('stream.shutdown-read')));
});

describe('stream.shutdown-both', () => {
  it('linux passes EPIPE for a send to a peer that shut both halves, and fails a send it accepts', () => {
    expect(verdicts(pairThen([shutdown('b', 'rdwr'), ok(0)], [send(4), err('EPIPE')])).linux).toBe('pass');
    expect(verdicts(pairThen([shutdown('b', 'rdwr'), ok(0)], [send(4), ok(4)])).linux).toBe('stream.shutdown-both');
  });
  it('fails SHUT_RDWR that fails', () => expect(verdicts(pairThen([shutdown('b', 'rdwr'), err('EINVAL')]))).toEqual(both('stream.shutdown-both')));
});

describe('stream.shutdown-write-half-close (shutdown itself)', () => {
  it('passes SHUT_WR returning 0; fails one that fails, or whose FIN the peer never saw', () => {
    expect(verdicts(pairThen([shutdown('a', 'wr'), ok(0)]))).toEqual(both('pass'));
    expect(verdicts(pairThen([shutdown('a', 'wr'), err('EINVAL')]))).toEqual(both('stream.shutdown-write-half-close'));
    expect(verdicts(pairThen([shutdown('a', 'wr'), ok(0, { detail: { arrival: 'not-seen' } })]))).toEqual(both('stream.shutdown-write-half-close'));
  });
});

describe('stream.eof-after-peer-close and stream.close-unread-resets (close itself)', () => {
  it('fails a close whose FIN (or, with data unread, reset) the open peer never saw', () => {
    const unseen = ok(0, { detail: { arrival: 'not-seen' } });
    expect(verdicts(pairThen([main({ op: 'close', fd: 'a' }), ok(0)]))).toEqual(both('pass'));
    expect(verdicts(pairThen([main({ op: 'close', fd: 'a' }), unseen]))).toEqual(both('stream.eof-after-peer-close'));
    expect(verdicts(pairThen([main({ op: 'send', fd: 'b', size: 3 }), ok(3)], [main({ op: 'close', fd: 'a' }), unseen]))).toEqual(both('stream.close-unread-resets'));
  });
});
