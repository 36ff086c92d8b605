// Socket names, measured: which ports an unprivileged process may not bind (a child that dropped to
// uid 65534 binds just below and at net.ipv4.ip_unprivileged_port_start), how long an AF_UNIX path
// may be (NUL-terminated, addrlen = offsetof(sun_path) + N + 1), and whether abstract names work.
import { readFileSync } from 'node:fs';
import { sys } from '../host/libc.mjs';
import { AF, net } from '../host/libc-net.mjs';
import { bindUnprivilegedSync } from '../host/unprivileged.ts';
import type { Fact } from './pipe-facts.ts';
import { makeTempDir, removeTempDir } from '../temp-dirs.ts';

export interface AddrFacts {
  privilegedBelow: Fact<number>;
  unixPath: Fact<{ fits: number; exact: boolean; tooLong: string[] }>;
  unixAbstract: Fact<boolean>;
}

function measurePrivileged(): Fact<number> {
  const start = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').trim());
  const seen: string[] = [];
  for (const family of ['inet', 'inet6'] as const) {
    for (const port of [start - 1, start].filter((p) => p > 0 && p < 65536)) {
      const r = bindUnprivilegedSync(family, port);
      if (r.ranAs.euid === 0 || r.ranAs.netBindService) throw new Error(`the unprivileged child kept its privilege (euid ${r.ranAs.euid}): cannot measure privileged ports`);
      const shown = r.errno ?? 'ok';
      seen.push(`${family} ${port} as uid ${r.ranAs.euid}: ${shown}`);
      const protectedPort = port < start;
      if (protectedPort !== (r.errno === 'EACCES')) throw new Error(`ip_unprivileged_port_start is ${start}, yet an unprivileged bind of ${family} port ${port} gave ${shown}`);
    }
  }
  return { value: start, evidence: `/proc/sys/net/ipv4/ip_unprivileged_port_start = ${start}; a child dropped to uid 65534 binds loopback: ${seen.join(', ')}` };
}

/** Bind NUL-terminated paths of N bytes for N up to 300: the longest that binds, and what longer ones get. */
function measureUnixPath(): Fact<{ fits: number; exact: boolean; tooLong: string[] }> {
  const dir = makeTempDir('un');
  try {
    const results = new Map<number, string>();
    for (let n = dir.length + 8; n <= 300; n++) {
      const fd = net.socket(AF.UNIX, false).value;
      const path = `${dir}/${n}-`.padEnd(n, 'x');
      const r = net.bindUnix(fd, Buffer.from(`${path}\0`));
      const name = r.errno ? undefined : net.sunPath(fd).bytes;
      const end = name ? name.indexOf(0) : -1;
      results.set(n, r.errno ?? (name && (end < 0 ? name.length : end) === n ? 'ok' : 'truncated'));
      sys.close(fd);
    }
    const fits = Math.max(...[...results].filter(([, v]) => v === 'ok').map(([n]) => n));
    const below = [...results].filter(([n]) => n <= fits).every(([, v]) => v === 'ok');
    const longer = [...results].filter(([n]) => n > fits).map(([, v]) => v);
    const tooLong = [...new Set(longer)].sort();
    if (!below || tooLong.includes('ok') || tooLong.includes('truncated')) throw new Error(`AF_UNIX path lengths behave irregularly: ${[...results].map(([n, v]) => `${n}:${v}`).join(' ')}`);
    const without = net.socket(AF.UNIX, false).value;
    const exact = `${dir}/n`.padEnd(fits + 1, 'y');
    const unterminated = net.bindUnix(without, Buffer.from(exact));
    sys.close(without);
    const ev = `NUL-terminated paths of ${dir.length + 8}..300 bytes: up to ${fits} bind whole, ${fits + 1}..300 get ${tooLong.join('/')}` +
      ` (${fits + 1} bytes without the NUL, addrlen ${fits + 3}: ${unterminated.errno ?? 'ok'})`;
    return { value: { fits, exact: true, tooLong }, evidence: ev };
  } finally {
    removeTempDir(dir);
  }
}

function measureAbstract(): Fact<boolean> {
  const name = Buffer.from(`\0ipcspec-measure-${process.pid}`);
  const [a, b] = [net.socket(AF.UNIX, false).value, net.socket(AF.UNIX, false).value];
  const first = net.bindUnix(a, name);
  const again = net.bindUnix(b, name);
  const reported = first.errno ? undefined : net.sunPath(a).bytes;
  sys.close(a);
  const c = net.socket(AF.UNIX, false).value;
  const rebind = net.bindUnix(c, name);
  sys.close(b);
  sys.close(c);
  const works = !first.errno && again.errno === 'EADDRINUSE' && !rebind.errno && !!reported && reported[0] === 0;
  return { value: works, evidence: `bind("\\0ipcspec-measure-PID"): ${first.errno ?? 'ok'} (getsockname sun_path[0] = ${reported?.[0]}); the same name again: ${again.errno ?? 'ok'}; after the first socket closed: ${rebind.errno ?? 'ok'}` };
}

export const measureAddr = (): AddrFacts => ({ privilegedBelow: measurePrivileged(), unixPath: measureUnixPath(), unixAbstract: measureAbstract() });
