// reference-model/rules/fd.ts on hand-written traces: a closed descriptor and the wrong end of a pipe
// give EBADF, and dup makes a descriptor that shares the open end.
import { describe, expect, it } from 'vitest';
import type { Step } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { both, err, got, main, ok, traceOf, verdicts } from '../support/trace.ts';

const PIPE = main({ op: 'make-pipe', variant: 'pipe', read: 'r0', write: 'w0' });
const pipeThen = (...calls: Array<[Step, Outcome]>) => traceOf([[PIPE, ok(0)], ...calls]);
const EBADF = err('EBADF');

describe('pipe.closed-fd-ebadf', () => {
  const closed = (out: Outcome) => pipeThen([main({ op: 'close', fd: 'w0' }), ok(0)], [main({ op: 'write', fd: 'w0', size: 5 }), out]);
  it('passes EBADF for a write on a closed descriptor', () => expect(verdicts(closed(EBADF))).toEqual(both('pass')));
  it('fails a write on it that succeeds, or gives another error', () => {
    expect(verdicts(closed(ok(5)))).toEqual(both('pipe.closed-fd-ebadf'));
    expect(verdicts(closed(err('EPIPE')))).toEqual(both('pipe.closed-fd-ebadf'));
  });
});

describe('pipe.wrong-end-ebadf', () => {
  it('passes EBADF for a write on the read end and a read of the write end', () => {
    expect(verdicts(pipeThen([main({ op: 'write', fd: 'r0', size: 5 }), EBADF], [main({ op: 'read', fd: 'w0', size: 5 }), EBADF]))).toEqual(both('pass'));
  });
  it('fails a write on the read end that succeeds', () => expect(verdicts(pipeThen([main({ op: 'write', fd: 'r0', size: 5 }), ok(5)]))).toEqual(both('pipe.wrong-end-ebadf')));
});

describe('pipe.dup-shares-end', () => {
  const dup = main({ op: 'dup', fd: 'w0', as: 'w1' });
  it('passes a duplicate that writes into the same pipe', () => {
    expect(verdicts(pipeThen([dup, ok(5)], [main({ op: 'write', fd: 'w1', size: 4 }), ok(4)], [main({ op: 'read', fd: 'r0', size: 4 }), got(2, 4)]))).toEqual(both('pass'));
  });
  it('fails a dup that fails', () => expect(verdicts(pipeThen([dup, EBADF]))).toEqual(both('pipe.dup-shares-end')));
});
