// The model's judgement of socket names on hand-made traces: a bind that ran with privilege is an
// error (never a pass), and a path bound under a truncated name is a failure under both profiles.
import { describe, expect, it } from 'vitest';
import { check } from '../reference-model/check.ts';
import { loadProfile } from '../spec/profile.ts';
import type { Scenario } from '../spec/scenario.ts';
import type { Outcome, Trace } from '../spec/trace.ts';

const traceOf = (...outcomes: Outcome[]): Trace => ({
  target: 'synthetic', settled: true, privileged: false,
  events: outcomes.flatMap((outcome, step) => [{ type: 'call' as const, step, actor: 'main', outcome }, { type: 'quiescent' as const }]),
});
const nobody = { uid: 65534, euid: 65534, netBindService: false };
const lowPort: Scenario = { property: 'privileged-ports', steps: [{ actor: 'main', op: 'bind-unprivileged', family: 'inet', port: 1000 }] };

describe('bind.privileged-port-eacces', () => {
  it('passes EACCES from an unprivileged bind below the start, under both profiles', () => {
    for (const p of ['linux', 'posix']) expect(check(lowPort, traceOf({ kind: 'err', errno: 'EACCES', detail: { ranAs: nobody } }), loadProfile(p)).status).toBe('pass');
  });

  it('fails EPERM (posix and linux) and a successful bind (linux)', () => {
    for (const p of ['linux', 'posix']) {
      const v = check(lowPort, traceOf({ kind: 'err', errno: 'EPERM', detail: { ranAs: nobody } }), loadProfile(p));
      expect(v.status === 'fail' && v.violation.clause).toBe('bind.privileged-port-eacces');
    }
    const bound = traceOf({ kind: 'ok', value: 0, detail: { addr: '127.0.0.1:1000', ranAs: nobody } });
    expect(check(lowPort, bound, loadProfile('linux')).status).toBe('fail');
    expect(check(lowPort, bound, loadProfile('posix')).status).toBe('pass');
  });

  it('is an error, never a pass, when the bind ran as root, with the capability, or without saying as whom', () => {
    const ran = [{ uid: 0, euid: 0, netBindService: true }, { uid: 65534, euid: 65534, netBindService: true }, undefined];
    for (const ranAs of ran) {
      for (const out of [{ kind: 'ok', value: 0, detail: { addr: '127.0.0.1:1000', ranAs } }, { kind: 'err', errno: 'EACCES', detail: { ranAs } }] as Outcome[]) {
        expect(check(lowPort, traceOf(out), loadProfile('linux')).status).toBe('error');
      }
    }
  });
});

describe('bind.unix-path-length', () => {
  const long: Scenario = { property: 'unix-names', steps: [{ actor: 'main', op: 'socket', family: 'unix', as: 'u1', nonblock: false }, { actor: 'main', op: 'bind', fd: 'u1', addr: { pathLength: 120 } }] };
  const ok0: Outcome = { kind: 'ok', value: 0 };
  it('fails a 120-byte path bound under a 107-byte name under both profiles, and passes it whole under posix only', () => {
    const truncated = traceOf(ok0, { kind: 'ok', value: 0, detail: { addr: `unix:/${'x'.repeat(106)}` } });
    const whole = traceOf(ok0, { kind: 'ok', value: 0, detail: { addr: `unix:/${'x'.repeat(119)}` } });
    for (const p of ['linux', 'posix']) {
      const v = check(long, truncated, loadProfile(p));
      expect(v.status === 'fail' && v.violation.clause).toBe('bind.unix-path-length');
    }
    expect(check(long, whole, loadProfile('posix')).status).toBe('pass');
    expect(check(long, whole, loadProfile('linux')).status).toBe('fail');
  });
});
