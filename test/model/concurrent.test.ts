// reference-model/rules/concurrent.ts on hand-written traces: truly concurrent writers into one pipe.
// Writes of at most PIPE_BUF bytes are never interleaved; larger ones may be, but each writer's bytes
// stay in order, and every byte arrives. (The larger-than-PIPE_BUF cases moved from model-regressions.)
import { describe, expect, it } from 'vitest';
import { concat, record } from '../../spec/payload.ts';
import type { Outcome } from '../../spec/trace.ts';
import { both, err, main, ok, traceOf, verdict, verdicts } from '../support/trace.ts';

const PIPE = main({ op: 'make-pipe', variant: 'pipe', read: 'r0', write: 'w0' });
const writes = (size: number) => main({ op: 'concurrent-writes', fd: 'w0', reader: 'r0', writers: 2, records: 2, size });
const drained = (records: Uint8Array): Outcome => ok(records.length, { detail: { records } });
const run = (size: number, out: Outcome) => traceOf([[PIPE, ok(0)], [writes(size), out]]);

describe('pipe.atomic-small-writes', () => {
  const [a0, a1, b0, b1] = [record(0, 0, 100), record(0, 1, 100), record(1, 0, 100), record(1, 1, 100)];
  it('passes whole records of each writer, in each writer\'s order, interleaved by record', () => {
    expect(verdicts(run(100, drained(concat([a0, b0, a1, b1]))))).toEqual(both('pass'));
  });
  it('fails a record split by another writer\'s bytes', () => {
    expect(verdicts(run(100, drained(concat([a0.subarray(0, 50), b0, a0.subarray(50), a1, b1]))))).toEqual(both('pipe.atomic-small-writes'));
  });
});

describe('pipe.order-and-content (concurrent writers)', () => {
  // Linux splits a 4098-byte write into 2 bytes merged into the tail page and one full page. Here
  // B's 2-byte chunk (fe 01) lands just where A's next record starts (fe 00): one byte coincides.
  const [a0, a1, b0, b1] = [record(0, 0, 4098), record(0, 1, 4098), record(1, 0, 4098), record(1, 1, 4098)];
  it('accepts an interleaving whose chunk boundary coincides with a record header byte', () => {
    expect(verdict(run(4098, drained(concat([a0, b0.subarray(0, 2), a1, b0.subarray(2), b1]))), 'linux')).toBe('pass');
  });
  it("rejects a stream in which one writer's bytes are out of order", () => {
    expect(verdict(run(4098, drained(concat([a1, b0, a0, b1]))), 'linux')).toBe('pipe.order-and-content');
  });
  it('rejects bytes missing, and a run whose records were not drained', () => {
    expect(verdicts(run(100, drained(concat([record(0, 0, 100), record(1, 0, 100)]))))).toEqual(both('pipe.order-and-content'));
    expect(verdicts(run(100, err('EIO')))).toEqual(both('pipe.order-and-content'));
  });
});
