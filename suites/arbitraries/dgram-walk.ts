// A random walk over datagram sockets, made in every way the issue lists: socketpair(AF_UNIX,
// SOCK_DGRAM) (blocking or SOCK_NONBLOCK, datagrams both ways), and a receiver b bound to a path in
// the temp dir (AF_UNIX), to 127.0.0.1 or to ::1 (UDP, port 0), with a sender a connected to it and
// a third socket c that is not connected and uses sendto (AF_UNIX: bound to a path or not).
// Scope rules: sends and recvs are MSG_DONTWAIT (never block).
import fc from 'fast-check';
import type { Scenario, Step } from '../../spec/scenario.ts';
import type { Family } from '../../spec/socket-scenario.ts';

export const DGRAM_VARIANTS = ['socketpair', 'socketpair-nonblock', 'unix', 'inet', 'inet6'] as const;
export type DgramVariant = (typeof DGRAM_VARIANTS)[number];

/** recv: a buffer every datagram fits; recv-short: a buffer of any size (truncating), with or without the MSG_TRUNC flag. */
/** send-burst: BURST small datagrams in a row (past linux's AF_UNIX queue bound of max_dgram_qlen + 1). */
/** send-flood: FLOOD datagrams of DGRAM_MAX bytes (past the measured UDP and socketpair queue bounds). */
/** send-big: a datagram at the size limit, one byte over, or far over; recv-big: a buffer any datagram fits. */
/** sendto: c sends to b (socketpair: a plain send); recv-peek: MSG_PEEK, with a full or a short buffer. */
/** send-block (once; AF_UNIX, blocking sockets): fill the receiver's queue, then a blocking send on actor S, which a later receive wakes. */
export type DgramItem = 'send' | 'send-empty' | 'send-burst' | 'send-flood' | 'send-big' | 'sendto' | 'recv' | 'recv-short' | 'recv-peek' | 'recv-big' | 'send-block';
const BURST = 12;
const FLOOD = 56;
/** Where the walks look for the size limit: the profile's, else linux's default (AF_UNIX: SO_SNDBUF 212992 less 32). */
export type SizeLimits = { unix: number | null; udp: number; udp6: number };

export interface DgramWalkOptions {
  property: string;
  menu: Partial<Record<DgramItem, number>>;
  variants?: readonly DgramVariant[];
  minSteps?: number;
  maxSteps?: number;
  limits?: SizeLimits;
}

/** Every datagram the walks send fits this receive buffer (and linux's queue bounds are measured at this size). */
export const DGRAM_MAX = 3000;
const RECV_BUFFER = 4096;
const RECV_BIG = 262144;
const LINUX_LIMITS: SizeLimits = { unix: 212960, udp: 65507, udp6: 65527 };

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
    .tuple(fc.constantFrom(...(o.variants ?? DGRAM_VARIANTS)), fc.array(choice, { minLength: o.minSteps ?? 1, maxLength: o.maxSteps ?? 14 }), fc.boolean())
    .map(([variant, choices, bindC]) => ({ property: o.property, steps: layout(variant, choices, bindC, o.limits ?? LINUX_LIMITS) }));
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

/** A third socket c, not connected, that sends with sendto (AF_UNIX: bound to d1 or unnamed). */
function thirdSender(variant: DgramVariant, bindC: boolean): Step[] {
  if (variant.startsWith('socketpair')) return [];
  const family = variant as Family;
  const c: Step[] = [{ actor: 'main', op: 'socket', family, as: 'c', nonblock: false, dgram: true }];
  if (family === 'unix' && bindC) c.push({ actor: 'main', op: 'bind', fd: 'c', addr: { path: 'd1' } });
  return c;
}

function layout(variant: DgramVariant, choices: Choice[], bindC: boolean, limits: SizeLimits): Step[] {
  const pair = variant.startsWith('socketpair');
  const uses = (...items: DgramItem[]) => choices.some((c) => items.includes(c.item));
  const steps = [...dgramSetup(variant), ...(uses('sendto') ? thirdSender(variant, bindC) : [])];
  const limit = variant === 'inet' ? limits.udp : variant === 'inet6' ? limits.udp6 : (limits.unix ?? LINUX_LIMITS.unix!);
  let blocked = false;
  for (const c of choices) {
    const to = pair && c.toA ? 'a' : 'b';
    const from = to === 'a' ? 'b' : 'a';
    const recv = (size: number, more: Partial<Extract<Step, { op: 'recv' }>> = {}) => steps.push({ actor: 'main', op: 'recv', fd: to, size, waitall: false, dontwait: true, ...more });
    if (c.item === 'send-block' && !blocked && (variant === 'unix' || variant === 'socketpair')) {
      blocked = true;
      const fill = variant === 'unix' ? BURST : FLOOD;
      for (let j = 0; j < fill; j++) steps.push({ actor: 'main', op: 'send', fd: from, size: variant === 'unix' ? 1 + ((c.size + j) % 64) : DGRAM_MAX - j });
      steps.push({ actor: 'S', op: 'send', fd: from, size: c.size, dontwait: false });
    } else if (c.item === 'send-burst') for (let j = 0; j < BURST; j++) steps.push({ actor: 'main', op: 'send', fd: from, size: 1 + ((c.size + j) % 64) });
    else if (c.item === 'send-flood') for (let j = 0; j < FLOOD; j++) steps.push({ actor: 'main', op: 'send', fd: from, size: DGRAM_MAX - j });
    else if (c.item === 'send-big') steps.push({ actor: 'main', op: 'send', fd: from, size: [limit, limit + 1, limit + 7 * c.size][c.size % 3] });
    else if (c.item === 'sendto' && !pair) steps.push({ actor: 'main', op: 'send', fd: 'c', size: c.size, to: { of: 'b' } });
    else if (c.item === 'send' || c.item === 'send-empty' || c.item === 'sendto' || c.item === 'send-block') steps.push({ actor: 'main', op: 'send', fd: from, size: c.item === 'send-empty' ? 0 : c.size });
    else if (c.item === 'recv') recv(RECV_BUFFER);
    else if (c.item === 'recv-big') recv(RECV_BIG);
    else if (c.item === 'recv-peek') {
      // half the time straight followed by a receive that must return the peeked datagram, whole
      recv(c.trunc ? c.size : RECV_BUFFER, { peek: true });
      if (c.size % 2 === 0) recv(RECV_BUFFER);
    }
    else recv(c.size, c.trunc ? { trunc: true } : {});
  }
  return steps;
}
