// Which clauses judged an event: the model's exercised set grows as it reads a trace, so the clauses
// exercised by the trace up to (and including the quiescence after) the event, minus those exercised
// before it, are the ones whose rules looked at that event. An observation difference is filed under
// these clauses: they are the rules that allow both targets' behaviour.
import type { ClauseId } from '../../spec/catalogue.ts';
import type { Profile } from '../../spec/profile.ts';
import type { Scenario } from '../../spec/scenario.ts';
import type { Trace } from '../../spec/trace.ts';
import { check } from '../../reference-model/check.ts';

const exercisedUpTo = (scenario: Scenario, trace: Trace, end: number, profile: Profile): Set<ClauseId> =>
  new Set(check(scenario, { ...trace, events: trace.events.slice(0, end) }, profile).exercised);

export function clausesAt(scenario: Scenario, trace: Trace, event: number, profile: Profile): ClauseId[] {
  let end = event + 1;
  while (end < trace.events.length && trace.events[end].type !== 'quiescent') end++;
  const before = exercisedUpTo(scenario, trace, event, profile);
  const after = exercisedUpTo(scenario, trace, Math.min(end + 1, trace.events.length), profile);
  return [...after].filter((c) => !before.has(c)).sort();
}
