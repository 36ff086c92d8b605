// The host target behind the driver protocol (spec/driver-protocol.md): requests on stdin, one at a
// time and in order; replies through `out` (the real stdout, which nothing else may write to).
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import type { Step } from '../../spec/scenario.ts';
import { PROTOCOL_VERSION, type DriverMessage } from '../driver-messages.ts';
import { ALL_FEATURES, ALL_OPS } from '../exec-capabilities.ts';
import { toJsonLine } from '../exec-command.ts';
import type { Session, Target } from '../target.ts';
import { canSeeSyscalls } from '../host/proc.ts';
import { hasSyscallTable } from '../host/syscalls.ts';
import { whyNoTestHosts } from '../host/test-hosts.ts';

type Request =
  | { type: 'hello'; protocol: number }
  | { type: 'begin'; scenario: number }
  | { type: 'step'; step: number; call: Step; data?: { $base64: string } }
  | { type: 'settle' }
  | { type: 'end' }
  | { type: 'shutdown' };

export const DRIVER_NAME = 'ipcspec host-driver.ts 0.1';

/** The host target this process can be: proven settling where /proc shows syscalls, else the unproven one. */
async function hostTarget(): Promise<Target> {
  // IPCSPEC_HOST_UNPROVEN=1: behave as where /proc shows no syscalls (gVisor), to test that mode anywhere.
  const forced = process.env.IPCSPEC_HOST_UNPROVEN === '1';
  if (!forced && process.platform === 'linux' && canSeeSyscalls() && hasSyscallTable()) {
    const { HostTarget } = await import('../host/target.ts');
    return new HostTarget();
  }
  const { UnprovenHostTarget } = await import('./host-unproven.ts');
  return new UnprovenHostTarget(forced ? 'IPCSPEC_HOST_UNPROVEN=1' : process.platform !== 'linux' ? `not Linux (${process.platform})` : !hasSyscallTable() ? `no syscall table for ${process.arch}` : 'no /proc/self/task/TID/syscall');
}

/** Whether a TCP socket can listen on the family's loopback address here (a sandbox may have none). */
function canListen(host: string): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer();
    s.once('error', () => res(false));
    s.listen(0, host, () => s.close(() => res(true)));
  });
}

/**
 * What the host's loopback waits (harness/host/exec-*.ts, tcp-quiet.ts) cannot observe here. They wait
 * for a datagram's arrival by SO_MEMINFO, for a TCP handshake by the listener's TCP_INFO and SO_MEMINFO,
 * and for TCP bytes by TCP_INFO's byte counters. gVisor has no SO_MEMINFO (ENOPROTOOPT) and a 224-byte
 * TCP_INFO without tcpi_bytes_received: there the waits would time out (errors) or pass at once (false
 * fails), so the driver does not declare IP families: the protocol asks a driver that cannot wait as the
 * host does not to (spec/driver-protocol.md). IPCSPEC_HOST_IP=1 declares them anyway, to see what happens.
 */
async function ipBlindSpots(): Promise<string[]> {
  const { AF, net } = await import('../host/libc-net.mjs');
  const { sys } = await import('../host/libc.mjs');
  const why: string[] = [];
  const u = net.socket(AF.INET, true, true);
  if (!u.errno) {
    const m = net.meminfo(u.value);
    if (m.errno) why.push(`no SO_MEMINFO (${m.errno})`);
    sys.close(u.value);
  }
  const t = net.socket(AF.INET, true);
  if (!t.errno) {
    const n = net.tcpInfoLength(t.value);
    if (!n.errno && n.value < 232) why.push(`TCP_INFO of ${n.value} bytes, without the byte counters`);
    sys.close(t.value);
  }
  return why;
}

