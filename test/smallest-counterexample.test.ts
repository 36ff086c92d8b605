// Issue 12, defect 8: several properties (or rounds) failing one clause. One counterexample file per
// clause × target, the smallest over all of them, cut right after the violating step and re-judged,
// and the report's reason made from that same file.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostTarget } from '../harness/host/target.ts';
import { MUTANTS } from '../harness/mutants/index.ts';
import { check } from '../reference-model/check.ts';
import { assemble } from '../engine/assemble.ts';
import { fromJson } from '../spec/codec.ts';
import { loadProfile } from '../spec/profile.ts';
import type { Counterexample, Report } from '../spec/report.ts';
import type { ClauseId } from '../spec/catalogue.ts';
import type { Scenario } from '../spec/scenario.ts';
import { cutAtViolation, stepsNeeded, violationReason } from '../engine/counterexample-cut.ts';
import { PROPERTIES } from '../suites/properties/index.ts';
import type { Failure, PropertyOutcome } from '../engine/run-property.ts';
import { runScenario } from '../engine/run-scenario.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'ipcspec.mjs');
const linux = process.platform === 'linux';
const CLAUSE: ClauseId = 'pipe.poll-readiness';
let scratch = '';
beforeAll(async () => { scratch = await mkdtemp(join(tmpdir(), 'smallest-cx-')); });
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// The shape the shrinker left in the issue: the violation at step 3, then a step that adds nothing.
const withTail: Scenario = {
  property: 'pipe-fd-errors',
  steps: [
    { actor: 'main', op: 'make-pipe', variant: 'pipe', read: 'r0', write: 'w0' },
    { actor: 'main', op: 'close', fd: 'w0' },
    { actor: 'main', op: 'poll', fd: 'r0' },
    { actor: 'R1', op: 'read', fd: 'w0', size: 1 },
    { actor: 'main', op: 'close', fd: 'r0' },
  ],
};

describe.skipIf(!linux)('a counterexample ends at its violation', () => {
  const host = linux ? new HostTarget() : undefined;
  afterAll(() => host?.dispose());
  const mutant = MUTANTS.find((m) => m.clause === CLAUSE)!;
  const profile = loadProfile('linux');

  it('is cut right after the violating step, re-run, and still fails the same clause at the same step', async () => {
    const target = mutant.wrap(host!);
    const trace = await runScenario(target, withTail);
    const verdict = check(withTail, trace, profile);
    expect(verdict).toMatchObject({ status: 'fail', violation: { clause: CLAUSE, step: 2 } });
    const cut = await cutAtViolation({ scenario: withTail, trace, verdict }, target, profile);
    expect(cut.scenario.steps).toEqual(withTail.steps.slice(0, 3));
    // re-judged: the kept trace is the cut scenario's own, and the model says the same of it
    expect(cut.trace.events.filter((e) => e.type === 'call')).toHaveLength(3);
    expect(check(cut.scenario, cut.trace, profile)).toEqual(cut.verdict);
    expect(cut.verdict).toMatchObject({ status: 'fail', violation: { clause: CLAUSE, step: 2 } });
  });

  it('is kept uncut when the cut does not fail the same way', async () => {
    // the unmutated host conforms: a "failure" whose cut passes stays as it was
    const trace = await runScenario(host!, withTail);
    const fake = { scenario: withTail, trace, verdict: { status: 'fail' as const, exercised: [], violation: { clause: CLAUSE, event: 5, step: 2, observed: 'x', allowed: 'y' } } };
    expect(await cutAtViolation(fake, host!, profile)).toBe(fake);
  });
});

describe('one counterexample per clause × target', () => {
  const target = { name: 'host', description: 'host', settled: true, privileged: false };
  const fail = (steps: number, step: number): Failure => ({
    scenario: { property: 'p', steps: structuredClone(withTail.steps.slice(0, steps)) },
    trace: { target: 'host', settled: true, privileged: false, events: withTail.steps.slice(0, steps).map((_, i) => ({ type: 'call' as const, step: i, actor: 'main', outcome: { kind: 'ok' as const, value: 0 } })) },
    verdict: { status: 'fail', exercised: [CLAUSE], violation: { clause: CLAUSE, event: step, step, observed: `observed at ${step}`, allowed: 'allowed' } },
    runsToFailure: 1,
  });
  const outcome = (name: string, failures: Failure[]): PropertyOutcome => ({
    property: { ...PROPERTIES.find((p) => p.clauses.includes(CLAUSE))!, name }, seed: 1, runs: 5, exercised: new Map([[CLAUSE, 2]]), unsupported: 0, failure: failures[0], failures,
  });
  const run = (outcomes: PropertyOutcome[]) => assemble({
    runs: [{ target, outcomes: outcomes.map((outcome) => ({ outcome, durationMs: 1 })) }], clauses: [CLAUSE], profile: 'linux', seed: 1, interrupted: false, version: 't', replayCmd: (f) => `replay ${f}`,
  });

  it.each([['the smaller first', ['small', 'big']], ['the smaller last', ['big', 'small']]])('keeps the smallest over every property, %s, and the reason is the file\'s', (_what, order) => {
    const by = { small: outcome('small', [fail(3, 2)]), big: outcome('big', [fail(5, 4)]) } as Record<string, PropertyOutcome>;
    const { report, counterexamples } = run(order.map((k) => by[k]));
    expect([...counterexamples.keys()]).toEqual([`counterexamples/${CLAUSE}--host.json`]);
    const [r] = report.results;
    const cx = counterexamples.get(r.counterexample!)!;
    expect(cx.property).toBe('small');
    expect(cx.scenario.steps).toHaveLength(3);
    expect(r.reason).toBe(`step 3: observed ${cx.verdict.observed}; allowed ${cx.verdict.allowed}`);
    expect(r).toMatchObject({ status: 'fail', runs: 5 }); // 2 + 2 passing, and the one failing scenario kept
  });

  it('between fewer steps equal, keeps fewer bytes', () => {
    const a = fail(4, 3);
    const b = fail(4, 3);
    (b.scenario.steps[3] as { size: number }).size = 1 << 16;
    const { counterexamples } = run([outcome('fewer bytes', [a]), outcome('more bytes', [b])]);
    expect([...counterexamples.values()][0].property).toBe('fewer bytes');
  });
});

