// reference-model/rules/pipe-read.ts on hand-written traces: what a read of a pipe or FIFO may
// return (data in order, no boundaries, EOF, EAGAIN, blocking), when a blocked reader must wake, and
// the FIFO facts a read shows (EOF only after every writer, data never in the file, a recreated
// FIFO's data its own).
import { describe, expect, it } from 'vitest';
import type { Step } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { both, by, err, got, main, ok, PENDING, sent, TraceBuilder, traceOf, verdicts } from '../support/trace.ts';

const PIPE = main({ op: 'make-pipe', variant: 'pipe', read: 'r0', write: 'w0' });
const NB_PIPE = main({ op: 'make-pipe', variant: 'pipe2-nonblock', read: 'r0', write: 'w0' });
const write = (size: number, fd = 'w0'): Step => by('W', { op: 'write', fd, size });
const read = (size: number, fd = 'r0'): Step => by('R', { op: 'read', fd, size });
const close = (fd: string): Step => by('W', { op: 'close', fd });
const EAGAIN = err('EAGAIN');
const pipeThen = (...calls: Array<[Step, Outcome]>) => traceOf([[PIPE, ok(0)], ...calls]);

describe('pipe.zero-length-io (read)', () => {
  it('passes a zero-length read that returns 0 at once', () => expect(verdicts(pipeThen([read(0), ok(0)]))).toEqual(both('pass')));
  it('fails one that blocks or fails', () => {
    expect(verdicts(pipeThen([read(0), PENDING]))).toEqual(both('pipe.zero-length-io'));
    expect(verdicts(pipeThen([read(0), EAGAIN]))).toEqual(both('pipe.zero-length-io'));
  });
});

describe('pipe.order-and-content', () => {
  it('passes the written bytes read back in order', () => expect(verdicts(pipeThen([write(5), ok(5)], [read(5), got(1, 5)]))).toEqual(both('pass')));
  it('fails other bytes, or a blocking read that fails with data buffered', () => {
    expect(verdicts(pipeThen([write(5), ok(5)], [read(5), ok(5, { data: sent(9, 5) })]))).toEqual(both('pipe.order-and-content'));
    expect(verdicts(pipeThen([write(5), ok(5)], [read(5), err('EIO')]))).toEqual(both('pipe.order-and-content'));
  });
});

describe('pipe.no-message-boundaries', () => {
  it('passes two writes read back by one read', () => {
    const both10 = ok(10, { data: new Uint8Array([...sent(1, 5), ...sent(2, 5)]) });
    expect(verdicts(pipeThen([write(5), ok(5)], [write(5), ok(5)], [read(10), both10]))).toEqual(both('pass'));
  });
  it('fails a read that stops at a write boundary although more was buffered', () => {
    expect(verdicts(pipeThen([write(5), ok(5)], [write(5), ok(5)], [read(10), got(1, 5)]))).toEqual(both('pipe.no-message-boundaries'));
  });
});

describe('pipe.read-blocks-while-writer-open', () => {
  it('passes a blocking read of an empty pipe that blocks, and returns once data is written', () => {
    const t = new TraceBuilder().call(PIPE, ok(0)).call(read(5), PENDING).call(write(5), ok(5), [[1, got(2, 5)]]).build();
    expect(verdicts(t)).toEqual(both('pass'));
  });
  it('fails a read that blocks with data buffered, or returns at once from an empty pipe with a writer', () => {
    expect(verdicts(pipeThen([write(5), ok(5)], [read(5), PENDING]))).toEqual(both('pipe.read-blocks-while-writer-open'));
    expect(verdicts(pipeThen([read(5), ok(0)]))).toEqual(both('pipe.read-blocks-while-writer-open'));
  });
  it('fails a blocked reader still asleep after data was written', () => {
    const t = new TraceBuilder().call(PIPE, ok(0)).call(read(5), PENDING).call(write(5), ok(5)).build();
    expect(verdicts(t)).toEqual(both('pipe.read-blocks-while-writer-open'));
  });
});

describe('pipe.eof-after-last-writer', () => {
  it('passes data, then 0 once the last writer closed', () => {
    expect(verdicts(pipeThen([write(5), ok(5)], [close('w0'), ok(0)], [read(10), got(1, 5)], [read(10), ok(0)]))).toEqual(both('pass'));
  });
  it('fails a read with no writer that blocks or fails, and EOF before the buffered data', () => {
    expect(verdicts(pipeThen([close('w0'), ok(0)], [read(5), PENDING]))).toEqual(both('pipe.eof-after-last-writer'));
    expect(verdicts(pipeThen([close('w0'), ok(0)], [read(5), EAGAIN]))).toEqual(both('pipe.eof-after-last-writer'));
    expect(verdicts(pipeThen([write(5), ok(5)], [close('w0'), ok(0)], [read(5), ok(0)]))).toEqual(both('pipe.eof-after-last-writer'));
  });
});

