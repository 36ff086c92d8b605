// Two-host scenarios made from the loopback ones: a walk written for AF_INET/AF_INET6 over loopback,
// moved onto two test hosts (network namespaces joined by a link, spec/socket-scenario.ts). Every
// socket that binds (a listener, a datagram receiver, a port bound and left silent) lives on host b
// and binds b's address; every other socket (the clients, the senders) lives on host a. Accepted
// sockets are b's by birth. The steps and the clauses stay the same: only the addresses differ.
import type fc from 'fast-check';
import type { Scenario, Step } from '../../spec/scenario.ts';

/** The scenarios of `walk` that use AF_INET/AF_INET6 sockets only, moved onto the two test hosts. */
export function acrossHosts(walk: fc.Arbitrary<Scenario>): fc.Arbitrary<Scenario> {
  return walk.filter(isInetOnly).map(moveToHosts);
}

const isInetOnly = (sc: Scenario): boolean =>
  sc.steps.some((s) => s.op === 'socket') && sc.steps.every((s) => s.op !== 'socketpair' && (s.op !== 'socket' || s.family !== 'unix'));

export function moveToHosts(sc: Scenario): Scenario {
  const servers = new Set(sc.steps.flatMap((s) => (s.op === 'bind' ? [s.fd] : [])));
  const steps = sc.steps.map((s): Step => {
    if (s.op === 'socket') return { ...s, host: servers.has(s.as) ? 'b' : 'a' };
    if (s.op === 'bind') {
      // a loopback walk binds port 0 only; anything else has no counterpart across hosts
      if (!('port' in s.addr) || 'host' in s.addr) throw new Error(`acrossHosts: a bind to ${JSON.stringify(s.addr)} has no two-host counterpart`);
      return { ...s, addr: { host: 'b', port: 0 } };
    }
    return s;
  });
  return { property: sc.property, steps };
}
