// Socket names: bind (EADDRINUSE, EINVAL, port 0, privileged ports, AF_UNIX path names, stale socket
// files, abstract names), unlink of a socket file, and getsockname/getpeername.
// POSIX XSH bind(), getsockname(), getpeername(), unlink(); unix(7), ip(7).
import type { SocketCall } from '../../spec/socket-scenario.ts';
import type { Call } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { OutOfScope, type Ctx } from '../context.ts';
import { showOutcome } from '../describe.ts';
import type { Sock } from '../socket-state.ts';
import type { ModelState } from '../state.ts';
import { unlink } from './fifo.ts';
import { isErr, isOk } from './fd.ts';
import { sockOf } from './socket.ts';
import { hostBind } from './two-host.ts';

type C<K extends SocketCall['op']> = Extract<SocketCall, { op: K }>;

/** The socket whose closing left a file at `path` (a stale socket file), if any. */
const staleAt = (s: ModelState, path: string): boolean => {
  const id = s.net.paths.get(path);
  return id !== undefined && s.net.socks.get(id)!.state === 'closed';
};

export function bind(s: ModelState, call: C<'bind'>, out: Outcome, ctx: Ctx): void {
  const k = sockOf(s, call.fd);
  const a = call.addr;
  const got = () => showOutcome(out);
  if (k.state === 'connected') throw new OutOfScope('bind of a connected socket');
  const bound = k.state !== 'unbound';
  if ('pathLength' in a || 'abstract' in a || ('path' in a && a.path.includes('/'))) {
    if (k.family !== 'unix' || bound) throw new OutOfScope('an AF_UNIX name beyond the temp dir is bound only by fresh AF_UNIX sockets');
    if ('abstract' in a) return bindAbstract(s, k, a.abstract, out, ctx);
    if ('pathLength' in a) return bindPathLength(s, k, a.pathLength, out, ctx);
    return bindInMissingDir(s, a.path, out, ctx);
  }
  // unix(7): the socket file outlives its socket; only unlink frees the name.
  if ('path' in a && !bound && staleAt(s, a.path)) {
    return ctx.require('bind.unix-stale-socket-file', isErr(out, 'EADDRINUSE'), got, () => '-1 EADDRINUSE (the socket file stays after its socket closed: a stale socket file)');
  }
  const inUse = 'path' in a ? s.net.paths.has(a.path) || s.names.has(a.path) : 'of' in a ? ['bound', 'listening'].includes(sockOf(s, a.of).state) : false;
  // Both may apply (linux AF_UNIX checks the path first): either error is allowed then.
  const allowed = [...(inUse ? ['EADDRINUSE'] : []), ...(bound ? ['EINVAL'] : [])];
  if (allowed.length) {
    const clause = bound && !(inUse && isErr(out, 'EADDRINUSE')) ? 'bind.already-bound-einval' : 'bind.address-in-use';
    return ctx.require(clause, allowed.some((e) => isErr(out, e)), got, () => allowed.map((e) => `-1 ${e}`).join(' or ') + (bound ? ' (already bound)' : ' (the address is in use)'));
  }
  const addr = out.kind === 'ok' ? out.detail?.addr : undefined;
  // the target spells abstract name N as "\0DIR/N", the bytes of path N after a NUL: no file, so the path is free
  if ('path' in a && s.net.abstract.has(a.path)) {
    ctx.require('bind.unix-abstract-name', addr === `unix:${a.path}`, got, () => `0, named unix:${a.path} (the abstract name @${a.path} made no file)`);
  }
  if ('path' in a && s.net.unlinked.has(a.path)) {
    ctx.require('bind.unix-stale-socket-file', addr === `unix:${a.path}`, got, () => `0, named unix:${a.path} (the stale socket file was unlinked: the path is free again)`);
    s.net.unlinked.delete(a.path);
  }
  if (out.kind !== 'ok') throw new OutOfScope(`bind failed: ${got()}`);
  if ('host' in a) hostBind(s, k, a, out, ctx);
  else if ('port' in a) {
    const m = /^(?:127\.0\.0\.1|\[::1\]):(\d+)$/.exec(addr ?? '');
    const fam = k.family === 'inet6' ? '[::1]' : '127.0.0.1';
    ctx.require('bind.port-zero-ephemeral', !!m && Number(m[1]) > 0 && Number(m[1]) < 65536 && addr!.startsWith(fam), () => `name ${addr}`, () => `${fam}:PORT with an ephemeral PORT > 0`);
  }
  k.state = 'bound';
  k.local = addr ?? ('path' in a ? `unix:${a.path}` : undefined);
  if ('path' in a) s.net.paths.set(a.path, k.id);
}