describe('pipe.nonblocking-read-eagain', () => {
  const nb = (...calls: Array<[Step, Outcome]>) => traceOf([[NB_PIPE, ok(0)], ...calls]);
  it('passes EAGAIN from an empty nonblocking pipe with a writer', () => expect(verdicts(nb([read(5), EAGAIN]))).toEqual(both('pass')));
  it('fails one that blocks, returns 0, or fails with data buffered', () => {
    expect(verdicts(nb([read(5), PENDING]))).toEqual(both('pipe.nonblocking-read-eagain'));
    expect(verdicts(nb([read(5), ok(0)]))).toEqual(both('pipe.nonblocking-read-eagain'));
    expect(verdicts(nb([write(5), ok(5)], [read(5), EAGAIN]))).toEqual(both('pipe.nonblocking-read-eagain'));
  });
});

describe('pipe.last-writer-close-wakes-readers', () => {
  it('passes a blocked reader woken with 0 when the last writer closes', () => {
    const t = new TraceBuilder().call(PIPE, ok(0)).call(read(5), PENDING).call(close('w0'), ok(0), [[1, ok(0)]]).build();
    expect(verdicts(t)).toEqual(both('pass'));
  });
  it('fails a blocked reader left asleep after the last writer closed, or woken with 0 while a writer is open', () => {
    expect(verdicts(new TraceBuilder().call(PIPE, ok(0)).call(read(5), PENDING).call(close('w0'), ok(0)).build())).toEqual(both('pipe.last-writer-close-wakes-readers'));
    const dup = main({ op: 'dup', fd: 'w0', as: 'w1' });
    expect(verdicts(new TraceBuilder().call(PIPE, ok(0)).call(dup, ok(0)).call(read(5), PENDING).call(close('w0'), ok(0), [[2, ok(0)]]).build())).toEqual(both('pipe.last-writer-close-wakes-readers'));
  });
});

describe('FIFO facts a read shows', () => {
  const mkfifo = main({ op: 'mkfifo', path: 'f0' });
  const open = (as: string, mode: 'read' | 'write', actor = 'main'): Step => by(actor, { op: 'open', path: 'f0', as, mode, nonblock: mode === 'read' });
  const fifo: Array<[Step, Outcome]> = [[mkfifo, ok(0)], [open('fr', 'read'), ok(0)], [open('fw1', 'write'), ok(0)], [open('fw2', 'write'), ok(0)]];

  it('fifo.eof-after-all-writers: passes EOF once both writers closed, fails it while one is open', () => {
    expect(verdicts(traceOf([...fifo, [close('fw1'), ok(0)], [close('fw2'), ok(0)], [read(5, 'fr'), ok(0)]]))).toEqual(both('pass'));
    expect(verdicts(traceOf([...fifo, [close('fw1'), ok(0)], [read(5, 'fr'), ok(0)]]))).toEqual(both('fifo.eof-after-all-writers'));
  });

  it('fifo.data-not-in-file: passes nothing back after every end closed, fails the discarded bytes read again', () => {
    const reopen: Array<[Step, Outcome]> = [[mkfifo, ok(0)], [open('fr', 'read'), ok(0)], [open('fw', 'write'), ok(0)], [write(6, 'fw'), ok(6)], [close('fw'), ok(0)], [close('fr'), ok(0)], [open('fr2', 'read'), ok(0)], [open('fw2', 'write'), ok(0)]];
    expect(verdicts(traceOf([...reopen, [read(6, 'fr2'), EAGAIN]]))).toEqual(both('pass'));
    expect(verdicts(traceOf([...reopen, [read(6, 'fr2'), got(3, 6)]]))).toEqual(both('fifo.data-not-in-file'));
  });

  it("fifo.recreate-is-independent: fails a new FIFO at the path that reads the old one's data", () => {
    const old: Array<[Step, Outcome]> = [[mkfifo, ok(0)], [open('fr', 'read'), ok(0)], [open('fw', 'write'), ok(0)], [write(6, 'fw'), ok(6)], [main({ op: 'unlink', path: 'f0' }), ok(0)], [mkfifo, ok(0)], [open('gr', 'read'), ok(0)], [open('gw', 'write'), ok(0)]];
    expect(verdicts(traceOf([...old, [read(6, 'gr'), EAGAIN], [read(6, 'fr'), got(3, 6)]]))).toEqual(both('pass'));
    expect(verdicts(traceOf([...old, [read(6, 'gr'), got(3, 6)]]))).toEqual(both('fifo.recreate-is-independent'));
  });
});

describe('a read reported pending while data is buffered, settled or not', () => {
  // On a target that cannot prove a call asleep, pending means only "not returned yet": its completion is what is judged.
  const pendingRead = (settled: boolean, completion: number) =>
    new TraceBuilder({ settled }).call(PIPE, ok(0)).call(write(3), ok(3)).call(read(3), PENDING).call(close('w0'), ok(0), [[2, got(1, 3, 0, completion)]]).build();
  it('unsettled: passes it when it completes with the data, fails it when it completes with less', () => {
    expect(verdicts(pendingRead(false, 3))).toEqual(both('pass'));
    expect(verdicts(pendingRead(false, 0))).toEqual(both('pipe.eof-after-last-writer'));
  });
  it('settled: fails the same pending read (it was asleep with data buffered)', () => {
    expect(verdicts(pendingRead(true, 3))).toEqual(both('pipe.read-blocks-while-writer-open'));
  });
});
