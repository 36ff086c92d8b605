// A random walk over datagram sockets, made in every way the issue lists: socketpair(AF_UNIX,
// SOCK_DGRAM) (blocking or SOCK_NONBLOCK, datagrams both ways), and a receiver b bound to a path in
// the temp dir (AF_UNIX), to 127.0.0.1 or to ::1 (UDP, port 0), with a sender a connected to it.
// Scope rules: sends and recvs are MSG_DONTWAIT (never block).
import fc from 'fast-check';
import type { Scenario, Step } from '../../spec/scenario.ts';
import type { Family } from '../../spec/socket-scenario.ts';

export const DGRAM_VARIANTS = ['socketpair', 'socketpair-nonblock', 'unix', 'inet', 'inet6'] as const;
export type DgramVariant = (typeof DGRAM_VARIANTS)[number];

/** recv: a buffer every datagram fits; recv-short: a buffer of any size (truncating), with or without the MSG_TRUNC flag. */
/** send-burst: BURST small datagrams in a row (past linux's AF_UNIX queue bound of max_dgram_qlen + 1). */
export type DgramItem = 'send' | 'send-empty' | 'send-burst' | 'recv' | 'recv-short';
const BURST = 12;

export interface DgramWalkOptions {
  property: string;
  menu: Partial<Record<DgramItem, number>>;
  variants?: readonly DgramVariant[];
  minSteps?: number;
  maxSteps?: number;
}

/** Every datagram the walks send fits this receive buffer (and linux's queue bounds are measured at this size). */
export const DGRAM_MAX = 3000;
const RECV_BUFFER = 4096;

type Choice = { item: DgramItem; size: number; toA: boolean; trunc: boolean };

const size = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 64 }) }, { weight: 2, arbitrary: fc.integer({ min: 65, max: DGRAM_MAX }) });

export function dgramWalk(o: DgramWalkOptions): fc.Arbitrary<Scenario> {
  const entries = Object.entries(o.menu).filter(([, w]) => w) as Array<[DgramItem, number]>;
  const choice: fc.Arbitrary<Choice> = fc.record({
    item: fc.oneof(...entries.map(([item, weight]) => ({ weight, arbitrary: fc.constant(item) }))),
    size,
    toA: fc.boolean(),
    trunc: fc.boolean(),
  });
  return fc
    .tuple(fc.constantFrom(...(o.variants ?? DGRAM_VARIANTS)), fc.array(choice, { minLength: o.minSteps ?? 1, maxLength: o.maxSteps ?? 14 }))
    .map(([variant, choices]) => ({ property: o.property, steps: layout(variant, choices) }));
}

/** Steps that leave a sender a and a receiver b (a socketpair: each the other's). */
export function dgramSetup(variant: DgramVariant): Step[] {
  if (variant.startsWith('socketpair')) return [{ actor: 'main', op: 'socketpair', a: 'a', b: 'b', nonblock: variant.endsWith('nonblock'), dgram: true }];
  const family = variant as Family;
  return [
    { actor: 'main', op: 'socket', family, as: 'b', nonblock: false, dgram: true },
    { actor: 'main', op: 'bind', fd: 'b', addr: family === 'unix' ? { path: 'd0' } : { port: 0 } },
    { actor: 'main', op: 'socket', family, as: 'a', nonblock: false, dgram: true },
    { actor: 'main', op: 'connect', fd: 'a', to: { of: 'b' } },
  ];
}

function layout(variant: DgramVariant, choices: Choice[]): Step[] {
  const steps = dgramSetup(variant);
  const pair = variant.startsWith('socketpair');
  for (const c of choices) {
    const to = pair && c.toA ? 'a' : 'b';
    const from = to === 'a' ? 'b' : 'a';
    if (c.item === 'send-burst') for (let j = 0; j < BURST; j++) steps.push({ actor: 'main', op: 'send', fd: from, size: 1 + ((c.size + j) % 64) });
    else if (c.item === 'send' || c.item === 'send-empty') steps.push({ actor: 'main', op: 'send', fd: from, size: c.item === 'send' ? c.size : 0 });
    else if (c.item === 'recv') steps.push({ actor: 'main', op: 'recv', fd: to, size: RECV_BUFFER, waitall: false, dontwait: true });
    else steps.push({ actor: 'main', op: 'recv', fd: to, size: c.size, waitall: false, dontwait: true, ...(c.trunc ? { trunc: true } : {}) });
  }
  return steps;
}
