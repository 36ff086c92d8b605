// reference-model/rules/pipe-size.ts on hand-written traces: F_GETPIPE_SZ reports the capacity and
// F_SETPIPE_SZ rounds up to a power-of-two number of pages, refusing what linux refuses (EINVAL
// above the largest argument, EPERM above pipe-max-size unprivileged, EBUSY below what is buffered).
// posix has neither call: those traces are outside the model there.
import { describe, expect, it } from 'vitest';
import type { Step } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { err, main, ok, profile, traceOf, verdicts } from '../support/trace.ts';

const PIPE = main({ op: 'make-pipe', variant: 'pipe', read: 'r0', write: 'w0' });
const set = (size: number): Step => main({ op: 'set-pipe-size', fd: 'w0', size });
const linuxOnly = (v: string) => ({ posix: 'error', linux: v });
const pipeThen = (...calls: Array<[Step, Outcome]>) => traceOf([[PIPE, ok(0)], ...calls]);
const rules = profile('linux').setPipeSize!;

describe('pipe.capacity-query', () => {
  it('passes the default capacity (16 pages), and fails another', () => {
    expect(verdicts(pipeThen([main({ op: 'get-pipe-size', fd: 'r0' }), ok(65536)]))).toEqual(linuxOnly('pass'));
    expect(verdicts(pipeThen([main({ op: 'get-pipe-size', fd: 'r0' }), ok(4096)]))).toEqual(linuxOnly('pipe.capacity-query'));
  });
  it('reports the size set before', () => {
    expect(verdicts(pipeThen([set(16384), ok(16384)], [main({ op: 'get-pipe-size', fd: 'r0' }), ok(16384)]))).toEqual(linuxOnly('pass'));
  });
});

describe('pipe.capacity-resize', () => {
  it('passes a size rounded up to a power-of-two number of pages, and fails one not rounded', () => {
    expect(verdicts(pipeThen([set(10000), ok(16384)]))).toEqual(linuxOnly('pass'));
    expect(verdicts(pipeThen([set(10000), ok(10000)]))).toEqual(linuxOnly('pipe.capacity-resize'));
  });
  it('requires EINVAL above the largest argument', () => {
    expect(verdicts(pipeThen([set(rules.maxArg + 1), err('EINVAL')]))).toEqual(linuxOnly('pass'));
    expect(verdicts(pipeThen([set(rules.maxArg + 1), ok(rules.maxArg)]))).toEqual(linuxOnly('pipe.capacity-resize'));
  });
  it('requires EPERM above pipe-max-size without privilege', () => {
    expect(verdicts(pipeThen([set(rules.pipeMaxSize * 2), err('EPERM')]))).toEqual(linuxOnly('pass'));
    expect(verdicts(pipeThen([set(rules.pipeMaxSize * 2), ok(rules.pipeMaxSize * 2)]))).toEqual(linuxOnly('pipe.capacity-resize'));
  });
  it('requires EBUSY for a size below the slots that hold data', () => {
    const three = Array.from({ length: 3 }, (): [Step, Outcome] => [main({ op: 'write', fd: 'w0', size: 4096 }), ok(4096)]);
    expect(verdicts(pipeThen(...three, [set(4096), err('EBUSY')]))).toEqual(linuxOnly('pass'));
    expect(verdicts(pipeThen(...three, [set(4096), ok(4096)]))).toEqual(linuxOnly('pipe.capacity-resize'));
  });
});
