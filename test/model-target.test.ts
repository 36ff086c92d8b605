// The model as a target (`--target model`) must produce only traces the model itself passes, and its
// canonical choices must still reach every clause a property is written for: the model tests itself.
import { describe, expect, it } from 'vitest';
import { ModelTarget } from '../engine/model-target.ts';
import { runScenario } from '../engine/run-scenario.ts';
import { check } from '../reference-model/check.ts';
import { clause } from '../spec/catalogue.ts';
import { payload, payloadTag } from '../spec/payload.ts';
import { loadProfile, PROFILE_NAMES } from '../spec/profile.ts';
import type { Scenario } from '../spec/scenario.ts';
import type { TraceEvent } from '../spec/trace.ts';
import { PROPERTIES } from '../suites/properties/index.ts';
import { runProperty } from '../engine/run-property.ts';

const SEED = Number(process.env.IPCSPEC_SEED ?? 20261124);
const RUNS = 50;

for (const profileName of PROFILE_NAMES) {
  const profile = loadProfile(profileName);
  const target = new ModelTarget(profile);

  describe(`the model target under profile ${profileName}`, () => {
    for (const prop of PROPERTIES) {
      const clauses = prop.clauses.filter((c) => clause(c).profiles.includes(profileName));
      // a property whose clauses are all outside the profile is not part of it (tested below as unsupported)
      if (clauses.length === 0) continue;
      it(`passes and exercises every clause of: ${prop.name}`, async () => {
        const out = await runProperty(prop, target, profile, { runs: RUNS, seed: SEED });
        if (out.failure) {
          const f = out.failure;
          throw new Error(`${JSON.stringify(f.verdict)}\nsteps: ${JSON.stringify(f.scenario.steps)}`);
        }
        expect(out.unsupported, out.unsupportedReason).toBe(0);
        expect(clauses.filter((c) => !out.exercised.get(c))).toEqual([]);
      });
    }
  });
}

describe('traces of the model target', () => {
  const summary = (events: TraceEvent[]) => events.map((e) => (e.type === 'quiescent' ? 'Q' : `${e.type} ${e.step} ${e.outcome.kind}`));

  for (const profileName of PROFILE_NAMES) {
    it(`record a reader blocked on an empty pipe as pending, then completed by a write (${profileName})`, async () => {
      const profile = loadProfile(profileName);
      const scenario: Scenario = {
        property: 'hand-written',
        steps: [
          { actor: 'main', op: 'make-pipe', variant: 'pipe', read: 'r0', write: 'w0' },
          { actor: 'R1', op: 'read', fd: 'r0', size: 10 },
          { actor: 'W', op: 'write', fd: 'w0', size: 5 },
        ],
      };
      const trace = await runScenario(new ModelTarget(profile), scenario);
      expect(trace).toMatchObject({ target: 'model', settled: true, privileged: false });
      expect(summary(trace.events)).toEqual(['call 0 ok', 'Q', 'call 1 pending', 'Q', 'call 2 ok', 'complete 1 ok', 'Q']);
      const woken = trace.events[5] as Extract<TraceEvent, { type: 'complete' }>;
      expect(woken.outcome).toMatchObject({ kind: 'ok', value: 5, data: payload(payloadTag(2), 5) });
      expect(check(scenario, trace, profile).status).toBe('pass');
    });
  }

  it('report a call outside the profile as unsupported, never as pass', async () => {
    const profile = loadProfile('posix');
    const scenario: Scenario = {
      property: 'hand-written',
      steps: [
        { actor: 'main', op: 'make-pipe', variant: 'pipe', read: 'r0', write: 'w0' },
        { actor: 'main', op: 'get-pipe-size', fd: 'r0' },
      ],
    };
    const trace = await runScenario(new ModelTarget(profile), scenario);
    expect(trace.events[2]).toMatchObject({ type: 'call', step: 1, outcome: { kind: 'unsupported' } });
    expect(check(scenario, trace, profile).status).toBe('unsupported');
  });
});