/** What this host can do, derived from the whole vocabulary: everything but what is missing here. */
async function capabilities(target: Target): Promise<{ ops: string[]; features: string[]; notes: string[] }> {
  const lacks = new Set<string>();
  const notes: string[] = [];
  if (!(await canListen('127.0.0.1'))) lacks.add('family:inet');
  if (!(await canListen('::1'))) lacks.add('family:inet6');
  const blind = await ipBlindSpots();
  if (blind.length) {
    const forced = process.env.IPCSPEC_HOST_IP === '1';
    notes.push(`loopback waits cannot observe here (${blind.join(', ')}): ${forced ? 'IP families declared anyway (IPCSPEC_HOST_IP=1), so IP results may be errors or false fails' : 'no IP families'}`);
    if (!forced) { lacks.add('family:inet'); lacks.add('family:inet6'); }
  }
  // Test hosts are network namespaces: root and `ip` (whyNoTestHosts), and the proven host target.
  if (!target.info.settled || whyNoTestHosts() !== undefined) lacks.add('test-hosts');
  if (process.platform !== 'linux') lacks.add('unix-abstract');
  return { ops: [...ALL_OPS], features: ALL_FEATURES.filter((f) => !lacks.has(f)), notes };
}

export async function serve(out: (line: string) => void): Promise<void> {
  // Replies are written together once the requests at hand are handled: a step's result and its
  // settle's reply (the harness sends both at once) go out in one write, which saves a wakeup each side.
  const replies: string[] = [];
  const send = (m: DriverMessage): void => void replies.push(toJsonLine(m));
  const flush = (): void => { if (replies.length) out(replies.splice(0).join('')); };
  const target = await hostTarget();
  let session: Session | undefined;
  const closeSession = async (): Promise<string | undefined> => {
    const s = session;
    session = undefined;
    try {
      await s?.teardown();
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  };
  let quit = false;
  const finish = async (code: number): Promise<never> => {
    quit = true;
    await closeSession();
    await target.dispose().catch(() => {});
    process.exit(code);
  };

  const handle = async (r: Request): Promise<void> => {
    switch (r.type) {
      case 'hello': {
        const { ops, features, notes } = await capabilities(target);
        const description = [target.info.description, ...notes].join('; ');
        send({ type: 'hello', protocol: PROTOCOL_VERSION, driver: DRIVER_NAME, description, ops, features, settle: target.info.settled ? 'proven' : 'unknown', privileged: target.info.privileged });
        return;
      }
      case 'begin':
        if (session) await closeSession();
        session = await target.open();
        send({ type: 'begun', scenario: r.scenario });
        return;
      case 'step': {
        if (!session) throw new Error('step outside a scenario (no begin)');
        // The host session settles inside step: the result is already final, completions follow it.
        const { outcome, completed } = await session.step(r.step, r.call);
        send({ type: 'result', step: r.step, outcome });
        for (const c of completed) send({ type: 'complete', step: c.step, outcome: c.outcome });
        return;
      }
      case 'settle':
        send({ type: 'settled', proven: target.info.settled });
        return;
      case 'end': {
        const error = await closeSession();
        send(error ? { type: 'ended', error } : { type: 'ended' });
        return;
      }
      case 'shutdown':
        send({ type: 'bye' });
        flush();
        return finish(0);
      default:
        throw new Error(`unknown request type ${JSON.stringify((r as { type: unknown }).type)}`);
    }
  };

  // One request at a time, in order: a step's settle waits for the step.
  const queue: string[] = [];
  let busy = false;
  const pump = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    while (queue.length && !quit) {
      const line = queue.shift()!;
      let r: Request;
      try {
        // Plain JSON.parse: a step's `data` stays undecoded, as the host computes the same payload itself.
        r = JSON.parse(line) as Request;
        if (typeof r !== 'object' || r === null || typeof r.type !== 'string') throw new Error('no type');
      } catch {
        console.error(`host-driver: not a request: ${line.slice(0, 200)}`);
        return finish(2);
      }
      try {
        await handle(r);
      } catch (e) {
        console.error(`host-driver: ${r.type}: ${(e as Error).stack ?? e}`);
        return finish(2);
      }
    }
    flush();
    busy = false;
  };
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  rl.on('line', (line) => {
    if (!line.trim()) return;
    queue.push(line);
    void pump();
  });
  // The harness died (or closed our stdin): finish what was asked, then release everything and go.
  rl.on('close', () => {
    const wait = (): void => { if (busy || queue.length) setTimeout(wait, 5); else void finish(0); };
    wait();
  });
}
