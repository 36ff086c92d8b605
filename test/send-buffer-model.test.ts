// The model's judgement of full send buffers (stream.full-send-buffer) on hand-made traces over an
// AF_UNIX socketpair: a nonblocking send never blocks, a blocked sender is woken once the reader has
// drained the connection, and (linux) an idle connection takes the measured sure room, unless its
// buffers were set.
import { describe, expect, it } from 'vitest';
import { check } from '../reference-model/check.ts';
import { payload, payloadTag } from '../spec/payload.ts';
import { loadProfile } from '../spec/profile.ts';
import type { Scenario, Step } from '../spec/scenario.ts';
import type { Outcome, Trace, TraceEvent } from '../spec/trace.ts';

const FULL = 'stream.full-send-buffer';
const PAIR: Step = { actor: 'main', op: 'socketpair', a: 'a', b: 'b', nonblock: false };
const ok = (value: number, data?: Uint8Array): Outcome => ({ kind: 'ok', value, ...(data ? { data } : {}) });
const PENDING: Outcome = { kind: 'pending' };
const EAGAIN: Outcome = { kind: 'err', errno: 'EAGAIN' };
const send = (size: number, dontwait = true): Step => ({ actor: 'S', op: 'send', fd: 'a', size, ...(dontwait ? {} : { dontwait: false }) });
const recv = (size: number): Step => ({ actor: 'R', op: 'recv', fd: 'b', size, waitall: false, dontwait: true });
/** Bytes [from, to) of what step `i` sent. */
const sent = (i: number, size: number, from: number, to: number) => payload(payloadTag(i), size).subarray(from, to);

/** One call per step, then its completions, then quiescence. */
function run(steps: Step[], outcomes: Outcome[], completions: Record<number, Array<[number, Outcome]>> = {}): [Scenario, Trace] {
  const events: TraceEvent[] = [];
  steps.forEach((s, i) => {
    events.push({ type: 'call', step: i, actor: s.actor, outcome: outcomes[i] });
    for (const [step, outcome] of completions[i] ?? []) events.push({ type: 'complete', step, actor: steps[step].actor, outcome });
    events.push({ type: 'quiescent' });
  });
  return [{ property: 'stream-buffer', steps }, { target: 'synthetic', settled: true, privileged: false, events }];
}

const verdict = (st: [Scenario, Trace], p: string) => {
  const v = check(st[0], st[1], loadProfile(p));
  return v.status === 'fail' ? v.violation.clause : v.status;
};

describe(FULL, () => {
  const big = 300_000;
  it('passes a blocked send that the reader wakes, and that returns everything', () => {
    const t = run([PAIR, send(big, false), recv(200_000), recv(200_000)], [ok(0), PENDING, ok(200_000, sent(1, big, 0, 200_000)), ok(100_000, sent(1, big, 200_000, big))], { 2: [[1, ok(big)]] });
    for (const p of ['linux', 'posix']) expect(verdict(t, p)).toBe('pass');
  });

  it('fails a nonblocking send that blocks', () => {
    const t = run([PAIR, send(big)], [ok(0), PENDING]);
    for (const p of ['linux', 'posix']) expect(verdict(t, p)).toBe(FULL);
  });

  it('fails a blocked sender left asleep once the reader drained the connection', () => {
    const t = run([PAIR, send(big, false), recv(200_000), recv(200_000)], [ok(0), PENDING, ok(150_000, sent(1, big, 0, 150_000)), EAGAIN]);
    for (const p of ['linux', 'posix']) expect(verdict(t, p)).toBe(FULL);
  });

  it('fails a blocked sender still asleep after the reader received all its bytes', () => {
    const t = run([PAIR, send(big, false), recv(200_000), recv(200_000)], [ok(0), PENDING, ok(200_000, sent(1, big, 0, 200_000)), ok(100_000, sent(1, big, 200_000, big))]);
    for (const p of ['linux', 'posix']) expect(verdict(t, p)).toBe(FULL);
  });

  it('fails a blocking send that returns part or EAGAIN under linux; posix allows part', () => {
    const part = run([PAIR, send(big, false)], [ok(0), ok(1000)]);
    expect(verdict(part, 'linux')).toBe(FULL);
    expect(verdict(part, 'posix')).toBe('pass');
    for (const p of ['linux', 'posix']) expect(verdict(run([PAIR, send(big, false)], [ok(0), EAGAIN]), p)).toBe(FULL);
  });

  it('under linux, an idle connection takes the sure room: no EAGAIN, no less; posix guarantees no size', () => {
    const room = loadProfile('linux').streamSendBuffer.sureRoom!.unix;
    for (const out of [EAGAIN, ok(room - 1), PENDING]) {
      const t = run([PAIR, send(room)], [ok(0), out]);
      expect(verdict(t, 'linux')).toBe(FULL);
      if (out !== PENDING) expect(verdict(t, 'posix')).toBe('pass');
    }
    // not idle (unread data): EAGAIN is allowed
    expect(verdict(run([PAIR, send(10), send(room)], [ok(0), ok(10), EAGAIN]), 'linux')).toBe('pass');
  });

  it('with buffers set before data, no measured size applies, but a nonblocking send still never blocks', () => {
    const room = loadProfile('linux').streamSendBuffer.sureRoom!.unix;
    const setBufs: Step = { actor: 'main', op: 'set-buffers', fd: 'a', snd: 16_384, rcv: 65_536 };
    for (const p of ['linux', 'posix']) {
      expect(verdict(run([PAIR, setBufs, send(room)], [ok(0), ok(0), EAGAIN]), p)).toBe('pass');
      expect(verdict(run([PAIR, setBufs, send(room)], [ok(0), ok(0), ok(1)]), p)).toBe('pass');
      expect(verdict(run([PAIR, setBufs, send(room)], [ok(0), ok(0), PENDING]), p)).toBe(FULL);
      expect(verdict(run([PAIR, setBufs], [ok(0), EAGAIN]), p)).toBe(FULL);
      // after data the model does not judge it (the walks set buffers before any)
      expect(verdict(run([PAIR, send(10), setBufs], [ok(0), ok(10), ok(0)]), p)).toBe('error');
    }
  });
});
