// The C floor: encode recorded scenarios (their calls, sizes and observed results) as an ops file,
// compile bench/raw-loop.c and raw-socket.c with `cc -O2` into a temp dir, and let it replay them in a timed loop.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { recvFlags } from '../harness/host/exec-stream.ts';
import type { Scenario } from '../spec/scenario.ts';
import type { Outcome, Trace } from '../spec/trace.ts';

const SOURCES = ['./raw-loop.c', './raw-socket.c'].map((f) => fileURLToPath(new URL(f, import.meta.url)));
const FAMILY = { unix: 1, inet: 2, inet6: 10 } as const;
const MSG_TRUNC = 0x20;
const anyFd = (exp: string): string => (Number(exp) >= 0 ? '0' : exp);
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
  const dgram = new Set<string>();
  const tcp: Record<string, boolean> = {};
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
      case 'close': if (tcp[s.fd]) return undefined; lines.push(`C ${h(s.fd)} ${exp}`); break;
      case 'dup': lines.push(`D ${h(s.fd)} ${h(s.as)} ${exp}`); break;
      case 'set-nonblock': lines.push(`N ${h(s.fd)} ${s.on ? 1 : 0} ${exp}`); break;
      case 'get-pipe-size': lines.push(`G ${h(s.fd)} ${exp}`); break;
      case 'set-pipe-size': lines.push(`Z ${h(s.fd)} ${s.size} ${exp}`); break;
      // sockets (bench/raw-socket.c); calls returning a descriptor expect 0 for any descriptor
      case 'socketpair': lines.push(`K ${h(s.a)} ${h(s.b)} ${+s.nonblock} ${+!!s.dgram} ${exp}`); dgram.add(s.a).add(s.b); break;
      case 'socket': lines.push(`O ${h(s.as)} ${FAMILY[s.family]} ${+s.nonblock} ${+!!s.dgram} ${anyFd(exp)}`); if (s.dgram) dgram.add(s.as); else dgram.delete(s.as); tcp[s.as] = s.family !== 'unix' && !s.dgram; break;
      case 'bind': if (!('path' in s.addr) && !('port' in s.addr)) return undefined; lines.push(`B ${h(s.fd)} ${'path' in s.addr ? s.addr.path : '-'} ${exp}`); break;
      case 'listen': lines.push(`L ${h(s.fd)} ${s.backlog} ${exp}`); break;
      case 'connect': if (!('of' in s.to)) return undefined; lines.push(`X ${h(s.fd)} ${h(s.to.of)} ${exp}`); break;
      case 'accept': lines.push(`A ${h(s.fd)} ${h(s.as)} ${anyFd(exp)}`); tcp[s.as] = tcp[s.fd]; break;
      case 'send': {
        if (s.to) return undefined; // sendto: not in the bench's workloads
        // C waits for a loopback send to land only if a later step receives it (on another handle)
        const seen = sc.steps.slice(i + 1).some((t) => t.op === 'recv' && t.fd !== s.fd);
        lines.push(`E ${h(s.fd)} ${s.size} ${+seen} ${exp}`);
        break;
      }
      case 'recv': {
        const flags = recvFlags(s);
        // the host target receives datagrams with MSG_DONTWAIT by recvmsg (to see msg_flags), the rest by recvfrom
        if (!dgram.has(s.fd)) lines.push(`Y ${h(s.fd)} ${s.size} ${flags} ${exp}`);
        else if (s.dontwait) lines.push(`J ${h(s.fd)} ${s.size} ${flags} ${exp} ${o.kind === 'ok' && (o.detail?.msgFlags ?? []).includes('MSG_TRUNC') ? MSG_TRUNC : 0}`);
        else return undefined;
        break;
      }
      case 'sockname': lines.push(`F ${h(s.fd)} ${+s.peer} ${exp}`); break;
      default: return undefined; // shutdown, and close of a TCP socket (the host target waits for the peer to see the FIN), too
    }
  }
  return lines;
}

export const haveCompiler = (): boolean => !spawnSync('cc', ['--version'], { stdio: 'ignore' }).error;

/** A compiled C replay of some cases, run as often as asked; dispose removes its temp dir. */
export interface RawReplayer {
  run(seconds: number): RawResult;
  dispose(): void;
}

/** Encode `cases` and compile raw-loop.c (with raw-socket.c) into a temp dir. */
export function rawReplayer(cases: Array<{ scenario: Scenario; trace: Trace }>): RawReplayer {
  const dir = mkdtempSync(join(tmpdir(), 'ipcspec-bench-'));
  const dispose = () => rmSync(dir, { recursive: true, force: true });
  try {
    const encoded = cases.map((c) => encodeScenario(c.scenario, c.trace));
    const lines = encoded.flatMap((l) => l ?? []);
    if (!lines.length) throw new Error('no scenario could be encoded for the C replay');
    const skipped = encoded.filter((l) => !l).length;
    const opsFile = join(dir, 'ops.txt');
    writeFileSync(opsFile, `${lines.join('\n')}\n`);
    const bin = join(dir, 'raw-loop');
    const cc = spawnSync('cc', ['-O2', '-o', bin, ...SOURCES], { encoding: 'utf8' });
    if (cc.status !== 0) throw new Error(`cc -O2 ${SOURCES.join(' ')} failed: ${cc.stderr || cc.error}`);
    return {
      run(seconds) {
        const run = spawnSync(bin, [opsFile, dir, String(seconds)], { encoding: 'utf8', timeout: (seconds + 60) * 1000 });
        if (run.status !== 0) throw new Error(`raw-loop failed (${run.status ?? run.signal}): ${run.stderr}`);
        return { ...(JSON.parse(run.stdout) as Omit<RawResult, 'skipped'>), skipped };
      },
      dispose,
    };
  } catch (e) {
    dispose();
    throw e;
  }
}

/** Compile and replay `cases` once for `seconds`. */
export function rawReplay(cases: Array<{ scenario: Scenario; trace: Trace }>, seconds: number): RawResult {
  const r = rawReplayer(cases);
  try {
    return r.run(seconds);
  } finally {
    r.dispose();
  }
}
