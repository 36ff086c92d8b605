// `ipcspec bench`: every figure measured in one run, on one HostTarget.
import { availableParallelism, loadavg, release } from 'node:os';
import { HostTarget } from '../harness/host/target.ts';
import type { Profile } from '../spec/profile.ts';
import { hostProfileName, loadProfile } from '../spec/profile.ts';
import type { Scenario } from '../spec/scenario.ts';
import type { Trace } from '../spec/trace.ts';
import { runProperty } from '../engine/run-property.ts';
import { breakdown, endToEnd, harnessCalls, modelChecks, type Took } from './host.ts';
import { haveCompiler, rawReplayer, type RawResult } from './raw-c.ts';
import { PIPE_GOAL_RATIO, SOCKET_GOAL_RATIO, workloads, type Workload } from './workload.ts';

export { PIPE_GOAL_RATIO, SOCKET_GOAL_RATIO };
const CALL_SAMPLE = 500;

type Case = { scenario: Scenario; trace: Trace };

/** µs per scenario: wall clock, and CPU time (user + system, all threads), which other processes on the machine disturb less. */
export interface Cost { wall: number; cpu: number }

export interface WorkloadResult {
  key: string;
  label: string;
  group: Workload['group'];
  /** The suite property it runs, with its pinned variant. */
  property: string;
  /** ipcspec / raw C, wall clock, at most this. */
  goal: number;
  endToEnd: { runs: number; seconds: number; perSecond: number; cost: Cost; failure?: string };
  /** Each stage timed on its own over the same scenarios; session and payload are parts of execute. */
  stages: { scenarios: number; generate: Cost; execute: Cost; session: Cost; payload: Cost; check: Cost; runnerAndRest: Cost; notPassing: number };
  calls: { stepsPerScenario: number; harnessLibcPerScenario: number; harnessLibcByCall: Record<string, number> };
  raw?: RawResult & { cost: Cost };
  /** ipcspec / raw C per scenario: the median over rounds measured in turn; the goal is judged on wall clock. */
  ratio?: Cost;
  /** Each round's wall-clock ratio. */
  ratioRounds?: number[];
  goalMet?: boolean;
}

export interface BenchResult {
  host: string;
  /** 1-minute load average before the bench started and when it ended, and the CPUs it shares. */
  load: { before: number; after: number; cpus: number };
  /** Rounds of end to end and raw C per workload. */
  rounds: number;
  profile: string;
  seconds: number;
  workloads: WorkloadResult[];
  modelChecks: { traces: number; checks: number; perSecond: number; cost: Cost };
  /** Every workload within its goal (null: the C part was skipped). */
  goal: { met: boolean | null };
  /** Why the C part was skipped, if it was. */
  cSkipped?: string;
}

export async function runBench(seconds: number, log: (msg: string) => void, only?: Workload['group']): Promise<BenchResult> {
  const profile = loadProfile(hostProfileName());
  const target = new HostTarget();
  const cOk = haveCompiler();
  const before = loadavg()[0];
  try {
    const ws = workloads(only);
    const results: WorkloadResult[] = [];
    const pool: Case[] = [];
    for (const w of ws) results.push(await measureWorkload(w, target, profile, seconds, cOk, pool, log));
    log(`model checks alone on ${pool.length} recorded traces (${seconds} s)`);
    const mc = modelChecks(pool, profile, seconds);
    const ratios = results.map((r) => r.goalMet);
    return {
      host: `Linux ${release()} ${process.arch}, ${availableParallelism()} CPUs, node ${process.version}`,
      load: { before, after: loadavg()[0], cpus: availableParallelism() },
      rounds: ROUNDS,
      profile: profile.name,
      seconds,
      workloads: results,
      modelChecks: { traces: pool.length, checks: mc.checks, perSecond: (mc.checks / mc.took.wallMs) * 1000, cost: per(mc.took, mc.checks) },
      goal: { met: ratios.some((m) => m === undefined) ? null : ratios.every(Boolean) },
      ...(cOk ? {} : { cSkipped: 'no C compiler: `cc` was not found on PATH, so the raw C replay (and the ratio) is skipped' }),
    };
  } finally {
    await target.dispose();
  }
}

/**
 * End to end in ROUNDS rounds, each followed by a C round on the first round's scenarios, so that
 * each ratio compares two measurements made moments apart: other processes on the machine change
 * the load from second to second. The ratio reported is the median of the rounds'.
 */
const ROUNDS = 5;
/** Runs just before a workload is measured, so that the JIT has compiled its paths. */
const WARM_UP_RUNS = 400;

