// A random walk over FIFO names: mkfifo, open (blocking or not, either side), I/O, unlink, stat.
// Each handle belongs to the actor that opened it, so its I/O queues behind a blocked open.
// Writes stay small (total below PIPE_BUF) so that no writer ever blocks.
import fc from 'fast-check';
import type { Profile } from '../../spec/profile.ts';
import type { Call, Scenario, Step } from '../../spec/scenario.ts';

export type FifoItem = 'mkfifo' | 'mkfifo-missing-dir' | 'unlink' | 'stat' | 'open' | 'write' | 'read' | 'close' | 'poll';

const PATHS = ['f0', 'f1'];

/** Openings the walk may start from, so that rare situations are reached every run (shrinks to none). */
const DATA_IN_FIFO: Step[] = [
  { actor: 'A', op: 'open', path: 'f0', as: 'ra', mode: 'read', nonblock: true },
  { actor: 'B', op: 'open', path: 'f0', as: 'wb', mode: 'write', nonblock: true },
  { actor: 'B', op: 'write', fd: 'wb', size: 100 },
  { actor: 'main', op: 'stat', path: 'f0' },
];
const RECREATED: Step[] = [
  ...DATA_IN_FIFO,
  { actor: 'main', op: 'unlink', path: 'f0' },
  { actor: 'main', op: 'mkfifo', path: 'f0' },
  { actor: 'C', op: 'open', path: 'f0', as: 'rc', mode: 'read', nonblock: true },
  { actor: 'D', op: 'open', path: 'f0', as: 'wd', mode: 'write', nonblock: true },
  { actor: 'D', op: 'write', fd: 'wd', size: 50 },
  { actor: 'C', op: 'read', fd: 'rc', size: 500 },
  { actor: 'A', op: 'read', fd: 'ra', size: 500 },
];
const TWO_WRITERS: Step[] = [
  { actor: 'A', op: 'open', path: 'f0', as: 'ra', mode: 'read', nonblock: true },
  { actor: 'B', op: 'open', path: 'f0', as: 'wb', mode: 'write', nonblock: false },
  { actor: 'C', op: 'open', path: 'f0', as: 'wc', mode: 'write', nonblock: false },
  { actor: 'B', op: 'write', fd: 'wb', size: 10 },
  { actor: 'B', op: 'close', fd: 'wb' },
  { actor: 'A', op: 'read', fd: 'ra', size: 100 },
  { actor: 'A', op: 'read', fd: 'ra', size: 100 },
];
const REOPENED_AFTER_LAST_CLOSE: Step[] = [
  ...DATA_IN_FIFO,
  { actor: 'B', op: 'close', fd: 'wb' },
  { actor: 'A', op: 'close', fd: 'ra' },
  { actor: 'C', op: 'open', path: 'f0', as: 'rc', mode: 'read', nonblock: true },
  { actor: 'D', op: 'open', path: 'f0', as: 'wd', mode: 'write', nonblock: true },
  { actor: 'C', op: 'read', fd: 'rc', size: 200 },
];
const NEVER_WRITTEN: Step[] = [
  { actor: 'A', op: 'open', path: 'f0', as: 'ra', mode: 'read', nonblock: true },
  { actor: 'A', op: 'read', fd: 'ra', size: 10 },
  { actor: 'A', op: 'poll', fd: 'ra' },
];
export const OPENINGS = { none: [] as Step[], DATA_IN_FIFO, RECREATED, TWO_WRITERS, REOPENED_AFTER_LAST_CLOSE, NEVER_WRITTEN };
const ACTORS = ['A', 'B', 'C', 'D'];

export function fifoWalk(profile: Profile, property: string, menu: Partial<Record<FifoItem, number>>, openings: Step[][] = [[]], maxSteps = 14): fc.Arbitrary<Scenario> {
  const items = Object.entries(menu).filter(([, w]) => w) as Array<[FifoItem, number]>;
  const choice = fc.record({
    item: fc.oneof(...items.map(([item, weight]) => ({ weight, arbitrary: fc.constant(item) }))),
    path: fc.nat(PATHS.length - 1),
    actor: fc.nat(ACTORS.length - 1),
    mode: fc.constantFrom('read' as const, 'write' as const),
    nonblock: fc.boolean(),
    size: fc.integer({ min: 1, max: Math.floor(profile.pipeBuf / 4) }),
    pick: fc.nat(),
  });
  return fc.tuple(fc.constantFrom(...openings), fc.array(choice, { minLength: 2, maxLength: maxSteps })).map(([opening, cs]) => {
    const steps: Step[] = [{ actor: 'main', op: 'mkfifo', path: 'f0' }, ...opening];
    const handles = new Map<string, Array<{ h: string; mode: 'read' | 'write' }>>(ACTORS.map((a) => [a, []]));
    let opened = 0;
    let written = 0;
    for (const st of opening) {
      if (st.op === 'open') handles.get(st.actor)!.push({ h: st.as, mode: st.mode });
      if (st.op === 'close') handles.set(st.actor, handles.get(st.actor)!.filter((x) => x.h !== st.fd));
      if (st.op === 'write') written += st.size;
    }
    const push = (actor: string, call: Call) => steps.push({ actor, ...call } as Step);
    for (const c of cs) {
      const actor = ACTORS[c.actor];
      const mine = handles.get(actor)!;
      const path = PATHS[c.path];
      const h = mine.length ? mine[c.pick % mine.length] : undefined;
      switch (c.item) {
        case 'mkfifo': push('main', { op: 'mkfifo', path }); break;
        case 'mkfifo-missing-dir': push('main', { op: 'mkfifo', path: `missing/${path}` }); break;
        case 'unlink': push('main', { op: 'unlink', path }); break;
        case 'stat': push('main', { op: 'stat', path }); break;
        case 'open': {
          const as = `${c.mode[0]}${opened++}`;
          push(actor, { op: 'open', path, as, mode: c.mode, nonblock: c.nonblock });
          mine.push({ h: as, mode: c.mode });
          break;
        }
        case 'write':
          if (h?.mode === 'write' && written + c.size < profile.pipeBuf) { push(actor, { op: 'write', fd: h.h, size: c.size }); written += c.size; }
          break;
        case 'read': if (h?.mode === 'read') push(actor, { op: 'read', fd: h.h, size: c.size }); break;
        case 'close': if (h) push(actor, { op: 'close', fd: h.h }); break;
        case 'poll': if (h) push(actor, { op: 'poll', fd: h.h }); break;
      }
    }
    return { property, steps };
  });
}
