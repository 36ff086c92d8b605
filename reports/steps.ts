// A counterexample as numbered, readable steps: who called what, what was observed, and at the
// violating step, what the specification allows.
import type { Scenario } from '../spec/scenario.ts';
import { describeOutcome, describeStep } from '../spec/step-text.ts';
import type { Trace } from '../spec/trace.ts';

export interface Violated { step?: number; event?: number; observed?: string; allowed?: string; clause?: string }

/** One row of a counterexample: a call issued, a blocked call returning, a step never issued, or the
 *  quiescence point where a violation was found. The text and HTML renderers both draw these. */
export interface LaneEvent {
  kind: 'call' | 'return' | 'never' | 'quiescent';
  /** Index into trace.events (undefined for never-issued steps). */
  event?: number;
  actor: string;
  call: string;
  outcome: string;
  /** The call was seen blocked (its actor's lane waits until its return row). */
  pending?: boolean;
  /** The harness could not observe this call (outcome kind "error"). */
  harnessError?: boolean;
  /** Why a step was never issued. */
  why?: string;
  /** Set on the row where the violation was found. */
  violation?: Violated;
}

export function laneEvents(scenario: Scenario, trace: Trace, v?: Violated): LaneEvent[] {
  const rows: LaneEvent[] = [];
  trace.events.forEach((e, idx) => {
    const violation = v && v.event === idx ? v : undefined;
    if (e.type === 'quiescent') {
      if (violation) rows.push({ kind: 'quiescent', event: idx, actor: '', call: '', outcome: '', violation });
      return;
    }
    const step = scenario.steps[e.step];
    rows.push({ kind: e.type === 'call' ? 'call' : 'return', event: idx, actor: step.actor, call: describeStep(step), outcome: describeOutcome(e.outcome), pending: e.outcome.kind === 'pending', harnessError: e.outcome.kind === 'error', violation });
  });
  const issued = new Set(trace.events.filter((e) => e.type === 'call').map((e) => (e as { step: number }).step));
  // A run stops at a harness error; otherwise a step is unissued because its actor stayed blocked.
  const why = rows.some((r) => r.harnessError) ? 'the run stopped at the harness error' : 'its actor stayed blocked';
  scenario.steps.forEach((s, i) => { if (!issued.has(i)) rows.push({ kind: 'never', actor: s.actor, call: describeStep(s), outcome: '', why }); });
  return rows;
}

/** Numbered steps in the order they happened, one lane label per actor. */
export function renderSteps(scenario: Scenario, trace: Trace, v?: Violated): string {
  const lines: string[] = [];
  const width = scenario.steps.reduce((w, s) => Math.max(w, s.actor.length), 4); // no spread: long scenarios would overflow the stack
  let n = 0;
  let atQuiescence = '';
  for (const r of laneEvents(scenario, trace, v)) {
    const lane = `[${r.actor.padEnd(width)}]`;
    if (r.kind === 'quiescent') atQuiescence = `     at quiescence: violates ${v!.clause}: observed ${v!.observed}; allowed ${v!.allowed}`;
    else if (r.kind === 'never') lines.push(`   -. ${lane} ${r.call} (never issued: ${r.why})`);
    else {
      const text = r.kind === 'call' ? `${r.call} -> ${r.outcome}` : `... ${r.call} returns ${r.outcome}`;
      const mark = r.violation ? `   <-- violates ${v!.clause}: observed ${v!.observed}; allowed ${v!.allowed}` : '';
      lines.push(`${String(++n).padStart(3)}. ${lane} ${text}${mark}`);
    }
  }
  if (atQuiescence) lines.push(atQuiescence);
  return lines.join('\n');
}
