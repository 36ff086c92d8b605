// A random walk over one connected stream-socket pair (a, b), made in any of the ways a connection
// can be made: socketpair (blocking or SOCK_NONBLOCK), or connect/accept over AF_UNIX (a path in the
// temp dir), AF_INET 127.0.0.1 or AF_INET6 ::1 (port 0). Areas reuse it with their own menus.
// Scope rules that keep every trace judgeable: sends run on main with MSG_DONTWAIT (never block);
// recvs on a run on actor A, on b on actor B; a is closed only if no recv that may block was made on
// it (so none is blocked on it; what b sent it and it did not read makes the close a reset), and after
// that only b sends to it. Only a is shut down; each half once.
import fc from 'fast-check';
import type { Scenario, Step } from '../../spec/scenario.ts';
import type { Family } from '../../spec/socket-scenario.ts';

export const STREAM_VARIANTS = ['socketpair', 'socketpair-nonblock', 'unix', 'inet', 'inet6'] as const;
export type StreamVariant = (typeof STREAM_VARIANTS)[number];

/** 'close-unread': b sends to a, then a closes at once (unread data: a reset). */
export type StreamItem = 'send' | 'recv' | 'recv-waitall' | 'recv-peek' | 'name' | 'shutdown' | 'close' | 'close-unread' | 'reconnect';
export type ShutHow = 'wr' | 'rd' | 'rdwr';

export interface StreamWalkOptions {
  property: string;
  menu: Partial<Record<StreamItem, number>>;
  /** What a 'shutdown' move shuts (default: the write half only). */
  shutdowns?: readonly ShutHow[];
  variants?: readonly StreamVariant[];
  minSteps?: number;
  maxSteps?: number;
}

type Choice = { item: StreamItem; size: number; toB: boolean; dontwait: boolean; peer: boolean; how: ShutHow };

const size = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 64 }) }, { weight: 2, arbitrary: fc.integer({ min: 65, max: 3000 }) });

export function streamWalk(o: StreamWalkOptions): fc.Arbitrary<Scenario> {
  const entries = Object.entries(o.menu).filter(([, w]) => w) as Array<[StreamItem, number]>;
  const choice: fc.Arbitrary<Choice> = fc.record({
    item: fc.oneof(...entries.map(([item, weight]) => ({ weight, arbitrary: fc.constant(item) }))),
    size,
    toB: fc.boolean(),
    dontwait: fc.boolean(),
    peer: fc.boolean(),
    how: fc.constantFrom(...(o.shutdowns ?? ['wr'] as const)),
  });
  return fc
    .tuple(fc.constantFrom(...(o.variants ?? STREAM_VARIANTS)), fc.array(choice, { minLength: o.minSteps ?? 1, maxLength: o.maxSteps ?? 12 }))
    .map(([variant, choices]) => ({ property: o.property, steps: layout(variant, choices) }));
}

/** Steps that leave a connected pair in handles a (client) and b (server side). */
export function connectSteps(variant: StreamVariant): Step[] {
  if (variant.startsWith('socketpair')) return [{ actor: 'main', op: 'socketpair', a: 'a', b: 'b', nonblock: variant.endsWith('nonblock') }];
  const family = variant as Family;
  return [
    { actor: 'main', op: 'socket', family, as: 'L', nonblock: false },
    { actor: 'main', op: 'bind', fd: 'L', addr: family === 'unix' ? { path: 'l0' } : { port: 0 } },
    { actor: 'main', op: 'listen', fd: 'L', backlog: 5 },
    { actor: 'main', op: 'socket', family, as: 'a', nonblock: false },
    { actor: 'main', op: 'connect', fd: 'a', to: { of: 'L' } },
    { actor: 'main', op: 'accept', fd: 'L', as: 'b' },
  ];
}

function layout(variant: StreamVariant, choices: Choice[]): Step[] {
  const steps = connectSteps(variant);
  const listening = !variant.startsWith('socketpair');
  let aClosed = false;
  let aShutWr = false;
  let aShutRd = false;
  let aRecv = false; // a recv that may block was made on a
  let bSent = false;
  let conns = 0;
  const push = (s: Step) => steps.push(s);
  for (const c of choices) {
    // once a is closed, every data step is b's
    const to = c.toB || aClosed ? 'b' : 'a';
    const from = c.toB && !aClosed ? 'a' : 'b';
    switch (c.item) {
      case 'send':
        if (aClosed && from === 'a') break; // b may send to the closed a
        if (from === 'b') bSent = true;
        push({ actor: 'main', op: 'send', fd: from, size: c.size });
        break;
      case 'recv': case 'recv-waitall': case 'recv-peek':
        if (to === 'a' && aClosed) break;
        if (to === 'a' && (c.item === 'recv-waitall' || !c.dontwait)) aRecv = true;
        push({ actor: to === 'a' ? 'A' : 'B', op: 'recv', fd: to, size: c.size, waitall: c.item === 'recv-waitall', dontwait: c.item !== 'recv-waitall' && c.dontwait, ...(c.item === 'recv-peek' ? { peek: true } : {}) });
        break;
      case 'name':
        if (to === 'a' && aClosed) break;
        push({ actor: 'main', op: 'sockname', fd: to, peer: c.peer });
        break;
      case 'shutdown': {
        const wr: boolean = c.how !== 'rd' && !aShutWr;
        const rd: boolean = c.how !== 'wr' && !aShutRd;
        if (aClosed || (!wr && !rd)) break;
        aShutWr ||= wr;
        aShutRd ||= rd;
        push({ actor: 'main', op: 'shutdown', fd: 'a', how: wr && rd ? 'rdwr' : wr ? 'wr' : 'rd' });
        break;
      }
      case 'close': case 'close-unread':
        // unread data from b makes it a reset (not after SHUT_WR: a TCP FIN already received changes what the reset shows)
        if (aClosed || aRecv || (aShutWr && (bSent || c.item === 'close-unread'))) break;
        if (c.item === 'close-unread') {
          bSent = true;
          push({ actor: 'main', op: 'send', fd: 'b', size: c.size });
        }
        aClosed = true;
        push({ actor: 'main', op: 'close', fd: 'a' });
        break;
      case 'reconnect': {
        if (!listening || conns >= 3) break;
        const k = ++conns;
        push({ actor: 'main', op: 'socket', family: variant as Family, as: `c${k}`, nonblock: false });
        push({ actor: 'main', op: 'connect', fd: `c${k}`, to: { of: 'L' } });
        push({ actor: 'main', op: 'accept', fd: 'L', as: `s${k}` });
        push({ actor: 'main', op: 'sockname', fd: c.peer ? `s${k}` : `c${k}`, peer: true });
        break;
      }
    }
  }
  return steps;
}