/** A path under a directory that does not exist: the walks never make directories, so any "D/..." is one. */
function bindInMissingDir(s: ModelState, path: string, out: Outcome, ctx: Ctx): void {
  const dir = path.split('/')[0];
  if (s.net.paths.has(dir) || s.names.has(dir)) throw new OutOfScope(`bind under "${dir}", a file, not a directory (ENOTDIR)`);
  ctx.require('bind.unix-missing-dir-enoent', isErr(out, 'ENOENT'), () => showOutcome(out), () => `-1 ENOENT (there is no directory "${dir}")`);
}

const byteLength = (x: string): number => new TextEncoder().encode(x).length;

/** A path of n bytes: it binds whole (never truncated) while it fits sun_path; beyond, the profile says. */
function bindPathLength(s: ModelState, k: Sock, n: number, out: Outcome, ctx: Ctx): void {
  // a key no scenario path can be (those are relative): the same length names the same path
  const key = `/length/${n}`;
  const got = () => (out.kind === 'ok' ? `0, named with a ${byteLength((out.detail?.addr ?? 'unix:').slice(5))}-byte path` : showOutcome(out));
  if (s.net.paths.has(key)) return ctx.require('bind.address-in-use', isErr(out, 'EADDRINUSE'), got, () => '-1 EADDRINUSE (the same path is bound already)');
  const u = ctx.profile.unixPath;
  const name = out.kind === 'ok' ? out.detail?.addr : undefined;
  const whole = name !== undefined && name.startsWith('unix:/') && byteLength(name.slice(5)) === n;
  const refused = out.kind === 'err' && u.tooLong.includes(out.errno);
  const refusal = `-1 ${u.tooLong.join(' or ')}`;
  if (n <= u.fits) ctx.require('bind.unix-path-length', whole, got, () => `0, named with the whole ${n}-byte path (paths of up to ${u.fits} bytes fit sun_path with their NUL)`);
  else if (u.exact) ctx.require('bind.unix-path-length', refused, got, () => `${refusal} (a ${n}-byte path does not fit: sun_path holds ${u.fits} bytes and the NUL)`);
  else ctx.require('bind.unix-path-length', whole || refused, got, () => `0 named with the whole ${n}-byte path (never truncated), or ${refusal} (sun_path's size is unspecified)`);
  if (out.kind !== 'ok') return;
  k.state = 'bound';
  k.local = name;
  s.net.paths.set(key, k.id);
}

/** Linux abstract names: no file; taken while a socket holds the name, free again once it closes. */
function bindAbstract(s: ModelState, k: Sock, name: string, out: Outcome, ctx: Ctx): void {
  if (!ctx.profile.unixAbstract) throw new OutOfScope('abstract AF_UNIX names are not in this profile (Linux only)');
  const got = () => (out.kind === 'ok' ? `0, named ${out.detail?.addr}` : showOutcome(out));
  const holder = s.net.abstract.get(name);
  const held = holder !== undefined && s.net.socks.get(holder)!.state !== 'closed';
  if (held) return ctx.require('bind.unix-abstract-name', isErr(out, 'EADDRINUSE'), got, () => `-1 EADDRINUSE (an open socket holds the abstract name @${name})`);
  ctx.require('bind.unix-abstract-name', out.kind === 'ok' && out.value === 0 && out.detail?.addr === `unix:@${name}`, got, () => `0, named unix:@${name}${holder !== undefined ? ' (the socket that held it closed: the name is free again)' : ''}`);
  k.state = 'bound';
  k.local = `unix:@${name}`;
  s.net.abstract.set(name, k.id);
}

