// The bad-input corpus (issue 12): hostile replay files, rubrics and report-merge inputs, each run
// through the CLI's main(). Every case must end with exit 2 and exactly one line on stderr saying
// what and where, no stack trace, no output, nothing started, well before a generous "does not
// hang" deadline. Each kind's cases share one process (fixtures/bad-input/batch.mjs: Node and tsx
// start once, not 180 times on a shared machine); a few cases also run as real processes of
// bin/ipcspec.mjs, whose exit status and stderr are the contract itself.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { dir as tmpDir } from 'tmp-promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRubric } from '../engine/grade/rubric.ts';
import { loadProfile, PROFILE_NAMES } from '../spec/profile.ts';
import { SCENARIO_PROPERTIES } from '../spec/scenario-properties.ts';
import { validateScenario } from '../spec/validate.ts';
import { PROPERTIES } from '../suites/properties/index.ts';
import { scratch, type BadInput, type Scratch } from './fixtures/bad-input/kit.ts';
import { MERGE_CASES, reportDir } from './fixtures/bad-input/merge-cases.ts';
import { REPLAY_CASES } from './fixtures/bad-input/replay-cases.ts';
import { BASE, RUBRIC_CASES } from './fixtures/bad-input/rubric-cases.ts';
import { runBatch, type Run } from './fixtures/bad-input/run-cases.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'ipcspec.mjs');
/** Far beyond the "few seconds" a rejection takes, even on a loaded machine: only a hang reaches it. */
const HANG_MS = 30_000;

let root: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => { root = await tmpDir({ prefix: 'bad-input-', unsafeCleanup: true }); });
afterAll(async () => { await root.cleanup(); });

/** bin/ipcspec.mjs as a real process. */
function ipcspec(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn('node', [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { if (stdout.length < 1 << 16) stdout += d; });
    child.stderr.on('data', (d) => { if (stderr.length < 1 << 16) stderr += d; });
    let hung = false;
    const timer = setTimeout(() => { hung = true; child.kill('SIGKILL'); }, HANG_MS);
    child.on('close', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr, hung }); });
  });
}

/** The contract for a rejected input. */
function expectRejected(r: Run, c: BadInput, victim: string): void {
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(r.hung, `${c.name}: still running after ${HANG_MS / 1000} s`).toBe(false);
  expect(r.exited, c.name).toBeUndefined();
  expect(r.stderr, c.name).not.toMatch(/^\s+at /m); // no stack trace
  expect(lines, `${c.name}: stderr was\n${r.stderr}`).toHaveLength(1);
  expect(lines[0]).toMatch(c.says);
  expect(r.status, `${c.name}: ${r.stderr}`).toBe(2);
  expect(r.stdout, c.name).toBe('');
  expect(existsSync(victim), `${c.name}: a command named by the file ran`).toBe(false);
}

/** Starts every kind's batch: three processes at once, the rest of the file waits on them. */
const starters: Array<() => unknown> = [];

/** Each case's scratch directory and arguments, then all of the kind's runs in one batch (started once). */
function corpus(kind: string, cases: BadInput[]): void {
  const slug = kind.replace(/\W+/g, '-');
  let batch: Promise<{ runs: Map<number, Run>; scratches: Scratch[] }> | undefined;
  const runAll = () => (batch ??= (async () => {
    const scratches = cases.map((_, i) => scratch(join(root.path, `${slug}-${i}`)));
    const jobs = cases.map((c, i) => ({ id: i, args: c.setup(scratches[i]), cwd: scratches[i].dir }));
    return { runs: await runBatch(jobs, join(root.path, `${slug}-batch`), HANG_MS), scratches };
  })());
  starters.push(runAll);
  describe(`${kind} (${cases.length} cases)`, () => {
    it.each(cases.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, i) => {
      const { runs, scratches } = await runAll();
      expectRejected(runs.get(i)!, c, scratches[i].victim);
    }, 600_000);
  });
}

