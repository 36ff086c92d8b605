// `ipcspec bench --only targets`: what a process target costs. The same pinned workloads run on
// the in-process host and on each process target (the host as a driver process, the C driver,
// the runtime driver under node, bun, deno); the difference to the in-process host, per step, is
// the protocol's overhead (plus, for runtimes, the runtime's own cost and its settle window).
import { loadavg } from 'node:os';
import { makeTarget } from '../engine/targets.ts';
import type { Target } from '../spec/target.ts';
import type { Profile } from '../spec/profile.ts';
import type { Scenario } from '../spec/scenario.ts';
import { runProperty } from '../engine/run-property.ts';
import { stopwatch } from './host.ts';
import { PROPERTIES } from '../suites/properties/index.ts';
import { recording, workloads, type Workload } from './workload.ts';

/** The targets measured by default; `host` is the in-process baseline. */
export const BENCH_TARGETS = ['host', 'host-process', 'c', 'node', 'bun', 'deno'] as const;
/** Pipes need pipe(2), which a runtime lacks: the FIFO and socket workloads are what every target can run. */
const KEYS = ['pipe', 'fifo', 'unix-stream', 'tcp', 'udp'];
const BATCH = 25;

export interface TargetFigure {
  target: string;
  description: string;
  workload: string;
  /** Scenarios the target ran (unsupported ones excluded) and the wall time they took. */
  runs: number;
  seconds: number;
  perSecond: number;
  /** Wall µs per scenario and per step. */
  usPerScenario: number;
  usPerStep: number;
  /** usPerStep minus the in-process host's on the same workload. */
  overheadUsPerStep?: number;
  unsupported?: string;
  failure?: string;
  startError?: string;
}

export interface TargetsBench {
  load: { before: number; after: number };
  seconds: number;
  figures: TargetFigure[];
}

export async function runTargetsBench(seconds: number, profile: Profile, names: readonly string[], log: (m: string) => void): Promise<TargetsBench> {
  const before = loadavg()[0];
  // Plus the stream-data property as the suites generate it (blocking sockets, every family): the
  // pinned socket workloads are nonblocking, which a runtime's net API cannot express.
  const stream = PROPERTIES.find((p) => p.area === 'stream-data')!;
  const ws: Workload[] = [...workloads().filter((w) => KEYS.includes(w.key)), { key: 'stream-any', label: 'stream-data as generated', group: 'sockets', goal: 0, property: stream }];
  const figures: TargetFigure[] = [];
  for (const name of names) {
    let target: Target;
    try {
      target = await makeTarget(name, profile);
    } catch (e) {
      figures.push(...ws.map((w) => blank(name, w, { startError: (e as Error).message })));
      continue;
    }
    try {
      for (const w of ws) {
        log(`${name}: ${w.key} (${seconds} s)`);
        figures.push(await measure(target, name, w, profile, seconds));
      }
    } finally {
      await target.dispose();
    }
  }
  for (const f of figures) {
    const base = figures.find((g) => g.target === 'host' && g.workload === f.workload);
    if (base?.runs && f.runs && f.target !== 'host') f.overheadUsPerStep = f.usPerStep - base.usPerStep;
  }
  return { load: { before, after: loadavg()[0] }, seconds, figures };
}

const blank = (target: string, w: Workload, extra: Partial<TargetFigure>): TargetFigure =>
  ({ target, description: '', workload: w.key, runs: 0, seconds: 0, perSecond: 0, usPerScenario: 0, usPerStep: 0, ...extra });

/** runProperty in batches until `seconds` have passed; a workload the target cannot express stops at the first batch. */
async function measure(target: Target, name: string, w: Workload, profile: Profile, seconds: number): Promise<TargetFigure> {
  await runProperty(w.property, target, profile, { runs: 20, seed: 1 }); // warm-up: JIT, driver start
  const scenarios: Scenario[] = [];
  const prop = { ...w.property, scenario: (p: Profile) => recording(w.property.scenario(p), scenarios) };
  let runs = 0;
  let supported = 0;
  let steps = 0;
  let failure: string | undefined;
  let unsupported: string | undefined;
  const elapsed = stopwatch();
  for (let batch = 0; elapsed().wallMs < seconds * 1000; batch++) {
    const from = scenarios.length;
    const out = await runProperty(prop, target, profile, { runs: BATCH, seed: 2000 + batch });
    runs += out.runs;
    supported += out.runs - out.unsupported;
    steps += scenarios.slice(from, from + out.runs).reduce((a, s) => a + s.steps.length, 0);
    if (out.unsupported === out.runs) { unsupported = out.unsupportedReason; break; }
    if (out.failure) {
      const v = out.failure.verdict;
      failure = v.status === 'fail' ? `${v.violation.clause}: ${v.violation.observed}` : v.reason;
      break;
    }
  }
  const wallMs = elapsed().wallMs;
  const fig = blank(name, w, { description: target.info.description });
  if (unsupported && !supported) return { ...fig, unsupported };
  return {
    ...fig,
    runs: supported,
    seconds: wallMs / 1000,
    perSecond: (runs / wallMs) * 1000,
    usPerScenario: (wallMs * 1000) / runs,
    usPerStep: (wallMs * 1000) / Math.max(1, steps),
    ...(failure ? { failure } : {}),
    ...(unsupported ? { unsupported: `partly: ${unsupported}` } : {}),
  };
}

export function formatTargetsBench(r: TargetsBench): string {
  const us = (x: number) => `${x.toFixed(x < 100 ? 1 : 0)} µs`;
  const rows = [['target', 'workload', 'scen/s', 'µs/scenario', 'µs/step', 'overhead/step vs host', 'note']];
  for (const f of r.figures) {
    const note = f.startError ? `did not start: ${f.startError}` : f.runs === 0 ? `unsupported: ${f.unsupported ?? ''}` : [f.failure && `stopped at a deviation: ${f.failure}`, f.unsupported].filter(Boolean).join('; ');
    rows.push([f.target, f.workload, f.runs ? Math.round(f.perSecond).toString() : '-', f.runs ? us(f.usPerScenario) : '-', f.runs ? us(f.usPerStep) : '-', f.overheadUsPerStep !== undefined ? us(f.overheadUsPerStep) : '-', note.slice(0, 100)]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const lines = rows.map((row) => row.map((cell, c) => (c < 2 || c === 6 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd());
  const described = [...new Map(r.figures.filter((f) => f.description).map((f) => [f.target, f.description])).entries()].map(([, d]) => `  ${d}`);
  return [
    `TARGETS: the pinned workloads on every target, about ${r.seconds} s each; load average ${r.load.before.toFixed(2)} at the start, ${r.load.after.toFixed(2)} at the end.`,
    'overhead/step = µs per step on the target minus on the in-process host: for host-process it is the protocol (one JSON line',
    'each way per step, plus settle); for runtimes it also holds the runtime\'s own cost and its settle window.',
    ...described,
    '',
    ...lines,
  ].join('\n');
}
