// Datagram truncation, measured per family (AF_UNIX socketpair, UDP 127.0.0.1, UDP ::1): a datagram
// longer than the buffer, received by recvmsg (is MSG_TRUNC in msg_flags?) and by recv with the
// MSG_TRUNC flag (does it return the real length or the copied one?).
import { readFileSync } from 'node:fs';
import { sys } from '../host/libc.mjs';
import { icmpUnreachIn } from '../host/icmp-counters.ts';
import { AF, MSG, net } from '../host/libc-net.mjs';
import type { TruncFlagResult } from '../../spec/profile.ts';
import type { Fact } from './pipe-facts.ts';

export interface DgramFacts { msgFlagsTrunc: Fact<boolean>; recvTruncFlag: Fact<TruncFlagResult[]> }

/** A connected datagram pair of the family: [sender, receiver]. */
function pair(family: number): [number, number] {
  if (family === AF.UNIX) return net.socketpair(false, true).fds!;
  const r = net.socket(family, false, true).value;
  const s = net.socket(family, false, true).value;
  net.bind(r, family === AF.INET ? '127.0.0.1:0' : '[::1]:0');
  if (net.connect(s, net.getsockname(r).addr!).errno) throw new Error('UDP connect failed');
  return [s, r];
}

/** Wait (generously) until a datagram is queued at fd: loopback UDP delivers in softirq. */
function queued(fd: number): void {
  const t0 = Date.now();
  while (((sys.poll(fd, 1).revents ?? 0) & 1) === 0) if (Date.now() - t0 > 10_000) throw new Error('no datagram within 10 s');
}

function measureFamily(family: number): { flags: boolean; value: number; data: string; flagged: TruncFlagResult } {
  const [s, r] = pair(family);
  try {
    const d = new Uint8Array(11).map((_, i) => i + 1);
    net.send(s, d, MSG.DONTWAIT);
    queued(r);
    const m = net.recvmsg(r, 4, MSG.DONTWAIT);
    net.send(s, d, MSG.DONTWAIT);
    queued(r);
    const t = net.recv(r, 3, MSG.DONTWAIT | MSG.TRUNC);
    const flagged: TruncFlagResult = t.errno ? (t.errno as TruncFlagResult) : t.value === 11 ? 'real' : t.value === 3 ? 'copied' : (() => { throw new Error(`recv MSG_TRUNC returned ${t.value}`); })();
    return { flags: ((m.msgFlags ?? 0) & MSG.TRUNC) !== 0, value: m.value, data: [...(m.data ?? [])].join(','), flagged };
  } finally {
    sys.close(s);
    sys.close(r);
  }
}

export function measureDgram(): DgramFacts {
  const got = [AF.UNIX, AF.INET, AF.INET6].map(measureFamily);
  const ev = `an 11-byte datagram [1..11]: recvmsg(4 bytes) -> ${got.map((g, i) => `${['AF_UNIX', 'UDP', 'UDP6'][i]} ${g.value} [${g.data}] msg_flags${g.flags ? '' : ' without'} MSG_TRUNC`).join('; ')}; recv(3 bytes, MSG_TRUNC) -> ${got.map((g) => g.flagged).join(', ')}`;
  if (new Set(got.map((g) => `${g.flags}${g.flagged}`)).size !== 1) throw new Error(`families differ: ${ev}`);
  return { msgFlagsTrunc: { value: got[0].flags, evidence: ev }, recvTruncFlag: { value: [got[0].flagged], evidence: ev } };
}

export interface DeliveryFacts { bytes: number; inOrder: Fact<boolean>; unixQueue: Fact<number>; unixPairFits: Fact<number>; udpFits: Fact<number> }

