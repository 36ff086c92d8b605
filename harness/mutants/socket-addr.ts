// Mutants of socket addresses: connect and bind errors.
import type { Step } from '../../spec/scenario.ts';
import type { Family } from '../../spec/socket-scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { err, errOf, isOk, mutant, ok, rewrite, type Call, type Hook } from './kit.ts';

/** A rewrite that knows each socket handle's family (from the socket and socketpair steps). */
function withFamilies(f: (out: Outcome, step: Step, family: Family | undefined, c: Call) => Outcome): () => Hook {
  return () => {
    const families = new Map<string, Family>();
    const inner = rewrite((out, step, c) => f(out, step, 'fd' in step ? families.get(step.fd) : undefined, c));
    return async (c) => {
      const s = c.step;
      if (s.op === 'socket') families.set(s.as, s.family);
      if (s.op === 'socketpair') { families.set(s.a, 'unix'); families.set(s.b, 'unix'); }
      return inner(c);
    };
  };
}

const tcpTimesOut = mutant(
  'connect.tcp-no-listener-econnrefused',
  'a TCP connect to a port with no listener reports ETIMEDOUT, as if the RST were dropped',
  withFamilies((out, step, fam) => (step.op === 'connect' && fam !== 'unix' && errOf(out) === 'ECONNREFUSED' ? err('ETIMEDOUT') : out)),
);

const missingRefused = mutant(
  'connect.unix-missing-path-enoent',
  'an AF_UNIX connect to a missing path reports ECONNREFUSED instead of ENOENT',
  withFamilies((out, step) => (step.op === 'connect' && errOf(out) === 'ENOENT' ? err('ECONNREFUSED') : out)),
);

const staleMissing = mutant(
  'connect.unix-not-listening-econnrefused',
  'an AF_UNIX connect to a socket file nobody listens on reports ENOENT, as if the file were not there',
  withFamilies((out, step, fam) => (step.op === 'connect' && fam === 'unix' && errOf(out) === 'ECONNREFUSED' ? err('ENOENT') : out)),
);

const reconnects = mutant(
  'connect.already-connected-eisconn',
  'connect on a connected socket reports success',
  withFamilies((out, step) => (step.op === 'connect' && errOf(out) === 'EISCONN' ? ok(0) : out)),
);

const sharesAddress = mutant(
  'bind.address-in-use',
  'bind to an address in use succeeds, as if SO_REUSEADDR|SO_REUSEPORT were always on',
  withFamilies((out, step) => (step.op === 'bind' && errOf(out) === 'EADDRINUSE' ? ok(0, { detail: { addr: 'path' in step.addr ? `unix:${step.addr.path}` : '127.0.0.1:1' } }) : out)),
);

const rebinds = mutant(
  'bind.already-bound-einval',
  'a second bind of a bound socket succeeds',
  withFamilies((out, step) => (step.op === 'bind' && errOf(out) === 'EINVAL' ? ok(0, { detail: { addr: 'path' in step.addr ? `unix:${step.addr.path}` : '127.0.0.1:1' } }) : out)),
);

const portStaysZero = mutant(
  'bind.port-zero-ephemeral',
  'bind to port 0 reports the name with port 0 (no ephemeral port chosen)',
  withFamilies((out, step) => (step.op === 'bind' && 'port' in step.addr && isOk(out) && out.detail?.addr ? { ...out, detail: { ...out.detail, addr: out.detail.addr.replace(/:\d+$/, ':0') } } : out)),
);

const privilegeAsEperm = mutant(
  'bind.privileged-port-eacces',
  'an unprivileged bind of a protected port reports EPERM instead of EACCES',
  () => rewrite((out, step) => (step.op === 'bind-unprivileged' && out.kind === 'err' && out.errno === 'EACCES' ? { ...out, errno: 'EPERM' } : out)),
);

const makesDirs = mutant(
  'bind.unix-missing-dir-enoent',
  'bind in a missing directory succeeds, as if the directory were made on demand',
  () => rewrite((out, step) => (step.op === 'bind' && 'path' in step.addr && step.addr.path.includes('/') && errOf(out) === 'ENOENT' ? ok(0, { detail: { addr: `unix:${step.addr.path}` } }) : out)),
);

const truncatesPaths = mutant(
  'bind.unix-path-length',
  'a path too long for sun_path is silently truncated to the 107 bytes it holds, and binds',
  () => rewrite((out, step) => (step.op === 'bind' && 'pathLength' in step.addr && errOf(out) === 'EINVAL' ? ok(0, { detail: { addr: `unix:/${'x'.repeat(106)}` } }) : out)),
);

/** Paths (or abstract names) of sockets bound by a handle, and those whose socket has closed since. */
function namesByHandle(key: (step: Step) => string | undefined, f: (out: Outcome, step: Step, released: Set<string>) => Outcome): () => Hook {
  return () => {
    const held = new Map<string, string>();
    const released = new Set<string>();
    return async (c) => {
      const s = c.step;
      const out = f(await c.pass(), s, released);
      const k = key(s);
      if (s.op === 'bind' && k !== undefined && isOk(out)) { held.set(s.fd, k); released.delete(k); }
      if (s.op === 'close' && held.has(s.fd) && isOk(out)) { released.add(held.get(s.fd)!); held.delete(s.fd); }
      return out;
    };
  };
}

const closeUnlinks = mutant(
  'bind.unix-stale-socket-file',
  'closing a bound AF_UNIX socket removes its file (no stale socket file): bind there succeeds, unlink finds nothing',
  namesByHandle((s) => (s.op === 'bind' && 'path' in s.addr ? s.addr.path : undefined), (out, s, gone) => {
    if (s.op === 'bind' && 'path' in s.addr && gone.has(s.addr.path) && errOf(out) === 'EADDRINUSE') return ok(0, { detail: { addr: `unix:${s.addr.path}` } });
    if (s.op === 'unlink' && gone.has(s.path) && isOk(out)) { gone.delete(s.path); return err('ENOENT'); }
    return out;
  }),
);

const abstractLingers = mutant(
  'bind.unix-abstract-name',
  'an abstract name stays taken after its socket closes, as a socket file would',
  namesByHandle((s) => (s.op === 'bind' && 'abstract' in s.addr ? s.addr.abstract : undefined), (out, s, gone) =>
    s.op === 'bind' && 'abstract' in s.addr && gone.has(s.addr.abstract) && isOk(out) ? err('EADDRINUSE') : out),
);

export const SOCKET_ADDR_MUTANTS = [tcpTimesOut, missingRefused, staleMissing, reconnects, sharesAddress, rebinds, portStaysZero, privilegeAsEperm, makesDirs, truncatesPaths, closeUnlinks, abstractLingers] as const;
