// A walk that fills a stream connection's send buffer and drains it: a (the client, or the first of
// a socketpair) sends large amounts to b, nonblocking (MSG_DONTWAIT) or blocking (no MSG_DONTWAIT, on
// its actor S), and b reads with recvs of every size (on its actor R), nonblocking, blocking, or
// blocking with MSG_WAITALL (which keeps draining while a blocked sender refills).
// Sizes scale with the family: AF_UNIX holds about 200 KiB by default, TCP over loopback about 4 MiB.
// Scope rules that keep every trace judgeable: every send of a is on actor S, so a send queued behind
// a blocked one waits for it as a thread would (two sends never interleave); nothing is closed.
import fc from 'fast-check';
import type { Scenario, Step } from '../../spec/scenario.ts';
import { connectSteps, STREAM_VARIANTS, type StreamVariant } from './stream-walk.ts';

type Item = 'send' | 'send-block' | 'recv' | 'recv-block' | 'recv-waitall';
type Choice = { item: Item; size: number };

const KiB = 1024;
const MiB = 1024 * KiB;

/** Send and recv sizes for a family: small, around a tenth of the buffer, and around the buffer. */
function sizes(tcp: boolean): fc.Arbitrary<number> {
  const big = tcp ? 3 * MiB : 300 * KiB;
  return fc.oneof(
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 64 }) },
    { weight: 3, arbitrary: fc.integer({ min: 1 * KiB, max: big / 4 }) },
    { weight: 4, arbitrary: fc.integer({ min: big / 4, max: big }) },
  );
}

const MENU: Array<[Item, number]> = [['send', 3], ['send-block', 2], ['recv', 4], ['recv-block', 2], ['recv-waitall', 1]];

export function sendBufferWalk(o: { property: string; minSteps?: number; maxSteps?: number }): fc.Arbitrary<Scenario> {
  return fc.constantFrom(...STREAM_VARIANTS).chain((variant) => {
    const choice: fc.Arbitrary<Choice> = fc.record({
      item: fc.oneof(...MENU.map(([item, weight]) => ({ weight, arbitrary: fc.constant(item) }))),
      size: sizes(variant === 'inet' || variant === 'inet6'),
    });
    return fc.array(choice, { minLength: o.minSteps ?? 2, maxLength: o.maxSteps ?? 32, size: 'medium' }).map((choices) => ({ property: o.property, steps: layout(variant, choices) }));
  });
}

/**
 * TCP over loopback: at most this much is ever sent in one scenario. Beyond about 4 MiB unread the
 * receiver drops segments (its memory, counted by truesize, overruns the window it advertised) and
 * the sender falls into retransmission backoff, so arrival then depends on timers, not on the
 * reader: no settled state to judge. 2 MiB is the measured sure room (linux.json streamSendBuffer),
 * so over TCP this walk checks sends that must fit; AF_UNIX fills its buffer for real.
 */
const TCP_TOTAL = 2 * MiB;

function layout(variant: StreamVariant, choices: Choice[]): Step[] {
  const steps = connectSteps(variant);
  let budget = variant === 'inet' || variant === 'inet6' ? TCP_TOTAL : Infinity;
  for (const c of choices) {
    if (c.item === 'send' || c.item === 'send-block') {
      const size = Math.min(c.size, budget);
      if (size === 0) continue;
      budget -= size;
      steps.push({ actor: 'S', op: 'send', fd: 'a', size, ...(c.item === 'send-block' ? { dontwait: false } : {}) });
    } else steps.push({ actor: 'R', op: 'recv', fd: 'b', size: c.size, waitall: c.item === 'recv-waitall', dontwait: c.item === 'recv' });
  }
  return steps;
}
