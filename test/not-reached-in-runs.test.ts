// Issue 12, defect 7: with a small --runs a clause may be reached by no generated scenario. That is
// the documented outcome of a small run count, not an infrastructure error: the result says
// "reached by no scenario in N runs ...: raise --runs", and the run exits 3 (inconclusive) — never 0,
// which would pass a clause nothing judged, and never 2, which means something broke.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorExitCode, runExitCode } from '../cli/exit-code.ts';
import { assemble } from '../engine/assemble.ts';
import { fromJson } from '../spec/codec.ts';
import type { ClauseResult, Report } from '../spec/report.ts';
import { PROPERTIES } from '../suites/properties/index.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'ipcspec.mjs');
let scratch = '';
beforeAll(async () => { scratch = await mkdtemp(join(tmpdir(), 'not-reached-')); });
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const CLAUSE = 'pipe.sigpipe-kills-writer';

describe.skipIf(process.platform !== 'linux')('a clause no scenario reached in a small --runs', () => {
  it('the run of the issue: says so with the hint, and exits 3', () => {
    const out = join(scratch, 'run');
    const r = spawnSync('node', [BIN, 'run', '--target', 'host', '--only', 'pipe.*', '--runs', '20', '--seed', '304650125', '--out', out], { encoding: 'utf8', timeout: 240_000 });
    const report = fromJson<Report>(readFileSync(join(out, 'report.json'), 'utf8'));
    const x = report.results.find((y) => y.clause === CLAUSE)!;
    expect(x).toMatchObject({ status: 'error', runs: 0, notReachedIn: 20 });
    expect(x.reason).toMatch(/^not exercised: reached by no scenario in 20 runs \(.*\): raise --runs$/);
    // every other clause passed: the only thing wrong is the run count
    expect(report.results.filter((y) => y.clause !== CLAUSE).every((y) => y.status === 'pass')).toBe(true);
    expect(r.status, r.stderr).toBe(3);
    expect(r.stdout).toContain(`1 clause was reached by no scenario in the runs given (${CLAUSE}): raise --runs`);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('raise --runs');
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toContain('raise --runs');
  }, 300_000);
});

describe('exit codes around "not reached in N runs"', () => {
  const res = (status: ClauseResult['status'], extra: Partial<ClauseResult> = {}): ClauseResult => ({ clause: CLAUSE, area: 'pipe-no-reader', target: 'host', status, runs: 0, ...extra });
  const report = (results: ClauseResult[]): Report => {
    const summary = { pass: 0, fail: 0, unsupported: 0, error: 0 };
    for (const r of results) summary[r.status]++;
    return { results, summary } as unknown as Report;
  };
  it.each([
    ['only not reached', [res('pass', { runs: 3 }), res('error', { notReachedIn: 20 })], 3],
    ['not reached and an infrastructure error', [res('error', { notReachedIn: 20 }), res('error', { reason: 'driver exited' })], 2],
    ['not reached and a failure', [res('error', { notReachedIn: 20 }), res('fail')], 1],
    ['all passed', [res('pass', { runs: 3 })], 0],
  ])('%s', (_what, results, code) => {
    expect(runExitCode(report(results))).toBe(code);
  });
  it('diff: 3 only when no behaviour differs and every error is "not reached"', () => {
    expect(errorExitCode(report([res('error', { notReachedIn: 5 })]))).toBe(3);
    expect(errorExitCode(report([res('error', { notReachedIn: 5 }), res('error')]))).toBe(2);
  });

  it('assemble marks only a clause its properties ran for and missed; a harness stop is not "raise --runs"', () => {
    const prop = PROPERTIES.find((p) => p.clauses.includes(CLAUSE))!;
    const target = { name: 'host', description: 'host', settled: true, privileged: false };
    const outcome = (stopped: boolean) => ({
      property: prop, seed: 1, runs: 7, unsupported: 0, exercised: new Map([[prop.clauses.find((c) => c !== CLAUSE)!, 7]]),
      ...(stopped ? { failure: { scenario: { property: prop.name, steps: [] }, trace: { target: 'host', settled: true, privileged: false, events: [] }, verdict: { status: 'error' as const, reason: 'driver died', exercised: [] }, runsToFailure: 7 } } : {}),
    });
    const one = (stopped: boolean) => assemble({ runs: [{ target, outcomes: [{ outcome: outcome(stopped), durationMs: 1 }] }], clauses: prop.clauses, profile: 'linux', seed: 1, interrupted: false, version: 't', replayCmd: (f) => f }).report.results.find((r) => r.clause === CLAUSE)!;
    expect(one(false)).toMatchObject({ status: 'error', notReachedIn: 7, reason: `not exercised: reached by no scenario in 7 runs ("${prop.name}": 7): raise --runs` });
    expect(one(true).notReachedIn).toBeUndefined();
    expect(one(true).reason).toBe('driver died');
  });
});
