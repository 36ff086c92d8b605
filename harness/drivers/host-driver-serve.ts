// The host target behind the driver protocol (spec/driver-protocol.md): what this host can do, and
// the host target that serve-target.ts serves.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { ALL_FEATURES, ALL_OPS } from '../exec-capabilities.ts';
import type { Target } from '../../spec/target.ts';
import { serveTarget } from './serve-target.ts';
import type { Lack } from '../driver-messages.ts';
import { canSeeSyscalls, canSeeThreads } from '../host/proc.ts';
import { whyNoUnprivilegedUser } from '../host/unprivileged.ts';
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
  const why = forced ? 'IPCSPEC_HOST_UNPROVEN=1'
    : process.platform !== 'linux' ? `not Linux (${process.platform})`
    : !hasSyscallTable() ? `no syscall table for ${process.arch}`
    : !canSeeThreads() ? 'no /proc' : 'no /proc/self/task/TID/syscall';
  return new UnprovenHostTarget(why);
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
 * IPCSPEC_HOST_WITHOUT=so-meminfo,tcp-info-bytes probes as if the kernel lacked them (SO_MEMINFO fails
 * with ENOPROTOOPT, TCP_INFO is 224 bytes long, as in gVisor), to test how the driver degrades anywhere:
 * the host driver calls libc through koffi, which an LD_PRELOAD shim cannot reach.
 */
const PRETENDS = ['so-meminfo', 'tcp-info-bytes'] as const;
function pretendedMissing(): Set<string> {
  const off = new Set((process.env.IPCSPEC_HOST_WITHOUT ?? '').split(',').map((x) => x.trim()).filter(Boolean));
  const unknown = [...off].filter((x) => !(PRETENDS as readonly string[]).includes(x));
  if (unknown.length) throw new Error(`IPCSPEC_HOST_WITHOUT: unknown ${unknown.join(', ')} (known: ${PRETENDS.join(', ')})`);
  return off;
}

/**
 * What the host's loopback waits (harness/host/exec-*.ts, tcp-quiet.ts) cannot observe here, per family.
 * They wait for a datagram's arrival by SO_MEMINFO, for a TCP handshake by the listener's TCP_INFO and
 * SO_MEMINFO, for TCP bytes by TCP_INFO's byte counters, and for an ICMP port unreachable by the counters
 * of /proc/net/snmp (snmp6). gVisor has no SO_MEMINFO (ENOPROTOOPT) and a 224-byte TCP_INFO without
 * tcpi_bytes_received: there the waits would time out (errors) or pass at once (false fails), so the
 * driver does not declare the family: the protocol asks a driver that cannot wait as the host does not
 * to (spec/driver-protocol.md). IPCSPEC_HOST_IP=1 declares them anyway, to see what happens.
 */
async function ipBlindSpots(fam: 'inet' | 'inet6'): Promise<string[]> {
  const { AF, net } = await import('../host/libc-net.mjs');
  const { sys } = await import('../host/libc.mjs');
  const pretend = pretendedMissing();
  const af = fam === 'inet' ? AF.INET : AF.INET6;
  const why: string[] = [];
  const u = net.socket(af, true, true);
  if (!u.errno) {
    const m = pretend.has('so-meminfo') ? { errno: 'ENOPROTOOPT' } : net.meminfo(u.value);
    if (m.errno) why.push(`no SO_MEMINFO (${m.errno})`);
    sys.close(u.value);
  }
  const t = net.socket(af, true);
  if (!t.errno) {
    const n = pretend.has('tcp-info-bytes') ? { value: 224 } : net.tcpInfoLength(t.value);
    if (n.errno) why.push(`no TCP_INFO (${n.errno})`);
    else if (n.value < 232) why.push(`TCP_INFO of ${n.value} bytes, without the byte counters`);
    sys.close(t.value);
  }
  const snmp = fam === 'inet' ? '/proc/net/snmp' : '/proc/net/snmp6';
  try {
    readFileSync(snmp, 'latin1');
  } catch (e) {
    why.push(`no ICMP counters (${snmp}: ${(e as NodeJS.ErrnoException).code})`);
  }
  return why;
}

/** Capabilities the probes leave out, each with its reason; features (and ops) that share a reason share an entry. */
async function lacking(target: Target): Promise<{ lacks: Lack[]; notes: string[] }> {
  const lacks: Lack[] = [];
  const notes: string[] = [];
  const forced = process.env.IPCSPEC_HOST_IP === '1';
  const blind = new Map<string, string[]>(); // family -> what its loopback waits cannot observe
  for (const fam of ['inet', 'inet6'] as const) {
    if (!(await canListen(fam === 'inet' ? '127.0.0.1' : '::1'))) { lacks.push({ features: [`family:${fam}`], reason: `no loopback to listen on (${fam === 'inet' ? '127.0.0.1' : '::1'})` }); continue; }
    const spots = await ipBlindSpots(fam);
    if (spots.length) blind.set(`family:${fam}`, spots);
  }
  // One probe, one entry: every family it leaves out, named together with what each lacks.
  if (blind.size) {
    const features = [...blind.keys()];
    const all = [...blind.values()].map((x) => x.join(', '));
    const what = all.every((x) => x === all[0]) ? all[0] : [...blind].map(([f, x]) => `${f}: ${x.join(', ')}`).join('; ');
    const reason = `the loopback waits cannot observe here (${what})`;
    notes.push(`${reason}: ${forced ? `${features.join(' and ')} declared anyway (IPCSPEC_HOST_IP=1), so their results may be errors or false fails` : `no ${features.join(' or ')}`}`);
    if (!forced) lacks.push({ features, reason });
  }
  // Test hosts are network namespaces: root, `ip` and this thread's namespace file (whyNoTestHosts), and the proven host target.
  const noHosts = !target.info.settled ? 'test hosts need the proven host target (a settle that /proc/TID/syscall proves)' : whyNoTestHosts();
  if (noHosts) lacks.push({ features: ['test-hosts'], reason: noHosts });
  if (process.platform !== 'linux') lacks.push({ features: ['unix-abstract'], reason: `abstract AF_UNIX names are Linux's (this is ${process.platform})` });
  const noUser = whyNoUnprivilegedUser();
  if (noUser) lacks.push({ ops: ['bind-unprivileged'], reason: noUser });
  return { lacks, notes };
}

export async function serve(out: (line: string) => void): Promise<void> {
  const target = await hostTarget();
  const { lacks, notes } = await lacking(target);
  // What this host can do, derived from the whole vocabulary: everything but what is missing here.
  const ops = ALL_OPS.filter((o) => !lacks.some((l) => l.ops?.includes(o)));
  const features = ALL_FEATURES.filter((f) => !lacks.some((l) => l.features?.includes(f)));
  await serveTarget(out, target, { driver: DRIVER_NAME, description: [target.info.description, ...notes].join('; '), ops, features, lacks, name: 'host-driver' });
}
