// Any Target behind the driver protocol (spec/driver-protocol.md): requests on stdin, one at a time
// and in order; replies through `out` (the real stdout, which nothing else may write to).
import { createInterface } from 'node:readline';
import type { Step } from '../../spec/scenario.ts';
import { PROTOCOL_VERSION, type DriverMessage, type Lack } from '../driver-messages.ts';
import { toJsonLine } from '../exec-command.ts';
import type { Session, Target } from '../../spec/target.ts';

type Request =
  | { type: 'hello'; protocol: number }
  | { type: 'begin'; scenario: number }
  | { type: 'step'; step: number; call: Step; data?: { $base64: string } }
  | { type: 'settle' }
  | { type: 'end' }
  | { type: 'shutdown' };

export interface Declared {
  driver: string;
  description: string;
  ops: string[];
  features: string[];
  /** Why what is not in ops and features is missing (the hello's `lacks`). */
  lacks?: Lack[];
  /** How stderr lines name this driver. */
  name: string;
  /** Decode each step's payload and pass it to Session.step (a module target cannot compute it; the host does). */
  passData?: boolean;
}

export async function serveTarget(out: (line: string) => void, target: Target, declared: Declared): Promise<void> {
  // Replies are written together once the requests at hand are handled: a step's result and its
  // settle's reply (the harness sends both at once) go out in one write, which saves a wakeup each side.
  const replies: string[] = [];
  const send = (m: DriverMessage): void => void replies.push(toJsonLine(m));
  const flush = (): void => { if (replies.length) out(replies.splice(0).join('')); };
  let session: Session | undefined;
  const closeSession = async (): Promise<string | undefined> => {
    const s = session;
    session = undefined;
    try {
      return (await s?.teardown())?.error;
    } catch (e) {
      return `teardown threw: ${(e as Error).message}`;
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
        const { driver, description, ops, features, lacks } = declared;
        send({ type: 'hello', protocol: PROTOCOL_VERSION, driver, description, ops, features, ...(lacks?.length ? { lacks } : {}), settle: target.info.settled ? 'proven' : 'unknown', privileged: target.info.privileged });
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
        const data = declared.passData && r.data ? new Uint8Array(Buffer.from(r.data.$base64, 'base64')) : undefined;
        const { outcome, completed } = await session.step(r.step, r.call, data);
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
        console.error(`${declared.name}: not a request: ${line.slice(0, 200)}`);
        return finish(2);
      }
      try {
        await handle(r);
      } catch (e) {
        console.error(`${declared.name}: ${r.type}: ${(e as Error).stack ?? e}`);
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
