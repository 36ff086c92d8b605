// The listen queue: a listener (any family, backlog 0, 1, 2 or 5; or, in listenBigWalk, a backlog of
// -1 or above somaxconn, filled by one connect-fill step) that accepts at most once, fed connects beyond what its queue holds (linux: min(backlog, somaxconn) + 1):
// nonblocking ones from main, with zero-timeout connect-status checks in between, and blocking ones,
// each on its own actor (against a full queue they sleep in connect; AF_UNIX wakes when accept frees
// room). After the one accept only AF_UNIX connects again (a dropped TCP connect may complete through
// retransmission once room appears: listen-retransmit-walk.ts waits for that).
import fc from 'fast-check';
import type { Profile } from '../../spec/profile.ts';
import type { Scenario, Step } from '../../spec/scenario.ts';
import { SOCKET_FAMILIES, type Family } from '../../spec/socket-scenario.ts';

type Move = { kind: 'connect' | 'block' | 'status' | 'accept'; pick: number };

/** Blocking connects per scenario (each keeps its own actor busy while it sleeps). */
const MAX_BLOCKED = 2;

/** Backlogs linux truncates to somaxconn: negative, or above it (posix: a negative one acts as 0). */
const bigBacklog = (q: Profile['listenQueue']) => fc.constantFrom(-1, ...(q.rule === 'backlog-plus-one' ? [q.somaxconn + 1, 0x7fffffff] : []));

/** Connections the walk expects the queue to hold: the profile's exact length, or a guess (posix). */
export function expectedHolds(q: Profile['listenQueue'], backlog: number): number {
  if (q.rule === 'backlog-plus-one') return (backlog < 0 ? q.somaxconn : Math.min(backlog, q.somaxconn)) + 1;
  return Math.min(Math.max(backlog, 1), 5) + 1;
}

export const listenWalk = (profile: Profile, property: string): fc.Arbitrary<Scenario> =>
  walk(profile, property, fc.record({ family: fc.constantFrom(...SOCKET_FAMILIES), backlog: fc.constantFrom(0, 1, 2, 5) }), false);

/** A queue of somaxconn + 1 is filled by one connect-fill step (thousands of connects, one model event); still costly, so its property runs few. */
export const listenBigWalk = (profile: Profile, property: string): fc.Arbitrary<Scenario> =>
  walk(profile, property, fc.record({ family: fc.constantFrom(...SOCKET_FAMILIES), backlog: bigBacklog(profile.listenQueue) }), true);

function walk(profile: Profile, property: string, listener: fc.Arbitrary<{ family: Family; backlog: number }>, fill: boolean): fc.Arbitrary<Scenario> {
  const q = profile.listenQueue;
  // after a fill (whose last connect already shows the overflow) every model step copies thousands of
  // sockets, and the model target tries several outcomes per step: only blocking connects and the accept
  const kinds: Move['kind'][] = fill ? ['block', 'accept'] : ['connect', 'connect', 'block', 'status', 'status', 'accept'];
  const move = fc.record({ kind: fc.constantFrom(...kinds), pick: fc.nat() });
  return fc
    .record({
      listener,
      extra: fc.integer({ min: 1, max: 2 }),
      moves: fc.array(move, { maxLength: fill ? 3 : 10 }),
    })
    .map(({ listener: { family, backlog }, extra, moves }) => {
      const holds = expectedHolds(q, backlog);
      const steps: Step[] = [
        { actor: 'main', op: 'socket', family, as: 'L', nonblock: false },
        { actor: 'main', op: 'bind', fd: 'L', addr: family === 'unix' ? { path: 'l0' } : { port: 0 } },
        { actor: 'main', op: 'listen', fd: 'L', backlog },
      ];
      const clients: string[] = [];
      let blocked = 0;
      let accepted = false;
      const connect = (blocking: boolean) => {
        const h = blocking ? `b${++blocked}` : `c${clients.length + 1}`;
        if (!blocking) clients.push(h);
        steps.push({ actor: 'main', op: 'socket', family, as: h, nonblock: !blocking });
        steps.push({ actor: blocking ? `B${blocked}` : 'main', op: 'connect', fd: h, to: { of: 'L' } });
      };
      // fill the queue and go beyond it, with checks in between (or all at once)
      if (fill) steps.push({ actor: 'main', op: 'connect-fill', family, to: { of: 'L' }, count: holds + extra, as: 'f' });
      else for (let i = 0; i < holds + extra; i++) connect(false);
      for (const m of moves) {
        const more = family === 'unix' || !accepted;
        if (m.kind === 'connect' && more && clients.length < holds + 4) connect(false);
        if (m.kind === 'block' && more && blocked < MAX_BLOCKED) connect(true);
        if ((m.kind === 'status' || m.kind === 'connect') && clients.length) steps.push({ actor: 'main', op: 'connect-status', fd: clients[m.pick % clients.length] });
        // backlog 0: posix surely holds nothing, so which connection accept would return is unknown
        if (m.kind === 'accept' && !accepted && backlog >= 1) { accepted = true; steps.push({ actor: 'main', op: 'accept', fd: 'L', as: 's1' }); }
      }
      if (clients.length) steps.push({ actor: 'main', op: 'connect-status', fd: clients[clients.length - 1] });
      return { property, steps };
    });
}
