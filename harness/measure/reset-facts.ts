// Closing a stream socket with unread data, measured per family: what its peer's calls return once
// the reset is in (TCP: waited for with poll), when it recvs first and when it sends first.
import { sys } from '../host/libc.mjs';
import { AF, MSG, net } from '../host/libc-net.mjs';
import { connectedPair } from './probe.ts';
import type { Fact } from './pipe-facts.ts';
import { makeTempDir, removeTempDir } from '../temp-dirs.ts';

export interface ResetFacts { recvAfterData: Fact<Array<'ECONNRESET' | '0'>>; sendTakesReset: Fact<{ unix: boolean; tcp: boolean }> }

const show = (r: { value: number; errno?: string }): string => (r.errno ? r.errno : String(r.value));

/** The peer's results after its partner closed with unread data; `ops` is the order of calls. */
function after(family: number, dir: string, ops: Array<'send' | 'recv'>): string[] {
  const fds: number[] = [];
  try {
    const { client: c, server } = connectedPair(family, dir, `l${ops.join('')}`, fds);
    fds.splice(fds.indexOf(server), 1); // closed below, mid-measurement
    const data = new Uint8Array(4);
    net.send(c, data, MSG.DONTWAIT | MSG.NOSIGNAL); // unread by a
    net.send(server, data.subarray(0, 3), MSG.DONTWAIT | MSG.NOSIGNAL); // unread by c: read back first
    const t0 = Date.now();
    while (family !== AF.UNIX && net.outq(c).value !== 0) if (Date.now() - t0 > 10_000) throw new Error('no ack within 10 s');
    sys.close(server);
    while (((sys.poll(c, 0x2000).revents ?? 0) & 0x2018) === 0) if (Date.now() - t0 > 10_000) throw new Error('no reset within 10 s');
    return ops.map((op) => show(op === 'send' ? net.send(c, data, MSG.DONTWAIT | MSG.NOSIGNAL) : net.recv(c, 10, MSG.DONTWAIT)));
  } finally {
    fds.forEach((fd) => sys.close(fd));
  }
}

export function measureReset(): ResetFacts {
  const dir = makeTempDir('reset');
  try {
    const recvFirst = { unix: after(AF.UNIX, dir, ['recv', 'recv', 'recv', 'send']), tcp: after(AF.INET, dir, ['recv', 'recv', 'recv', 'send']) };
    const sendFirst = { unix: after(AF.UNIX, dir, ['send', 'recv', 'recv', 'recv']), tcp: after(AF.INET, dir, ['send', 'recv', 'recv', 'recv']) };
    const tcp6 = after(AF.INET6, dir, ['recv', 'recv', 'recv', 'send']);
    const ev = `closed with 4 unread bytes, its peer holding 3 unread: recv, recv, recv, send -> AF_UNIX ${recvFirst.unix.join(', ')}; TCP ${recvFirst.tcp.join(', ')} (AF_INET6 ${tcp6.join(', ')}); send, recv, recv, recv -> AF_UNIX ${sendFirst.unix.join(', ')}; TCP ${sendFirst.tcp.join(', ')}`;
    const once = [recvFirst.unix, recvFirst.tcp, tcp6].every((r) => r.join() === '3,ECONNRESET,0,EPIPE');
    return {
      recvAfterData: { value: once ? ['ECONNRESET'] : ['ECONNRESET', '0'], evidence: ev },
      sendTakesReset: { value: { unix: sendFirst.unix[0] === 'ECONNRESET', tcp: sendFirst.tcp[0] === 'ECONNRESET' }, evidence: ev },
    };
  } finally {
    removeTempDir(dir);
  }
}
