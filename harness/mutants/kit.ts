// The toolkit every mutant is built from: a per-session view of the handles and objects the real
// target made (so a fault can fire only where it means something), auxiliary inner calls, and the
// plumbing that carries completions of blocked calls through to the runner.
// The view is bookkeeping of what the target reported, not a judgement of it (docs/design.md, principle 3).
// On an unsettled target (a driver that cannot prove a call asleep) `pending` means "has not returned
// yet": such a call may take effect at any moment, so what it may have changed is not known exactly.
import type { ClauseId } from '../../spec/catalogue.ts';
import type { Step } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import type { Session, Target } from '../../spec/target.ts';
import { wrapTarget, type Mutant } from './mutant.ts';

export type Completion = { step: number; outcome: Outcome };

/** One pipe-like object as the target left it. */
export interface PipeView {
  id: number;
  kind: 'pipe' | 'fifo';
  readers: number;
  writers: number;
  /** Opens for writing so far (FIFOs: what poll's POLLHUP rule counts). */
  wCounter: number;
  /** Opens still blocked on the FIFO. */
  opening: number;
  /** Bytes written minus bytes read; exact only while `inflight` is 0 and `opaque` is false. */
  count: number;
  inflight: number;
  /** A child or a concurrent-writes step moved bytes the view cannot count. */
  opaque: boolean;
  capacity: number;
  /** A writer has closed since the last open for writing (FIFOs). */
  writerLeft: boolean;
  /** FIFOs made by mkfifo: the path they were made at. */
  path?: string;
}

/** An open file description. */
export interface EndView {
  id: number;
  pipe: number;
  end: 'r' | 'w';
  nonblock: boolean;
  refs: number;
  wCounterAtOpen: number;
}

type PendingView =
  | { kind: 'read' | 'write'; end: number }
  | { kind: 'open'; pipe: number; path: string; mode: 'read' | 'write'; nonblock: boolean; as: string }
  | { kind: 'other' };

export class Shadow {
  private nextId = 1;
  readonly pipes = new Map<number, PipeView>();
  readonly ends = new Map<number, EndView>();
  private handles = new Map<string, number>();
  private closedHandles = new Set<string>();
  readonly names = new Map<string, number>();
  readonly pending = new Map<number, PendingView>();

  /** `settled`: the target proves every pending call asleep (TargetInfo.settled). */
  constructor(readonly settled = true) {}

  end(handle: string): EndView | undefined {
    const id = this.handles.get(handle);
    return id === undefined ? undefined : this.ends.get(id);
  }

  pipeOf(handle: string): PipeView | undefined {
    const e = this.end(handle);
    return e && this.pipes.get(e.pipe);
  }

  /** The handle was open and has been closed since. */
  isClosed(handle: string): boolean {
    return this.closedHandles.has(handle);
  }

  /**
   * Bytes buffered, when the view knows exactly. A pending read is asleep on an empty pipe where the
   * target is settled; where it is not, it may be taking bytes right now.
   */
  buffered(p: PipeView): number | undefined {
    if (p.inflight > 0 || p.opaque) return undefined;
    if (!this.settled && this.pendingOn(p.id, 'read').length > 0) return undefined;
    return p.count;
  }

  /** Ends of `pipe` open (or being opened: a blocked open already counts) for reading or writing. */
  endsFor(p: PipeView, mode: 'read' | 'write'): number {
    const opening = [...this.pending.values()].filter((v) => v.kind === 'open' && v.pipe === p.id && v.mode === mode).length;
    return (mode === 'read' ? p.readers : p.writers) + opening;
  }

  pendingOn(pipe: number, kind: 'read' | 'write'): number[] {
    return [...this.pending.entries()].filter(([, p]) => p.kind === kind && this.ends.get(p.end)?.pipe === pipe).map(([i]) => i);
  }

  private newPipe(kind: 'pipe' | 'fifo'): PipeView {
    const p: PipeView = { id: this.nextId++, kind, readers: 0, writers: 0, wCounter: 0, opening: 0, count: 0, inflight: 0, opaque: false, capacity: 65536, writerLeft: false };
    this.pipes.set(p.id, p);
    return p;
  }

  private newEnd(p: PipeView, end: 'r' | 'w', nonblock: boolean, wCounterAtOpen: number): EndView {
    const e: EndView = { id: this.nextId++, pipe: p.id, end, nonblock, refs: 0, wCounterAtOpen };
    this.ends.set(e.id, e);
    if (end === 'r') p.readers++;
    else { p.writers++; p.writerLeft = false; }
    return e;
  }

