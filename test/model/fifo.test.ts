// reference-model/rules/fifo.ts on hand-written traces: mkfifo (creates a FIFO, EEXIST, ENOENT),
// stat (type fifo, size 0: the data is in the kernel), unlink (open ends keep working, the name is
// gone), and open (nonblocking readers at once, nonblocking writers ENXIO without a reader, blocking
// opens wait for the other side, a recreated FIFO's ends its own).
import { describe, expect, it } from 'vitest';
import type { Step } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { both, by, err, main, ok, PENDING, TraceBuilder, traceOf, verdicts } from '../support/trace.ts';

const mkfifo = (path = 'f0'): Step => main({ op: 'mkfifo', path });
const open = (as: string, mode: 'read' | 'write', nonblock: boolean, actor = 'main'): Step => by(actor, { op: 'open', path: 'f0', as, mode, nonblock });
const stat = main({ op: 'stat', path: 'f0' });
const unlink = main({ op: 'unlink', path: 'f0' });
const fifoThen = (...calls: Array<[Step, Outcome]>) => traceOf([[mkfifo(), ok(0)], ...calls]);

describe('fifo.mkfifo-creates-fifo', () => {
  it('passes mkfifo returning 0 and stat reporting a FIFO', () => expect(verdicts(fifoThen([stat, ok(0, { detail: { type: 'fifo', size: 0 } })]))).toEqual(both('pass')));
  it('fails mkfifo that fails, and stat reporting another type', () => {
    expect(verdicts(traceOf([[mkfifo(), err('EACCES')]]))).toEqual(both('fifo.mkfifo-creates-fifo'));
    expect(verdicts(fifoThen([stat, ok(0, { detail: { type: 'file', size: 0 } })]))).toEqual(both('fifo.mkfifo-creates-fifo'));
  });
});

describe('fifo.mkfifo-eexist', () => {
  it('passes EEXIST for a name that exists, and fails a second mkfifo that succeeds', () => {
    expect(verdicts(fifoThen([mkfifo(), err('EEXIST')]))).toEqual(both('pass'));
    expect(verdicts(fifoThen([mkfifo(), ok(0)]))).toEqual(both('fifo.mkfifo-eexist'));
  });
});

describe('fifo.mkfifo-enoent', () => {
  it('passes ENOENT under a missing directory, and fails a mkfifo there that succeeds', () => {
    expect(verdicts(traceOf([[mkfifo('missing/f0'), err('ENOENT')]]))).toEqual(both('pass'));
    expect(verdicts(traceOf([[mkfifo('missing/f0'), ok(0)]]))).toEqual(both('fifo.mkfifo-enoent'));
  });
});

describe('fifo.data-not-in-file', () => {
  const buffered: Array<[Step, Outcome]> = [[open('fr', 'read', true), ok(0)], [open('fw', 'write', true), ok(0)], [main({ op: 'write', fd: 'fw', size: 5 }), ok(5)]];
  it('passes st_size 0 with data buffered; linux fails the buffered count as the size (posix leaves st_size open)', () => {
    expect(verdicts(fifoThen(...buffered, [stat, ok(0, { detail: { type: 'fifo', size: 0 } })]))).toEqual(both('pass'));
    expect(verdicts(fifoThen(...buffered, [stat, ok(0, { detail: { type: 'fifo', size: 5 } })]))).toEqual({ posix: 'pass', linux: 'fifo.data-not-in-file' });
  });
});

