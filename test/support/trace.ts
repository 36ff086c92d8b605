// The one way model tests write traces by hand (and adjust recorded ones): a scenario and the trace
// a target would report for it, settled or not, and the verdict under each profile as a short string
// ('pass', 'error', 'unsupported' or the id of the clause that failed), as Elle's checker tests do.
import { check } from '../../reference-model/check.ts';
import type { Verdict, Violation } from '../../reference-model/verdict.ts';
import { payload, payloadTag } from '../../spec/payload.ts';
import type { ProfileName } from '../../spec/clause.ts';
import { loadProfile, PROFILE_NAMES, type Profile } from '../../spec/profile.ts';
import type { Scenario, Step } from '../../spec/scenario.ts';
import type { Detail, Outcome, Trace, TraceEvent } from '../../spec/trace.ts';

export type { ProfileName };

export { PROFILE_NAMES };

// --- Outcomes.
export const ok = (value: number, more: { data?: Uint8Array; detail?: Detail } = {}): Outcome => ({ kind: 'ok', value, ...more });
export const err = (errno: string, detail?: Detail): Outcome => ({ kind: 'err', errno, ...(detail ? { detail } : {}) });
export const PENDING: Outcome = { kind: 'pending' };
/** Bytes [from, to) of the payload that step `step` sent or wrote (the harness's payload for that step). */
export const sent = (step: number, size: number, from = 0, to = size): Uint8Array => payload(payloadTag(step), size).subarray(from, to);
/** A successful read or receive of those bytes. */
export const got = (step: number, size: number, from = 0, to = size, detail?: Detail): Outcome => ok(to - from, { data: sent(step, size, from, to), ...(detail ? { detail } : {}) });

// --- Steps: every call of the scenario is made by an actor; most hand-written traces need one.
export const by = (actor: string, call: Record<string, unknown>): Step => ({ actor, ...call }) as Step;
export const main = (call: Record<string, unknown>): Step => by('main', call);

export interface Built {
  scenario: Scenario;
  trace: Trace;
}

/**
 * A trace in the order a target reports it: each call with its outcome, the completions of blocked
 * calls that the same settle saw, then (settled) quiescence. Step indices are the order of `call`s.
 */
export class TraceBuilder {
  private readonly steps: Step[] = [];
  private readonly events: TraceEvent[] = [];

  constructor(private readonly o: { settled?: boolean; privileged?: boolean; property?: string } = {}) {}

  /** Issue `step`; `wakes`: the blocked calls (by step index) that completed in this call's settle. */
  call(step: Step, outcome: Outcome, wakes: Array<[number, Outcome]> = []): this {
    const i = this.steps.push(step) - 1;
    this.events.push({ type: 'call', step: i, actor: step.actor, outcome });
    for (const [s, out] of wakes) this.events.push({ type: 'complete', step: s, actor: this.steps[s].actor, outcome: out });
    return this.settle();
  }

  /** Completions a settle saw with no new call (a blocked call woken by nothing the scenario did next). */
  complete(...wakes: Array<[number, Outcome]>): this {
    for (const [s, out] of wakes) this.events.push({ type: 'complete', step: s, actor: this.steps[s].actor, outcome: out });
    return this.settle();
  }

  private settle(): this {
    if (this.o.settled !== false) this.events.push({ type: 'quiescent' });
    return this;
  }

  build(): Built {
    return {
      scenario: { property: this.o.property ?? 'hand-written', steps: [...this.steps] },
      trace: { target: 'hand-written', settled: this.o.settled !== false, privileged: this.o.privileged ?? false, events: [...this.events] },
    };
  }
}

/** Steps each with its outcome, one settle per call: the common shape. */
export function traceOf(calls: Array<[Step, Outcome]>, o?: ConstructorParameters<typeof TraceBuilder>[0]): Built {
  const b = new TraceBuilder(o);
  for (const [s, out] of calls) b.call(s, out);
  return b.build();
}

// --- Verdicts.
const profiles = new Map(PROFILE_NAMES.map((p) => [p, loadProfile(p)]));
export const profile = (p: ProfileName): Profile => profiles.get(p)!;

export const judge = (t: Built, p: ProfileName): Verdict => check(t.scenario, t.trace, profile(p));

/** 'pass', 'error', 'unsupported', or the clause that failed. */
export function verdict(t: Built, p: ProfileName): string {
  const v = judge(t, p);
  return v.status === 'fail' ? v.violation.clause : v.status;
}

/** The verdict under every profile, as one object, so a test states what each profile says. */
export const verdicts = (t: Built): Record<ProfileName, string> => Object.fromEntries(PROFILE_NAMES.map((p) => [p, verdict(t, p)])) as Record<ProfileName, string>;

/** The same verdict under every profile. */
export const both = (v: string): Record<ProfileName, string> => Object.fromEntries(PROFILE_NAMES.map((p) => [p, v])) as Record<ProfileName, string>;

/** The violation (for its step and words); throws if the trace did not fail. */
export function violation(t: Built, p: ProfileName): Violation {
  const v = judge(t, p);
  if (v.status !== 'fail') throw new Error(`expected a violation under ${p}, got ${v.status}${'reason' in v ? `: ${v.reason}` : ''}`);
  return v.violation;
}

// --- Recorded traces, adjusted.
/** What an unsettled target reports of the same run: no quiescence, and `pending` means "not returned yet". */
export const unsettled = (t: Trace): Trace => ({ ...t, settled: false, events: t.events.filter((e) => e.type !== 'quiescent') });

/** Step `at`'s own outcome (its completion, if it blocked) marked: what must follow it was not seen (detail.arrival). */
export function unseenAt(t: Trace, at: number): Trace {
  const mark = (o: Outcome): Outcome => (o.kind === 'ok' || o.kind === 'err' ? { ...o, detail: { ...o.detail, arrival: 'not-seen' } } : o);
  const call = t.events.findIndex((e) => e.type === 'call' && e.step === at);
  const blocked = call >= 0 && t.events[call].type === 'call' && (t.events[call] as { outcome: Outcome }).outcome.kind === 'pending';
  const own = blocked ? t.events.findIndex((e) => e.type === 'complete' && e.step === at) : call;
  if (own < 0) throw new Error(`step ${at} has no outcome in the trace`);
  return { ...t, events: t.events.map((e, i) => (i === own && e.type !== 'quiescent' ? { ...e, outcome: mark(e.outcome) } : e)) };
}

/** The trace with step `at`'s call outcome replaced: what a faulty target would report. */
export function withOutcome(t: Trace, at: number, outcome: Outcome): Trace {
  return { ...t, events: t.events.map((e) => (e.type === 'call' && e.step === at ? { ...e, outcome } : e)) };
}
