// Dropped TCP connects completing later: a TCP listener (backlog 1 or 2) is filled (each connect
// checked with connect-status, so even the posix model knows it was queued), then one or two more
// connects, blocking (each on its own actor) or not, have their SYNs dropped. Accept then frees at
// least as many places as there are dropped connects, so each one's next retransmitted SYN gets in:
// connect-wait waits for every one of them (long deadline). Each run costs about a second (the first
// SYN retransmission), so the property runs few scenarios.
import fc from 'fast-check';
import type { Profile } from '../../spec/profile.ts';
import type { Scenario, Step } from '../../spec/scenario.ts';
import { expectedHolds } from './listen-walk.ts';

export function listenRetransmitWalk(profile: Profile, property: string): fc.Arbitrary<Scenario> {
  return fc
    .record({
      family: fc.constantFrom('inet' as const, 'inet6' as const),
      // backlog 0 is left out: posix surely holds nothing then, so which connection accept returns is unknown
      backlog: fc.constantFrom(1, 2),
      dropped: fc.array(fc.boolean(), { minLength: 1, maxLength: 2 }), // true: a blocking connect
      moreAccepts: fc.nat(2),
      statusAfterAccept: fc.boolean(),
      reverse: fc.boolean(),
    })
    .map(({ family, backlog, dropped, moreAccepts, statusAfterAccept, reverse }) => {
      const holds = expectedHolds(profile.listenQueue, backlog);
      const steps: Step[] = [
        { actor: 'main', op: 'socket', family, as: 'L', nonblock: false },
        { actor: 'main', op: 'bind', fd: 'L', addr: { port: 0 } },
        { actor: 'main', op: 'listen', fd: 'L', backlog },
      ];
      for (let i = 1; i <= holds; i++) {
        steps.push({ actor: 'main', op: 'socket', family, as: `c${i}`, nonblock: true });
        steps.push({ actor: 'main', op: 'connect', fd: `c${i}`, to: { of: 'L' } });
        steps.push({ actor: 'main', op: 'connect-status', fd: `c${i}` });
      }
      const late = dropped.map((blocking, k) => {
        const h = `d${k + 1}`;
        steps.push({ actor: 'main', op: 'socket', family, as: h, nonblock: !blocking });
        steps.push({ actor: blocking ? `B${k + 1}` : 'main', op: 'connect', fd: h, to: { of: 'L' } });
        if (!blocking) steps.push({ actor: 'main', op: 'connect-status', fd: h });
        return { h, blocking };
      });
      const accepts = Math.min(holds, dropped.length + moreAccepts);
      for (let a = 1; a <= accepts; a++) steps.push({ actor: 'main', op: 'accept', fd: 'L', as: `s${a}` });
      if (statusAfterAccept) for (const d of late) if (!d.blocking) steps.push({ actor: 'main', op: 'connect-status', fd: d.h });
      for (const d of reverse ? late.slice().reverse() : late) steps.push({ actor: 'main', op: 'connect-wait', fd: d.h });
      return { property, steps };
    });
}
