// Mutants of socket addresses: connect and bind errors.
import type { Step } from '../../spec/scenario.ts';
import type { Family } from '../../spec/socket-scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { err, errOf, isOk, mutant, ok, rewrite, type Call, type Hook } from './kit.ts';
import type { Mutant } from './mutant.ts';

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

const tcpTimesOut: Mutant = mutant(
  'connect.tcp-no-listener-econnrefused',
  'a TCP connect to a port with no listener reports ETIMEDOUT, as if the RST were dropped',
  withFamilies((out, step, fam) => (step.op === 'connect' && fam !== 'unix' && errOf(out) === 'ECONNREFUSED' ? err('ETIMEDOUT') : out)),
);

const missingRefused: Mutant = mutant(
  'connect.unix-missing-path-enoent',
  'an AF_UNIX connect to a missing path reports ECONNREFUSED instead of ENOENT',
  withFamilies((out, step) => (step.op === 'connect' && errOf(out) === 'ENOENT' ? err('ECONNREFUSED') : out)),
);

const staleMissing: Mutant = mutant(
  'connect.unix-not-listening-econnrefused',
  'an AF_UNIX connect to a socket file nobody listens on reports ENOENT, as if the file were not there',
  withFamilies((out, step, fam) => (step.op === 'connect' && fam === 'unix' && errOf(out) === 'ECONNREFUSED' ? err('ENOENT') : out)),
);

const reconnects: Mutant = mutant(
  'connect.already-connected-eisconn',
  'connect on a connected socket reports success',
  withFamilies((out, step) => (step.op === 'connect' && errOf(out) === 'EISCONN' ? ok(0) : out)),
);

const sharesAddress: Mutant = mutant(
  'bind.address-in-use',
  'bind to an address in use succeeds, as if SO_REUSEADDR|SO_REUSEPORT were always on',
  withFamilies((out, step) => (step.op === 'bind' && errOf(out) === 'EADDRINUSE' ? ok(0, { detail: { addr: 'path' in step.addr ? `unix:${step.addr.path}` : '127.0.0.1:1' } }) : out)),
);

const rebinds: Mutant = mutant(
  'bind.already-bound-einval',
  'a second bind of a bound socket succeeds',
  withFamilies((out, step) => (step.op === 'bind' && errOf(out) === 'EINVAL' ? ok(0, { detail: { addr: 'path' in step.addr ? `unix:${step.addr.path}` : '127.0.0.1:1' } }) : out)),
);

const portStaysZero: Mutant = mutant(
  'bind.port-zero-ephemeral',
  'bind to port 0 reports the name with port 0 (no ephemeral port chosen)',
  withFamilies((out, step) => (step.op === 'bind' && 'port' in step.addr && isOk(out) && out.detail?.addr ? { ...out, detail: { ...out.detail, addr: out.detail.addr.replace(/:\d+$/, ':0') } } : out)),
);

export const SOCKET_ADDR_MUTANTS: Mutant[] = [tcpTimesOut, missingRefused, staleMissing, reconnects, sharesAddress, rebinds, portStaysZero];
