// Names on the test hosts of two-host scenarios. Across hosts an address is just another address:
// every other rule judges these sockets as it judges loopback ones; only what a bind to a host's
// address reports is particular. XSH bind(), getsockname(); ip(7), ipv6(7).
import type { TestHostAddr } from '../../spec/socket-scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import type { Ctx } from '../context.ts';
import type { Sock } from '../socket-state.ts';
import type { ModelState } from '../state.ts';

const NAME = { inet: /^(\d+\.\d+\.\d+\.\d+):(\d+)$/, inet6: /^\[([0-9a-f:]+)\]:(\d+)$/ } as const;
const LOOPBACK_OR_ANY = /^(127\.|0\.0\.0\.0$|::1?$)/;

/**
 * bind to port 0 on test host h's address (bind.port-zero-ephemeral): the name reported is that
 * address with an ephemeral port. The model does not know the address the target assigned, so it
 * holds the target to one: never loopback or unspecified, the same for every socket bound on h,
 * and not the other host's.
 */
export function hostBind(s: ModelState, k: Sock, a: TestHostAddr, out: Outcome, ctx: Ctx): void {
  const addr = out.kind === 'ok' ? out.detail?.addr : undefined;
  const m = k.family === 'unix' ? null : NAME[k.family].exec(addr ?? '');
  const ipOf = (x: Sock) => (x.local ? NAME[x.family as 'inet' | 'inet6']?.exec(x.local)?.[1] : undefined);
  const others = [...s.net.socks.values()].filter((x) => x !== k && x.testHost && x.family === k.family && ipOf(x));
  const same = others.find((x) => x.testHost === a.host);
  const other = others.find((x) => x.testHost !== a.host);
  const ip = m?.[1];
  const port = Number(m?.[2]);
  const ok = !!ip && !LOOPBACK_OR_ANY.test(ip) && port > 0 && port < 65536 && (!same || ipOf(same) === ip) && (!other || ipOf(other) !== ip);
  ctx.require('bind.port-zero-ephemeral', ok, () => `name ${addr}`, () => `${same ? ipOf(same) : `host ${a.host}'s address`}:PORT with an ephemeral PORT > 0${other ? ` (not ${ipOf(other)}, host ${other.testHost}'s)` : ''}`);
  k.testHost = a.host;
}
