// Unsupported is not pass (docs/design.md, principle 7), also when only some scenarios could not run: a
// target that cannot make pipe(2) pipes (a runtime) passes a clause only on what it could express,
// says so, and a clause no expressible scenario reached is unsupported, not "not exercised".
import { afterAll, describe, expect, it } from 'vitest';
import { HostTarget } from '../harness/host/target.ts';
import type { Target } from '../spec/target.ts';
import { assemble } from '../engine/assemble.ts';
import type { ClauseId } from '../spec/catalogue.ts';
import { loadProfile } from '../spec/profile.ts';
import { PROPERTIES } from '../suites/properties/index.ts';
import { runProperty, type PropertyOutcome } from '../engine/run-property.ts';

/** The host, except that pipe(2) pipes are unsupported, as on a runtime driver. */
function withoutPipes(inner: Target): Target {
  return {
    info: { ...inner.info, name: 'host-without-pipes' },
    async open() {
      const s = await inner.open();
      return {
        step: async (i, st) => (st.op === 'make-pipe' && st.variant.startsWith('pipe')
          ? { outcome: { kind: 'unsupported', reason: 'no pipe(2) here' }, completed: [] }
          : s.step(i, st)),
        teardown: () => s.teardown(),
      };
    },
    dispose: () => inner.dispose(),
  };
}

const assembleOne = (outcome: PropertyOutcome, clauses: ClauseId[]) => assemble({
  runs: [{ target: { name: 't', description: 't', settled: true, privileged: false }, outcomes: [{ outcome, durationMs: 1 }] }],
  clauses, profile: 'linux', seed: 1, interrupted: false, version: 'test', replayCmd: () => '',
}).report.results;

describe.skipIf(process.platform !== 'linux')('partly unsupported properties', () => {
  const target = withoutPipes(new HostTarget());
  afterAll(() => target.dispose());

  it('pass only on the scenarios the target could express, and say how many could not run', async () => {
    const prop = PROPERTIES.find((p) => p.area === 'pipe-data')!;
    const outcome = await runProperty(prop, target, loadProfile('linux'), { runs: 40, seed: 3 });
    expect(outcome.unsupported).toBeGreaterThan(0);
    expect(outcome.unsupported).toBeLessThan(outcome.runs);
    const results = assembleOne(outcome, ['pipe.order-and-content']);
    expect(results[0].status).toBe('pass');
    expect(results[0].reason).toMatch(/could not run \(.*no pipe\(2\) here/);
  });

  it('make a clause no expressible scenario reached unsupported, with the reason', () => {
    const prop = PROPERTIES.find((p) => p.area === 'pipe-data')!;
    const outcome: PropertyOutcome = { property: prop, seed: 1, runs: 10, exercised: new Map(), unsupported: 4, unsupportedReason: 'no pipe(2) here' };
    const [r] = assembleOne(outcome, [prop.clauses[0]]);
    expect(r.status).toBe('unsupported');
    expect(r.reason).toContain('no pipe(2) here');
    const [e] = assembleOne({ ...outcome, unsupported: 0 }, [prop.clauses[0]]);
    expect(e.status).toBe('error'); // reached by nothing, and nothing was unsupported: the suite's own gap
  });
});

describe('a wholly unsupported property next to one that ran', () => {
  it('leaves the clause passed by the other, with a note; alone it makes the clause unsupported', () => {
    const [a, b] = PROPERTIES.filter((p) => p.clauses.includes('stream.order-and-content'));
    const clause = 'stream.order-and-content';
    const none: PropertyOutcome = { property: b, seed: 1, runs: 5, exercised: new Map(), unsupported: 5, unsupportedReason: 'no test hosts here' };
    const ran: PropertyOutcome = { property: a, seed: 1, runs: 5, exercised: new Map([[clause, 5]]), unsupported: 0 };
    const both = assemble({
      runs: [{ target: { name: 't', description: 't', settled: true, privileged: false }, outcomes: [{ outcome: none, durationMs: 1 }, { outcome: ran, durationMs: 1 }] }],
      clauses: [clause], profile: 'linux', seed: 1, interrupted: false, version: 'test', replayCmd: () => '',
    }).report.results[0];
    expect(both).toMatchObject({ status: 'pass', runs: 5 });
    expect(both.reason).toContain('5 could not run');
    expect(assembleOne(none, [clause])[0].status).toBe('unsupported');
  });
});
