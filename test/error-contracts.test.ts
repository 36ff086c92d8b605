// Honest error contracts at the target boundary (issue 13 part 4): a teardown never throws and what it
// could not undo is the target's error; a target that cannot start is exit 2 with its real cause, never
// a usage error; a failed setup call is the target's failure, not the model's.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check } from '../reference-model/check.ts';
import { loadProfile } from '../spec/profile.ts';
import type { Scenario } from '../spec/scenario.ts';
import type { Outcome, Trace } from '../spec/trace.ts';
import { runScenario } from '../engine/run-scenario.ts';
import { makeTarget } from '../engine/targets.ts';
import type { Target } from '../spec/target.ts';
import { HostTarget } from '../harness/host/target.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'ipcspec.mjs');
const scratch = mkdtempSync(join(tmpdir(), 'error-contracts-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const linux = loadProfile('linux');

const pipeScenario: Scenario = {
  steps: [
    { op: 'make-pipe', actor: 'main', variant: 'pipe', read: 'r0', write: 'w0' },
    { op: 'write', actor: 'main', fd: 'w0', size: 3 },
    { op: 'read', actor: 'main', fd: 'r0', size: 3 },
  ],
} as Scenario;

/** The host target, with a teardown that throws after releasing everything (a contract breach). */
function throwingTeardown(): Target {
  const host = new HostTarget();
  return {
    info: { ...host.info },
    async open() {
      const s = await host.open();
      return { step: (i, st) => s.step(i, st), teardown: async () => { await s.teardown(); throw new Error('could not release step 2'); } };
    },
    dispose: () => host.dispose(),
  };
}

describe('teardown never throws: what it could not undo is an error outcome', () => {
  it('a teardown that throws anyway is recorded on the trace, and the verdict is an error, not a pass', async () => {
    const t = throwingTeardown();
    try {
      const trace = await runScenario(t, pipeScenario);
      expect(trace.teardownError).toMatch(/could not release step 2/);
      const v = check(pipeScenario, trace, linux);
      expect(v).toMatchObject({ status: 'error' });
      expect(v.status === 'error' && v.reason).toMatch(/^the target could not end the scenario: /);
    } finally {
      await t.dispose();
    }
  });

  it('a module whose teardown throws, over the driver protocol: the same error, from the child process', async () => {
    const t = await makeTarget(`module:${join(ROOT, 'test', 'fixtures', 'submissions', 'teardown-throws.ts')}`, linux);
    try {
      const trace = await runScenario(t, pipeScenario);
      expect(trace.events.filter((e) => e.type === 'call').map((e) => (e as { outcome: Outcome }).outcome.kind)).toEqual(['ok', 'ok', 'ok']);
      expect(trace.teardownError).toMatch(/teardown\(\) threw: simulated bug/);
      expect(check(pipeScenario, trace, linux).status).toBe('error');
      // The driver goes on: the next scenario still runs.
      expect((await runScenario(t, pipeScenario)).events.length).toBeGreaterThan(3);
    } finally {
      await t.dispose();
    }
  });

  it('a clean teardown leaves the trace as it was (no error field, the verdict is the model\'s)', async () => {
    const t = new HostTarget();
    try {
      const trace = await runScenario(t, pipeScenario);
      expect(trace.teardownError).toBeUndefined();
      expect(check(pipeScenario, trace, linux).status).toBe('pass');
    } finally {
      await t.dispose();
    }
  });
});

describe('a target that cannot start: exit 2 with the real cause, never "see --help"', () => {
  const ipcspec = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });

  it('a C compiler that fails', () => {
    const r = ipcspec(['run', '--target', 'c', '--runs', '1', '--out', join(scratch, 'cc')], { CC: '/bin/false', IPCSPEC_CACHE_DIR: mkdtempSync(join(scratch, 'cache-')) });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^ipcspec run: --target c: \/bin\/false could not build .*: exit status 1/)]);
    expect(r.stderr).not.toMatch(/--help/);
  });

  it('no C compiler at all', () => {
    const r = ipcspec(['replay', join(ROOT, 'test', 'fixtures', 'unsettled-pipe-size.json'), '--target', 'c'], { CC: join(scratch, 'no-such-cc'), IPCSPEC_CACHE_DIR: mkdtempSync(join(scratch, 'cache-')) });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/needs a C compiler: .*no-such-cc is not installed/);
    expect(r.stderr).not.toMatch(/--help/);
  });

  it('a module that does not build', () => {
    const r = ipcspec(['run', '--target', `module:${join(ROOT, 'test', 'fixtures', 'submissions', 'cannot-start.ts')}`, '--runs', '1', '--out', join(scratch, 'mod')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/could not be built: .*cannot-start\.ts:3:1: /);
    expect(r.stderr).not.toMatch(/--help/);
  });

  it('a misspelt target is still a usage error, with the --help hint', () => {
    const r = ipcspec(['run', '--target', 'hots', '--runs', '1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown target "hots".*see ipcspec run --help/);
  });
});

describe('a failed setup call is the target\'s failure, not the model\'s', () => {
  const traceOf = (first: Outcome): Trace => ({
    target: 't', settled: true, privileged: false,
    events: [{ type: 'call', step: 0, actor: 'main', outcome: first }, { type: 'quiescent' }],
  });
  const cases: Array<[string, Scenario, Outcome]> = [
    ['make-pipe', { steps: [pipeScenario.steps[0]] } as Scenario, { kind: 'err', errno: 'EMFILE' }],
    ['socketpair', { steps: [{ op: 'socketpair', actor: 'main', a: 's0', b: 's1', dgram: false, nonblock: false }] } as Scenario, { kind: 'err', errno: 'ENFILE' }],
    ['socket', { steps: [{ op: 'socket', actor: 'main', as: 's0', family: 'inet6', dgram: true, nonblock: false }] } as Scenario, { kind: 'err', errno: 'EAFNOSUPPORT' }],
  ];
  for (const [op, scenario, outcome] of cases) {
    it(`${op} failing with ${(outcome as { errno: string }).errno}`, () => {
      for (const settled of [true, false]) {
        const v = check(scenario, { ...traceOf(outcome), settled }, linux);
        expect(v.status).toBe('error');
        expect(v.status === 'error' && v.reason).toBe(`the target failed a setup call: ${op} gave -1 ${(outcome as { errno: string }).errno}`);
      }
    });
  }
});