/** Nonblocking sends of `size` bytes until EAGAIN (AF_UNIX) or the receiver's drop counter moves (UDP); then the order they come out in. */
function fill(s: number, r: number, size: number, udp: boolean): { fits: number; ordered: boolean } {
  let fits = 0;
  for (; fits < 5000; fits++) {
    const d0 = net.drops(r).value;
    const d = new Uint8Array(size);
    if (size >= 2) new DataView(d.buffer).setUint16(0, fits);
    const x = net.send(s, d, MSG.DONTWAIT);
    if (x.errno === 'EAGAIN') break;
    if (x.errno) throw new Error(`send: ${x.errno}`);
    if (udp) { const t0 = Date.now(); while (net.drops(r).value === d0 && net.rmem(r).value === 0) if (Date.now() - t0 > 10_000) throw new Error('no delivery'); }
    if (udp && net.drops(r).value > d0) break;
  }
  let ordered = true;
  for (let i = 0; i < fits; i++) {
    const g = net.recv(r, size, MSG.DONTWAIT);
    if (g.errno || (size >= 2 && new DataView(g.data!.buffer, g.data!.byteOffset).getUint16(0) !== i)) { ordered = false; break; }
  }
  return { fits, ordered };
}

/** Queue bounds of datagram sockets, for `size`-byte datagrams (the walks' largest). */
export function measureDelivery(size: number): DeliveryFacts {
  const unixBound = (): [number, number] => {
    const r = net.socket(AF.UNIX, false, true).value;
    const s = net.socket(AF.UNIX, false, true).value;
    const path = `unix:/tmp/ipcspec-dgram-${process.pid}`;
    try {
      if (net.bind(r, path).errno || net.connect(s, path).errno) throw new Error('AF_UNIX bind/connect failed');
    } finally { sys.unlink(`/tmp/ipcspec-dgram-${process.pid}`); }
    return [s, r];
  };
  const run = (mk: () => [number, number], udp: boolean) => { const [s, r] = mk(); try { return fill(s, r, size, udp); } finally { sys.close(s); sys.close(r); } };
  const bound = run(unixBound, false);
  const pairR = run(() => net.socketpair(false, true).fds!, false);
  const inet = run(() => pair(AF.INET), true);
  const inet6 = run(() => pair(AF.INET6), true);
  const qlen = readFileSync('/proc/sys/net/unix/max_dgram_qlen', 'utf8').trim();
  const ev = `${size}-byte datagrams, nonblocking sends until EAGAIN (AF_UNIX) or a drop (UDP, SO_MEMINFO drops): AF_UNIX sender connected to a bound receiver ${bound.fits} then EAGAIN (net.unix.max_dgram_qlen = ${qlen}); socketpair ${pairR.fits} then EAGAIN; UDP 127.0.0.1 ${inet.fits}, UDP ::1 ${inet6.fits} then dropped; received in order: ${[bound, pairR, inet, inet6].map((x) => x.ordered).join(', ')}`;
  const udpFits = Math.min(inet.fits, inet6.fits);
  return {
    bytes: size,
    inOrder: { value: [bound, pairR, inet, inet6].every((x) => x.ordered), evidence: ev },
    unixQueue: { value: bound.fits, evidence: ev },
    unixPairFits: { value: pairR.fits, evidence: ev },
    udpFits: { value: udpFits, evidence: ev },
  };
}

export interface RefusedFacts { connected: Fact<'next-call' | 'may'>; unconnected: Fact<'never' | 'may'> }

/** A UDP port that was just bound and closed: nobody listens there. */
function closedPort(family: number): string {
  const t = net.socket(family, false, true).value;
  net.bind(t, family === AF.INET ? '127.0.0.1:0' : '[::1]:0');
  const addr = net.getsockname(t).addr!;
  sys.close(t);
  return addr;
}

function wait(cond: () => boolean, what: string): void {
  const t0 = Date.now();
  while (!cond()) if (Date.now() - t0 > 10_000) throw new Error(`no ${what} within 10 s`);
}

/**
 * Send to a closed UDP port: from a connected socket (wait for POLLERR), then recv (or send), then
 * recv: the error once. From an unconnected one (wait until the netns counted the ICMP
 * unreachable): recv, sendto, SO_ERROR.
 */
