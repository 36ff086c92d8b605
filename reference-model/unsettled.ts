// Judging a trace that is not settled (the target cannot prove a call asleep: docs/design.md principle 10).
// Such a trace is judged by every model state consistent with it, with the same rules as a settled
// one (SibylFS checks traces the same way, by sets of states). What a settled trace proves and this
// one does not is exactly this, and each is a branch here, never a looser rule:
// - a call reported pending is asleep in it, or has not got that far yet (it is "deferred": it takes
//   effect later, going to sleep or returning what its completion reports);
// - a blocked call's completion, reported in some later settle, may have happened at any moment after
//   it became possible (its outcome is known from the trace), so completions in one settle, or in
//   later ones, happen in any order with the steps between;
// - a woken writer may not have moved its bytes into the freed room yet (pumps lag);
// - a call that returned at once may have blocked briefly and been released by any of these;
// - no quiescent event proves a call still blocked.
// The settled reading (asleep, completions and pumps at once) is always one of the branches, so a
// trace that passes as settled passes as unsettled: unsettled targets are checked less, never
// differently. A set larger than MAX_STATES is not judged further (verdict `undecided`), never cut.
import type { Scenario, Step } from '../spec/scenario.ts';
import type { Outcome, TraceEvent } from '../spec/trace.ts';
import { OutOfScope, outOfScopeReason, RuleViolation, type Ctx } from './context.ts';
import { afterEvent, CALL_RULES, completed } from './rules/index.ts';
import { pumpWriter } from './rules/pipe-write.ts';
import { blockedWriter } from './rules/stream.ts';
import { cloneState, initialState, type ModelState } from './state.ts';
import { stateKey } from './state-key.ts';
import type { ClauseId } from '../spec/catalogue.ts';
import type { Blame, Verdict } from './verdict.ts';

export const MAX_STATES = 256;
const INCONSISTENT = '(unsettled trace)' satisfies Blame;

type CallEvent = Extract<TraceEvent, { type: 'call' }>;
/** A call that has not taken effect, and what its descriptor named when it was issued. */
interface Deferred { e: CallEvent; fd: string }

/** What a step's descriptor names now: its open file description or socket, or that it is closed. */
function descriptorOf(s: ModelState, step: Step): string {
  if (!('fd' in step)) return '-';
  const f = s.fds.get(step.fd);
  if (f) return 'ofd' in f ? `ofd ${f.ofd}` : 'closed';
  const k = s.net.handles.get(step.fd);
  return k === undefined ? 'none' : `sock ${k}`;
}

interface Branch {
  s: ModelState;
  /** Calls reported pending that have not taken effect yet, by step. */
  deferred: Map<number, Deferred>;
  /** Calls whose completion this branch applied before the trace reports it. */
  early: Set<number>;
  exercised: Set<ClauseId>;
  /** How many choices this explanation made away from the settled reading (fewest first when blaming). */
  lag: number;
}

class Undecided extends Error {}

/** The verdict on an unsettled trace's `events`, or undefined when it passes (ctx.exercised then holds what was judged). */
export function checkUnsettled(scenario: Scenario, events: TraceEvent[], ctx: Ctx): Verdict | undefined {
  // The completion each call will report, if the trace reports one.
  const future = new Map<number, Outcome>();
  for (const e of events) if (e.type === 'complete') future.set(e.step, e.outcome);
  let set: Branch[] = [{ s: initialState(), deferred: new Map(), early: new Set(), exercised: new Set(), lag: 0 }];
  const judge = new Judge(scenario, ctx, future);
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.type === 'quiescent') continue; // proves nothing here
    try {
      // nothing under way: nothing can have happened unseen
      const quiet = set.length === 1 && set[0].deferred.size === 0 && set[0].s.pending.size === 0;
      if (!quiet) set = judge.closure(set);
      const next: Branch[] = [];
      let blame: { v: RuleViolation; rank: number } | undefined;
      let crash: unknown;
      let unjudged: string | undefined;
      for (const b of set) {
        for (const [f, rel] of judge.successors(b, e)) {
          const lag = b.lag + rel;
          try {
            next.push(f());
          } catch (v) {
            if (v instanceof OutOfScope && lag === 0) throw v; // the settled reading itself is out of scope: as for a settled trace
            if (v instanceof OutOfScope) { unjudged ??= `an explanation of the unsettled trace is outside the model (${v.message})`; continue; }
            if (v instanceof Undecided) { unjudged ??= v.message; continue; }
            if (!(v instanceof RuleViolation)) { if (!impossible(v)) throw v; crash ??= v; continue; }
            // an explanation that cannot be followed (a completion of a call it did not leave blocked) blames no clause if another can
            const rank = lag + (v.clause === INCONSISTENT ? 1e6 : 0);
            if (!blame || rank < blame.rank) blame = { v, rank };
          }
        }
      }
      // one explanation could not be followed: no verdict may rest on the others failing
      unjudged ??= judge.unjudged;
      if (next.length === 0 && unjudged) throw new Undecided(`${unjudged}, at step ${e.step + 1}`);
      if (next.length === 0 && !blame) throw crash;
      set = next.length === 1 ? next : dedupe(next);
      if (set.length === 0) {
        const v = blame!.v;
        // the marker of an explanation that cannot be followed is no clause, so it is not counted as exercised
        const exercised = [...new Set([...ctx.exercised, ...(v.clause === INCONSISTENT ? [] : [v.clause as ClauseId])])].sort();
        return { status: 'fail', violation: { clause: v.clause, event: i, step: e.step, observed: v.observed, allowed: v.allowed }, exercised };
      }
      if (set.length > MAX_STATES) throw new Undecided(`more than ${MAX_STATES} states are consistent with the trace at step ${e.step + 1}`);
    } catch (err) {
      if (err instanceof Undecided) return { status: 'pass', exercised: union(set), undecided: `${err.message}: the rest of the trace was not judged` };
      if (err instanceof OutOfScope) return { status: 'error', reason: outOfScopeReason(err), exercised: union(set) };
      throw err;
    }
  }
  ctx.exercised = new Set(union(set));
  return undefined;
}

