// The host target where /proc cannot prove that a call is blocked (gVisor has no
// /proc/self/task/TID/syscall): the same calls as HostTarget, but it settles the way a protocol
// driver with settle "unknown" does (spec/driver-protocol.md): it gives outstanding calls a moment
// (until every other thread and child is asleep by /proc state), reports what returned, and marks
// its traces not settled, so the model reads `pending` as "has not returned yet" and checks less.
// Only the host driver process uses it: the in-process host target keeps refusing to run without
// the proof.
import { readdirSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import type { Step } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import type { Session, StepResult, Target, TargetInfo } from '../../spec/target.ts';
import { ActorPool } from '../host/actor-pool.ts';
import { canSeeThreads, hasCapSysResource } from '../host/proc.ts';
import { HostSession, sessionDir } from '../host/session.ts';
import { makeTempDir, removeTempDir } from '../temp-dirs.ts';

/** Whether /proc shows thread and process states here (not where there is no /proc at all). */
const SEES_THREADS = canSeeThreads();
/** A settle lasts at least this long after the step (or the last completion); longer where no /proc state helps. */
const MOMENT_MS = SEES_THREADS ? 10 : 50;
/**
 * When the step's own call is still out, at least this long (or 3x the slowest recent own call that
 * returned during its settle, up to OWN_MAX_MS): gVisor shows a thread that a call was just posted to
 * as asleep (S) until its task runs, so /proc states alone cannot tell "not started" from "blocked".
 */
const OWN_MIN_MS = 50;
const OWN_MAX_MS = 1_000;
/** However long threads keep running, a settle ends after this: what has not returned is reported pending (not proven). */
const MOMENT_MAX_MS = 2_000;
/** How long the last 50 own calls that returned during their settle took (ms). */
const recentOwn: number[] = [];
const ownMoment = (): number => Math.min(OWN_MAX_MS, Math.max(OWN_MIN_MS, 3 * Math.max(0, ...recentOwn)));

/** The state letter of a /proc stat file (R, S, D, Z, ...), or undefined if it is gone. */
function stateOf(path: string): string | undefined {
  try {
    const s = readFileSync(path, 'latin1');
    return s[s.lastIndexOf(')') + 2];
  } catch {
    return undefined;
  }
}

/**
 * Whether every other thread of this process is asleep (S) and every child process too: necessary for
 * quiescence, not sufficient (a thread sleeping in its event loop may not have started its call yet),
 * which is why a settle also lasts a moment. gVisor reports these states, though not which syscall sleeps.
 */
function othersAsleep(): boolean {
  if (!SEES_THREADS) return true; // no /proc: the moment alone decides
  const me = process.pid;
  for (const t of readdirSync('/proc/self/task')) {
    if (Number(t) !== me && stateOf(`/proc/self/task/${t}/stat`) !== 'S') return false;
  }
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === me) continue;
    let stat: string;
    try { stat = readFileSync(`/proc/${p}/stat`, 'latin1'); } catch { continue; }
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(ppid) === me && state !== 'S') return false; // a zombie's exit has not been collected yet
  }
  return true;
}

export class UnprovenHostTarget implements Target {
  readonly info: TargetInfo;
  readonly root: string;
  private actors = new ActorPool();
  private sessions = 0;

  constructor(why: string) {
    this.root = makeTempDir('host');
    this.info = {
      name: 'host',
      description: `host: Linux ${release()} ${process.arch}, libc via koffi, node ${process.version} (cannot prove a call is blocked: ${why}; settles by ${SEES_THREADS ? 'threads asleep and a quiet moment' : 'a quiet moment alone, as /proc shows no thread states'})`,
      settled: false,
      privileged: hasCapSysResource(),
    };
  }

  async open(): Promise<Session> {
    return new UnprovenSession(sessionDir(this.root, this.sessions++), (name) => this.actors.get(name));
  }

  async dispose(): Promise<void> {
    await this.actors.terminate();
    removeTempDir(this.root);
  }
}

/** A host session whose settle is a moment and /proc states, not a proof: it never reports a call stuck. */
class UnprovenSession extends HostSession {
  /** The step being performed: its own call is the one that may not have started yet. */
  private current = -1;

  override async step(index: number, step: Step): Promise<StepResult> {
    this.current = index;
    try {
      return await super.step(index, step);
    } finally {
      this.current = -1;
    }
  }

  override async settle(): Promise<{ done: Map<number, Outcome>; stuck?: string }> {
    const done = new Map<number, Outcome>();
    const t0 = Date.now();
    const atLeast = this.waiting.has(this.current) ? ownMoment() : MOMENT_MS;
    let last = t0;
    let quiet = 0;
    while (this.waiting.size > 0) {
      for (const w of [...this.waiting.values()]) {
        const r = w.poll(); // 'blocked' never comes (no proof); 'running' may be asleep or not
        if (r !== 'running' && r !== 'blocked') {
          done.set(w.step, r);
          this.waiting.delete(w.step);
          last = Date.now(); // a completion may wake others: give them their moment too
          quiet = 0;
          if (w.step === this.current && recentOwn.push(last - t0) > 50) recentOwn.shift();
        }
      }
      quiet = othersAsleep() ? quiet + 1 : 0;
      const now = Date.now();
      if ((quiet >= 2 && now - last >= MOMENT_MS && now - t0 >= atLeast) || now - t0 >= MOMENT_MAX_MS) break;
      await new Promise((res) => setTimeout(res, 1));
    }
    return { done };
  }
}