export function measureRefused(): RefusedFacts {
  const seen: string[] = [];
  let nextCall = true;
  let never = true;
  for (const family of [AF.INET, AF.INET6]) {
    const name = family === AF.INET ? 'UDP' : 'UDP6';
    for (const first of ['recv', 'send'] as const) {
      const s = net.socket(family, false, true).value;
      try {
        net.connect(s, closedPort(family));
        const sent = net.send(s, new Uint8Array(5), MSG.DONTWAIT);
        wait(() => ((sys.poll(s, 1).revents ?? 0) & 8) !== 0, 'POLLERR after the send');
        const call = (k: 'recv' | 'send') => (k === 'recv' ? net.recv(s, 16, MSG.DONTWAIT) : net.send(s, new Uint8Array(5), MSG.DONTWAIT));
        const got = [call(first), call('recv')].map((r) => r.errno ?? String(r.value));
        seen.push(`${name} connected: send ${sent.errno ?? sent.value}, POLLERR, ${first} ${got[0]}, recv ${got[1]}`);
        nextCall &&= got[0] === 'ECONNREFUSED' && got[1] === 'EAGAIN';
      } finally { sys.close(s); }
    }
    const u = net.socket(family, false, true).value;
    try {
      const to = closedPort(family);
      const before = icmpUnreachIn(family);
      const sent = net.sendto(u, new Uint8Array(5), MSG.DONTWAIT, to);
      wait(() => icmpUnreachIn(family) > before, 'ICMP unreachable counted');
      const got = [net.recv(u, 16, MSG.DONTWAIT), net.sendto(u, new Uint8Array(5), MSG.DONTWAIT, to), net.soError(u)].map((r) => r.errno ?? String(r.value));
      seen.push(`${name} unconnected: sendto ${sent.errno ?? sent.value}, ICMP counted, recv ${got[0]}, sendto ${got[1]}, SO_ERROR ${got[2]}`);
      never &&= got[0] === 'EAGAIN' && got[1] === '5' && got[2] === '0';
    } finally { sys.close(u); }
  }
  const ev = seen.join('; ');
  return { connected: { value: nextCall ? 'next-call' : 'may', evidence: ev }, unconnected: { value: never ? 'never' : 'may', evidence: ev } };
}

export interface MaxSizeFacts { udp: Fact<number>; udp6: Fact<number>; unix: Fact<number>; exact: Fact<boolean> }

/** The largest datagram a nonblocking send on [s, r] takes (binary search on EMSGSIZE; each one drained). */
function largest(s: number, r: number): { max: number; other: string[] } {
  const other: string[] = [];
  let lo = 0;
  let hi = 1 << 22;
  while (lo < hi) {
    const m = (lo + hi + 1) >> 1;
    const x = net.send(s, new Uint8Array(m), MSG.DONTWAIT);
    if (!x.errno) { wait(() => ((sys.poll(r, 1).revents ?? 0) & 1) !== 0, 'the datagram'); net.recv(r, 1, MSG.DONTWAIT); }
    if (x.errno && x.errno !== 'EMSGSIZE') other.push(`${m}: ${x.errno}`);
    if (x.errno === 'EMSGSIZE') hi = m - 1; else lo = m;
  }
  return { max: lo, other };
}

/** EMSGSIZE bounds: UDP over 127.0.0.1 and ::1, AF_UNIX socketpair and bound path. */
export function measureMaxSize(): MaxSizeFacts {
  const run = (mk: () => [number, number]) => { const [s, r] = mk(); try { return largest(s, r); } finally { sys.close(s); sys.close(r); } };
  const udp = run(() => pair(AF.INET));
  const udp6 = run(() => pair(AF.INET6));
  const upair = run(() => net.socketpair(false, true).fds!);
  const sndbuf = readFileSync('/proc/sys/net/core/wmem_default', 'utf8').trim();
  const other = [...udp.other, ...udp6.other, ...upair.other];
  const ev = `largest nonblocking send before EMSGSIZE (binary search, each datagram drained): UDP 127.0.0.1 ${udp.max}, UDP ::1 ${udp6.max}, AF_UNIX socketpair ${upair.max} (net.core.wmem_default ${sndbuf}); other errors on the way: ${other.join(', ') || 'none'}`;
  return { udp: { value: udp.max, evidence: ev }, udp6: { value: udp6.max, evidence: ev }, unix: { value: upair.max, evidence: ev }, exact: { value: other.length === 0, evidence: ev } };
}