describe('fifo.unlink-keeps-open-ends', () => {
  const ends: Array<[Step, Outcome]> = [[open('fr', 'read', true), ok(0)], [open('fw', 'write', true), ok(0)], [unlink, ok(0)]];
  it('passes ends that keep working after unlink, and ENOENT for the name', () => {
    expect(verdicts(fifoThen(...ends, [main({ op: 'write', fd: 'fw', size: 3 }), ok(3)], [stat, err('ENOENT')], [open('fr2', 'read', true), err('ENOENT')], [unlink, err('ENOENT')]))).toEqual(both('pass'));
  });
  it('fails an unlink that fails, and a name still there after unlink (stat, open, unlink)', () => {
    expect(verdicts(fifoThen([unlink, err('EBUSY')]))).toEqual(both('fifo.unlink-keeps-open-ends'));
    expect(verdicts(fifoThen(...ends, [stat, ok(0, { detail: { type: 'fifo', size: 0 } })]))).toEqual(both('fifo.unlink-keeps-open-ends'));
    expect(verdicts(fifoThen(...ends, [open('fr2', 'read', true), ok(0)]))).toEqual(both('fifo.unlink-keeps-open-ends'));
    expect(verdicts(fifoThen(...ends, [unlink, ok(0)]))).toEqual(both('fifo.unlink-keeps-open-ends'));
  });
});

describe('fifo.nonblocking-read-open-succeeds', () => {
  it('passes a nonblocking read open with no writer, and fails one that fails', () => {
    expect(verdicts(fifoThen([open('fr', 'read', true), ok(0)]))).toEqual(both('pass'));
    expect(verdicts(fifoThen([open('fr', 'read', true), err('ENXIO')]))).toEqual(both('fifo.nonblocking-read-open-succeeds'));
  });
});

describe('fifo.nonblocking-write-open-enxio', () => {
  it('passes ENXIO with no reader, and a descriptor with one', () => {
    expect(verdicts(fifoThen([open('fw', 'write', true), err('ENXIO')]))).toEqual(both('pass'));
    expect(verdicts(fifoThen([open('fr', 'read', true), ok(0)], [open('fw', 'write', true), ok(0)]))).toEqual(both('pass'));
  });
  it('fails a descriptor with no reader, and ENXIO with one', () => {
    expect(verdicts(fifoThen([open('fw', 'write', true), ok(0)]))).toEqual(both('fifo.nonblocking-write-open-enxio'));
    expect(verdicts(fifoThen([open('fr', 'read', true), ok(0)], [open('fw', 'write', true), err('ENXIO')]))).toEqual(both('fifo.nonblocking-write-open-enxio'));
  });
});

describe('fifo.open-blocks-until-partner', () => {
  it('passes a blocking read open that waits, completed when a writer opens', () => {
    const t = new TraceBuilder().call(mkfifo(), ok(0)).call(open('fr', 'read', false, 'R'), PENDING).call(open('fw', 'write', false, 'W'), ok(0), [[1, ok(0)]]).build();
    expect(verdicts(t)).toEqual(both('pass'));
  });
  it('fails a blocking open with no partner that returns at once', () => {
    expect(verdicts(fifoThen([open('fr', 'read', false, 'R'), ok(0)]))).toEqual(both('fifo.open-blocks-until-partner'));
  });
  it('fails a blocking open that stays asleep once the partner opened, or blocks with the partner open', () => {
    const asleep = new TraceBuilder().call(mkfifo(), ok(0)).call(open('fr', 'read', false, 'R'), PENDING).call(open('fw', 'write', false, 'W'), ok(0)).build();
    expect(verdicts(asleep)).toEqual(both('fifo.open-blocks-until-partner'));
    expect(verdicts(fifoThen([open('fr', 'read', true), ok(0)], [open('fw', 'write', false, 'W'), PENDING]))).toEqual(both('fifo.open-blocks-until-partner'));
  });
});

describe('fifo.recreate-is-independent (open)', () => {
  it("fails a nonblocking write open of a new FIFO at the path that finds the old one's reader", () => {
    const old: Array<[Step, Outcome]> = [[open('fr', 'read', true), ok(0)], [unlink, ok(0)], [mkfifo(), ok(0)]];
    expect(verdicts(fifoThen(...old, [open('fw', 'write', true), err('ENXIO')]))).toEqual(both('pass'));
    expect(verdicts(fifoThen(...old, [open('fw', 'write', true), ok(0)]))).toEqual(both('fifo.recreate-is-independent'));
  });
});