/**
 * A plain Error from a rule means the target reported what cannot be (a close that blocked): in one
 * explanation among several that only rules the explanation out. Programming errors (TypeError, ...) still throw.
 */
const impossible = (v: unknown): boolean => v instanceof Error && v.constructor === Error;

const union = (set: Branch[]): ClauseId[] => [...new Set(set.flatMap((b) => [...b.exercised]))].sort();

/** A reading of an event, and how many choices it makes away from the settled reading. */
type Successor = [() => Branch, number];

class Judge {
  constructor(private readonly scenario: Scenario, private readonly ctx: Ctx, private readonly future: Map<number, Outcome>) {}

  /** Run `f` on a copy of `b` with `b`'s own clause log. */
  private fork(b: Branch, lag: number, f: (n: Branch) => void): Branch {
    const n: Branch = { s: cloneState(b.s), deferred: new Map(b.deferred), early: new Set(b.early), exercised: new Set(b.exercised), lag: b.lag + lag };
    this.ctx.exercised = n.exercised;
    f(n);
    return n;
  }

  private call(n: Branch, e: CallEvent, outcome: Outcome): void {
    const step = this.scenario.steps[e.step];
    CALL_RULES[step.op](n.s, e.step, e.actor, step as never, outcome, this.ctx);
  }

  /** Deferred call `d` takes effect now, going to sleep or (`outcome`) returning. */
  private late(n: Branch, d: Deferred, outcome: Outcome): void {
    const step = this.scenario.steps[d.e.step];
    // A call that had not reached the kernel when its descriptor was closed may find the number reused
    // by anything (the target's own files too): what it then does is no fact about the scenario's objects.
    if (descriptorOf(n.s, step) !== d.fd) throw new Undecided(`step ${d.e.step + 1} (${step.op}) may have run after its descriptor was closed`);
    n.deferred.delete(d.e.step);
    this.call(n, d.e, outcome);
  }

  private complete(n: Branch, step: number, outcome: Outcome): void {
    const p = n.s.pending.get(step);
    if (!p) throw new RuleViolation(INCONSISTENT, `step ${step + 1} completes`, 'it is not blocked in this explanation');
    completed(n.s, p, outcome, this.ctx);
  }

  /** The readings of event `e` in branch `b`, settled reading first. */
  successors(b: Branch, e: Exclude<TraceEvent, { type: 'quiescent' }>): Successor[] {
    if (e.type === 'complete') {
      if (b.early.has(e.step)) return [[() => this.fork(b, 0, (n) => n.early.delete(e.step)), 0]];
      const d = b.deferred.get(e.step);
      // it never slept: it ran late and returned what the completion says
      if (d) return [[() => this.fork(b, 0, (n) => this.late(n, d, e.outcome)), 0]];
      return [[() => this.fork(b, 0, (n) => this.complete(n, e.step, e.outcome)), 0]];
    }
    if (e.outcome.kind === 'pending') {
      return [
        [() => this.fork(b, 0, (n) => this.call(n, e, e.outcome)), 0],
        [() => this.fork(b, 1, (n) => n.deferred.set(e.step, { e, fd: descriptorOf(n.s, this.scenario.steps[e.step]) })), 1],
      ];
    }
    // Returned at once, or blocked briefly and was released by what else was under way.
    return [
      [() => this.fork(b, 0, (n) => this.call(n, e, e.outcome)), 0],
      ...this.briefly(b, e).map((f): Successor => [f, 1]),
    ];
  }

