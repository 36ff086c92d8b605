// reference-model/rules/children.ts on hand-written traces: a child that inherits a pipe end writes
// through it and exits (or blocks while its data does not fit), dies of SIGPIPE (or sees EPIPE) with
// no reader; a child draining the read end gets every byte and exits at EOF; prog1 | prog2 keeps
// order and ends at EOF, and an early exit of prog2 kills prog1 by SIGPIPE.
import { describe, expect, it } from 'vitest';
import { producerBytes } from '../../spec/payload.ts';
import type { Step } from '../../spec/scenario.ts';
import type { Detail, Outcome } from '../../spec/trace.ts';
import { both, by, main, ok, PENDING, sent, TraceBuilder, traceOf, verdicts } from '../support/trace.ts';

const PIPE = main({ op: 'make-pipe', variant: 'pipe', read: 'r0', write: 'w0' });
const exited = (code: number | null, signal: string | null = null, more: Detail = {}): Outcome => ok(0, { detail: { exit: { code, signal }, ...more } });
const childWrite = (size: number, sigpipe: 'default' | 'ignore' = 'default'): Step => by('C', { op: 'child-write', fd: 'w0', size, sigpipe });
const closeReader: Step = main({ op: 'close', fd: 'r0' });
const pipeThen = (...calls: Array<[Step, Outcome]>) => traceOf([[PIPE, ok(0)], ...calls]);
const BIG = 17 * 4096;

describe('pipe.inherited-by-child (a child writing)', () => {
  it('passes a child whose data fits, exiting 0', () => expect(verdicts(pipeThen([childWrite(100), exited(0)]))).toEqual(both('pass')));
  it('fails a child whose data fits that fails or stays running', () => {
    expect(verdicts(pipeThen([childWrite(100), exited(1)]))).toEqual(both('pipe.inherited-by-child'));
    expect(verdicts(pipeThen([childWrite(100), PENDING]))).toEqual(both('pipe.inherited-by-child'));
  });
  it('passes a child blocked on a full pipe that exits once a read makes room; linux fails it still running then', () => {
    const woken = new TraceBuilder().call(PIPE, ok(0)).call(childWrite(BIG), PENDING).call(main({ op: 'read', fd: 'r0', size: 65536 }), ok(65536, { data: sent(1, BIG, 0, 65536) }), [[1, exited(0)]]).build();
    expect(verdicts(woken)).toEqual(both('pass'));
    const stuck = new TraceBuilder().call(PIPE, ok(0)).call(childWrite(BIG), PENDING).call(main({ op: 'read', fd: 'r0', size: 65536 }), ok(65536, { data: sent(1, BIG, 0, 65536) })).build();
    expect(verdicts(stuck)).toEqual({ posix: 'pass', linux: 'pipe.inherited-by-child' });
  });
});

describe('pipe.full-pipe-blocks-writer (a child writing)', () => {
  it('linux fails a child that exits at once although its data does not fit', () => {
    expect(verdicts(pipeThen([childWrite(BIG), exited(0)]))).toEqual({ posix: 'pass', linux: 'pipe.full-pipe-blocks-writer' });
  });
});

describe('pipe.sigpipe-kills-writer', () => {
  it('passes a child killed by SIGPIPE with no reader, or (SIGPIPE ignored) failing with EPIPE', () => {
    expect(verdicts(pipeThen([closeReader, ok(0)], [childWrite(10), exited(null, 'SIGPIPE')]))).toEqual(both('pass'));
    expect(verdicts(pipeThen([closeReader, ok(0)], [childWrite(10, 'ignore'), exited(1, null, { errnoSeen: 'EPIPE' })]))).toEqual(both('pass'));
  });
  it('fails a child that exits 0 with no reader, or ignores SIGPIPE without seeing EPIPE', () => {
    expect(verdicts(pipeThen([closeReader, ok(0)], [childWrite(10), exited(0)]))).toEqual(both('pipe.sigpipe-kills-writer'));
    expect(verdicts(pipeThen([closeReader, ok(0)], [childWrite(10, 'ignore'), exited(0)]))).toEqual(both('pipe.sigpipe-kills-writer'));
  });
  it('fails a blocked child left running after the last reader closed', () => {
    const t = new TraceBuilder().call(PIPE, ok(0)).call(childWrite(BIG), PENDING).call(closeReader, ok(0)).build();
    expect(verdicts(t)).toEqual(both('pipe.sigpipe-kills-writer'));
  });
});

