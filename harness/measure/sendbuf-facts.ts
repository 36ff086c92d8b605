// Full send buffers of stream sockets, measured per way of connecting (AF_UNIX socketpair and
// connect/accept, TCP over 127.0.0.1 and ::1) with the default buffer sizes: how much one
// nonblocking send into an idle connection queues (the first partial count of a huge send), how much
// a connection holds before EAGAIN, how much a TCP receiver's queue holds before data backs up in the
// sender's, and how much the reader must drain before the sender is writable again (POLLOUT).
// Every figure the model relies on is a power-of-two floor of the smallest measurement, so that it
// is the same on every run of this kernel and never more than the kernel really gives.
import { readFileSync } from 'node:fs';
import { sys } from '../host/libc.mjs';
import { AF, MSG, net } from '../host/libc-net.mjs';
import { tcpQuiet } from '../host/tcp-quiet.ts';
import type { Fact } from './pipe-facts.ts';
import { bytes, connectedPair } from './probe.ts';
import { makeTempDir, removeTempDir } from '../temp-dirs.ts';

export interface SendBufFacts {
  /** A nonblocking send of at most this many bytes into an idle connection returns whole. */
  sureRoom: Fact<{ unix: number; tcp: number }>;
  /** A TCP receiver's queue holds at least this many bytes before the rest waits in the sender's. */
  tcpReceiverHolds: Fact<number>;
}

const KINDS = ['socketpair', 'unix', 'inet', 'inet6'] as const;
type Kind = (typeof KINDS)[number];
const isTcp = (k: Kind) => k === 'inet' || k === 'inet6';
const DEADLINE_MS = 10_000;
let names = 0;

function connection(kind: Kind, dir: string, fds: number[]): { s: number; r: number } {
  if (kind === 'socketpair') {
    const p = net.socketpair(false).fds!;
    fds.push(...p);
    return { s: p[0], r: p[1] };
  }
  const { client, server } = connectedPair(kind === 'unix' ? AF.UNIX : kind === 'inet' ? AF.INET : AF.INET6, dir, `sb${names++}`, fds);
  return { s: client, r: server };
}

/** TCP: wait (generously) until the connection is quiet (harness/host/tcp-quiet.ts). */
function quiet(s: number, r: number): void {
  const t0 = Date.now();
  while (!tcpQuiet(s, r)) if (Date.now() - t0 > DEADLINE_MS) throw new Error('loopback TCP did not settle within 10 s');
}

const send = (kind: Kind, s: number, r: number, n: number) => {
  const x = net.send(s, bytes(n), MSG.DONTWAIT | MSG.NOSIGNAL);
  if (isTcp(kind)) quiet(s, r);
  return x;
};

/** `f(sender, receiver)` on a fresh connection; the accepted socket sends when `fromServer`. */
function withConnection<T>(kind: Kind, dir: string, f: (s: number, r: number) => T, fromServer = false): T {
  const fds: number[] = [];
  try {
    const { s, r } = connection(kind, dir, fds);
    return fromServer ? f(r, s) : f(s, r);
  } finally {
    fds.forEach((fd) => sys.close(fd));
  }
}

/** One huge nonblocking send into an idle connection: its count (partial), then sends until EAGAIN. */
function fill(kind: Kind, dir: string, huge: number, fromServer = false): { first: string; total: number; sends: number } {
  return withConnection(kind, dir, (s, r) => {
    const x = send(kind, s, r, huge);
    if (x.errno) return { first: x.errno, total: 0, sends: 1 };
    let total = x.value;
    let sends = 1;
    for (; sends < 10_000; sends++) {
      const y = send(kind, s, r, huge);
      if (y.errno === 'EAGAIN') break;
      if (y.errno) throw new Error(`filling: ${y.errno}`);
      total += y.value;
    }
    return { first: String(x.value), total, sends };
  }, fromServer);
}

/** Chunks of `chunk` bytes until data backs up in the TCP sender: what the receiver held then. */
function receiverHolds(kind: Kind, dir: string, chunk: number): number {
  return withConnection(kind, dir, (s, r) => {
    for (let k = 0; k < 100_000; k++) {
      const x = send(kind, s, r, chunk);
      if (x.errno) throw new Error(`send: ${x.errno}`);
      if ((net.tcpInfo(s).notsent ?? 0) > 0) return net.inq(r).value;
    }
    throw new Error('TCP never backed up');
  });
}

