// One scenario on the host kernel. Calls that cannot block run inline; calls that may block run on
// the step's actor thread. After every step the session settles: each outstanding call has either
// returned or is proven asleep inside its syscall (/proc), so 'pending' is a fact, not a timeout.
import { join } from 'node:path';
import type { Step } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import type { Session, StepResult, TeardownReport } from '../../spec/target.ts';
import type { ActorThread } from './actor.ts';
import { execStep } from './exec.ts';
import { giveBackSessionDir, takeSessionDir } from './session-dirs.ts';
import type { TestHosts, TestHostsOrWhyNot } from './test-hosts.ts';

/** Something still in progress after a step: an actor's call, a child, a pipeline. */
export interface Waiting {
  step: number;
  label: string;
  /** The final outcome, or whether it is still 'running' or proven 'blocked'. */
  poll(): Outcome | 'blocked' | 'running';
  /** Teardown: make it return (close/open the other side, kill a child). */
  release?(): void;
}

/** Handles to descriptors. `changes` counts every set, delete and clear: a descriptor number a handle names
 *  can only be a new object after one, so facts about open descriptors may be kept until it changes. */
export class FdMap extends Map<string, number> {
  changes = 0;
  /** Per descriptor number: bumped whenever a handle starts or stops naming it (what is cached about an fd is valid while this stays). */
  private versions = new Map<number, number>();
  private epoch = 0;
  private bump(fd: number | undefined): void { if (fd !== undefined) this.versions.set(fd, (this.versions.get(fd) ?? 0) + 1); }
  versionOf(fd: number): string { return `${this.epoch}.${this.versions.get(fd) ?? 0}`; }
  override set(k: string, v: number): this { this.changes++; this.bump(super.get(k)); this.bump(v); return super.set(k, v); }
  override delete(k: string): boolean { this.changes++; this.bump(super.get(k)); return super.delete(k); }
  override clear(): void { this.changes++; this.epoch++; super.clear(); }
}

/** How long a settle may take: 15 s, or, in a driver process, up to 5 s before the harness's reply deadline (longer under a wrap). */
export const SETTLE_DEADLINE_MS = Math.max(15_000, (Number(process.env.IPCSPEC_REPLY_DEADLINE_MS) || 0) - 5_000);

export class HostSession implements Session {
  readonly fds = new FdMap();
  readonly closed = new Map<string, number>();
  /** Hidden second names of every FIFO made, so teardown can always open the other side. */
  readonly keepNames = new Map<string, string>();
  readonly waiting = new Map<number, Waiting>();
  readonly cleanups: Array<() => void> = [];
  /** Two-host scenarios: the target's test hosts (made on first use), and once made, the hosts. */
  testHosts?: () => Promise<TestHostsOrWhyNot>;
  hosts?: TestHosts;

  /** The directory this session uses (maybe another session's, emptied), once made. */
  private made?: string;

  constructor(private readonly dirPath: string, readonly actorFor: (name: string) => Promise<ActorThread>) {}

  /** The session's private directory, made on first use: plain pipes never touch the filesystem. */
  get dir(): string {
    this.made ??= takeSessionDir(this.dirPath);
    return this.made;
  }

  path(rel: string): string {
    return join(this.dir, rel);
  }

  /** A unique path beside the session dir (in the target's root), for objects that need no directory of their own. */
  scratch(name: string): string {
    return `${this.dirPath}-${name}`;
  }

  async step(index: number, step: Step): Promise<StepResult> {
    let outcome: Outcome;
    try {
      const r = await execStep(this, index, step);
      if ('poll' in r) this.waiting.set(index, r);
      outcome = 'poll' in r ? { kind: 'pending' } : r;
    } catch (e) {
      return { outcome: { kind: 'error', message: `host harness: ${(e as Error).message}` }, completed: [] };
    }
    const { done, stuck } = await this.settle();
    const completed = [...done].filter(([s]) => s !== index).map(([s, o]) => ({ step: s, outcome: o }));
    if (done.has(index)) outcome = done.get(index)!;
    if (stuck) {
      const msg = `did not settle within ${SETTLE_DEADLINE_MS / 1000} s (still running: ${stuck})`;
      return { outcome: { kind: 'error', message: msg }, completed };
    }
    return { outcome, completed };
  }

  /**
   * Wait until nothing is running: every outstanding call has returned or is asleep in the kernel.
   * Quiescence needs two clean passes in a row: a pass can see A asleep just before B wakes it and
   * then see B asleep; wakeups happen inside the waker's syscall, so the next pass sees A awake.
   */
  async settle(deadline = SETTLE_DEADLINE_MS): Promise<{ done: Map<number, Outcome>; stuck?: string }> {
    const done = new Map<number, Outcome>();
    const t0 = Date.now();
    let clean = 0;
    for (let spins = 0; ; spins++) {
      const running: string[] = [];
      for (const w of [...this.waiting.values()]) {
        const r = w.poll();
        if (r === 'running') running.push(w.label);
        else if (r !== 'blocked') {
          done.set(w.step, r);
          this.waiting.delete(w.step);
          running.push(w.label); // a completion may wake others: look again
        }
      }
      clean = running.length === 0 ? clean + 1 : 0;
      if (clean >= 2) return { done };
      if (Date.now() - t0 > deadline) return { done, stuck: running.join(', ') };
      if (running.length) await new Promise((res) => (spins < 200 ? setImmediate(res) : setTimeout(res, 1)));
    }
  }

  async teardown(): Promise<TeardownReport> {
    for (const fd of this.fds.values()) closeQuietly(fd);
    this.fds.clear();
    for (const w of this.waiting.values()) w.release?.();
    const { stuck } = await this.settleUntilDone();
    for (const c of this.cleanups) try { c(); } catch { /* best effort */ }
    if (this.made) giveBackSessionDir(this.made);
    return stuck ? { error: `teardown could not unblock: ${stuck}` } : {};
  }

  /** Like settle, but waits for completion (everything has been released). */
  private async settleUntilDone(): Promise<{ stuck?: string }> {
    const t0 = Date.now();
    for (let spins = 0; this.waiting.size > 0; spins++) {
      for (const w of [...this.waiting.values()]) {
        const r = w.poll();
        if (r !== 'running' && r !== 'blocked') {
          if (r.kind === 'ok' && r.detail === undefined && w.label.startsWith('open')) closeQuietly(r.value);
          this.waiting.delete(w.step);
        }
      }
      if (Date.now() - t0 > SETTLE_DEADLINE_MS) return { stuck: [...this.waiting.values()].map((w) => w.label).join(', ') };
      if (this.waiting.size) await new Promise((res) => (spins < 200 ? setImmediate(res) : setTimeout(res, 1)));
    }
    return {};
  }
}

import { sys } from './libc.mjs';
export const closeQuietly = (fd: number): void => void sys.close(fd);

export const sessionDir = (root: string, n: number): string => join(root, `s${n}`);
