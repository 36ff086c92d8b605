// The listen queue: a listener (any family, backlog 0, 1, 2 or 5) that accepts at most once, fed
// nonblocking connects beyond what its queue holds (linux: min(backlog, somaxconn) + 1), with
// zero-timeout connect-status checks in between. After the one accept only AF_UNIX connects again
// (a dropped TCP connect may complete through retransmission once room appears).
import fc from 'fast-check';
import type { Profile } from '../../spec/profile.ts';
import type { Scenario, Step } from '../../spec/scenario.ts';
import { SOCKET_FAMILIES } from '../../spec/socket-scenario.ts';

type Move = { kind: 'connect' | 'status' | 'accept'; pick: number };

export function listenWalk(profile: Profile, property: string): fc.Arbitrary<Scenario> {
  const move = fc.record({ kind: fc.constantFrom<Move['kind']>('connect', 'connect', 'status', 'status', 'accept'), pick: fc.nat() });
  return fc
    .record({ family: fc.constantFrom(...SOCKET_FAMILIES), backlog: fc.constantFrom(0, 1, 2, 5), extra: fc.integer({ min: 1, max: 2 }), moves: fc.array(move, { maxLength: 10 }) })
    .map(({ family, backlog, extra, moves }) => {
      const q = profile.listenQueue;
      const holds = q.rule === 'backlog-plus-one' ? Math.min(backlog, q.somaxconn) + 1 : Math.max(backlog, 1) + 1;
      const steps: Step[] = [
        { actor: 'main', op: 'socket', family, as: 'L', nonblock: false },
        { actor: 'main', op: 'bind', fd: 'L', addr: family === 'unix' ? { path: 'l0' } : { port: 0 } },
        { actor: 'main', op: 'listen', fd: 'L', backlog },
      ];
      const clients: string[] = [];
      let accepted = false;
      const connect = () => {
        const h = `c${clients.length + 1}`;
        clients.push(h);
        steps.push({ actor: 'main', op: 'socket', family, as: h, nonblock: true });
        steps.push({ actor: 'main', op: 'connect', fd: h, to: { of: 'L' } });
      };
      // fill the queue and go beyond it, with checks in between
      for (let i = 0; i < holds + extra; i++) connect();
      for (const m of moves) {
        if (m.kind === 'connect' && (family === 'unix' || !accepted) && clients.length < holds + 4) connect();
        if (m.kind === 'status' || m.kind === 'connect') steps.push({ actor: 'main', op: 'connect-status', fd: clients[m.pick % clients.length] });
        // backlog 0: posix surely holds nothing, so which connection accept would return is unknown
        if (m.kind === 'accept' && !accepted && backlog >= 1) { accepted = true; steps.push({ actor: 'main', op: 'accept', fd: 'L', as: 's1' }); }
      }
      steps.push({ actor: 'main', op: 'connect-status', fd: clients[clients.length - 1] });
      return { property, steps };
    });
}
