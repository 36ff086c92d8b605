// shutdown(SHUT_RD) and shutdown(SHUT_RDWR) on stream sockets, measured per family: what recv on the
// shut socket returns (with data buffered, then without), what the peer's send does, whether data
// the peer sends later is received, and what a send the peer makes once both halves are shut does
// (TCP: waited for with poll until the peer's answer arrived).
import type { SendResult } from '../../spec/profile.ts';
import { POLL, sys } from '../host/libc.mjs';
import { AF, MSG, net, SHUT } from '../host/libc-net.mjs';
import type { Fact } from './pipe-facts.ts';
import { connectedPair, reventNames } from './probe.ts';
import { makeTempDir, removeTempDir } from '../temp-dirs.ts';

export interface ShutdownFacts {
  recv: Fact<'data-then-eof' | 'data-or-eof'>;
  peerSend: Fact<{ unix: SendResult[]; tcp: SendResult[] }>;
  acceptedSendResets: Fact<boolean | 'either'>;
  afterReset: Fact<Array<'0' | 'ENOTCONN'>>;
}

const POLLRDHUP = 0x2000;
const FLAGS = MSG.DONTWAIT | MSG.NOSIGNAL;
const show = (r: { value: number; errno?: string }): string => (r.errno ? r.errno : String(r.value));
const events = (fd: number): string => reventNames(sys.poll(fd, POLL.IN | POLL.OUT | POLLRDHUP).revents ?? 0).join('|') || 'none';

/** Wait (generously) until `cond`; loopback must get there. */
function until(cond: () => boolean, what: string): void {
  const t0 = Date.now();
  while (!cond()) if (Date.now() - t0 > 10_000) throw new Error(`${what}: not within 10 s`);
}

/** TCP: until the peer acknowledged everything `fd` sent, or answered with a reset. */
const settled = (family: number, fd: number): void => {
  if (family !== AF.UNIX) until(() => net.outq(fd).value === 0 || ((sys.poll(fd, 0).revents ?? 0) & 0x18) !== 0, 'ack or reset');
};

/** A connected pair in which a holds 3 unread bytes from b; data is a 4-byte buffer for later sends. */
function holdingThree(family: number, dir: string, name: string, fds: number[]): { a: number; b: number; data: Uint8Array } {
  const { client: a, server: b } = connectedPair(family, dir, name, fds);
  const data = new Uint8Array(4);
  net.send(b, data.subarray(0, 3), FLAGS);
  settled(family, b);
  return { a, b, data };
}

/**
 * a holds 3 unread bytes from b; a shuts down `how`; then: a's recvs (the second on a blocking socket
 * only when poll says it will not block), b's send and what a receives of it, a's send and b's view.
 */
function afterShutdown(family: number, dir: string, how: number, name: string): Record<string, string> {
  const fds: number[] = [];
  try {
    const { a, b, data } = holdingThree(family, dir, name, fds);
    const r: Record<string, string> = { shutdown: show(net.shutdown(a, how)) };
    r.pollAfterShutdown = events(a);
    r.recvBuffered = show(net.recv(a, 10, MSG.DONTWAIT));
    r.recvEmpty = show(net.recv(a, 10, MSG.DONTWAIT));
    r.recvEmptyBlocking = (sys.poll(a, POLL.IN).revents ?? 0) & POLL.IN ? show(net.recv(a, 10, 0)) : 'would block';
    r.peerSend = show(net.send(b, data, FLAGS));
    settled(family, b);
    r.pollPeer = events(b);
    r.recvLater = show(net.recv(a, 10, MSG.DONTWAIT));
    r.recvLater2 = show(net.recv(a, 10, MSG.DONTWAIT));
    r.send = show(net.send(a, data.subarray(0, 2), FLAGS));
    r.shutdownAgain = show(net.shutdown(a, SHUT.RDWR));
    r.peerSendAgain = show(net.send(b, data, FLAGS));
    return r;
  } finally {
    fds.forEach((fd) => sys.close(fd));
  }
}

