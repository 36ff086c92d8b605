// Two-host socket steps on the host: a socket made on test host a or b (its network namespace is
// fixed when it is made), and the test hosts' addresses. See test-hosts.ts for the hosts.
import type { Step } from '../../spec/scenario.ts';
import type { Family, TestHost } from '../../spec/socket-scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { sys } from './libc.mjs';
import { AF, net } from './libc-net.mjs';
import type { HostSession } from './session.ts';

const FAMILY: Record<Family, number> = { unix: AF.UNIX, inet: AF.INET, inet6: AF.INET6 };

type HostSocketStep = Extract<Step, { op: 'socket' }> & { host: TestHost };

/** socket() on a test host; unsupported (with the reason) where the target cannot make test hosts. */
export async function execHostSocket(s: HostSession, step: HostSocketStep): Promise<Outcome> {
  const r = s.testHosts ? await s.testHosts() : { unsupported: 'this target makes no test hosts' };
  if ('unsupported' in r) return { kind: 'unsupported', reason: r.unsupported };
  const hosts = (s.hosts = r.hosts);
  const made = hosts.inHost(step.host, () => net.socket(FAMILY[step.family], step.nonblock, !!step.dgram));
  if (made.errno) return { kind: 'err', errno: made.errno };
  if (hosts.hostOf(made.value) !== step.host) {
    sys.close(made.value);
    throw new Error(`a socket made for test host ${step.host} does not live in its network namespace`);
  }
  s.fds.set(step.as, made.value);
  s.closed.delete(step.as);
  return { kind: 'ok', value: made.value };
}

/** Port 0 on test host h's address of fd's family. */
export function testHostAddr(s: HostSession, fd: number, h: TestHost): string {
  if (!s.hosts) throw new Error(`an address on test host ${h}, but no socket was made on a test host`);
  return net.domain(fd).value === AF.INET6 ? `[${s.hosts.inet6[h]}]:0` : `${s.hosts.inet[h]}:0`;
}