describe('a child draining the read end', () => {
  const childRead = by('C', { op: 'child-read', fd: 'r0' });
  const drained = (exit: Outcome) => new TraceBuilder().call(PIPE, ok(0)).call(main({ op: 'write', fd: 'w0', size: 6 }), ok(6)).call(childRead, PENDING).call(main({ op: 'close', fd: 'w0' }), ok(0), [[2, exit]]).build();
  const output = (data: Uint8Array, code = 0): Outcome => ok(0, { detail: { exit: { code, signal: null }, output: data } });
  it('pipe.inherited-by-child and pipe.order-and-content: passes every byte, exit 0 at EOF', () => expect(verdicts(drained(output(sent(1, 6))))).toEqual(both('pass')));
  it('pipe.order-and-content: fails other bytes', () => expect(verdicts(drained(output(sent(1, 6, 0, 3))))).toEqual(both('pipe.order-and-content')));
  it('pipe.inherited-by-child: fails a failing exit, an exit with a write end open, and a child still reading after EOF', () => {
    expect(verdicts(drained(output(sent(1, 6), 1)))).toEqual(both('pipe.inherited-by-child'));
    expect(verdicts(traceOf([[PIPE, ok(0)], [childRead, output(new Uint8Array(0))]]))).toEqual(both('pipe.inherited-by-child'));
    expect(verdicts(new TraceBuilder().call(PIPE, ok(0)).call(childRead, PENDING).call(main({ op: 'close', fd: 'w0' }), ok(0)).build())).toEqual(both('pipe.inherited-by-child'));
  });
  it('pipe.inherited-by-child: a blocking write the child drains returns everything', () => {
    const t = new TraceBuilder().call(PIPE, ok(0)).call(childRead, PENDING).call(by('W', { op: 'write', fd: 'w0', size: 10 }), ok(4)).build();
    expect(verdicts(t)).toEqual(both('pipe.inherited-by-child'));
  });
});

describe('pipelines', () => {
  const bytes = main({ op: 'pipeline', producer: { kind: 'bytes', size: 20, chunk: 7 }, consumer: { kind: 'cat' } });
  const yes = main({ op: 'pipeline', producer: { kind: 'yes' }, consumer: { kind: 'head-lines', lines: 3 } });
  const ran = (output: Uint8Array, producer: { code: number | null; signal: string | null }, consumer = { code: 0, signal: null }): Outcome =>
    ok(0, { detail: { output, producerExit: producer, consumerExit: consumer } });
  const want = producerBytes(0, bytes as Extract<Step, { op: 'pipeline' }>);
  const lines = new TextEncoder().encode('y\n'.repeat(3));
  it('pipeline.order-and-eof: passes the bytes in order and both exit 0; fails reordered bytes or a failing exit', () => {
    expect(verdicts(traceOf([[bytes, ran(want, { code: 0, signal: null })]]))).toEqual(both('pass'));
    expect(verdicts(traceOf([[bytes, ran(want.slice().reverse(), { code: 0, signal: null })]]))).toEqual(both('pipeline.order-and-eof'));
    expect(verdicts(traceOf([[bytes, ran(want, { code: 0, signal: null }, { code: 1, signal: null })]]))).toEqual(both('pipeline.order-and-eof'));
  });
  it('pipeline.reader-exit-kills-writer: passes yes killed by SIGPIPE after head; fails yes exiting otherwise', () => {
    expect(verdicts(traceOf([[yes, ran(lines, { code: null, signal: 'SIGPIPE' })]]))).toEqual(both('pass'));
    expect(verdicts(traceOf([[yes, ran(lines, { code: 0, signal: null })]]))).toEqual(both('pipeline.reader-exit-kills-writer'));
  });
  it('pipeline.order-and-eof (head): fails head printing other than its lines', () => {
    expect(verdicts(traceOf([[yes, ran(lines.subarray(0, 4), { code: null, signal: 'SIGPIPE' })]]))).toEqual(both('pipeline.order-and-eof'));
  });
});
