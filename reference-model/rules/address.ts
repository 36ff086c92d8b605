// Socket names: bind (EADDRINUSE, EINVAL, port 0) and getsockname/getpeername.
// POSIX XSH bind(), getsockname(), getpeername(); unix(7), ip(7).
import type { SocketCall } from '../../spec/socket-scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { OutOfScope, type Ctx } from '../context.ts';
import { showOutcome } from '../describe.ts';
import type { ModelState } from '../state.ts';
import { isErr } from './fd.ts';
import { sockOf } from './socket.ts';

type C<K extends SocketCall['op']> = Extract<SocketCall, { op: K }>;

export function bind(s: ModelState, call: C<'bind'>, out: Outcome, ctx: Ctx): void {
  const k = sockOf(s, call.fd);
  const a = call.addr;
  const got = () => showOutcome(out);
  const inUse = 'path' in a ? s.net.paths.has(a.path) || s.names.has(a.path) : 'of' in a ? ['bound', 'listening'].includes(sockOf(s, a.of).state) : false;
  const bound = k.state !== 'unbound';
  if (k.state === 'connected') throw new OutOfScope('bind of a connected socket');
  // Both may apply (linux AF_UNIX checks the path first): either error is allowed then.
  const allowed = [...(inUse ? ['EADDRINUSE'] : []), ...(bound ? ['EINVAL'] : [])];
  if (allowed.length) {
    const clause = bound && !(inUse && isErr(out, 'EADDRINUSE')) ? 'bind.already-bound-einval' : 'bind.address-in-use';
    return ctx.require(clause, allowed.some((e) => isErr(out, e)), got, () => allowed.map((e) => `-1 ${e}`).join(' or ') + (bound ? ' (already bound)' : ' (the address is in use)'));
  }
  if (out.kind !== 'ok') throw new OutOfScope(`bind failed: ${got()}`);
  const addr = out.detail?.addr;
  if ('port' in a) {
    const m = /^(?:127\.0\.0\.1|\[::1\]):(\d+)$/.exec(addr ?? '');
    const fam = k.family === 'inet6' ? '[::1]' : '127.0.0.1';
    ctx.require('bind.port-zero-ephemeral', !!m && Number(m[1]) > 0 && Number(m[1]) < 65536 && addr!.startsWith(fam), () => `name ${addr}`, () => `${fam}:PORT with an ephemeral PORT > 0`);
  }
  k.state = 'bound';
  k.local = addr ?? ('path' in a ? `unix:${a.path}` : undefined);
  if ('path' in a) s.net.paths.set(a.path, k.id);
}

export function sockname(s: ModelState, call: C<'sockname'>, out: Outcome, ctx: Ctx): void {
  const k = sockOf(s, call.fd);
  const who = call.peer ? (k.peer === undefined ? undefined : s.net.socks.get(k.peer)) : k;
  if (call.peer && k.state !== 'connected') throw new OutOfScope(`getpeername on a ${k.state} socket`);
  const addr = out.kind === 'ok' ? out.detail?.addr : undefined;
  const want = who?.local;
  if (want === undefined) {
    // first sight of this name: learn it (a TCP client's ephemeral name, say)
    if (out.kind !== 'ok' || addr === undefined) throw new Error(`get${call.peer ? 'peer' : 'sock'}name failed: ${showOutcome(out)}`);
    if (who) who.local = addr;
    return;
  }
  const what = call.peer ? 'getpeername' : 'getsockname';
  ctx.require('stream.names-agree', out.kind === 'ok' && addr === want, () => `${what} -> ${addr ?? showOutcome(out)}`, () => `${want} (${call.peer ? "the peer's name" : 'its own name'})`);
}
