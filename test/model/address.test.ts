// reference-model/rules/address.ts on hand-written traces: bind (in use, already bound, port 0,
// stale socket files, missing directories, path lengths, abstract names, privileged ports), unlink
// of a socket file, and getsockname/getpeername agreeing with the names bound.
import { describe, expect, it } from 'vitest';
import type { Step } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import { both, err, main, ok, traceOf, verdicts } from '../support/trace.ts';

const unix = (as: string): Step => main({ op: 'socket', family: 'unix', as, nonblock: false });
const inet = (as: string): Step => main({ op: 'socket', family: 'inet', as, nonblock: false });
const bindPath = (fd: string, path: string): Step => main({ op: 'bind', fd, addr: { path } });
const bindPort0 = (fd: string): Step => main({ op: 'bind', fd, addr: { port: 0 } });
const named = (addr: string): Outcome => ok(0, { detail: { addr } });
const close = (fd: string): Step => main({ op: 'close', fd });
const PORT = '127.0.0.1:40000';

describe('bind.address-in-use', () => {
  const twice = (second: Outcome) => traceOf([[unix('u1'), ok(0)], [bindPath('u1', 's0'), named('unix:s0')], [unix('u2'), ok(0)], [bindPath('u2', 's0'), second]]);
  it('passes EADDRINUSE for a path another socket is bound to', () => expect(verdicts(twice(err('EADDRINUSE')))).toEqual(both('pass')));
  it('fails a second bind of the same path that succeeds, or fails otherwise', () => {
    expect(verdicts(twice(named('unix:s0')))).toEqual(both('bind.address-in-use'));
    expect(verdicts(twice(err('EINVAL')))).toEqual(both('bind.address-in-use'));
  });
});

describe('bind.already-bound-einval', () => {
  const rebind = (second: Outcome) => traceOf([[inet('t1'), ok(0)], [bindPort0('t1'), named(PORT)], [bindPort0('t1'), second]]);
  it('passes EINVAL for a second bind of a bound socket', () => expect(verdicts(rebind(err('EINVAL')))).toEqual(both('pass')));
  it('fails a second bind that succeeds', () => expect(verdicts(rebind(named('127.0.0.1:40001')))).toEqual(both('bind.already-bound-einval')));
});

describe('bind.port-zero-ephemeral', () => {
  const bound = (out: Outcome) => traceOf([[inet('t1'), ok(0)], [bindPort0('t1'), out]]);
  it('passes port 0 bound to an ephemeral port of the loopback address', () => expect(verdicts(bound(named(PORT)))).toEqual(both('pass')));
  it('fails a name that keeps port 0, or is of another family', () => {
    expect(verdicts(bound(named('127.0.0.1:0')))).toEqual(both('bind.port-zero-ephemeral'));
    expect(verdicts(bound(named('[::1]:40000')))).toEqual(both('bind.port-zero-ephemeral'));
  });
});

describe('bind.unix-stale-socket-file', () => {
  const stale: Array<[Step, Outcome]> = [[unix('u1'), ok(0)], [bindPath('u1', 's0'), named('unix:s0')], [close('u1'), ok(0)], [unix('u2'), ok(0)]];
  it('passes EADDRINUSE while the file of a closed socket stays, and a bind after unlink', () => {
    expect(verdicts(traceOf([...stale, [bindPath('u2', 's0'), err('EADDRINUSE')]]))).toEqual(both('pass'));
    expect(verdicts(traceOf([...stale, [main({ op: 'unlink', path: 's0' }), ok(0)], [bindPath('u2', 's0'), named('unix:s0')]]))).toEqual(both('pass'));
  });
  it('fails a bind over a stale socket file that succeeds', () => expect(verdicts(traceOf([...stale, [bindPath('u2', 's0'), named('unix:s0')]]))).toEqual(both('bind.unix-stale-socket-file')));
  it('fails an unlink of the stale file that fails', () => expect(verdicts(traceOf([...stale, [main({ op: 'unlink', path: 's0' }), err('ENOENT')]]))).toEqual(both('bind.unix-stale-socket-file')));
  it('fails a bind after unlink named other than the path', () => {
    expect(verdicts(traceOf([...stale, [main({ op: 'unlink', path: 's0' }), ok(0)], [bindPath('u2', 's0'), named('unix:s1')]]))).toEqual(both('bind.unix-stale-socket-file'));
  });
});

describe('bind.unix-missing-dir-enoent', () => {
  const under = (out: Outcome) => traceOf([[unix('u1'), ok(0)], [bindPath('u1', 'missing/s0'), out]]);
  it('passes ENOENT for a path under a directory that does not exist', () => expect(verdicts(under(err('ENOENT')))).toEqual(both('pass')));
  it('fails a bind there that succeeds or gives another error', () => {
    expect(verdicts(under(named('unix:missing/s0')))).toEqual(both('bind.unix-missing-dir-enoent'));
    expect(verdicts(under(err('ENOTDIR')))).toEqual(both('bind.unix-missing-dir-enoent'));
  });
});

