// reference-model/rules/pipe-write.ts on hand-written traces: what a write may return (all of a
// small one or nothing, part of a large one, EPIPE with no reader), when it must block, and when a
// blocked writer must wake. Linux counts capacity exactly (16 page slots); posix knows only PIPE_BUF.
import { describe, expect, it } from 'vitest';
import type { Step } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { both, by, err, got, main, ok, PENDING, profile, TraceBuilder, traceOf, verdicts } from '../support/trace.ts';

const PIPE = main({ op: 'make-pipe', variant: 'pipe', read: 'r0', write: 'w0' });
const NB_PIPE = main({ op: 'make-pipe', variant: 'pipe2-nonblock', read: 'r0', write: 'w0' });
const write = (size: number): Step => by('W', { op: 'write', fd: 'w0', size });
const read = (size: number): Step => by('R', { op: 'read', fd: 'r0', size });
const EAGAIN = err('EAGAIN');
const PAGE = 4096;
const CAPACITY = 16 * PAGE;
const BIG = CAPACITY + PAGE; // one page more than a linux pipe holds
/** A nonblocking pipe filled with 16 one-page writes (steps 1..16): full under linux. */
const full = (): Array<[Step, Outcome]> => [[NB_PIPE, ok(0)], ...Array.from({ length: 16 }, (): [Step, Outcome] => [write(PAGE), ok(PAGE)])];

describe('pipe.zero-length-io (write)', () => {
  it('passes a zero-length write that returns 0', () => expect(verdicts(traceOf([[PIPE, ok(0)], [write(0), ok(0)]]))).toEqual(both('pass')));
  it('fails one that fails with a reader open; with no reader, linux says 0 and posix allows EPIPE too', () => {
    expect(verdicts(traceOf([[PIPE, ok(0)], [write(0), EAGAIN]]))).toEqual(both('pipe.zero-length-io'));
    const none = traceOf([[PIPE, ok(0)], [by('R', { op: 'close', fd: 'r0' }), ok(0)], [write(0), err('EPIPE')]]);
    expect(verdicts(none)).toEqual({ posix: profile('posix').zeroLengthWriteNoReader.includes('EPIPE') ? 'pass' : 'pipe.zero-length-io', linux: 'pipe.zero-length-io' });
  });
});

describe('pipe.epipe-when-no-reader', () => {
  const noReader = (out: Outcome) => traceOf([[PIPE, ok(0)], [by('R', { op: 'close', fd: 'r0' }), ok(0)], [write(5), out]]);
  it('passes EPIPE from a write with no reader', () => expect(verdicts(noReader(err('EPIPE')))).toEqual(both('pass')));
  it('fails a write with no reader that succeeds', () => expect(verdicts(noReader(ok(5)))).toEqual(both('pipe.epipe-when-no-reader')));
  it('fails a blocked writer left asleep after the last reader closed', () => {
    const t = new TraceBuilder().call(PIPE, ok(0)).call(write(BIG), PENDING).call(by('R', { op: 'close', fd: 'r0' }), ok(0)).build();
    expect(verdicts(t)).toEqual(both('pipe.epipe-when-no-reader'));
  });
});

describe('pipe.order-and-content (a small blocking write)', () => {
  it('passes a small blocking write that returns its size', () => expect(verdicts(traceOf([[PIPE, ok(0)], [write(5), ok(5)]]))).toEqual(both('pass')));
  it('fails one that returns less', () => expect(verdicts(traceOf([[PIPE, ok(0)], [write(5), ok(3)]]))).toEqual(both('pipe.order-and-content')));
});

describe('pipe.nonblocking-small-write-all-or-nothing', () => {
  it('passes all of it, or EAGAIN into a full pipe', () => {
    expect(verdicts(traceOf([[NB_PIPE, ok(0)], [write(100), ok(100)]]))).toEqual(both('pass'));
    expect(verdicts(traceOf([...full(), [write(100), EAGAIN]]))).toEqual(both('pass'));
  });
  it('fails part of it, and EAGAIN into an empty pipe', () => {
    expect(verdicts(traceOf([...full(), [write(100), ok(50)]]))).toEqual(both('pipe.nonblocking-small-write-all-or-nothing'));
    expect(verdicts(traceOf([[NB_PIPE, ok(0)], [write(100), EAGAIN]]))).toEqual(both('pipe.nonblocking-small-write-all-or-nothing'));
  });
});