/** Both halves shut, a holding 3 unread bytes; b's send draws a reset (TCP): a's send first, or its recvs first. */
function resetOrder(family: number, dir: string, sendFirst: boolean, name: string): string[] {
  const fds: number[] = [];
  try {
    const { a, b, data } = holdingThree(family, dir, name, fds);
    net.shutdown(a, SHUT.RDWR);
    if (family !== AF.UNIX) until(() => ((sys.poll(b, POLLRDHUP).revents ?? 0) & POLLRDHUP) !== 0, 'FIN at the peer');
    const out = [`peer send ${show(net.send(b, data, FLAGS))}`];
    settled(family, b);
    const ops = sendFirst ? ['send', 'recv', 'recv', 'recv'] : ['recv', 'recv', 'recv', 'send'];
    for (const op of ops) out.push(`${op} ${show(op === 'send' ? net.send(a, data, FLAGS) : net.recv(a, 10, MSG.DONTWAIT))}`);
    out.push(`shutdown ${show(net.shutdown(a, SHUT.WR))}`);
    return out;
  } finally {
    fds.forEach((fd) => sys.close(fd));
  }
}

export function measureShutdown(): ShutdownFacts {
  const dir = makeTempDir('shutdown');
  try {
    const fams = [['unix', AF.UNIX], ['inet', AF.INET], ['inet6', AF.INET6]] as const;
    const rd = Object.fromEntries(fams.map(([n, f]) => [n, afterShutdown(f, dir, SHUT.RD, `rd${n}`)]));
    const rdwr = Object.fromEntries(fams.map(([n, f]) => [n, afterShutdown(f, dir, SHUT.RDWR, `rdwr${n}`)]));
    const resets = Object.fromEntries(fams.flatMap(([n, f]) => [[`${n} send first`, resetOrder(f, dir, true, `s${n}`)], [`${n} recv first`, resetOrder(f, dir, false, `r${n}`)]]));
    const line = (r: Record<string, Record<string, string>>) => Object.entries(r).map(([n, x]) => `${n}: ${Object.entries(x).map(([k, v]) => `${k} ${v}`).join(', ')}`).join('; ');
    const ev = `a holding 3 unread bytes, after shutdown(a, SHUT_RD): ${line(rd)}. After SHUT_RDWR: ${line(rdwr)}. SHUT_RDWR then the peer sends: ${Object.entries(resets).map(([k, v]) => `${k}: ${v.join(', ')}`).join('; ')}`;
    for (const k of Object.keys(rd.inet)) if (rd.inet[k] !== rd.inet6[k] || rdwr.inet[k] !== rdwr.inet6[k]) throw new Error(`AF_INET and AF_INET6 differ (${k}): ${ev}`);
    // Buffered data first, then 0 without blocking, and what the peer sends later (where its send is accepted) is received.
    const dataThenEof = Object.values({ ...rd }).concat(Object.values(rdwr)).every((r) => r.recvBuffered === '3' && r.recvEmpty === '0' && r.recvEmptyBlocking === '0')
      && Object.values(rd).every((r) => (r.peerSend === 'EPIPE' ? r.recvLater === '0' : r.recvLater === r.peerSend && r.recvLater2 === '0'));
    const result = (s: string): SendResult => (s === 'EPIPE' || s === 'ECONNRESET' ? s : 'ok');
    // Both halves shut: an accepted send of the peer resets the connection when the shut socket's next recv reports it.
    const tcpResets = ['inet', 'inet6'].every((n) => rdwr[n].peerSend === '4' && rdwr[n].recvLater === 'ECONNRESET' && resets[`${n} recv first`].join() === 'peer send 4,recv 3,recv ECONNRESET,recv 0,send EPIPE,shutdown ENOTCONN');
    const unixNoReset = rdwr.unix.peerSend === 'EPIPE' && resets['unix recv first'].join() === 'peer send EPIPE,recv 3,recv 0,recv 0,send EPIPE,shutdown 0';
    return {
      recv: { value: dataThenEof ? 'data-then-eof' : 'data-or-eof', evidence: ev },
      peerSend: { value: { unix: [result(rd.unix.peerSend)], tcp: [result(rd.inet.peerSend)] }, evidence: ev },
      acceptedSendResets: { value: tcpResets && unixNoReset ? true : 'either', evidence: ev },
      afterReset: { value: tcpResets ? ['ENOTCONN'] : ['0', 'ENOTCONN'], evidence: ev },
    };
  } finally {
    removeTempDir(dir);
  }
}