describe('bind.unix-path-length', () => {
  const long = (out: Outcome) => traceOf([[unix('u1'), ok(0)], [main({ op: 'bind', fd: 'u1', addr: { pathLength: 120 } }), out]]);
  const short = (out: Outcome) => traceOf([[unix('u1'), ok(0)], [main({ op: 'bind', fd: 'u1', addr: { pathLength: 60 } }), out]]);
  it('passes a path that fits bound whole, and a long one refused (linux EINVAL) or bound whole (posix: size unspecified)', () => {
    expect(verdicts(short(named(`unix:/${'x'.repeat(59)}`)))).toEqual(both('pass'));
    expect(verdicts(long(err('EINVAL')))).toEqual(both('pass'));
    expect(verdicts(long(named(`unix:/${'x'.repeat(119)}`)))).toEqual({ posix: 'pass', linux: 'bind.unix-path-length' });
  });
  it('fails a 120-byte path bound under a truncated 107-byte name under both profiles', () => {
    expect(verdicts(long(named(`unix:/${'x'.repeat(106)}`)))).toEqual(both('bind.unix-path-length'));
  });
  it('fails a path that fits but is refused or truncated', () => {
    expect(verdicts(short(err('EINVAL')))).toEqual(both('bind.unix-path-length'));
    expect(verdicts(short(named(`unix:/${'x'.repeat(50)}`)))).toEqual(both('bind.unix-path-length'));
  });
});

describe('bind.unix-abstract-name (linux only)', () => {
  const abstract = (fd: string): Step => main({ op: 'bind', fd, addr: { abstract: 'n1' } });
  const held = (second: Outcome, closeFirst = false): Array<[Step, Outcome]> => [
    [unix('u1'), ok(0)], [abstract('u1'), named('unix:@n1')], ...(closeFirst ? [[close('u1'), ok(0)] as [Step, Outcome]] : []), [unix('u2'), ok(0)], [abstract('u2'), second],
  ];
  it('passes EADDRINUSE while a socket holds the name, and a bind once it closed; posix has no abstract names', () => {
    expect(verdicts(traceOf(held(err('EADDRINUSE'))))).toEqual({ posix: 'error', linux: 'pass' });
    expect(verdicts(traceOf(held(named('unix:@n1'), true)))).toEqual({ posix: 'error', linux: 'pass' });
  });
  it('fails a second bind of a held name that succeeds, and one of a free name that fails', () => {
    expect(verdicts(traceOf(held(named('unix:@n1'))))).toEqual({ posix: 'error', linux: 'bind.unix-abstract-name' });
    expect(verdicts(traceOf(held(err('EADDRINUSE'), true)))).toEqual({ posix: 'error', linux: 'bind.unix-abstract-name' });
  });
  it('fails a bind of an abstract name reported under another name', () => {
    expect(verdicts(traceOf([[unix('u1'), ok(0)], [abstract('u1'), named('unix:n1')]]))).toEqual({ posix: 'error', linux: 'bind.unix-abstract-name' });
  });
});

describe('bind.privileged-port-eacces', () => {
  const nobody = { uid: 65534, euid: 65534, netBindService: false };
  const low = (out: Outcome, port = 1000) => traceOf([[main({ op: 'bind-unprivileged', family: 'inet', port }), out]]);
  it('passes EACCES from an unprivileged bind below the start, and a bind of an unprotected port', () => {
    expect(verdicts(low(err('EACCES', { ranAs: nobody })))).toEqual(both('pass'));
    expect(verdicts(low(ok(0, { detail: { addr: '127.0.0.1:40000', ranAs: nobody } }), 0))).toEqual(both('pass'));
  });
  it('fails EPERM (both) and a successful bind below the start (linux)', () => {
    expect(verdicts(low(err('EPERM', { ranAs: nobody })))).toEqual(both('bind.privileged-port-eacces'));
    expect(verdicts(low(ok(0, { detail: { addr: '127.0.0.1:1000', ranAs: nobody } })))).toEqual({ posix: 'pass', linux: 'bind.privileged-port-eacces' });
  });
  it('fails EACCES for port 0, which is never protected', () => {
    expect(verdicts(low(err('EACCES', { ranAs: nobody }), 0))).toEqual(both('bind.privileged-port-eacces'));
  });
  it('is an error, never a pass, when the bind ran as root, with the capability, or without saying as whom', () => {
    for (const ranAs of [{ uid: 0, euid: 0, netBindService: true }, { uid: 65534, euid: 65534, netBindService: true }, undefined]) {
      for (const out of [ok(0, { detail: { addr: '127.0.0.1:1000', ...(ranAs ? { ranAs } : {}) } }), err('EACCES', ranAs ? { ranAs } : undefined)]) expect(verdicts(low(out))).toEqual(both('error'));
    }
  });
});

describe('stream.names-agree (getsockname)', () => {
  const name = (out: Outcome) => traceOf([[inet('t1'), ok(0)], [bindPort0('t1'), named(PORT)], [main({ op: 'sockname', fd: 't1', peer: false }), out]]);
  it('passes getsockname returning the bound name', () => expect(verdicts(name(named(PORT)))).toEqual(both('pass')));
  it('fails getsockname returning another name, or an error', () => {
    expect(verdicts(name(named('127.0.0.1:40001')))).toEqual(both('stream.names-agree'));
    expect(verdicts(name(err('EBADF')))).toEqual(both('stream.names-agree'));
  });
});
