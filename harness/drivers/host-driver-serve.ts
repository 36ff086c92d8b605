// The host target behind the driver protocol (spec/driver-protocol.md): what this host can do, and
// the host target that serve-target.ts serves.
import { createServer } from 'node:net';
import { ALL_FEATURES, ALL_OPS } from '../exec-capabilities.ts';
import type { Target } from '../target.ts';
import { serveTarget } from './serve-target.ts';
import { canSeeSyscalls } from '../host/proc.ts';
import { hasSyscallTable } from '../host/syscalls.ts';
import { whyNoTestHosts } from '../host/test-hosts.ts';

export const DRIVER_NAME = 'ipcspec host-driver.ts 0.1';

/** The host target this process can be: proven settling where /proc shows syscalls, else the unproven one. */
async function hostTarget(): Promise<Target> {
  // IPCSPEC_HOST_UNPROVEN=1: behave as where /proc shows no syscalls (gVisor), to test that mode anywhere.
  const forced = process.env.IPCSPEC_HOST_UNPROVEN === '1';
  if (!forced && process.platform === 'linux' && canSeeSyscalls() && hasSyscallTable()) {
    const { HostTarget } = await import('../host/target.ts');
    return new HostTarget();
  }
  const { UnprovenHostTarget } = await import('./host-unproven.ts');
  return new UnprovenHostTarget(forced ? 'IPCSPEC_HOST_UNPROVEN=1' : process.platform !== 'linux' ? `not Linux (${process.platform})` : !hasSyscallTable() ? `no syscall table for ${process.arch}` : 'no /proc/self/task/TID/syscall');
}

/** Whether a TCP socket can listen on the family's loopback address here (a sandbox may have none). */
function canListen(host: string): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer();
    s.once('error', () => res(false));
    s.listen(0, host, () => s.close(() => res(true)));
  });
}

/**
 * What the host's loopback waits (harness/host/exec-*.ts, tcp-quiet.ts) cannot observe here. They wait
 * for a datagram's arrival by SO_MEMINFO, for a TCP handshake by the listener's TCP_INFO and SO_MEMINFO,
 * and for TCP bytes by TCP_INFO's byte counters. gVisor has no SO_MEMINFO (ENOPROTOOPT) and a 224-byte
 * TCP_INFO without tcpi_bytes_received: there the waits would time out (errors) or pass at once (false
 * fails), so the driver does not declare IP families: the protocol asks a driver that cannot wait as the
 * host does not to (spec/driver-protocol.md). IPCSPEC_HOST_IP=1 declares them anyway, to see what happens.
 */
async function ipBlindSpots(): Promise<string[]> {
  const { AF, net } = await import('../host/libc-net.mjs');
  const { sys } = await import('../host/libc.mjs');
  const why: string[] = [];
  const u = net.socket(AF.INET, true, true);
  if (!u.errno) {
    const m = net.meminfo(u.value);
    if (m.errno) why.push(`no SO_MEMINFO (${m.errno})`);
    sys.close(u.value);
  }
  const t = net.socket(AF.INET, true);
  if (!t.errno) {
    const n = net.tcpInfoLength(t.value);
    if (!n.errno && n.value < 232) why.push(`TCP_INFO of ${n.value} bytes, without the byte counters`);
    sys.close(t.value);
  }
  return why;
}

/** What this host can do, derived from the whole vocabulary: everything but what is missing here. */
async function capabilities(target: Target): Promise<{ ops: string[]; features: string[]; notes: string[] }> {
  const lacks = new Set<string>();
  const notes: string[] = [];
  if (!(await canListen('127.0.0.1'))) lacks.add('family:inet');
  if (!(await canListen('::1'))) lacks.add('family:inet6');
  const blind = await ipBlindSpots();
  if (blind.length) {
    const forced = process.env.IPCSPEC_HOST_IP === '1';
    notes.push(`loopback waits cannot observe here (${blind.join(', ')}): ${forced ? 'IP families declared anyway (IPCSPEC_HOST_IP=1), so IP results may be errors or false fails' : 'no IP families'}`);
    if (!forced) { lacks.add('family:inet'); lacks.add('family:inet6'); }
  }
  // Test hosts are network namespaces: root and `ip` (whyNoTestHosts), and the proven host target.
  if (!target.info.settled || whyNoTestHosts() !== undefined) lacks.add('test-hosts');
  if (process.platform !== 'linux') lacks.add('unix-abstract');
  return { ops: [...ALL_OPS], features: ALL_FEATURES.filter((f) => !lacks.has(f)), notes };
}

export async function serve(out: (line: string) => void): Promise<void> {
  const target = await hostTarget();
  const { ops, features, notes } = await capabilities(target);
  await serveTarget(out, target, { driver: DRIVER_NAME, description: [target.info.description, ...notes].join('; '), ops, features, name: 'host-driver' });
}
