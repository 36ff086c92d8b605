// A walk that fills a stream connection's send buffer and drains it: a (the client, or the first of
// a socketpair) sends large amounts to b, nonblocking (MSG_DONTWAIT) or blocking (no MSG_DONTWAIT, on
// its actor S), and b reads with recvs of every size (on its actor R), nonblocking, blocking, or
// blocking with MSG_WAITALL (which keeps draining while a blocked sender refills).
// Sizes scale with the buffers: AF_UNIX holds about 200 KiB by default, TCP over loopback about 4 MiB
// by default; most TCP connections first get fixed buffers (set-buffers on both ends, before data),
// small enough that the walk fills them many times over.
// Scope rules that keep every trace judgeable: every send of a is on actor S, so a send queued behind
// a blocked one waits for it as a thread would (two sends never interleave); nothing is closed.
import fc from 'fast-check';
import type { Scenario, Step } from '../../spec/scenario.ts';
import { connectSteps, STREAM_VARIANTS, type StreamVariant } from './stream-walk.ts';

type Item = 'send' | 'send-block' | 'recv' | 'recv-block' | 'recv-waitall';
type Choice = { item: Item; size: number };

const KiB = 1024;
const MiB = 1024 * KiB;

/** Send and recv sizes: small, up to a quarter of `big`, and up to `big` (somewhat more than the connection holds). */
function sizes(big: number): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 64 }) },
    { weight: 3, arbitrary: fc.integer({ min: 1 * KiB, max: big / 4 }) },
    { weight: 4, arbitrary: fc.integer({ min: big / 4, max: big }) },
  );
}

const MENU: Array<[Item, number]> = [['send', 3], ['send-block', 2], ['recv', 4], ['recv-block', 2], ['recv-waitall', 1]];

/**
 * Fixed TCP buffer sizes (SO_SNDBUF, SO_RCVBUF, as asked: linux doubles both), each end alike. Measured
 * on loopback (linux 6.18, see the clause's citation): filling and draining connections with these sizes
 * thousands of times lost no segment and never waited on a retransmission timeout (a rare tail loss
 * probe resent a segment the receiver already had: D-SACK reported it, nothing waited on it). With
 * SO_SNDBUF above a quarter of SO_RCVBUF such probes were a hundred times as frequent: not chosen.
 */
export const TCP_FIXED_BUFFERS: ReadonlyArray<{ snd: number; rcv: number }> = [
  { snd: 16 * KiB, rcv: 64 * KiB },
  { snd: 16 * KiB, rcv: 128 * KiB },
  { snd: 16 * KiB, rcv: 256 * KiB },
  { snd: 32 * KiB, rcv: 128 * KiB },
  { snd: 32 * KiB, rcv: 256 * KiB },
];

type Buffers = { snd: number; rcv: number } | undefined;

export function sendBufferWalk(o: { property: string; minSteps?: number; maxSteps?: number }): fc.Arbitrary<Scenario> {
  return fc.constantFrom(...STREAM_VARIANTS).chain((variant) => {
    const tcp = variant === 'inet' || variant === 'inet6';
    // TCP: fixed buffers three times in four, default (autotuned) buffers otherwise
    const buffers: fc.Arbitrary<Buffers> = tcp ? fc.option(fc.constantFrom(...TCP_FIXED_BUFFERS), { nil: undefined, freq: 4 }) : fc.constant(undefined);
    return buffers.chain((bufs) => {
      // what the connection holds: linux doubles both sizes; the receiver takes about its buffer, the sender's queue its own
      const big = bufs ? 2 * (2 * bufs.snd + 2 * bufs.rcv) : tcp ? 3 * MiB : 300 * KiB;
      const choice: fc.Arbitrary<Choice> = fc.record({
        item: fc.oneof(...MENU.map(([item, weight]) => ({ weight, arbitrary: fc.constant(item) }))),
        size: sizes(big),
      });
      return fc.array(choice, { minLength: o.minSteps ?? 2, maxLength: o.maxSteps ?? 32, size: 'medium' }).map((choices) => ({ property: o.property, steps: layout(variant, bufs, choices) }));
    });
  });
}

/**
 * TCP over loopback with default buffers: at most this much is ever sent in one scenario. Beyond about 4 MiB unread the
 * receiver drops segments (its memory, counted by truesize, overruns the window it advertised) and
 * the sender falls into retransmission backoff, so arrival then depends on timers, not on the
 * reader: no settled state to judge. 2 MiB is the measured sure room (linux.json streamSendBuffer),
 * so over default TCP buffers this walk checks sends that must fit. Connections with fixed buffers
 * (TCP_FIXED_BUFFERS) have no such limit: no autotuning, and none lost a segment when measured.
 */
const TCP_TOTAL = 2 * MiB;

function layout(variant: StreamVariant, bufs: Buffers, choices: Choice[]): Step[] {
  const steps = connectSteps(variant);
  if (bufs) for (const fd of ['a', 'b']) steps.push({ actor: 'main', op: 'set-buffers', fd, snd: bufs.snd, rcv: bufs.rcv });
  let budget = (variant === 'inet' || variant === 'inet6') && !bufs ? TCP_TOTAL : Infinity;
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
