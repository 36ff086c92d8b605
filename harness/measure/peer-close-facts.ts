// Sending to a stream socket whose peer has closed, measured per family: the first send, and the
// sends after the peer's answer arrived (TCP: a reset, waited for with poll; AF_UNIX: at once).
import { sys } from '../host/libc.mjs';
import { AF, MSG, net } from '../host/libc-net.mjs';
import { connectedPair } from './probe.ts';
import type { SendResult } from '../../spec/profile.ts';
import type { Fact } from './pipe-facts.ts';
import { makeTempDir, removeTempDir } from '../temp-dirs.ts';
export interface PeerCloseFacts { unixFirst: Fact<SendResult[]>; tcpFirst: Fact<SendResult[]>; later: Fact<SendResult[]> }

const result = (r: { errno?: string }): SendResult => (r.errno ? (r.errno as SendResult) : 'ok');

function sends(family: number, dir: string): SendResult[] {
  const fds: number[] = [];
  try {
    const { client: c, server } = connectedPair(family, dir, 'l', fds);
    sys.close(fds.splice(fds.indexOf(server), 1)[0]); // the peer closes
    const data = new Uint8Array(5);
    const out = [result(net.send(c, data, MSG.DONTWAIT | MSG.NOSIGNAL))];
    // TCP: wait (generously) for the peer's reset to arrive before the next send
    const t0 = Date.now();
    while (family !== AF.UNIX && ((sys.poll(c, 0).revents ?? 0) & 0x18) === 0) if (Date.now() - t0 > 10_000) throw new Error('no reset within 10 s');
    for (let i = 0; i < 2; i++) out.push(result(net.send(c, data, MSG.DONTWAIT | MSG.NOSIGNAL)));
    return out;
  } finally {
    fds.forEach((fd) => sys.close(fd));
  }
}

export function measurePeerClose(): PeerCloseFacts {
  const dir = makeTempDir('peer');
  try {
    const unix = sends(AF.UNIX, dir);
    const inet = sends(AF.INET, dir);
    const inet6 = sends(AF.INET6, dir);
    const ev = `sends after the peer closed (no unread data): AF_UNIX ${unix.join(', ')}; AF_INET ${inet.join(', ')}; AF_INET6 ${inet6.join(', ')} (TCP: later sends after poll showed the reset)`;
    if (inet.join() !== inet6.join()) throw new Error(`AF_INET and AF_INET6 differ: ${ev}`);
    const later = [...new Set([...unix.slice(1), ...inet.slice(1)])];
    return { unixFirst: { value: [unix[0]], evidence: ev }, tcpFirst: { value: [inet[0]], evidence: ev }, later: { value: later, evidence: ev } };
  } finally {
    removeTempDir(dir);
  }
}
