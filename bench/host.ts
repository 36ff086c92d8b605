// The ipcspec side of the bench: end to end through the real property runner, then the same
// scenarios again with each stage timed on its own (generation, execution, checking).
import fc from 'fast-check';
import { runScenario } from '../engine/run-scenario.ts';
import { sys } from '../harness/host/libc.mjs';
import { net } from '../harness/host/libc-net.mjs';
import type { Target } from '../spec/target.ts';
import { check } from '../reference-model/check.ts';
import { writeData } from '../spec/payload.ts';
import type { Profile } from '../spec/profile.ts';
import type { Scenario } from '../spec/scenario.ts';
import type { Trace } from '../spec/trace.ts';
import { runProperty } from '../engine/run-property.ts';
import { recording, type Workload } from './workload.ts';

/** Scenarios per runProperty call: small, so a slow workload (TCP) still fits a short round. */
const BATCH = 50;
const now = () => performance.now();

/** Elapsed wall-clock and CPU time (user + system, every thread of this process), in ms. */
export interface Took { wallMs: number; cpuMs: number }

export function stopwatch(): () => Took {
  const w0 = now();
  const c0 = process.cpuUsage();
  return () => {
    const c = process.cpuUsage(c0);
    return { wallMs: now() - w0, cpuMs: (c.user + c.system) / 1000 };
  };
}

export interface EndToEnd {
  runs: number;
  took: Took;
  /** Every scenario the runs generated, in order. */
  scenarios: Scenario[];
  failure?: string;
}

/** runProperty in batches (fresh seeds) until `seconds` have passed: what a suite run costs per scenario. */
export async function endToEnd(w: Workload, target: Target, profile: Profile, seconds: number, firstSeed = 1000): Promise<EndToEnd> {
  const scenarios: Scenario[] = [];
  const prop = { ...w.property, scenario: (p: Profile) => recording(w.property.scenario(p), scenarios) };
  let runs = 0;
  const t0 = now();
  const elapsed = stopwatch();
  for (let batch = 0; now() - t0 < seconds * 1000; batch++) {
    const out = await runProperty(prop, target, profile, { runs: BATCH, seed: firstSeed + batch });
    runs += out.runs;
    if (out.failure) {
      const v = out.failure.verdict;
      return { runs, took: elapsed(), scenarios, failure: v.status === 'fail' ? `${v.violation.clause}: ${v.violation.observed} (allowed ${v.violation.allowed})` : v.reason };
    }
  }
  return { runs, took: elapsed(), scenarios: scenarios.slice(0, runs) };
}

export type Stage = 'generate' | 'execute' | 'check' | 'session' | 'payload';

export interface Breakdown {
  n: number;
  /** session and payload are parts of execute, measured separately. */
  stages: Record<Stage, Took>;
  traces: Trace[];
  notPassing: number;
}

/** The same scenarios, stage by stage. Generation is timed on as many fresh samples from the same arbitrary. */
export async function breakdown(w: Workload, scenarios: Scenario[], target: Target, profile: Profile): Promise<Breakdown> {
  const n = scenarios.length;
  const arb = w.property.scenario(profile);
  let sw = stopwatch();
  fc.sample(arb, { numRuns: n, seed: 7 });
  const generate = sw();

  const traces: Trace[] = new Array(n);
  sw = stopwatch();
  for (let i = 0; i < n; i++) traces[i] = await runScenario(target, scenarios[i]);
  const execute = sw();

  let notPassing = 0;
  sw = stopwatch();
  for (let i = 0; i < n; i++) if (check(scenarios[i], traces[i], profile).status !== 'pass') notPassing++;
  const checked = sw();

  // Inside execution: opening and tearing down a session (and its temp dir, which socket steps
  // always use: it is taken from the emptied ones and emptied again), and making payload bytes.
  sw = stopwatch();
  for (let i = 0; i < n; i++) {
    const session = await target.open();
    if (w.group === 'sockets' && 'dir' in session) void session.dir;
    await session.teardown();
  }
  const session = sw();
  sw = stopwatch();
  for (const sc of scenarios) sc.steps.forEach((s, i) => { if (s.op === 'write' || s.op === 'writev') writeData(i, s); });
  const payload = sw();
  return { n, stages: { generate, execute, check: checked, session, payload }, traces, notPassing };
}

/** check() alone on recorded traces, looping for `seconds`. */
export function modelChecks(cases: Array<{ scenario: Scenario; trace: Trace }>, profile: Profile, seconds: number): { checks: number; took: Took } {
  let checks = 0;
  const t0 = now();
  const elapsed = stopwatch();
  while (now() - t0 < seconds * 1000) {
    for (const c of cases) check(c.scenario, c.trace, profile);
    checks += cases.length;
  }
  return { checks, took: elapsed() };
}

/**
 * libc calls the harness makes per scenario, counted by wrapping the koffi bindings (libc.mjs sys,
 * libc-net.mjs net) for one pass; each is one syscall, except net.send/recv/connect/accept retried
 * on EINTR. (node:fs calls for the session's temp dir, readdir and unlink, are not counted here.)
 */
export async function harnessCalls(scenarios: Scenario[], target: Target): Promise<{ perScenario: number; byCall: Record<string, number> }> {
  const byCall: Record<string, number> = {};
  const tables = [sys, net] as unknown as Array<Record<string, (...a: unknown[]) => unknown>>;
  const saved = tables.map((t) => ({ ...t }));
  tables.forEach((table, k) => {
    for (const [name, f] of Object.entries(saved[k])) {
      table[name] = (...a: unknown[]) => { byCall[name] = (byCall[name] ?? 0) + 1; return f(...a); };
    }
  });
  try {
    for (const sc of scenarios) await runScenario(target, sc);
  } finally {
    tables.forEach((table, k) => Object.assign(table, saved[k]));
  }
  const total = Object.values(byCall).reduce((a, b) => a + b, 0);
  return { perScenario: total / Math.max(1, scenarios.length), byCall };
}
