// Scenarios about socket names: one socket L bound in a family (AF_UNIX path "l0", or loopback port 0),
// listening or not (AF_UNIX: or closed, leaving a stale socket file), then a sequence of probes, each
// on fresh sockets x1, x2, ...: connect to L's name, to a missing path, connect twice, bind L's name
// again, bind twice, bind port 0. L's TCP port is never released while the scenario runs, so no other
// program can take it.
import fc from 'fast-check';
import type { Scenario, Step } from '../../spec/scenario.ts';
import { SOCKET_FAMILIES, type Family } from '../../spec/socket-scenario.ts';

export type AddrProbe = 'connect' | 'connect-missing' | 'connect-twice' | 'bind-same' | 'bind-twice' | 'bind-port-zero' | 'socketpair-connect';

export interface AddrWalkOptions {
  property: string;
  menu: Partial<Record<AddrProbe, number>>;
  maxProbes?: number;
}

type LState = 'bound' | 'listening' | 'stale';

export function addrWalk(o: AddrWalkOptions): fc.Arbitrary<Scenario> {
  const entries = Object.entries(o.menu).filter(([, w]) => w) as Array<[AddrProbe, number]>;
  const probe = fc.oneof(...entries.map(([p, weight]) => ({ weight, arbitrary: fc.constant(p) })));
  return fc
    .record({
      family: fc.constantFrom(...SOCKET_FAMILIES),
      l: fc.constantFrom<LState>('bound', 'listening', 'stale'),
      probes: fc.array(probe, { minLength: 1, maxLength: o.maxProbes ?? 4 }),
    })
    .map(({ family, l, probes }) => ({ property: o.property, steps: layout(family, family === 'unix' ? l : l === 'stale' ? 'bound' : l, probes) }));
}

function layout(family: Family, l: LState, probes: AddrProbe[]): Step[] {
  const unix = family === 'unix';
  const here = unix ? { path: 'l0' } : { port: 0 as const };
  const steps: Step[] = [
    { actor: 'main', op: 'socket', family, as: 'L', nonblock: false },
    { actor: 'main', op: 'bind', fd: 'L', addr: here },
  ];
  if (l === 'listening') steps.push({ actor: 'main', op: 'listen', fd: 'L', backlog: 8 });
  if (l === 'stale') steps.push({ actor: 'main', op: 'close', fd: 'L' });
  const lName = unix ? { path: 'l0' } : { of: 'L' };
  let n = 0;
  let conns = 0;
  const fresh = () => {
    const h = `x${++n}`;
    steps.push({ actor: 'main', op: 'socket', family, as: h, nonblock: false });
    return h;
  };
  const freshAddr = () => (unix ? { path: `p${n}-${steps.length}` } : { port: 0 as const });
  for (const p of probes) {
    switch (p) {
      case 'connect': {
        if (l === 'listening' && conns >= 4) break;
        const h = fresh();
        steps.push({ actor: 'main', op: 'connect', fd: h, to: lName });
        if (l === 'listening') conns++;
        break;
      }
      case 'connect-missing': {
        if (!unix) break;
        const h = fresh();
        steps.push({ actor: 'main', op: 'connect', fd: h, to: { path: `missing${n}` } });
        break;
      }
      case 'connect-twice': case 'socketpair-connect': {
        if (l !== 'listening' || conns >= 3) break;
        let h: string;
        if (p === 'socketpair-connect' && unix) {
          h = `x${++n}`;
          steps.push({ actor: 'main', op: 'socketpair', a: h, b: `${h}b`, nonblock: false });
        } else {
          h = fresh();
          steps.push({ actor: 'main', op: 'connect', fd: h, to: lName });
          conns++;
        }
        steps.push({ actor: 'main', op: 'connect', fd: h, to: lName });
        break;
      }
      case 'bind-same': {
        const h = fresh();
        steps.push({ actor: 'main', op: 'bind', fd: h, addr: lName });
        break;
      }
      case 'bind-twice': {
        const h = fresh();
        steps.push({ actor: 'main', op: 'bind', fd: h, addr: freshAddr() });
        steps.push({ actor: 'main', op: 'bind', fd: h, addr: freshAddr() });
        break;
      }
      case 'bind-port-zero': {
        const h = fresh();
        steps.push({ actor: 'main', op: 'bind', fd: h, addr: freshAddr() });
        steps.push({ actor: 'main', op: 'sockname', fd: h, peer: false });
        break;
      }
    }
  }
  return steps;
}