/** Fill (AF_UNIX 8192-byte sends, TCP 1 MiB), then read that much at a time until the sender polls writable: bytes read. */
function drainToWritable(kind: Kind, dir: string): number {
  const chunk = isTcp(kind) ? 1 << 20 : 8192;
  return withConnection(kind, dir, (s, r) => {
    while (!send(kind, s, r, chunk).errno);
    let drained = 0;
    for (;;) {
      if (((sys.poll(s, 4).revents ?? 0) & 4) !== 0) return drained;
      const g = net.recv(r, chunk, MSG.DONTWAIT);
      if (g.errno) throw new Error(`drain: ${g.errno}`);
      drained += g.value;
      if (isTcp(kind)) quiet(s, r);
    }
  });
}

const floorPow2 = (n: number): number => (n < 1 ? 0 : 2 ** Math.floor(Math.log2(n)));

export function measureSendBuf(): SendBufFacts {
  const dir = makeTempDir('sendbuf');
  try {
    const huge = { socketpair: 1 << 20, unix: 1 << 20, inet: 8 << 20, inet6: 8 << 20 };
    const fills = Object.fromEntries(KINDS.map((k) => [k, fill(k, dir, huge[k])])) as Record<Kind, ReturnType<typeof fill>>;
    for (const k of KINDS) if (!/^\d+$/.test(fills[k].first)) throw new Error(`${k}: a huge send into an idle connection got ${fills[k].first}, not a partial count`);
    // TCP autotunes each socket's buffer: the accepted socket sends too.
    const back = { inet: fill('inet', dir, huge.inet, true), inet6: fill('inet6', dir, huge.inet6, true) };
    for (const [k, f] of Object.entries(back)) if (!/^\d+$/.test(f.first)) throw new Error(`${k} (accepted socket sending): a huge send into an idle connection got ${f.first}`);
    const first = (k: Kind) => Number(fills[k].first);
    const unix = floorPow2(Math.min(first('socketpair'), first('unix')));
    const tcp = floorPow2(Math.min(first('inet'), first('inet6'), Number(back.inet.first), Number(back.inet6.first)));
    // The bound must hold as stated: sends of exactly sureRoom into idle connections return whole.
    for (const k of KINDS) {
      for (const fromServer of [false, true]) {
        const n = isTcp(k) ? tcp : unix;
        const got = withConnection(k, dir, (s, r) => send(k, s, r, n), fromServer);
        if (got.errno || got.value !== n) throw new Error(`${k}: a nonblocking send of ${n} bytes into an idle connection returned ${got.errno ?? got.value}`);
      }
    }
    // Small chunks are slow (Nagle waits for the delayed ACK) and let the window grow: the large ones bound it.
    const chunks = [65536, 262144, 1 << 20];
    const held = chunks.flatMap((c) => [receiverHolds('inet', dir, c), receiverHolds('inet6', dir, c)]);
    const drains = KINDS.map((k) => `${k} ${drainToWritable(k, dir)}`);
    const sysctl = (p: string) => readFileSync(`/proc/sys/net/${p}`, 'utf8').trim().replace(/\s+/g, ' ');
    const ev = `nonblocking sends into an idle connection (net.core.wmem_default ${sysctl('core/wmem_default')}, net.ipv4.tcp_wmem ${sysctl('ipv4/tcp_wmem')}, tcp_rmem ${sysctl('ipv4/tcp_rmem')}): ` +
      KINDS.map((k) => `${k} send(${huge[k]}) -> ${fills[k].first} (partial, not EAGAIN), ${fills[k].total} bytes in ${fills[k].sends} sends then EAGAIN`).join('; ') +
      ` (the accepted socket sending: inet ${back.inet.first}, inet6 ${back.inet6.first})` +
      `; TCP receiver's queue when data first backed up in the sender (chunks ${chunks.join(', ')}; v4, v6): ${held.join(', ')}` +
      `; filled (AF_UNIX with 8192-byte sends, TCP 1 MiB), bytes read (as much at a time) before the sender polled POLLOUT: ${drains.join(', ')}`;
    return {
      sureRoom: { value: { unix, tcp }, evidence: ev },
      // Half of it: receive-side SWS avoidance keeps the window shut while less than an MSS (64 KiB on loopback) is free.
      tcpReceiverHolds: { value: floorPow2(Math.min(...held)) / 2, evidence: ev },
    };
  } finally {
    removeTempDir(dir);
  }
}
