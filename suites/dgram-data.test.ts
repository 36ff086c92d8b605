import { describe, expect, it } from 'vitest';
import { check } from '../reference-model/check.ts';
import { payload, payloadTag } from '../spec/payload.ts';
import { loadProfile } from '../spec/profile.ts';
import type { Step } from '../spec/scenario.ts';
import type { Outcome } from '../spec/trace.ts';
import { describeArea } from './area-tests.ts';

describeArea('dgram-data');

// The model's verdicts on hand-written datagram traces: what each profile allows.
const ok = (value: number, detail?: { addr?: string; msgFlags?: string[] }, data?: Uint8Array): Outcome => ({ kind: 'ok', value, ...(data ? { data } : {}), ...(detail ? { detail } : {}) });
const err = (errno: string): Outcome => ({ kind: 'err', errno });
const recv = (fd: string, peek = false): Step => ({ actor: 'main', op: 'recv', fd, size: 4096, waitall: false, dontwait: true, ...(peek ? { peek: true } : {}) });
const got = (step: number, size: number, addr: string) => ok(size, { msgFlags: [], addr }, payload(payloadTag(step), size));

/** The verdict under each profile: 'pass', or the clause that failed. */
function verdicts(steps: Step[], outcomes: Outcome[]): Record<string, string> {
  const events = outcomes.flatMap((outcome, step) => [{ type: 'call' as const, step, actor: 'main', outcome }, { type: 'quiescent' as const }]);
  const trace = { target: 'hand-written', settled: true, privileged: false, events };
  return Object.fromEntries(['posix', 'linux'].map((p) => {
    const v = check({ property: 'hand-written', steps }, trace, loadProfile(p));
    return [p, v.status === 'fail' ? v.violation.clause : v.status];
  }));
}

const B = '127.0.0.1:40000';
const A = '127.0.0.1:40001';
const udpPair: Step[] = [
  { actor: 'main', op: 'socket', family: 'inet', as: 'b', nonblock: false, dgram: true },
  { actor: 'main', op: 'bind', fd: 'b', addr: { port: 0 } },
  { actor: 'main', op: 'socket', family: 'inet', as: 'a', nonblock: false, dgram: true },
  { actor: 'main', op: 'connect', fd: 'a', to: { of: 'b' } },
];
const udpPairSeen = [ok(0), ok(0, { addr: B }), ok(0), ok(0, { addr: A })];
const REFUSED = 'dgram.connected-udp-refused';

describe('the dgram model on hand-written datagram traces', () => {
  it('requires (linux) or allows (posix) the refusal on the connected sender\'s next call, once', () => {
    const steps: Step[] = [...udpPair, { actor: 'main', op: 'close', fd: 'b' }, { actor: 'main', op: 'send', fd: 'a', size: 1 }, recv('a'), recv('a')];
    expect(verdicts(steps, [...udpPairSeen, ok(0), ok(1), err('ECONNREFUSED'), err('EAGAIN')])).toEqual({ posix: 'pass', linux: 'pass' });
    expect(verdicts(steps, [...udpPairSeen, ok(0), ok(1), err('EAGAIN'), err('EAGAIN')])).toEqual({ posix: 'pass', linux: REFUSED });
    expect(verdicts(steps, [...udpPairSeen, ok(0), ok(1), err('ECONNREFUSED'), err('ECONNREFUSED')])).toEqual({ posix: REFUSED, linux: REFUSED });
  });

  it('tells an unconnected sender nothing on linux, and never reports a refusal that did not happen', () => {
    const steps: Step[] = [
      { actor: 'main', op: 'socket', family: 'inet', as: 'b', nonblock: false, dgram: true },
      { actor: 'main', op: 'bind', fd: 'b', addr: { port: 0 } },
      { actor: 'main', op: 'socket', family: 'inet', as: 'c', nonblock: false, dgram: true },
      { actor: 'main', op: 'send', fd: 'c', size: 3, to: { of: 'b' } },
      recv('c'),
      { actor: 'main', op: 'close', fd: 'b' },
      { actor: 'main', op: 'send', fd: 'c', size: 1, to: { of: 'b' } },
      recv('c'),
    ];
    const seen = [ok(0), ok(0, { addr: B }), ok(0), ok(3)];
    expect(verdicts(steps, [...seen, err('EAGAIN'), ok(0), ok(1), err('ECONNREFUSED')])).toEqual({ posix: 'pass', linux: REFUSED });
    expect(verdicts(steps, [...seen, err('ECONNREFUSED'), ok(0), ok(1), err('EAGAIN')])).toEqual({ posix: REFUSED, linux: REFUSED });
  });

  it('keeps a peeked datagram for the next receive, and reports where a datagram came from', () => {
    const steps: Step[] = [{ actor: 'main', op: 'socketpair', a: 'a', b: 'b', nonblock: false, dgram: true }, { actor: 'main', op: 'send', fd: 'a', size: 5 }, recv('b', true), recv('b')];
    expect(verdicts(steps, [ok(0), ok(5), got(1, 5, 'unix:'), got(1, 5, 'unix:')])).toEqual({ posix: 'pass', linux: 'pass' });
    expect(verdicts(steps, [ok(0), ok(5), got(1, 5, 'unix:'), err('EAGAIN')])).toEqual({ posix: 'dgram.peek-does-not-consume', linux: 'dgram.peek-does-not-consume' });
    expect(verdicts(steps, [ok(0), ok(5), got(1, 5, 'unix:elsewhere'), got(1, 5, 'unix:')])).toEqual({ posix: 'dgram.source-address', linux: 'dgram.source-address' });
  });

  it('refuses UDP datagrams above 65507 bytes under both profiles; linux takes every one up to the limit', () => {
    const steps = (size: number): Step[] => [...udpPair, { actor: 'main', op: 'send', fd: 'a', size }];
    const SIZE = 'dgram.size-limit-emsgsize';
    expect(verdicts(steps(65508), [...udpPairSeen, ok(65508)])).toEqual({ posix: SIZE, linux: SIZE });
    expect(verdicts(steps(65508), [...udpPairSeen, err('EMSGSIZE')])).toEqual({ posix: 'pass', linux: 'pass' });
    expect(verdicts(steps(65507), [...udpPairSeen, err('EMSGSIZE')])).toEqual({ posix: 'pass', linux: SIZE });
  });
});
