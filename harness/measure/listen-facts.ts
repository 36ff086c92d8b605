// The listen queue, measured: against a listener that never accepts, how many nonblocking connects
// complete for each backlog, per family. TCP: a connect completes when the listener's accept queue
// grows (TCP_INFO tcpi_unacked); it did not when the listener's drop counter (SO_MEMINFO drops) grew
// instead, so nothing here depends on time beyond a generous deadline.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sys } from '../host/libc.mjs';
import { AF, net } from '../host/libc-net.mjs';
import type { Fact } from './pipe-facts.ts';

export interface ListenFacts {
  somaxconn: Fact<number>;
  queue: Fact<'backlog-plus-one'>;
}

const FAMILIES = [['unix', AF.UNIX], ['inet', AF.INET], ['inet6', AF.INET6]] as const;

/** Connections completed against a listener with `backlog` that never accepts (stops at the first refusal). */
function completed(family: number, dir: string, backlog: number, max: number): number {
  const fds: number[] = [];
  try {
    const L = net.socket(family, false).value;
    fds.push(L);
    net.bind(L, family === AF.UNIX ? `unix:${join(dir, `l${backlog}`)}` : family === AF.INET ? '127.0.0.1:0' : '[::1]:0');
    if (net.listen(L, backlog).errno) throw new Error('listen failed');
    const name = net.getsockname(L).addr!;
    for (let n = 0; n < max; n++) {
      const c = net.socket(family, true).value;
      fds.push(c);
      const before = family === AF.UNIX ? undefined : { q: net.acceptQueue(L).value, d: net.drops(L).value };
      const r = net.connect(c, name);
      if (!before) { if (r.errno) return n; continue; }
      if (r.errno !== 'EINPROGRESS') throw new Error(`nonblocking TCP connect: ${r.errno ?? r.value}`);
      const t0 = Date.now();
      for (;;) {
        if (net.acceptQueue(L).value > before.q) break;
        if (net.drops(L).value > before.d) return n;
        if (Date.now() - t0 > 10_000) throw new Error('TCP handshake neither completed nor was dropped within 10 s');
      }
    }
    return max;
  } finally {
    fds.forEach((fd) => sys.close(fd));
  }
}

export function measureListen(): ListenFacts {
  const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8').trim());
  const dir = mkdtempSync(join(tmpdir(), 'ipcspec-listen-'));
  try {
    const seen: string[] = [];
    let plusOne = true;
    for (const [name, family] of FAMILIES) {
      for (const b of [0, 1, 2, 5, somaxconn]) {
        const want = Math.min(b, somaxconn) + 1;
        const got = completed(family, dir, b, want + 1);
        if (got !== want) plusOne = false;
        seen.push(`${name} backlog ${b}: ${got}`);
      }
    }
    if (!plusOne) throw new Error(`the listen queue does not hold min(backlog, somaxconn) + 1 connections: ${seen.join(', ')}`);
    return {
      somaxconn: { value: somaxconn, evidence: `/proc/sys/net/core/somaxconn = ${somaxconn}` },
      queue: { value: 'backlog-plus-one', evidence: `connections completed against a listener that never accepts (nonblocking connects; TCP: accept queue grew vs listener drop counter grew): ${seen.join(', ')}` },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
