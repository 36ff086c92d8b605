// The host target: the kernel this process runs on, called directly through libc.
import { release } from 'node:os';
import type { Session, Target, TargetInfo } from '../../spec/target.ts';
import { ActorPool } from './actor-pool.ts';
import { canSeeSyscalls, hasCapSysResource } from './proc.ts';
import { HostSession, sessionDir } from './session.ts';
import { hasSyscallTable } from './syscalls.ts';
import { raiseNetworkDeadline } from './exec-socket-kit.ts';
import { setUpTestHosts, type TestHostsOrWhyNot } from './test-hosts.ts';
import { makeTempDir, removeTempDir } from '../temp-dirs.ts';

export class HostTarget implements Target {
  readonly info: TargetInfo;
  private actors = new ActorPool();
  /** This target's private temp dir (harness/temp-dirs.ts); gone after dispose, and at process exit. */
  readonly root: string;
  private sessions = 0;
  private hosts?: Promise<TestHostsOrWhyNot>;

  constructor() {
    if (process.platform !== 'linux' || !canSeeSyscalls() || !hasSyscallTable()) {
      throw new Error('the host target needs Linux with /proc/<pid>/task/<tid>/syscall (to prove a call is blocked without timing it)');
    }
    this.root = makeTempDir('host');
    this.info = {
      name: 'host',
      description: `host: Linux ${release()} ${process.arch}, libc via koffi, node ${process.version}`,
      settled: true,
      privileged: hasCapSysResource(),
    };
  }

  async open(): Promise<Session> {
    const s = new HostSession(sessionDir(this.root, this.sessions++), (name) => this.actors.get(name));
    s.testHosts = () => this.testHosts();
    return s;
  }

  /** Two test hosts (network namespaces), made on first use and kept until dispose; or why not. */
  testHosts(): Promise<TestHostsOrWhyNot> {
    this.hosts ??= setUpTestHosts().then((r) => {
      if ('hosts' in r) raiseNetworkDeadline(r.hosts.deadlineMs);
      return r;
    });
    return this.hosts;
  }

  async dispose(): Promise<void> {
    await this.actors.terminate();
    const h = await this.hosts;
    this.hosts = undefined;
    if (h && 'hosts' in h) h.hosts.dispose();
    removeTempDir(this.root);
  }
}
