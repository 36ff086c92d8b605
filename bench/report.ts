// The bench result as text: one column per workload, every figure from the same run.
import type { BenchResult, Cost, WorkloadResult } from './run.ts';

const us = (x: number) => `${x.toFixed(x < 10 ? 2 : x < 100 ? 1 : 0)} µs`;
const num = (x: number) => Math.round(x).toLocaleString('en-US');
const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(0)}%`;

/** Rows of one cell are section headings; the rest line up in columns. */
function table(rows: string[][]): string[] {
  const cells = rows.filter((r) => r.length > 1);
  const widths = cells[0].map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => (r.length === 1 ? r[0] : r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('   ').trimEnd()));
}

/** A remainder computed as a difference: within noise of zero when it comes out negative. */
const rest = (x: number, whole: number) => (x < 0 ? `~0 (${x.toFixed(1)} µs: noise)` : `${us(x)} ${pct(x, whole)}`);

/** One table for the workloads of a group, every figure from the same run. */
function groupTable(ws: WorkloadResult[]): string[] {
  const col = (f: (w: WorkloadResult) => string): string[] => ws.map(f);
  const raw = (f: (x: NonNullable<WorkloadResult['raw']>) => string) => col((w) => (w.raw ? f(w.raw) : 'skipped'));
  const stage = (pick: (w: WorkloadResult) => Cost) => col((w) => `${us(pick(w).cpu)} ${pct(pick(w).cpu, w.endToEnd.cost.cpu)}`);
  const goals = [...new Set(ws.map((w) => w.goal))].join('/');
  const rows: string[][] = [
    ['', ...col((w) => w.label)],
    ['END TO END (runProperty: generate, execute on the host, check, fast-check runner)'],
    ['  scenarios per second', ...col((w) => num(w.endToEnd.perSecond))],
    ['  wall-clock cost per scenario', ...col((w) => us(w.endToEnd.cost.wall))],
    ['  CPU time per scenario (user+sys, all threads)', ...col((w) => us(w.endToEnd.cost.cpu))],
    ['  scenarios run', ...col((w) => `${num(w.endToEnd.runs)} in ${w.endToEnd.seconds.toFixed(1)} s`)],
    ['  steps per scenario', ...col((w) => w.calls.stepsPerScenario.toFixed(2))],
    ['  libc calls the harness makes per scenario', ...col((w) => w.calls.harnessLibcPerScenario.toFixed(2))],
    ['  syscalls per scenario in the C replay', ...raw((x) => x.syscallsPerScenario.toFixed(2))],
    ['WHERE THE TIME GOES (CPU time per scenario and share of end to end; stages timed alone, the first round\'s scenarios)'],
    ['  generate (fast-check arbitrary)', ...stage((w) => w.stages.generate)],
    ['  execute (runScenario on HostTarget)', ...stage((w) => w.stages.execute)],
    ['    of which: session open + teardown (temp dir)', ...stage((w) => w.stages.session)],
    ['    of which: making payload bytes (writeData)', ...stage((w) => w.stages.payload)],
    ['    of which: the syscalls themselves (C replay)', ...col((w) => (w.raw ? `${us(w.raw.cost.cpu)} ${pct(w.raw.cost.cpu, w.endToEnd.cost.cpu)}` : 'n/a'))],
    ['  check (reference model)', ...stage((w) => w.stages.check)],
    ['  fast-check runner, rest (end to end minus the above)', ...col((w) => rest(w.stages.runnerAndRest.cpu, w.endToEnd.cost.cpu))],
    ['RAW C (bench/raw-loop.c + raw-socket.c, cc -O2: the first round\'s scenarios\' calls, same sizes, after each round)'],
    ['  wall-clock cost per scenario', ...raw((x) => us(x.cost.wall))],
    ['  CPU time per scenario', ...raw((x) => us(x.cost.cpu))],
    ['  scenarios replayed', ...raw((x) => `${num(x.scenarios * x.passes)} in ${x.seconds.toFixed(1)} s`)],
    ['  results unlike the recorded traces', ...raw((x) => `${x.mismatches}${x.skipped ? ` (${x.skipped} not replayable)` : ''}`)],
    [`RATIO ipcspec / raw C, wall clock, median of the rounds (goal ≤ ${goals}×)`, ...col((w) => (w.ratio ? `${w.ratio.wall.toFixed(1)}× ${w.goalMet ? 'met' : 'NOT MET'}` : 'n/a'))],
    ['  each round (end to end, then C, moments apart)', ...col((w) => (w.ratioRounds ? w.ratioRounds.map((x) => x.toFixed(1)).join(' ') : 'n/a'))],
    ['  the same in CPU time (median)', ...col((w) => (w.ratio ? `${w.ratio.cpu.toFixed(1)}×` : 'n/a'))],
  ];
  return table(rows);
}

const GROUP_TITLES: Record<WorkloadResult['group'], string> = {
  pipes: 'PIPES: the pipe data property, variant pinned (all calls nonblocking)',
  sockets: [
    'SOCKETS: the stream-data and dgram-data properties, pinned to one family each, every socket O_NONBLOCK and every',
    'recv MSG_DONTWAIT, so no call runs on an actor thread. The C replay makes the same calls with the same sizes and',
    'flags, and waits for loopback TCP/UDP effects on the same conditions as the host target (after a TCP connect: the',
    'listener queued it; after a send: the peer received it) but only where C needs to: before a later step receives',
    '(loopback delivers in softirq, usually but not always before send returns). The host target cannot know the future',
    'and waits after every send (over TCP, before every recv too). C also skips the lookups by syscall it does not need',
    '(family, type, peer, receiver).',
  ].join('\n'),
};

export function formatBench(r: BenchResult): string {
  const ws = r.workloads;
  const out = [
    `ipcspec bench: ${r.host}; profile ${r.profile}; about ${r.seconds} s per figure; load average ${r.load.before.toFixed(2)} at the start, ${r.load.after.toFixed(2)} at the end`,
    `Each workload runs end to end in ${r.rounds} rounds, each followed by a round of the raw C replay; the ratio is the median of the rounds' ratios.`,
  ];
  for (const group of ['pipes', 'sockets'] as const) {
    const g = ws.filter((w) => w.group === group);
    if (!g.length) continue;
    out.push('', GROUP_TITLES[group], ...g.map((w) => `  ${w.label}: "${w.property}"`), '', ...groupTable(g));
  }
  const mc = r.modelChecks;
  out.push('', `model checks alone (check() on ${num(mc.traces)} recorded traces): ${num(mc.perSecond)} per second, ${us(mc.cost.wall)} each (CPU ${us(mc.cost.cpu)})`);
  out.push('harness libc calls per scenario by function:');
  for (const w of ws) out.push(`  ${w.key}: ${Object.entries(w.calls.harnessLibcByCall).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
  if (Math.max(r.load.before, r.load.after) > 0.5 * r.load.cpus) {
    out.push(`note: the load average was ${r.load.before.toFixed(2)} to ${r.load.after.toFixed(2)} on ${r.load.cpus} CPUs: other processes compete for the CPU, so wall-clock figures are inflated (CPU-time figures less) and ratios vary from round to round.`);
  }
  for (const w of ws) {
    if (w.endToEnd.failure) out.push(`warning: ${w.key}: the run found a deviation, figures cover the runs before it: ${w.endToEnd.failure}`);
    if (w.stages.notPassing) out.push(`warning: ${w.key}: ${w.stages.notPassing} re-executed scenarios did not pass the model`);
    if (w.raw?.mismatches) out.push(`warning: ${w.key}: the C replay saw ${w.raw.mismatches} results unlike the recorded trace (first: ${w.raw.firstMismatch})`);
  }
  if (r.cSkipped) out.push('', r.cSkipped);
  else {
    out.push('');
    for (const w of ws) {
      out.push(`${w.goalMet ? 'goal met' : 'goal NOT met'}: ${w.key} costs ${w.ratio!.wall.toFixed(1)}× the raw C per scenario (goal ≤ ${w.goal}×)`);
    }
  }
  return out.join('\n');
}
