// reference-model/rules/connect-wait.ts on hand-written traces: a blocking AF_UNIX connect to a full
// listen queue sleeps until an accept frees room (linux: exactly backlog + 1), and must then complete.
import { describe, expect, it } from 'vitest';
import type { Step } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { both, by, main, ok, PENDING, TraceBuilder, verdicts } from '../support/trace.ts';

const named = (addr: string): Outcome => ok(0, { detail: { addr } });
const unix = (as: string, nonblock = false): Step => main({ op: 'socket', family: 'unix', as, nonblock });

/** Listener (backlog 0: holds one), one connection queued, then a blocking connect from actor C (step 6) that sleeps. */
function asleep(): TraceBuilder {
  return new TraceBuilder()
    .call(unix('l'), ok(0)).call(main({ op: 'bind', fd: 'l', addr: { path: 'l0' } }), named('unix:l0')).call(main({ op: 'listen', fd: 'l', backlog: 0 }), ok(0))
    .call(unix('c1', true), ok(0)).call(main({ op: 'connect', fd: 'c1', to: { of: 'l' } }), named('unix:'))
    .call(unix('c2'), ok(0)).call(by('C', { op: 'connect', fd: 'c2', to: { of: 'l' } }), PENDING);
}
const accept = (as: string): Step => main({ op: 'accept', fd: 'l', as });

describe('listen.full-queue-blocks-unix (a blocked connect)', () => {
  it('passes a connect asleep on the full queue, woken by the accept that frees room', () => {
    expect(verdicts(asleep().call(accept('s1'), named('unix:'), [[6, named('unix:')]]).build())).toEqual(both('pass'));
  });
  it('linux fails a connect left asleep after the accept freed room', () => {
    expect(verdicts(asleep().call(accept('s1'), named('unix:')).build())).toEqual({ posix: 'pass', linux: 'listen.full-queue-blocks-unix' });
  });
  it('listen.backlog-overflow: linux fails a connect that sleeps while the queue has room', () => {
    const t = new TraceBuilder()
      .call(unix('l'), ok(0)).call(main({ op: 'bind', fd: 'l', addr: { path: 'l0' } }), named('unix:l0')).call(main({ op: 'listen', fd: 'l', backlog: 0 }), ok(0))
      .call(unix('c2'), ok(0)).call(by('C', { op: 'connect', fd: 'c2', to: { of: 'l' } }), PENDING).build();
    expect(verdicts(t)).toEqual({ posix: 'pass', linux: 'listen.backlog-overflow' });
  });
  it('fails a woken connect that fails although it found room', () => {
    expect(verdicts(asleep().call(accept('s1'), named('unix:'), [[6, { kind: 'err', errno: 'EIO' }]]).build()).linux).toBe('listen.full-queue-blocks-unix');
  });
});