  private bind(handle: string, e: EndView): void {
    e.refs++;
    this.handles.set(handle, e.id);
    this.closedHandles.delete(handle);
  }

  private release(id: number): void {
    const e = this.ends.get(id);
    if (!e || --e.refs > 0) return;
    this.ends.delete(id);
    const p = this.pipes.get(e.pipe)!;
    if (e.end === 'r') p.readers--;
    else { p.writers--; p.writerLeft = true; }
    // the last close of a FIFO discards whatever it held
    if (p.kind === 'fifo' && p.readers + p.writers + p.opening === 0) p.count = 0;
  }

  /** Record a call's real outcome. */
  call(index: number, step: Step, out: Outcome): void {
    const ok = out.kind === 'ok';
    switch (step.op) {
      case 'make-pipe': {
        if (!ok) return;
        const p = this.newPipe(step.variant.startsWith('fifo') ? 'fifo' : 'pipe');
        const nb = step.variant.endsWith('nonblock');
        this.bind(step.read, this.newEnd(p, 'r', nb, p.kind === 'fifo' ? 0 : -1));
        p.wCounter++;
        this.bind(step.write, this.newEnd(p, 'w', nb, -1));
        return;
      }
      case 'read': case 'readv': case 'write': case 'writev': {
        const e = this.end(step.fd);
        if (!e) return;
        const p = this.pipes.get(e.pipe)!;
        const write = step.op === 'write' || step.op === 'writev';
        if (out.kind === 'pending') {
          e.refs++;
          if (write) p.inflight++;
          this.pending.set(index, { kind: write ? 'write' : 'read', end: e.id });
        } else if (out.kind === 'ok') p.count += write ? out.value : -out.value;
        return;
      }
      case 'close': {
        const e = this.end(step.fd);
        if (!e || !ok) return;
        this.handles.delete(step.fd);
        this.closedHandles.add(step.fd);
        this.release(e.id);
        return;
      }
      case 'dup': { const e = this.end(step.fd); if (e && ok) this.bind(step.as, e); return; }
      case 'set-nonblock': { const e = this.end(step.fd); if (e && ok) e.nonblock = step.on; return; }
      case 'set-pipe-size': { const p = this.pipeOf(step.fd); if (p && out.kind === 'ok') p.capacity = out.value; return; }
      case 'mkfifo': if (ok) this.names.set(step.path, Object.assign(this.newPipe('fifo'), { path: step.path }).id); return;
      case 'unlink': if (ok) this.names.delete(step.path); return;
      case 'open': {
        const id = this.names.get(step.path);
        const p = id === undefined ? undefined : this.pipes.get(id);
        if (!p || (out.kind !== 'ok' && out.kind !== 'pending')) return;
        if (step.mode === 'write') p.wCounter++;
        if (out.kind === 'pending') {
          p.opening++;
          this.pending.set(index, { kind: 'open', pipe: p.id, path: step.path, mode: step.mode, nonblock: step.nonblock, as: step.as });
        } else this.opened(p, step.as, step.mode, step.nonblock);
        return;
      }
      case 'child-write': case 'child-read': case 'concurrent-writes': {
        const p = this.pipeOf(step.fd);
        if (p) p.opaque = true;
        if (out.kind === 'pending') this.pending.set(index, { kind: 'other' });
        return;
      }
      default:
        if (out.kind === 'pending') this.pending.set(index, { kind: 'other' });
    }
  }

  private opened(p: PipeView, as: string, mode: 'read' | 'write', nonblock: boolean): void {
    // pipe_poll suppresses POLLHUP only for a nonblocking reader that opened with no writer
    const atOpen = mode === 'read' && nonblock && p.writers === 0 ? p.wCounter : -1;
    this.bind(as, this.newEnd(p, mode === 'read' ? 'r' : 'w', nonblock, atOpen));
  }

  /** Record the completion of a call that was pending. */
  complete(index: number, out: Outcome): void {
    const v = this.pending.get(index);
    if (!v) return;
    this.pending.delete(index);
    if (v.kind === 'open') {
      const p = this.pipes.get(v.pipe)!;
      p.opening--;
      if (out.kind === 'ok') this.opened(p, v.as, v.mode, v.nonblock);
      else if (p.kind === 'fifo' && p.readers + p.writers + p.opening === 0) p.count = 0;
      return;
    }
    if (v.kind === 'other') return;
    const e = this.ends.get(v.end)!;
    const p = this.pipes.get(e.pipe)!;
    if (v.kind === 'write') p.inflight--;
    if (out.kind === 'ok') p.count += v.kind === 'write' ? out.value : -out.value;
    this.release(e.id);
  }
}

