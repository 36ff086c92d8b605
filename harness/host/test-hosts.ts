// Two test hosts on this machine for the two-host scenarios: network namespaces a and b that the
// harness creates (`ip netns`), joined by a veth pair with private addresses it assigns. Both ends
// of the pair are created inside the namespaces and neither namespace has a route anywhere else,
// so traffic between the hosts never leaves them. They are removed on dispose, at process exit and
// on Ctrl-C; a run that died without removing them is swept by the next one (its pid is gone).
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestHost } from '../../spec/socket-scenario.ts';
import { onInterrupt } from '../scope.ts';
import { inNetns, socketNetns, whyNoNetnsFile } from './netns.mjs';
import { effectiveCaps } from './proc.ts';
import { pickSubnets, type Subnets } from './test-host-addrs.ts';

export interface TestHosts {
  /** Namespace names, as `ip netns list` shows them. */
  readonly names: Record<TestHost, string>;
  readonly inet: Record<TestHost, string>;
  readonly inet6: Record<TestHost, string>;
  /** The slowest round trip the preflight pings measured, a to b (ms). */
  readonly rttMs: number;
  /** How long a wait for something the link must deliver may take: max(10 s, 100 x rttMs). */
  readonly deadlineMs: number;
  /** Run fn with this thread inside host h's namespace (sockets made there live on h). */
  inHost<T>(h: TestHost, fn: () => T): T;
  /** The test host socket fd lives on, if any. */
  hostOf(fd: number): TestHost | undefined;
  dispose(): void;
}

export type TestHostsOrWhyNot = { hosts: TestHosts } | { unsupported: string };

export const NAME_PREFIX = 'ipcspec-';
const NAME_RE = /^ipcspec-(\d+)-\d+-[ab]$/;
const DEV: Record<TestHost, string> = { a: 'veth-a', b: 'veth-b' };
const PINGS = 5;
const PING_CHILD = fileURLToPath(new URL('./ping-child.mjs', import.meta.url));
const execFileAsync = promisify(execFile);
/** Per-netns settings the linux profile's measured facts depend on: a test host gets this host's values. */
const MIRRORED_SYSCTLS = ['net/core/somaxconn', 'net/ipv4/tcp_syncookies', 'net/ipv4/ip_local_port_range', 'net/ipv4/tcp_rmem', 'net/ipv4/tcp_wmem'];
let made = 0;

/** Why this process cannot make test hosts here, if it cannot. */
export function whyNoTestHosts(): string | undefined {
  if (process.platform !== 'linux') return `test hosts need Linux network namespaces (this is ${process.platform})`;
  const ip = spawnSync('ip', ['-V'], { encoding: 'utf8' });
  if (ip.error) return `no \`ip\` command (iproute2) to make network namespaces: ${(ip.error as NodeJS.ErrnoException).code ?? ip.error.message}`;
  // Entering a test host's namespace and coming back needs this thread's own namespace file.
  const ns = whyNoNetnsFile();
  if (ns) return `cannot open this thread's network namespace, /proc/thread-self/ns/net (${ns}), to enter a test host and come back`;
  const caps = effectiveCaps();
  if (caps === undefined) return 'cannot read this process\'s capabilities (/proc/self/status) to know whether it may make network namespaces';
  const has = (bit: bigint) => ((caps >> bit) & 1n) === 1n;
  if (!has(21n) || !has(12n)) return `not root: making network namespaces needs CAP_SYS_ADMIN and CAP_NET_ADMIN (euid ${process.geteuid?.()})`;
  return undefined;
}

