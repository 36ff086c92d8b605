// What datagram calls report besides the datagram: refusals from a closed UDP port, the size limit,
// and the sender's address. XSH send(), sendto(), recvfrom(); udp(7), unix(7).
import type { Family, SockAddr } from '../../spec/socket-scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { OutOfScope, type Ctx } from '../context.ts';
import { showOutcome } from '../describe.ts';
import type { Sock } from '../socket-state.ts';
import type { ModelState } from '../state.ts';


/** The socket a handle names, or, once closed, the datagram socket it last named. */
export function addressed(s: ModelState, to: SockAddr): Sock {
  if (!('of' in to)) throw new OutOfScope('sendto an address no socket of the scenario has');
  const id = s.net.handles.get(to.of);
  if (typeof id === 'number') return s.net.socks.get(id)!;
  const last = [...s.net.socks.values()].filter((k) => k.handle === to.of).pop();
  if (!last) throw new OutOfScope(`sendto ${to.of}: not a datagram socket the model saw`);
  return last;
}

/**
 * A refusal a call may or must report. linux (measured): a connected UDP socket's next send or recv
 * returns ECONNREFUSED once; an unconnected one is told nothing. posix: either may, once per refusal.
 */
export function refusal(k: Sock, ctx: Ctx): { must: boolean; may: boolean } {
  const r = ctx.profile.dgramRefused;
  const owed = k.refused ?? 0;
  const quiet = k.refusedUnconnected ?? 0;
  const must = r.connected === 'next-call' && owed > 0;
  return { must, may: must || (owed > 0 && r.connected === 'may') || (quiet > 0 && r.unconnected === 'may') };
}

/** A call returned ECONNREFUSED: judge it, and take the refusal it reported. */
export function reportedRefusal(k: Sock, out: Outcome, ctx: Ctx): void {
  const quiet = (k.refusedUnconnected ?? 0) > 0 && !(k.refused ?? 0);
  ctx.require('dgram.connected-udp-refused', refusal(k, ctx).may, () => showOutcome(out), () => (quiet ? 'no ECONNREFUSED (an unconnected socket is told nothing of a refused datagram)' : 'no ECONNREFUSED (no datagram this socket sent was refused)'));
  if (k.refused) k.refused = ctx.profile.dgramRefused.connected === 'next-call' ? 0 : k.refused - 1;
  else if (k.refusedUnconnected) k.refusedUnconnected -= 1;
}

/** A call that should have reported the pending refusal. */
export const missedRefusal = (out: Outcome, ctx: Ctx): never =>
  ctx.violate('dgram.connected-udp-refused', showOutcome(out), '-1 ECONNREFUSED (a datagram this connected socket sent to a closed port was refused: the next send or recv reports it, once)');

/** The largest datagram the profile says a send takes on this family, or null where none is known. */
export function maxSize(f: Family, ctx: Ctx): number | null {
  const m = ctx.profile.dgramMaxSize;
  return f === 'unix' ? m.unix : f === 'inet' ? m.udp : m.udp6;
}

const WELL_FORMED: Record<Family, RegExp> = { unix: /^unix:/, inet: /^127\.0\.0\.1:[1-9]\d*$/, inet6: /^\[::1\]:[1-9]\d*$/ };

/** The address a datagram from `k` carries: its name once bound or connected (UDP: the loopback address and its port). */
export function sourceOf(k: Sock): string | undefined {
  if (k.source) return k.source;
  // an AF_UNIX socket never bound has no name (linux autobinds only with SO_PASSCRED)
  if (k.family === 'unix') return k.local ?? 'unix:';
  if (k.local === undefined || /^(0\.0\.0\.0|\[::\]):/.test(k.local)) return undefined;
  return k.local;
}

/**
 * recvfrom/recvmsg report the sender's address (XSH recvfrom(): "the source address of the
 * message"): one of the senders of the datagrams the receive may have returned. An AF_UNIX sender
 * without a name has none ("unix:"); a UDP sender's port chosen at its first send is learned here.
 * A target that reports no address (a receive without msg_name) is not judged.
 */
export function checkSource(s: ModelState, r: Sock, senders: readonly number[], out: Outcome, ctx: Ctx): void {
  const addr = out.kind === 'ok' ? out.detail?.addr : undefined;
  if (addr === undefined || senders.length === 0) return;
  const socks = senders.map((id) => s.net.socks.get(id)!);
  const known = [...new Set(socks.map(sourceOf).filter((a): a is string => a !== undefined))];
  const unknown = socks.filter((k) => sourceOf(k) === undefined);
  const fresh = unknown.length > 0 && WELL_FORMED[r.family].test(addr) && !known.includes(addr);
  ctx.require('dgram.source-address', known.includes(addr) || fresh, () => `from ${addr}`, () => [...known, ...(unknown.length ? [r.family === 'inet6' ? '[::1]:PORT' : '127.0.0.1:PORT'] : [])].join(' or ') + " (the sender's address)");
  // one unknown sender: its address is now known
  if (fresh && unknown.length === 1) unknown[0].source = addr;
}