  /** The call blocked, something else under way released it, and it returned `e.outcome` before the step was reported. */
  private briefly(b: Branch, e: CallEvent): (() => Branch)[] {
    if (b.deferred.size === 0 && b.s.pending.size === 0) return []; // nothing else could have released it
    let asleep: Branch;
    try {
      asleep = this.fork(b, 1, (n) => this.call(n, e, { kind: 'pending' }));
    } catch (v) {
      if (v instanceof RuleViolation || v instanceof OutOfScope || impossible(v)) return []; // it cannot block here
      throw v;
    }
    if (!asleep.s.pending.has(e.step)) return [];
    return this.closure([asleep]).map((c) => () => this.fork(c, 0, (n) => this.complete(n, e.step, e.outcome)));
  }

  /** Set when the closure dropped an explanation it could not judge: then no fail verdict may rest on the others. */
  unjudged: string | undefined;

  /** Every branch reachable by what may have happened unseen: deferred calls taking effect, early completions, lagging pumps. */
  closure(set: Branch[]): Branch[] {
    const seen = new Map<string, Branch>();
    const queue: Branch[] = [];
    const add = (b: Branch) => {
      const k = keyOf(b);
      const had = seen.get(k);
      if (had) { merge(had, b); return; }
      seen.set(k, b);
      queue.push(b);
      if (seen.size > MAX_STATES) throw new Undecided(`more than ${MAX_STATES} states are consistent with the trace`);
    };
    // The settled reading first: every pump that can happen, at once.
    for (const b of set) add(this.pumpAll(b));
    for (const b of set) add({ ...b, lag: b.lag + 1 });
    while (queue.length) {
      const b = queue.shift()!;
      for (const f of this.moves(b)) {
        try {
          add(f());
        } catch (v) {
          if (v instanceof Undecided || v instanceof OutOfScope) { this.unjudged ??= v.message; continue; }
          if (!(v instanceof RuleViolation) && !impossible(v)) throw v;
        }
      }
    }
    return [...seen.values()].sort((x, y) => x.lag - y.lag);
  }

  private pumpAll(b: Branch): Branch {
    try {
      return this.fork(b, 0, (n) => afterEvent(n.s, this.ctx));
    } catch (v) {
      if (v instanceof RuleViolation || v instanceof OutOfScope || impossible(v)) return b;
      throw v;
    }
  }

  private moves(b: Branch): (() => Branch)[] {
    const out: (() => Branch)[] = [];
    for (const [step, d] of b.deferred) {
      out.push(() => this.fork(b, 1, (n) => this.late(n, d, { kind: 'pending' })));
      const o = this.future.get(step);
      if (o) out.push(() => this.fork(b, 1, (n) => { n.early.add(step); this.late(n, d, o); }));
    }
    for (const step of b.s.pending.keys()) {
      const o = this.future.get(step);
      if (o && !b.early.has(step)) out.push(() => this.fork(b, 1, (n) => { n.early.add(step); this.complete(n, step, o); }));
    }
    for (const obj of b.s.objects.values()) {
      let w;
      try {
        w = blockedWriter(b.s, obj);
      } catch {
        continue;
      }
      if (w) out.push(() => this.fork(b, 1, (n) => pumpWriter(n.s, n.s.objects.get(obj.id)!, this.ctx)));
    }
    return out;
  }
}

const keyOf = (b: Branch): string => `${stateKey(b.s)}|${[...b.deferred.keys()].join(',')}|${[...b.early].sort().join(',')}`;

function dedupe(set: Branch[]): Branch[] {
  const seen = new Map<string, Branch>();
  for (const b of set) {
    const k = keyOf(b);
    const had = seen.get(k);
    if (had) merge(had, b);
    else seen.set(k, b);
  }
  return [...seen.values()].sort((x, y) => x.lag - y.lag);
}

/** Two explanations reached one state: keep the nearer one's blame order and both clause logs. */
function merge(into: Branch, b: Branch): void {
  into.lag = Math.min(into.lag, b.lag);
  for (const c of b.exercised) into.exercised.add(c);
}
