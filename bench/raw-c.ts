// The C floor: encode recorded scenarios (their calls, sizes and observed results) as an ops file,
// compile bench/raw-loop.c with `cc -O2` into a temp dir, and let it replay them in a timed loop.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Scenario } from '../spec/scenario.ts';
import type { Outcome, Trace } from '../spec/trace.ts';

const SOURCE = fileURLToPath(new URL('./raw-loop.c', import.meta.url));
const REVENTS: Record<string, number> = { POLLIN: 0x1, POLLOUT: 0x4, POLLERR: 0x8, POLLHUP: 0x10, POLLNVAL: 0x20 };

export interface RawResult {
  scenarios: number;
  ops: number;
  passes: number;
  seconds: number;
  nsPerScenario: number;
  /** CLOCK_PROCESS_CPUTIME_ID: less sensitive to other processes competing for the CPU. */
  cpuNsPerScenario: number;
  syscallsPerScenario: number;
  mismatches: number;
  firstMismatch: string;
  /** Scenarios left out because C cannot replay them (blocked calls, children, ...). */
  skipped: number;
}

function expectOf(o: Outcome): string {
  if (o.kind === 'ok') return String(o.value);
  if (o.kind === 'err') {
    const n = (constants.errno as Record<string, number>)[o.errno];
    if (n === undefined) throw new Error(`unknown errno ${o.errno}`);
    return String(-n);
  }
  throw new Error(`outcome ${o.kind} cannot be replayed`);
}

/** One scenario as ops-file lines, or undefined if it has a call C does not replay. */
export function encodeScenario(sc: Scenario, trace: Trace): string[] | undefined {
  const outcome = new Map<number, Outcome>();
  for (const e of trace.events) if (e.type === 'call') outcome.set(e.step, e.outcome);
  const handles = new Map<string, number>();
  const h = (name: string) => { if (!handles.has(name)) handles.set(name, handles.size); return handles.get(name)!; };
  const lines = ['S'];
  for (let i = 0; i < sc.steps.length; i++) {
    const s = sc.steps[i];
    const o = outcome.get(i);
    if (!o || o.kind === 'pending') return undefined;
    const exp = expectOf(o);
    switch (s.op) {
      case 'make-pipe': lines.push(`M ${h(s.read)} ${h(s.write)} ${s.variant.startsWith('fifo') ? 1 : 0} ${s.variant.endsWith('nonblock') ? 1 : 0} ${exp}`); break;
      case 'write': lines.push(`W ${h(s.fd)} ${s.size} ${exp}`); break;
      case 'read': lines.push(`R ${h(s.fd)} ${s.size} ${exp}`); break;
      case 'writev': lines.push(`V ${h(s.fd)} ${s.sizes.length} ${s.sizes.join(' ')} ${exp}`); break;
      case 'readv': lines.push(`Q ${h(s.fd)} ${s.sizes.length} ${s.sizes.join(' ')} ${exp}`); break;
      case 'poll': {
        const bits = (o.kind === 'ok' ? o.detail?.revents ?? [] : []).reduce((a, n) => a | (REVENTS[n] ?? 0), 0);
        lines.push(`P ${h(s.fd)} ${exp} ${bits}`);
        break;
      }
      case 'close': lines.push(`C ${h(s.fd)} ${exp}`); break;
      case 'dup': lines.push(`D ${h(s.fd)} ${h(s.as)} ${exp}`); break;
      case 'set-nonblock': lines.push(`N ${h(s.fd)} ${s.on ? 1 : 0} ${exp}`); break;
      case 'get-pipe-size': lines.push(`G ${h(s.fd)} ${exp}`); break;
      case 'set-pipe-size': lines.push(`Z ${h(s.fd)} ${s.size} ${exp}`); break;
      default: return undefined;
    }
  }
  return lines;
}

export const haveCompiler = (): boolean => !spawnSync('cc', ['--version'], { stdio: 'ignore' }).error;

/** Compile raw-loop.c and replay `cases` for `seconds`; everything lives in a temp dir removed afterwards. */
export function rawReplay(cases: Array<{ scenario: Scenario; trace: Trace }>, seconds: number): RawResult {
  const dir = mkdtempSync(join(tmpdir(), 'ipcspec-bench-'));
  try {
    const encoded = cases.map((c) => encodeScenario(c.scenario, c.trace));
    const lines = encoded.flatMap((l) => l ?? []);
    if (!lines.length) throw new Error('no scenario could be encoded for the C replay');
    const opsFile = join(dir, 'ops.txt');
    writeFileSync(opsFile, `${lines.join('\n')}\n`);
    const bin = join(dir, 'raw-loop');
    const cc = spawnSync('cc', ['-O2', '-o', bin, SOURCE], { encoding: 'utf8' });
    if (cc.status !== 0) throw new Error(`cc -O2 ${SOURCE} failed: ${cc.stderr || cc.error}`);
    const run = spawnSync(bin, [opsFile, dir, String(seconds)], { encoding: 'utf8', timeout: (seconds + 60) * 1000 });
    if (run.status !== 0) throw new Error(`raw-loop failed (${run.status ?? run.signal}): ${run.stderr}`);
    return { ...(JSON.parse(run.stdout) as Omit<RawResult, 'skipped'>), skipped: encoded.filter((l) => !l).length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