const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Remove test hosts left by runs whose process is gone (killed before they could clean up). */
export function sweepStale(): string[] {
  const removed: string[] = [];
  for (const line of ip('netns', 'list').split('\n')) {
    const name = line.split(' ')[0];
    const m = NAME_RE.exec(name);
    if (!m || alive(Number(m[1]))) continue;
    spawnSync('ip', ['netns', 'delete', name]);
    removed.push(name);
  }
  return removed;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Make the two hosts, check with net-ping that b answers a, and time it; or say why not. */
export async function setUpTestHosts(): Promise<TestHostsOrWhyNot> {
  const why = whyNoTestHosts();
  if (why) return { unsupported: why };
  let hosts: Hosts | undefined;
  try {
    sweepStale();
    hosts = new Hosts(`${NAME_PREFIX}${process.pid}-${made++}`, pickSubnets(process.pid + made));
    hosts.create();
    await hosts.preflight();
    return { hosts };
  } catch (e) {
    hosts?.dispose();
    return { unsupported: `could not make two test hosts: ${(e as Error).message.split('\n')[0]}` };
  }
}

class Hosts implements TestHosts {
  readonly names: Record<TestHost, string>;
  readonly inet: Record<TestHost, string>;
  readonly inet6: Record<TestHost, string>;
  rttMs = 0;
  deadlineMs = 10_000;
  private inodes = new Map<number, TestHost>();
  private disposed = false;
  private readonly offInterrupt: () => void;
  private readonly onExit = () => this.dispose();

  constructor(base: string, private readonly net: Subnets) {
    this.names = { a: `${base}-a`, b: `${base}-b` };
    this.inet = { a: net.inet.a, b: net.inet.b };
    this.inet6 = { a: net.inet6.a, b: net.inet6.b };
    // Registered before anything exists, so that no way out of the process leaves them behind.
    process.on('exit', this.onExit);
    this.offInterrupt = onInterrupt(this.onExit);
  }

  create(): void {
    const { a, b } = this.names;
    ip('netns', 'add', a);
    ip('netns', 'add', b);
    for (const h of ['a', 'b'] as const) {
      this.inodes.set(this.inode(h), h);
      this.mirrorSysctls(h);
      // no duplicate address detection on the new link: its link-local address is usable at once
      this.inHost(h, () => writeFileSync('/proc/sys/net/ipv6/conf/default/accept_dad', '0'));
    }
    // Both ends are created inside the namespaces: no interface ever appears in ours.
    ip('link', 'add', DEV.a, 'netns', a, 'type', 'veth', 'peer', 'name', DEV.b, 'netns', b);
    for (const h of ['a', 'b'] as const) {
      const n = this.names[h];
      ip('-n', n, 'address', 'add', `${this.inet[h]}/${this.net.inet.prefix}`, 'dev', DEV[h]);
      // nodad: the address is usable at once instead of after duplicate address detection
      ip('-n', n, '-6', 'address', 'add', `${this.inet6[h]}/${this.net.inet6.prefix}`, 'dev', DEV[h], 'nodad');
      ip('-n', n, 'link', 'set', 'lo', 'up');
      ip('-n', n, 'link', 'set', DEV[h], 'up');
    }
  }

  /** The namespace's inode (what SIOCGSKNS reports for a socket living there). */
  private inode(h: TestHost): number {
    return statSync(this.path(h)).ino;
  }

  private path(h: TestHost): string {
    return `/var/run/netns/${this.names[h]}`;
  }

  /** /proc/sys/net shows the namespace of the thread that opens it. */
  private mirrorSysctls(h: TestHost): void {
    for (const key of MIRRORED_SYSCTLS) {
      let mine: string;
      try {
        mine = readFileSync(`/proc/sys/${key}`, 'latin1');
      } catch {
        continue;
      }
      this.inHost(h, () => {
        if (readFileSync(`/proc/sys/${key}`, 'latin1') !== mine) writeFileSync(`/proc/sys/${key}`, mine);
      });
    }
  }

  /** net-ping from a process on host a to b, over both families; the slowest round trip sets the deadlines. */
  async preflight(): Promise<void> {
    const args = ['netns', 'exec', this.names.a, process.execPath, PING_CHILD, String(PINGS), this.inet.b, this.inet6.b];
    const { stdout } = await execFileAsync('ip', args, { encoding: 'utf8', timeout: 90_000 }).catch((e: { stdout?: string; message: string }) => ({ stdout: e.stdout || JSON.stringify({ error: e.message }) }));
    let r: { rtts?: Record<string, number[]>; error?: string };
    try {
      r = JSON.parse(stdout.trim().split('\n').pop() ?? '');
    } catch {
      throw new Error(`the net-ping preflight said nothing usable: ${stdout.slice(0, 200)}`);
    }
    if (!r.rtts) throw new Error(`host b did not answer net-ping from host a: ${r.error}`);
    const worst = Math.max(...Object.values(r.rtts).flat());
    this.rttMs = worst;
    this.deadlineMs = Math.max(10_000, Math.ceil(100 * worst));
  }

  inHost<T>(h: TestHost, fn: () => T): T {
    if (this.disposed) throw new Error('the test hosts are gone');
    return inNetns(this.path(h), fn);
  }

  hostOf(fd: number): TestHost | undefined {
    const r = socketNetns(fd);
    return r.ino === undefined ? undefined : this.inodes.get(r.ino);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const n of Object.values(this.names)) spawnSync('ip', ['netns', 'delete', n]);
    process.off('exit', this.onExit);
    this.offInterrupt();
  }
}
