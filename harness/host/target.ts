// The host target: the kernel this process runs on, called directly through libc.
import { mkdtempSync, rmSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Session, Target, TargetInfo } from '../target.ts';
import { ActorThread } from './actor.ts';
import { canSeeSyscalls, hasCapSysResource } from './proc.ts';
import { HostSession, makeSessionDir } from './session.ts';
import { hasSyscallTable } from './syscalls.ts';

export class HostTarget implements Target {
  readonly info: TargetInfo;
  private actors = new Map<string, ActorThread>();
  private root: string;
  private sessions = 0;

  constructor() {
    if (process.platform !== 'linux' || !canSeeSyscalls() || !hasSyscallTable()) {
      throw new Error('the host target needs Linux with /proc/<pid>/task/<tid>/syscall (to prove a call is blocked without timing it)');
    }
    this.root = mkdtempSync(join(tmpdir(), 'ipcspec-'));
    this.info = {
      name: 'host',
      description: `host: Linux ${release()} ${process.arch}, libc via koffi, node ${process.version}`,
      settled: true,
      privileged: hasCapSysResource(),
    };
  }

  async open(): Promise<Session> {
    return new HostSession(makeSessionDir(this.root, this.sessions++), (name) => this.actor(name));
  }

  private async actor(name: string): Promise<ActorThread> {
    let a = this.actors.get(name);
    if (!a) {
      a = new ActorThread();
      this.actors.set(name, a);
    }
    await a.start();
    return a;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.actors.values()].map((a) => a.terminate()));
    this.actors.clear();
    rmSync(this.root, { recursive: true, force: true });
  }
}