/** unlink of a socket file (FIFO names are fifo.ts's): it removes the file, so the path binds again. */
export function unlinkName(s: ModelState, call: Extract<Call, { op: 'unlink' }>, out: Outcome, ctx: Ctx): void {
  if (!s.net.paths.has(call.path)) return unlink(s, call, out, ctx);
  if (!staleAt(s, call.path)) throw new OutOfScope('unlink of the file of a socket that is still open');
  ctx.require('bind.unix-stale-socket-file', isOk(out, 0), () => showOutcome(out), () => '0 (the stale socket file is still there to remove)');
  s.net.paths.delete(call.path);
  s.net.unlinked.add(call.path);
}

/**
 * A bind by a process without privilege (a child that dropped to an unprivileged uid). A bind that
 * ran with privilege (euid 0, or CAP_NET_BIND_SERVICE) proves nothing about this: outside the model.
 */
export function bindUnprivileged(_s: ModelState, call: C<'bind-unprivileged'>, out: Outcome, ctx: Ctx): void {
  const who = out.kind === 'ok' || out.kind === 'err' ? out.detail?.ranAs : undefined;
  if (!who) throw new OutOfScope('the target did not report the credentials the bind ran with');
  if (who.euid === 0 || who.netBindService) throw new OutOfScope(`the bind ran with privilege (euid ${who.euid}${who.netBindService ? ', CAP_NET_BIND_SERVICE' : ''}): it says nothing about an unprivileged bind`);
  const got = () => `${out.kind === 'ok' ? `0, named ${out.detail?.addr}` : showOutcome(out)} (as uid ${who.euid})`;
  const fam = call.family === 'inet6' ? '[::1]' : '127.0.0.1';
  const addr = out.kind === 'ok' ? out.detail?.addr ?? '' : '';
  const m = /^(?:127\.0\.0\.1|\[::1\]):(\d+)$/.exec(addr);
  const port = m ? Number(m[1]) : -1;
  const named = !!m && addr.startsWith(fam) && (call.port === 0 ? port > 0 && port < 65536 : port === call.port);
  // another program may hold a fixed port; port 0 always finds one
  const inUse = call.port !== 0 && isErr(out, 'EADDRINUSE');
  const below = ctx.profile.privilegedPorts.below;
  const want = `0, named ${fam}:${call.port || 'PORT'}${call.port ? ' (or -1 EADDRINUSE: another program may hold it)' : ''}`;
  if (below !== null && call.port > 0 && call.port < below) return ctx.require('bind.privileged-port-eacces', isErr(out, 'EACCES'), got, () => `-1 EACCES (port ${call.port} is below ${below}, and the bind ran unprivileged)`);
  if (below !== null || call.port === 0) return ctx.require('bind.privileged-port-eacces', named || inUse, got, () => `${want} (port ${call.port} is not protected)`);
  ctx.require('bind.privileged-port-eacces', named || inUse || isErr(out, 'EACCES'), got, () => `${want}, or -1 EACCES if the port is protected (which ports are is not specified)`);
}

export function sockname(s: ModelState, call: C<'sockname'>, out: Outcome, ctx: Ctx): void {
  const k = sockOf(s, call.fd);
  const who = call.peer ? (k.peer === undefined ? undefined : s.net.socks.get(k.peer)) : k;
  if (call.peer && k.state !== 'connected') throw new OutOfScope(`getpeername on a ${k.state} socket`);
  // A connection the peer reset (TCP, closed with our data unread) has no peer any more: ENOTCONN.
  if (call.peer && k.peerReset && out.kind === 'err' && out.errno === 'ENOTCONN') return;
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