describe.skipIf(process.platform !== 'linux')('bad input: exit 2, one line, no stack trace, never a hang', () => {
  beforeAll(() => { for (const start of starters) void start(); });

  it('has the corpus the issue asks for', () => {
    expect(REPLAY_CASES.length).toBeGreaterThanOrEqual(50);
    expect(RUBRIC_CASES.length).toBeGreaterThanOrEqual(35);
    expect(MERGE_CASES.length).toBeGreaterThanOrEqual(20);
    for (const cases of [REPLAY_CASES, RUBRIC_CASES, MERGE_CASES]) expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  // The controls: the bases the cases are made from are accepted, so each rejection is its one defect's.
  it('controls: a valid scenario replays, the base rubric parses, the base report merges', async () => {
    const s = scratch(join(root.path, 'controls'));
    const ok = s.file('ok.json', JSON.stringify({ property: 'pipe-data', steps: [{ actor: 'main', op: 'make-pipe', variant: 'pipe', read: 'r', write: 'w' }, { actor: 'main', op: 'write', fd: 'w', size: 5 }, { actor: 'main', op: 'read', fd: 'r', size: 5 }] }));
    const replay = await ipcspec(['replay', ok, '--target', 'model'], s.dir);
    expect(replay.status, replay.stderr).toBe(0);
    expect(replay.stdout).toMatch(/verdict: PASS/);
    expect(parseRubric(BASE, 'base.yaml').clauses.map((c) => c.clause)).toEqual(['pipe.order-and-content']);
    const merged = await ipcspec(['report', 'merge', reportDir(s, 'base'), '--out', join(s.dir, 'merged')], s.dir);
    expect(merged.status, merged.stderr).toBe(1); // the base report's clause failed
    expect(JSON.parse(readFileSync(join(s.dir, 'merged', 'report.json'), 'utf8')).summary).toEqual({ pass: 0, fail: 1, unsupported: 0, error: 0 });
  }, 120_000);

  // The budget must never refuse what the suites generate: every property, both profiles.
  it('every generated scenario passes validation and names a known property', () => {
    const seen = new Set<string>();
    for (const name of PROFILE_NAMES) {
      const profile = loadProfile(name);
      for (const p of PROPERTIES) {
        for (const sc of fc.sample(p.scenario(profile), { numRuns: 60, seed: 12 })) {
          seen.add(sc.property);
          expect(() => validateScenario(sc, `${p.name} (${name})`)).not.toThrow();
        }
      }
    }
    expect([...seen].filter((x) => !(SCENARIO_PROPERTIES as readonly string[]).includes(x))).toEqual([]);
  }, 120_000);

  corpus('replay files', REPLAY_CASES);
  corpus('rubrics', RUBRIC_CASES);
  corpus('report merge inputs', MERGE_CASES);

  // The same contract from the real binary, for the cases where a process could hang or crash.
  const REAL: Array<[string, BadInput[], string]> = [
    ['replay', REPLAY_CASES, 'a FIFO nobody writes'], ['replay', REPLAY_CASES, '200,000 steps'], ['replay', REPLAY_CASES, 'arrays 100,000 deep'],
    ['replay', REPLAY_CASES, 'concurrent-writes with 1,000,000,000 records'], ['replay', REPLAY_CASES, '/dev/zero'],
    ['grade', RUBRIC_CASES, 'a FIFO nobody writes'], ['grade', RUBRIC_CASES, 'a flow list 100,000 deep'], ['grade', RUBRIC_CASES, 'a billion laughs as the clauses'],
    ['report merge', MERGE_CASES, 'a counterexample that is a FIFO'], ['report merge', MERGE_CASES, 'a target name with a newline and an escape sequence'],
  ];
  describe.concurrent('as real processes of bin/ipcspec.mjs', () => {
    it.each(REAL.map(([kind, cases, name]) => [`${kind}: ${name}`, cases.find((c) => c.name === name)!] as const))('%s', async (name, c) => {
      expect(c, name).toBeDefined();
      const s = scratch(join(root.path, `real-${name.replace(/\W+/g, '-')}`));
      expectRejected(await ipcspec(c.setup(s), s.dir), c, s.victim);
    }, 120_000);
  });
});