describe('pipe.nonblocking-write-when-full', () => {
  it('passes EAGAIN for a large nonblocking write into a full pipe', () => expect(verdicts(traceOf([...full(), [write(2 * PAGE), EAGAIN]]))).toEqual(both('pass')));
  it('linux fails one that writes into a full pipe (posix does not know it is full)', () => {
    expect(verdicts(traceOf([...full(), [write(2 * PAGE), ok(2 * PAGE)]]))).toEqual({ posix: 'pass', linux: 'pipe.nonblocking-write-when-full' });
  });
  it('linux fails a large nonblocking write into an empty pipe that writes other than what fits', () => {
    expect(verdicts(traceOf([[NB_PIPE, ok(0)], [write(BIG), ok(CAPACITY)]]))).toEqual(both('pass'));
    expect(verdicts(traceOf([[NB_PIPE, ok(0)], [write(BIG), ok(PAGE)]]))).toEqual({ posix: 'pass', linux: 'pipe.nonblocking-write-when-full' });
  });
});

describe('pipe.large-write-may-split', () => {
  it('fails EAGAIN for a large nonblocking write into an empty pipe (part of it fits)', () => {
    expect(verdicts(traceOf([[NB_PIPE, ok(0)], [write(BIG), EAGAIN]]))).toEqual(both('pipe.large-write-may-split'));
  });
  it('fails a large blocking write that returns part without blocking (posix: a blocking write returns nbyte)', () => {
    expect(verdicts(traceOf([[PIPE, ok(0)], [write(BIG), ok(PAGE)]]))).toEqual({ posix: 'pipe.large-write-may-split', linux: 'pipe.full-pipe-blocks-writer' });
  });
});

describe('pipe.full-pipe-blocks-writer', () => {
  it('passes a blocking write larger than the pipe that blocks', () => expect(verdicts(traceOf([[PIPE, ok(0)], [write(BIG), PENDING]]))).toEqual(both('pass')));
  it('fails a small write into an empty pipe that blocks', () => expect(verdicts(traceOf([[PIPE, ok(0)], [write(5), PENDING]]))).toEqual(both('pipe.full-pipe-blocks-writer')));
  it('linux fails a blocking write larger than the pipe that returns at once, nobody reading', () => {
    expect(verdicts(traceOf([[PIPE, ok(0)], [write(BIG), ok(BIG)]]))).toEqual({ posix: 'pass', linux: 'pipe.full-pipe-blocks-writer' });
  });
});

describe('pipe.read-wakes-blocked-writer', () => {
  it('passes a blocked writer woken by a read that makes room for the rest', () => {
    const t = new TraceBuilder().call(PIPE, ok(0)).call(write(BIG), PENDING).call(read(CAPACITY), got(1, BIG, 0, CAPACITY), [[1, ok(BIG)]]).build();
    expect(verdicts(t)).toEqual(both('pass'));
  });
  it('linux fails a blocked writer left asleep although the rest fitted', () => {
    const t = new TraceBuilder().call(PIPE, ok(0)).call(write(BIG), PENDING).call(read(CAPACITY), got(1, BIG, 0, CAPACITY)).build();
    expect(verdicts(t)).toEqual({ posix: 'pass', linux: 'pipe.read-wakes-blocked-writer' });
  });
  it('fails a woken writer that returns less than it was asked', () => {
    const t = new TraceBuilder().call(PIPE, ok(0)).call(write(BIG), PENDING).call(read(CAPACITY), got(1, BIG, 0, CAPACITY), [[1, ok(CAPACITY)]]).build();
    expect(verdicts(t)).toEqual(both('pipe.large-write-may-split'));
  });
});