async function measureWorkload(
  w: Workload, target: HostTarget, profile: Profile, seconds: number, cOk: boolean, pool: Case[], log: (msg: string) => void,
): Promise<WorkloadResult> {
  const round = seconds / ROUNDS;
  log(`${w.key}: warming up`);
  await runProperty(w.property, target, profile, { runs: WARM_UP_RUNS, seed: 1 });
  log(`${w.key}: end to end through runProperty (${ROUNDS} rounds of ${round.toFixed(1)} s)${cOk ? ', each followed by the raw C replay' : ''}`);
  let e2e = await endToEnd(w, target, profile, round, 1000);
  const scenarios = e2e.scenarios;
  log(`${w.key}: the first round's ${scenarios.length} scenarios stage by stage`);
  const b = await breakdown(w, scenarios, target, profile);
  const sample = scenarios.slice(0, CALL_SAMPLE);
  const calls = await harnessCalls(sample, target);
  const cases: Case[] = scenarios.map((scenario, i) => ({ scenario, trace: b.traces[i] }));
  pool.push(...cases);
  const replayer = cOk ? rawReplayer(cases) : undefined;
  const rounds: Array<{ e2e: Cost; raw?: RawResult }> = [];
  const runs = { n: 0, wallMs: 0, cpuMs: 0 };
  let failure: string | undefined;
  try {
    for (let r = 0; ; r++) {
      runs.n += e2e.runs;
      runs.wallMs += e2e.took.wallMs;
      runs.cpuMs += e2e.took.cpuMs;
      failure ??= e2e.failure;
      rounds.push({ e2e: per(e2e.took, e2e.runs), raw: replayer?.run(Math.max(0.2, round / 2)) });
      if (r + 1 === ROUNDS || failure) break;
      e2e = await endToEnd(w, target, profile, round, 1000 + 100_000 * (r + 1));
    }
  } finally {
    replayer?.dispose();
  }
  const e2eCost = per({ wallMs: runs.wallMs, cpuMs: runs.cpuMs }, runs.n);
  let raw: WorkloadResult['raw'];
  let ratio: Cost | undefined;
  const raws = rounds.map((x) => x.raw).filter((x): x is RawResult => !!x);
  if (raws.length) {
    const replayed = raws.reduce((a, x) => a + x.scenarios * x.passes, 0);
    const mean = (f: (x: RawResult) => number) => raws.reduce((a, x) => a + f(x) * x.scenarios * x.passes, 0) / replayed;
    const first = raws[0];
    const worst = raws.reduce((a, x) => (x.mismatches > a.mismatches ? x : a), first);
    raw = {
      ...first,
      mismatches: worst.mismatches,
      firstMismatch: worst.firstMismatch,
      passes: raws.reduce((a, x) => a + x.passes, 0),
      seconds: raws.reduce((a, x) => a + x.seconds, 0),
      nsPerScenario: mean((x) => x.nsPerScenario),
      cpuNsPerScenario: mean((x) => x.cpuNsPerScenario),
      cost: { wall: mean((x) => x.nsPerScenario) / 1000, cpu: mean((x) => x.cpuNsPerScenario) / 1000 },
    };
    const paired = rounds.filter((x) => x.raw).map((x) => ({ wall: x.e2e.wall / (x.raw!.nsPerScenario / 1000), cpu: x.e2e.cpu / (x.raw!.cpuNsPerScenario / 1000) }));
    ratio = { wall: median(paired.map((x) => x.wall)), cpu: median(paired.map((x) => x.cpu)) };
  }
  const st = b.stages;
  const [generate, execute, check, session, payload] = [st.generate, st.execute, st.check, st.session, st.payload].map((t) => per(t, b.n));
  const runnerAndRest = { wall: e2eCost.wall - generate.wall - execute.wall - check.wall, cpu: e2eCost.cpu - generate.cpu - execute.cpu - check.cpu };
  const stages = { scenarios: b.n, generate, execute, session, payload, check, runnerAndRest, notPassing: b.notPassing };
  return {
    key: w.key,
    label: w.label,
    group: w.group,
    property: w.property.name,
    goal: w.goal,
    endToEnd: { runs: runs.n, seconds: runs.wallMs / 1000, perSecond: (runs.n / runs.wallMs) * 1000, cost: e2eCost, ...(failure ? { failure } : {}) },
    stages,
    calls: {
      stepsPerScenario: scenarios.reduce((a, s) => a + s.steps.length, 0) / Math.max(1, scenarios.length),
      harnessLibcPerScenario: calls.perScenario,
      harnessLibcByCall: Object.fromEntries(Object.entries(calls.byCall).map(([k, v]) => [k, v / Math.max(1, sample.length)])),
    },
    ...(raw && ratio ? { raw, ratio, ratioRounds: rounds.map((x) => (x.raw ? x.e2e.wall / (x.raw.nsPerScenario / 1000) : NaN)), goalMet: ratio.wall <= w.goal } : {}),
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** A measured interval spread over `n` scenarios, in µs each. */
function per(t: Took, n: number): Cost {
  const k = 1000 / Math.max(1, n);
  return { wall: t.wallMs * k, cpu: t.cpuMs * k };
}
