// `ipcspec bench`: every figure measured in one run, on one HostTarget.
import { availableParallelism, loadavg, release } from 'node:os';
import { HostTarget } from '../harness/host/target.ts';
import type { Profile } from '../spec/profile.ts';
import { hostProfileName, loadProfile } from '../spec/profile.ts';
import type { Scenario } from '../spec/scenario.ts';
import type { Trace } from '../spec/trace.ts';
import { runProperty } from '../suites/run-property.ts';
import { breakdown, endToEnd, harnessCalls, modelChecks, type Took } from './host.ts';
import { haveCompiler, rawReplay, type RawResult } from './raw-c.ts';
import { workloads, type Workload } from './workload.ts';

/** ipcspec's end-to-end cost per scenario may be at most this many times the raw C cost. */
export const GOAL_RATIO = 10;
const CALL_SAMPLE = 500;

type Case = { scenario: Scenario; trace: Trace };

/** µs per scenario: wall clock, and CPU time (user + system, all threads), which other processes on the machine disturb less. */
export interface Cost { wall: number; cpu: number }

export interface WorkloadResult {
  key: string;
  label: string;
  endToEnd: { runs: number; seconds: number; perSecond: number; cost: Cost; failure?: string };
  /** Each stage timed on its own over the same scenarios; session and payload are parts of execute. */
  stages: { scenarios: number; generate: Cost; execute: Cost; session: Cost; payload: Cost; check: Cost; runnerAndRest: Cost; notPassing: number };
  calls: { stepsPerScenario: number; harnessLibcPerScenario: number; harnessLibcByCall: Record<string, number> };
  raw?: RawResult & { cost: Cost };
  /** endToEnd.cost / raw.cost; the goal is judged on wall clock. */
  ratio?: Cost;
  goalMet?: boolean;
}

export interface BenchResult {
  host: string;
  /** 1-minute load average before the bench started, and the CPUs it shares. */
  load: { before: number; cpus: number };
  profile: string;
  seconds: number;
  property: string;
  workloads: WorkloadResult[];
  modelChecks: { traces: number; checks: number; perSecond: number; cost: Cost };
  goal: { ratio: number; met: boolean | null };
  /** Why the C part was skipped, if it was. */
  cSkipped?: string;
}

export async function runBench(seconds: number, log: (msg: string) => void): Promise<BenchResult> {
  const profile = loadProfile(hostProfileName());
  const target = new HostTarget();
  const cOk = haveCompiler();
  const load = { before: loadavg()[0], cpus: availableParallelism() };
  try {
    const ws = workloads();
    log('warming up');
    for (const w of ws) await runProperty(w.property, target, profile, { runs: 150, seed: 1 });
    const results: WorkloadResult[] = [];
    const pool: Case[] = [];
    for (const w of ws) results.push(await measureWorkload(w, target, profile, seconds, cOk, pool, log));
    log(`model checks alone on ${pool.length} recorded traces (${seconds} s)`);
    const mc = modelChecks(pool, profile, seconds);
    const ratios = results.map((r) => r.goalMet);
    return {
      host: `Linux ${release()} ${process.arch}, ${availableParallelism()} CPUs, node ${process.version}`,
      load,
      profile: profile.name,
      seconds,
      property: ws[0].property.name.replace(/ \[.*\]$/, ''),
      workloads: results,
      modelChecks: { traces: pool.length, checks: mc.checks, perSecond: (mc.checks / mc.took.wallMs) * 1000, cost: per(mc.took, mc.checks) },
      goal: { ratio: GOAL_RATIO, met: ratios.some((m) => m === undefined) ? null : ratios.every(Boolean) },
      ...(cOk ? {} : { cSkipped: 'no C compiler: `cc` was not found on PATH, so the raw C replay (and the ratio) is skipped' }),
    };
  } finally {
    await target.dispose();
  }
}

async function measureWorkload(
  w: Workload, target: HostTarget, profile: Profile, seconds: number, cOk: boolean, pool: Case[], log: (msg: string) => void,
): Promise<WorkloadResult> {
  log(`${w.key}: end to end through runProperty (${seconds} s)`);
  const e2e = await endToEnd(w, target, profile, seconds);
  const e2eCost = per(e2e.took, e2e.runs);
  log(`${w.key}: the same ${e2e.scenarios.length} scenarios stage by stage`);
  const b = await breakdown(w, e2e.scenarios, target, profile);
  const sample = e2e.scenarios.slice(0, CALL_SAMPLE);
  const calls = await harnessCalls(sample, target);
  const cases: Case[] = e2e.scenarios.map((scenario, i) => ({ scenario, trace: b.traces[i] }));
  pool.push(...cases);
  let raw: WorkloadResult['raw'];
  if (cOk) {
    const cSeconds = Math.max(1, seconds / 2);
    log(`${w.key}: raw C replay of the same scenarios (${cSeconds} s)`);
    const r = rawReplay(cases, cSeconds);
    raw = { ...r, cost: { wall: r.nsPerScenario / 1000, cpu: r.cpuNsPerScenario / 1000 } };
  }
  const st = b.stages;
  const [generate, execute, check, session, payload] = [st.generate, st.execute, st.check, st.session, st.payload].map((t) => per(t, b.n));
  const runnerAndRest = { wall: e2eCost.wall - generate.wall - execute.wall - check.wall, cpu: e2eCost.cpu - generate.cpu - execute.cpu - check.cpu };
  const stages = { scenarios: b.n, generate, execute, session, payload, check, runnerAndRest, notPassing: b.notPassing };
  const ratio = raw ? { wall: e2eCost.wall / raw.cost.wall, cpu: e2eCost.cpu / raw.cost.cpu } : undefined;
  return {
    key: w.key,
    label: w.label,
    endToEnd: { runs: e2e.runs, seconds: e2e.took.wallMs / 1000, perSecond: (e2e.runs / e2e.took.wallMs) * 1000, cost: e2eCost, ...(e2e.failure ? { failure: e2e.failure } : {}) },
    stages,
    calls: {
      stepsPerScenario: e2e.scenarios.reduce((a, s) => a + s.steps.length, 0) / Math.max(1, e2e.scenarios.length),
      harnessLibcPerScenario: calls.perScenario,
      harnessLibcByCall: Object.fromEntries(Object.entries(calls.byCall).map(([k, v]) => [k, v / Math.max(1, sample.length)])),
    },
    ...(raw && ratio ? { raw, ratio, goalMet: ratio.wall <= GOAL_RATIO } : {}),
  };
}

/** A measured interval spread over `n` scenarios, in µs each. */
function per(t: Took, n: number): Cost {
  const k = 1000 / Math.max(1, n);
  return { wall: t.wallMs * k, cpu: t.cpuMs * k };
}
