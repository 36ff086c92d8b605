// harness.run(target, scenario) -> Trace. Steps run in order; a step whose actor is blocked waits in
// that actor's queue and is issued when the actor's call completes, as a thread would.
import type { Scenario } from '../spec/scenario.ts';
import type { Trace, TraceEvent } from '../spec/trace.ts';
import type { Target } from '../spec/target.ts';

export async function runScenario(target: Target, scenario: Scenario): Promise<Trace> {
  const events: TraceEvent[] = [];
  const blockedOn = new Map<string, number>(); // actor -> step it is blocked in
  const queued = new Map<string, number[]>();
  const session = await target.open();
  let broken = false;
  let teardownError: string | undefined;

  const issue = async (i: number): Promise<void> => {
    const step = scenario.steps[i];
    const r = await session.step(i, step);
    events.push({ type: 'call', step: i, actor: step.actor, outcome: r.outcome });
    if (r.outcome.kind === 'pending') blockedOn.set(step.actor, i);
    if (r.outcome.kind === 'error' || r.outcome.kind === 'unsupported') broken = true;
    const freed: string[] = [];
    for (const c of r.completed) {
      const actor = scenario.steps[c.step].actor;
      events.push({ type: 'complete', step: c.step, actor, outcome: c.outcome });
      if (c.outcome.kind === 'error') broken = true;
      blockedOn.delete(actor);
      freed.push(actor);
    }
    events.push({ type: 'quiescent' });
    // Freed actors resume in scenario order, whatever order the target listed the completions in: every target then issues the same schedule.
    freed.sort((a, b) => (queued.get(a)?.[0] ?? Infinity) - (queued.get(b)?.[0] ?? Infinity));
    for (const actor of freed) {
      const q = queued.get(actor);
      while (!broken && q?.length && !blockedOn.has(actor)) await issue(q.shift()!);
    }
  };

  try {
    for (let i = 0; i < scenario.steps.length && !broken; i++) {
      const actor = scenario.steps[i].actor;
      if (blockedOn.has(actor)) {
        queued.set(actor, [...(queued.get(actor) ?? []), i]);
        continue;
      }
      await issue(i);
    }
  } finally {
    // A teardown that throws breaks its contract; it is still the target's failure, recorded like a report.
    const end = await session.teardown().catch((e: unknown) => ({ error: `teardown threw: ${(e as Error).message}` }));
    if (end?.error) teardownError = end.error;
  }
  return { target: target.info.name, settled: target.info.settled, privileged: target.info.privileged, events, ...(teardownError ? { teardownError } : {}) };
}
