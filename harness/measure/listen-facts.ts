// The listen queue, measured: against a listener that never accepts, how many nonblocking connects
// complete for each backlog, per family. TCP: a connect completes when the listener's accept queue
// grows (TCP_INFO tcpi_unacked); it did not when the listener's drop counter (SO_MEMINFO drops) grew
// instead, so nothing here depends on time beyond a generous deadline. Backlogs -1, somaxconn + 1 and
// INT_MAX show the truncation to somaxconn. What happens beyond a full queue (fullQueue) is the one
// timed measurement: a blocking connect bounded by SO_SNDTIMEO either fails at once or sleeps for the
// whole bound, and a dropped TCP connect completes (or not) within a generous deadline after accept.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sys } from '../host/libc.mjs';
import { AF, net } from '../host/libc-net.mjs';
import type { Fact } from './pipe-facts.ts';
import { makeTempDir, removeTempDir } from '../temp-dirs.ts';

export interface ListenFacts {
  somaxconn: Fact<number>;
  queue: Fact<'backlog-plus-one'>;
  /** A blocking connect to a full queue sleeps (AF_UNIX until room, TCP until a retransmitted SYN gets in); a dropped TCP connect completes after accept. */
  fullQueue: Fact<'blocks-then-completes'>;
}

const SLEEP_BOUND_MS = 250;
const COMPLETE_DEADLINE_MS = 30_000;

const FAMILIES = [['unix', AF.UNIX], ['inet', AF.INET], ['inet6', AF.INET6]] as const;

/** A listener with `backlog` (bound in `dir` for AF_UNIX), and its address. */
function listener(family: number, dir: string, backlog: number, fds: number[]): { L: number; name: string } {
  const L = net.socket(family, false).value;
  fds.push(L);
  net.bind(L, family === AF.UNIX ? `unix:${join(dir, `l${backlog}-${fds.length}`)}` : family === AF.INET ? '127.0.0.1:0' : '[::1]:0');
  if (net.listen(L, backlog).errno) throw new Error('listen failed');
  return { L, name: net.getsockname(L).addr! };
}

const busyWait = (cond: () => boolean, ms: number): boolean => {
  const t0 = Date.now();
  while (!cond()) if (Date.now() - t0 > ms) return false;
  return true;
};

/**
 * Beyond a full queue (backlog 0: one connection fills it). A blocking connect bounded by SO_SNDTIMEO
 * (250 ms): one that sleeps returns after the whole bound (AF_UNIX EAGAIN, TCP EINPROGRESS), one that does
 * not returns at once. Then accept frees the place: AF_UNIX blocking connects succeed again; the dropped
 * TCP connects (still in progress) complete through a retransmitted SYN, timed here.
 */
function measureFullQueue(dir: string): Fact<'blocks-then-completes'> {
  const fds: number[] = [];
  const seen: string[] = [];
  try {
    const dropped: Array<{ fam: string; L: number; c: number }> = [];
    for (const [fam, family] of FAMILIES) {
      const { L, name } = listener(family, dir, 0, fds);
      const first = net.socket(family, true).value;
      fds.push(first);
      net.connect(first, name);
      if (family !== AF.UNIX && !busyWait(() => net.acceptQueue(L).value > 0, 10_000)) throw new Error(`${fam}: the first connection was not queued within 10 s`);
      const b = net.socket(family, false).value;
      fds.push(b);
      net.sendTimeoutMs(b, SLEEP_BOUND_MS);
      const t0 = Date.now();
      const r = net.connect(b, name);
      const slept = Date.now() - t0;
      const want = family === AF.UNIX ? 'EAGAIN' : 'EINPROGRESS';
      if (r.errno !== want || slept < SLEEP_BOUND_MS * 0.9) throw new Error(`${fam}: a blocking connect to a full queue (SO_SNDTIMEO ${SLEEP_BOUND_MS} ms) returned ${r.errno ?? r.value} after ${slept} ms, expected ${want} after sleeping ${SLEEP_BOUND_MS} ms`);
      seen.push(`${fam}: blocking connect (SO_SNDTIMEO ${SLEEP_BOUND_MS} ms) slept ${slept} ms, then ${r.errno}`);
      if (net.accept(L).errno) throw new Error(`${fam}: accept failed`);
      if (family === AF.UNIX) {
        const again = net.socket(family, false).value;
        fds.push(again);
        const a = net.connect(again, name);
        if (a.errno) throw new Error(`unix: a blocking connect after accept freed room: ${a.errno}`);
        seen.push('unix: after accept a blocking connect returned 0');
      } else dropped.push({ fam, L, c: b });
    }
    // TCP: the sleeping connect's SYN was dropped; accept made room; its retransmission gets in
    const t0 = Date.now();
    for (const d of dropped) {
      const done = busyWait(() => ((sys.poll(d.c, 0x4).revents ?? 0) & 0x1c) !== 0, COMPLETE_DEADLINE_MS - (Date.now() - t0));
      const e = net.soError(d.c).value;
      if (!done || e !== 0) throw new Error(`${d.fam}: a dropped connect did not complete within ${COMPLETE_DEADLINE_MS / 1000} s after accept freed room (SO_ERROR ${e})`);
      seen.push(`${d.fam}: the dropped connect completed ${Date.now() - t0} ms after accept`);
    }
    return { value: 'blocks-then-completes', evidence: `backlog 0, one connection queued: ${seen.join('; ')}` };
  } finally {
    fds.forEach((fd) => sys.close(fd));
  }
}

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
      const before = family === AF.UNIX ? undefined : { q: net.acceptQueue(L).value, d: net.drops(L).value };
      // A loaded machine can refuse a TCP socket memory for a moment (ENOMEM, ENOBUFS): that is no
      // answer about the queue, so a new socket tries again, within a long deadline.
      let c = -1;
      let r: ReturnType<typeof net.connect>;
      const t1 = Date.now();
      for (;;) {
        c = net.socket(family, true).value;
        fds.push(c);
        r = net.connect(c, name);
        if (!before || (r.errno !== 'ENOMEM' && r.errno !== 'ENOBUFS') || Date.now() - t1 > COMPLETE_DEADLINE_MS) break;
        busyWait(() => false, 10);
      }
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
  const dir = makeTempDir('listen');
  try {
    const seen: string[] = [];
    let plusOne = true;
    for (const [name, family] of FAMILIES) {
      // above somaxconn and negative: truncated to somaxconn (INT_MAX on AF_UNIX only: each fill costs somaxconn + 1 connects)
      for (const b of [0, 1, 2, 5, somaxconn, somaxconn + 1, -1, ...(family === AF.UNIX ? [0x7fffffff] : [])]) {
        const want = (b < 0 ? somaxconn : Math.min(b, somaxconn)) + 1;
        const got = completed(family, dir, b, want + 1);
        if (got !== want) plusOne = false;
        seen.push(`${name} backlog ${b}: ${got}`);
      }
    }
    if (!plusOne) throw new Error(`the listen queue does not hold min(backlog, somaxconn) + 1 connections (a negative backlog: somaxconn + 1): ${seen.join(', ')}`);
    return {
      fullQueue: measureFullQueue(dir),
      somaxconn: { value: somaxconn, evidence: `/proc/sys/net/core/somaxconn = ${somaxconn}` },
      queue: { value: 'backlog-plus-one', evidence: `connections completed against a listener that never accepts (nonblocking connects; TCP: accept queue grew vs listener drop counter grew): ${seen.join(', ')}` },
    };
  } finally {
    removeTempDir(dir);
  }
}
