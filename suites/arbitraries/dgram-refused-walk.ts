// A walk around a UDP port that closes: b bound to 127.0.0.1 or ::1 (port 0), a connected to b, c
// not connected (sendto). At some point b closes; after that a's sends and c's sendtos go to a closed
// port. Before it, b may send to a, so a can hold datagrams when its refusal arrives.
// Scope rules: everything MSG_DONTWAIT; nobody sends to a but b, its peer (a connected UDP socket
// drops the rest, which the host could not tell from a slow delivery).
import fc from 'fast-check';
import type { Scenario, Step } from '../../spec/scenario.ts';
import type { SizeLimits } from './dgram-walk.ts';

type Item = 'send-a' | 'sendto-c' | 'b-to-a' | 'recv-a' | 'peek-a' | 'recv-c' | 'recv-b';
type Choice = { item: Item; size: number; big: boolean };

const MENU: Array<[Item, number]> = [['send-a', 4], ['sendto-c', 3], ['b-to-a', 2], ['recv-a', 4], ['peek-a', 1], ['recv-c', 2], ['recv-b', 2]];
const LIMITS: SizeLimits = { unix: null, udp: 65507, udp6: 65527 };

export function dgramRefusedWalk(property: string, limits: SizeLimits = LIMITS): fc.Arbitrary<Scenario> {
  const choice: fc.Arbitrary<Choice> = fc.record({
    item: fc.oneof(...MENU.map(([item, weight]) => ({ weight, arbitrary: fc.constant(item) }))),
    size: fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 5, arbitrary: fc.integer({ min: 1, max: 64 }) }),
    big: fc.boolean(),
  });
  return fc
    .tuple(fc.constantFrom('inet' as const, 'inet6' as const), fc.array(choice, { minLength: 2, maxLength: 14 }), fc.nat(14), fc.integer({ min: 0, max: 9 }))
    .map(([family, choices, at, bigOdds]) => ({ property, steps: layout(family, choices, Math.min(at, choices.length), bigOdds, family === 'inet' ? limits.udp : limits.udp6) }));
}

function layout(family: 'inet' | 'inet6', choices: Choice[], closeAt: number, bigOdds: number, limit: number): Step[] {
  const steps: Step[] = [
    { actor: 'main', op: 'socket', family, as: 'b', nonblock: false, dgram: true },
    { actor: 'main', op: 'bind', fd: 'b', addr: { port: 0 } },
    { actor: 'main', op: 'socket', family, as: 'a', nonblock: false, dgram: true },
    { actor: 'main', op: 'connect', fd: 'a', to: { of: 'b' } },
    { actor: 'main', op: 'socket', family, as: 'c', nonblock: false, dgram: true },
    // c's first datagram reaches b while it is open (its port is chosen here)
    { actor: 'main', op: 'send', fd: 'c', size: 3, to: { of: 'b' } },
  ];
  const recv = (fd: string, peek = false): Step => ({ actor: 'main', op: 'recv', fd, size: 4096, waitall: false, dontwait: true, ...(peek ? { peek: true } : {}) });
  choices.forEach((c, i) => {
    if (i === closeAt) steps.push({ actor: 'main', op: 'close', fd: 'b' });
    const open = i < closeAt;
    // now and then a datagram one byte over the limit: EMSGSIZE comes before a pending refusal
    const size = c.big && bigOdds === 0 ? limit + 1 : c.size;
    if (c.item === 'send-a') steps.push({ actor: 'main', op: 'send', fd: 'a', size });
    else if (c.item === 'sendto-c') steps.push({ actor: 'main', op: 'send', fd: 'c', size, to: { of: 'b' } });
    else if (c.item === 'b-to-a' && open) steps.push({ actor: 'main', op: 'send', fd: 'b', size: c.size, to: { of: 'a' } });
    else if (c.item === 'recv-b' && open) steps.push(recv('b'));
    else if (c.item === 'recv-c') steps.push(recv('c'));
    else if (c.item === 'peek-a') steps.push(recv('a', true));
    else steps.push(recv('a'));
  });
  if (closeAt >= choices.length) steps.push({ actor: 'main', op: 'close', fd: 'b' }, { actor: 'main', op: 'send', fd: 'a', size: 1 }, recv('a'));
  return steps;
}
