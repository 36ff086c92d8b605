// Scenarios about socket names: one socket L bound in a family (AF_UNIX path "l0", or loopback port 0),
// listening or not (AF_UNIX: or closed, leaving a stale socket file), then a sequence of probes, each
// on fresh sockets x1, x2, ...: connect to L's name, to a missing path, connect twice, bind L's name
// again, bind twice, bind port 0. L's TCP port is never released while the scenario runs, so no other
// program can take it. Below: binds by an unprivileged child (privilegedWalk), and AF_UNIX names
// beyond a plain path (unixNameWalk).
import fc from 'fast-check';
import type { Profile } from '../../spec/profile.ts';
import type { Scenario, Step } from '../../spec/scenario.ts';
import { SOCKET_FAMILIES, type Family } from '../../spec/socket-scenario.ts';

export type AddrProbe = 'connect' | 'connect-missing' | 'connect-twice' | 'bind-same' | 'bind-twice' | 'bind-port-zero' | 'socketpair-connect';

export interface AddrWalkOptions {
  property: string;
  menu: Partial<Record<AddrProbe, number>>;
  maxProbes?: number;
  /** What L may be before the probes (default: all three). */
  lStates?: LState[];
}

type LState = 'bound' | 'listening' | 'stale';

export function addrWalk(o: AddrWalkOptions): fc.Arbitrary<Scenario> {
  const entries = Object.entries(o.menu).filter(([, w]) => w) as Array<[AddrProbe, number]>;
  const probe = fc.oneof(...entries.map(([p, weight]) => ({ weight, arbitrary: fc.constant(p) })));
  return fc
    .record({
      family: fc.constantFrom(...SOCKET_FAMILIES),
      l: fc.constantFrom<LState>(...(o.lStates ?? ['bound', 'listening', 'stale'])),
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

/** Traditional start of the unprivileged ports (IPPORT_RESERVED), where the profile does not know it. */
const IPPORT_RESERVED = 1024;

/**
 * Binds by an unprivileged child: ports just below the profile's unprivileged start (nothing can be
 * bound there unprivileged, so no other program's port matters), port 0, and the start itself.
 */
export function privilegedWalk(property: string, p: Profile): fc.Arbitrary<Scenario> {
  const start = Math.min(65535, p.privilegedPorts.below ?? IPPORT_RESERVED);
  const low = start > 1 ? [{ weight: 4, arbitrary: fc.integer({ min: Math.max(1, start - 100), max: start - 1 }) }] : [];
  const port = fc.oneof(...low, { weight: 1, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(start) });
  const bind = fc.record({ family: fc.constantFrom('inet' as const, 'inet6' as const), port });
  return fc.array(bind, { minLength: 1, maxLength: 2 }).map((bs) => ({
    property,
    steps: bs.map((b): Step => ({ actor: 'main', op: 'bind-unprivileged', family: b.family, port: b.port })),
  }));
}

/** Path lengths around both profiles' limits (posix: 91 surely fit; linux: 107). */
const PATH_LENGTHS = [64, 91, 92, 100, 106, 107, 108, 109, 110, 128, 200];

type NameMove =
  | { kind: 'missing-dir' }
  | { kind: 'length'; n: number }
  | { kind: 'stale'; then: 'bind' | 'unlink' | 'bind-unlink' | 'unlink-rebind' | 'bind-unlink-rebind' }
  | { kind: 'abstract'; then: 'none' | 'again' | 'close-rebind' | 'again-close-rebind' | 'path' };

/**
 * AF_UNIX names, each move on fresh sockets and fresh names: a path under a missing directory, a
 * path of N bytes, a stale socket file (bound, closed; bound again, unlinked, rebound), and (where
 * the profile has them) an abstract name (bound, bound again, released by close, rebound; the path
 * of the same spelling is still free).
 */
export function unixNameWalk(property: string, p: Profile): fc.Arbitrary<Scenario> {
  const moves: Array<fc.Arbitrary<NameMove>> = [
    fc.constant({ kind: 'missing-dir' as const }),
    fc.constantFrom(...PATH_LENGTHS).map((n) => ({ kind: 'length' as const, n })),
    fc.constantFrom('bind' as const, 'unlink' as const, 'bind-unlink' as const, 'unlink-rebind' as const, 'bind-unlink-rebind' as const).map((then) => ({ kind: 'stale' as const, then })),
  ];
  if (p.unixAbstract) moves.push(fc.constantFrom('none' as const, 'again' as const, 'close-rebind' as const, 'again-close-rebind' as const, 'path' as const).map((then) => ({ kind: 'abstract' as const, then })));
  return fc.array(fc.oneof(...moves), { minLength: 1, maxLength: 4 }).map((ms) => ({ property, steps: nameSteps(ms) }));
}

function nameSteps(moves: NameMove[]): Step[] {
  const steps: Step[] = [];
  const lengths = new Set<number>();
  let n = 0;
  const fresh = () => {
    const h = `u${++n}`;
    steps.push({ actor: 'main', op: 'socket', family: 'unix', as: h, nonblock: false });
    return h;
  };
  moves.forEach((m, i) => {
    switch (m.kind) {
      case 'missing-dir': steps.push({ actor: 'main', op: 'bind', fd: fresh(), addr: { path: `nodir${i}/s` } }); break;
      case 'length': {
        if (lengths.has(m.n)) break;
        lengths.add(m.n);
        steps.push({ actor: 'main', op: 'bind', fd: fresh(), addr: { pathLength: m.n } });
        break;
      }
      case 'stale': {
        const path = { path: `s${i}` };
        const s = fresh();
        steps.push({ actor: 'main', op: 'bind', fd: s, addr: path }, { actor: 'main', op: 'close', fd: s });
        if (m.then.startsWith('bind')) steps.push({ actor: 'main', op: 'bind', fd: fresh(), addr: path });
        if (m.then.includes('unlink')) steps.push({ actor: 'main', op: 'unlink', path: path.path });
        if (m.then.endsWith('rebind')) steps.push({ actor: 'main', op: 'bind', fd: fresh(), addr: path });
        break;
      }
      case 'abstract': {
        const name = { abstract: `a${i}` };
        const a = fresh();
        steps.push({ actor: 'main', op: 'bind', fd: a, addr: name });
        if (m.then.startsWith('again')) steps.push({ actor: 'main', op: 'bind', fd: fresh(), addr: name });
        if (m.then.endsWith('close-rebind')) steps.push({ actor: 'main', op: 'close', fd: a }, { actor: 'main', op: 'bind', fd: fresh(), addr: name });
        // the path spelled like the name: free, since an abstract name makes no file
        if (m.then === 'path') steps.push({ actor: 'main', op: 'bind', fd: fresh(), addr: { path: name.abstract } });
        break;
      }
    }
  });
  return steps;
}