describe.skipIf(!linux)('ipcspec run, two properties failing one clause', () => {
  it('writes one file, cut at its violation, whose verdict is the report\'s reason, and which replays', () => {
    const out = join(scratch, 'run');
    // both "poll reports readiness" and "zero-length calls ... EBADF" fail pipe.poll-readiness on this mutant
    const r = spawnSync('node', [BIN, 'run', '--target', `mutant:${CLAUSE}`, '--only', `${CLAUSE},pipe.closed-fd-ebadf`, '--runs', '50', '--seed', '1', '--out', out], { encoding: 'utf8', timeout: 240_000 });
    expect(r.status, r.stderr).toBe(1);
    const report = fromJson<Report>(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.properties.filter((p) => p.failed?.includes(CLAUSE)).length).toBeGreaterThanOrEqual(2);
    const files = readdirSync(join(out, 'counterexamples'));
    expect(files.filter((f) => f.startsWith(`${CLAUSE}--`))).toHaveLength(1);
    const res = report.results.find((x) => x.clause === CLAUSE)!;
    const cx = fromJson<Counterexample>(readFileSync(join(out, res.counterexample!), 'utf8'));
    expect(cx.verdict).toMatchObject({ status: 'fail', clause: CLAUSE });
    expect(stepsNeeded(cx.scenario, cx.trace, cx.verdict.event!)).toBeUndefined(); // nothing after the violation
    const v = check(cx.scenario, cx.trace, loadProfile('linux'));
    expect(v.status).toBe('fail');
    if (v.status === 'fail') expect(res.reason).toBe(violationReason(v, cx.trace));
    expect(r.stdout).toContain(`${res.reason}\n`);
    const again = spawnSync('node', [BIN, 'replay', join(out, res.counterexample!), '--target', `mutant:${CLAUSE}`, '--profile', 'linux'], { encoding: 'utf8', timeout: 60_000 });
    expect(again.stdout).toContain(`FAIL ${CLAUSE}`);
  }, 300_000);

  it('diff: the verdict difference\'s files and the matrix\'s file end at the violation, and the matrix reason is its file\'s', () => {
    const out = join(scratch, 'diff');
    const r = spawnSync('node', [BIN, 'diff', '--target', 'host', '--target', `mutant:${CLAUSE}`, '--only', `${CLAUSE},pipe.closed-fd-ebadf`, '--runs', '50', '--seed', '1', '--out', out], { encoding: 'utf8', timeout: 240_000 });
    expect(r.status, r.stderr).toBe(1);
    const report = fromJson<Report>(readFileSync(join(out, 'report.json'), 'utf8'));
    const d = report.differences!.find((x) => x.key === `fail:${CLAUSE}`)!;
    const failing = d.sides.find((s) => s.status === 'fail')!;
    const res = report.results.find((x) => x.clause === CLAUSE && x.status === 'fail')!;
    for (const file of [failing.counterexample, res.counterexample!]) {
      const cx = fromJson<Counterexample>(readFileSync(join(out, file), 'utf8'));
      expect(cx.verdict, file).toMatchObject({ status: 'fail', clause: CLAUSE });
      expect(stepsNeeded(cx.scenario, cx.trace, cx.verdict.event!), file).toBeUndefined();
      const v = check(cx.scenario, cx.trace, loadProfile('linux'));
      if (v.status !== 'fail') throw new Error(`${file} no longer fails`);
      if (file === res.counterexample) expect(res.reason).toBe(violationReason(v, cx.trace));
    }
    // the host's side is the same cut scenario
    const host = fromJson<Counterexample>(readFileSync(join(out, d.sides.find((s) => s.target === 'host')!.counterexample), 'utf8'));
    expect(host.scenario).toEqual(fromJson<Counterexample>(readFileSync(join(out, failing.counterexample), 'utf8')).scenario);
  }, 300_000);
});