/** One intercepted step: run it (or something else) on the inner session and decide what to report. */
export interface Call {
  index: number;
  step: Step;
  view: Shadow;
  /** Every scenario step seen so far, by index (to interpret completions). */
  steps: ReadonlyMap<number, Step>;
  /** Run `step` (default: the intercepted one, possibly rewritten) at this step's index; returns the real outcome. */
  pass(step?: Step): Promise<Outcome>;
  /** Run a helper call at an index no scenario step uses (never one whose payload matters). */
  aux(step: Step): Promise<Outcome>;
  /** Completions of earlier blocked steps seen by the inner calls so far; the hook may edit it. */
  completed: Completion[];
}

export type Hook = (c: Call) => Promise<Outcome>;

const AUX_BASE = 1_000_000;

/** A mutant from a hook made fresh per session. The hook sees every step; most pass straight through. */
/** `C` keeps the literal id, so the mutant table (index.ts) can check at compile time that every clause has one. */
export function mutant<const C extends ClauseId>(clause: C, fault: string, makeHook: () => Hook, o: { needsSettledTarget?: string } = {}): Mutant<C> {
  return {
    clause,
    fault,
    ...o,
    wrap: (target: Target) => wrapTarget(target, clause, () => {
      const hook = makeHook();
      const view = new Shadow(target.info.settled);
      const steps = new Map<number, Step>();
      let aux = AUX_BASE;
      return async (inner: Session, index: number, step: Step) => {
        steps.set(index, step);
        const run = async (i: number, s: Step): Promise<Outcome> => {
          const r = await inner.step(i, s);
          view.call(i, s, r.outcome);
          for (const k of r.completed) view.complete(k.step, k.outcome);
          c.completed.push(...r.completed.filter((k) => k.step < AUX_BASE));
          return r.outcome;
        };
        const c: Call = { index, step, view, steps, completed: [], pass: (s = step) => run(index, s), aux: (s) => run(aux++, s) };
        const outcome = await hook(c);
        return { outcome, completed: c.completed };
      };
    }),
  };
}

/** The common shape: pass the step through, then rewrite what is reported (the call's and completions'). */
export function rewrite(f: (out: Outcome, step: Step, c: Call) => Outcome): Hook {
  return async (c) => {
    const out = await c.pass();
    c.completed = c.completed.map((k) => ({ step: k.step, outcome: f(k.outcome, c.steps.get(k.step)!, c) }));
    return f(out, c.step, c);
  };
}

export const isOk = (o: Outcome): o is Extract<Outcome, { kind: 'ok' }> => o.kind === 'ok';
export const errOf = (o: Outcome): string | undefined => (o.kind === 'err' ? o.errno : undefined);
export const err = (errno: string): Outcome => ({ kind: 'err', errno });
export const ok = (value: number, extra: Omit<Extract<Outcome, { kind: 'ok' }>, 'kind' | 'value'> = {}): Outcome => ({ kind: 'ok', value, ...extra });

/** Run `f` with O_NONBLOCK temporarily set on the description behind `handle` (restored after). */
export async function withNonblock(c: Call, handle: string, f: () => Promise<Outcome>): Promise<Outcome> {
  await c.aux({ actor: 'main', op: 'set-nonblock', fd: handle, on: true });
  try {
    return await f();
  } finally {
    await c.aux({ actor: 'main', op: 'set-nonblock', fd: handle, on: false });
  }
}

/** The kernel's PIPE_BUF: what a port of this kernel treats as "small" (profile independent). */
export const PIPE_BUF = 4096;

export const isRead = (s: Step): s is Extract<Step, { op: 'read' | 'readv' }> => s.op === 'read' || s.op === 'readv';
export const isWrite = (s: Step): s is Extract<Step, { op: 'write' | 'writev' }> => s.op === 'write' || s.op === 'writev';

export const sizeOf = (s: Step): number =>
  s.op === 'read' || s.op === 'write' ? s.size : s.op === 'readv' || s.op === 'writev' ? s.sizes.reduce((a, b) => a + b, 0) : 0;

/** The same read or write cut to its first `n` bytes (a write's payload stays the prefix of the original's). */
export function truncate<S extends Extract<Step, { op: 'read' | 'readv' | 'write' | 'writev' }>>(s: S, n: number): Step {
  if (s.op === 'read' || s.op === 'write') return { ...s, size: n };
  const sizes: number[] = [];
  let left = n;
  for (const k of s.sizes) { if (left <= 0) break; sizes.push(Math.min(k, left)); left -= k; }
  return { ...s, sizes };
}
