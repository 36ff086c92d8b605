// `--target exec:CMD`: any program that speaks the driver protocol (spec/driver-protocol.md).
// Every line it sends is validated; a bad line, an exit or a missing reply becomes an error outcome
// with the driver's stderr tail, the driver is killed, and the next scenario starts a new one.
import type { Step } from '../spec/scenario.ts';
import { payload, payloadTag, producerBytes, record, concat, writeData } from '../spec/payload.ts';
import type { Outcome } from '../spec/trace.ts';
import { PROTOCOL_VERSION, ProtocolError, type DriverHello, type DriverMessage } from './driver-messages.ts';
import { DriverProcess } from './driver-process.ts';
import { splitCommand } from './exec-command.ts';
import { whyUnsupported } from './exec-capabilities.ts';
import type { Session, StepResult, Target, TargetInfo, TeardownReport } from '../spec/target.ts';
import { makeTempDir, removeTempDir } from './temp-dirs.ts';

/**
 * Replies are things that must happen: a long deadline (docs/design.md, principle 4); tests shorten it for drivers
 * that hang. Longer under a wrap: a ptrace sandbox (proot) or an emulator makes every syscall many times
 * slower (`dd bs=1` of 64 KiB through a pipe takes 8 s under proot, 0.6 s without).
 */
export const execDeadlineMs = (wrapped = false): number => Number(process.env.IPCSPEC_EXEC_DEADLINE_MS) || (wrapped ? 60_000 : 15_000);
/** connect-wait is itself a must-complete wait of up to 30 s (harness/host/exec-connect.ts): the reply gets that on top. */
const stepDeadlineMs = (step: Step, base: number): number => base + (step.op === 'connect-wait' ? 30_000 : 0);

export class ExecTarget implements Target {
  readonly info: TargetInfo;
  private driver?: DriverProcess;
  private hello?: DriverHello;
  private scenarios = 0;
  /** The driver's TMPDIR, so that the scratch dirs of a driver that was killed are removed too (a sandboxed driver may not see it, and falls back). */
  readonly root = makeTempDir('exec');

  private constructor(readonly argv: string[], readonly cmd: string, name = `exec:${cmd}`) {
    this.info = { name, description: `${name} (driver not started)`, settled: false, privileged: false };
  }

  /**
   * Start the driver and shake hands. A driver that fails here still makes a target: every scenario is then an error.
   * `wrap`: a command prefix the driver runs under (--wrap); `name`: the target's name in reports (default exec:CMD),
   * which the caller makes show the wrap (harness/wrap.ts wrappedName).
   */
  static async start(cmd: string, opts: { wrap?: string; name?: string; deadlineMs?: number; helloDeadlineMs?: number; label?: string; stderr?: (tail: string) => string } = {}): Promise<ExecTarget> {
    const argv = [...splitCommand(opts.wrap ?? ''), ...splitCommand(cmd)];
    if (!splitCommand(cmd).length) throw new Error('exec: needs a command, e.g. --target exec:./ipcspec-driver');
    const t = new ExecTarget(argv, cmd, opts.name);
    t.deadlineMs = opts.deadlineMs || execDeadlineMs(!!opts.wrap);
    if (opts.helloDeadlineMs) t.helloDeadlineMs = opts.helloDeadlineMs;
    if (opts.label) t.label = opts.label;
    if (opts.stderr) t.shownStderr = opts.stderr;
    try {
      await t.live();
    } catch (e) {
      // Reported on every scenario; not retried, as a driver that never says hello would cost a deadline each time.
      t.startFailure = `${t.label}: ${(e as Error).message}`;
      t.info.description = `${t.info.name} (the driver did not start: ${t.startFailure})`;
    }
    return t;
  }

  cannotExpress(step: Step): string | undefined {
    return this.hello && whyUnsupported(this.hello, step);
  }

  private startFailure?: string;
  /** Why the driver did not start (then every scenario is an error), if it did not. */
  get startError(): string | undefined {
    return this.startFailure;
  }
  /** What messages call the driver (the grader says "the submission"). */
  label = 'exec driver';
  /** Deadline for each reply (a must-happen wait: long by default, the grader sets its rubric's). */
  deadlineMs = execDeadlineMs();
  /** Deadline for the hello of a starting driver (default: the reply deadline). */
  helloDeadlineMs?: number;
  /** What of the driver's stderr tail its messages carry (the grader withholds a submission's). */
  shownStderr: (tail: string) => string = (t) => t;

  /** The stderr tail as messages append it. */
  tail(d: DriverProcess): string {
    return `; driver stderr: ${this.shownStderr(d.stderrTail()) || '(empty)'}`;
  }

  /** A driver that has said hello, started if there is none. */
  private async live(): Promise<DriverProcess> {
    if (this.driver?.alive) return this.driver;
    // The reply deadline goes along, so that a driver's own waits (the host driver's settle) can end before it.
    const d = new DriverProcess(this.argv, { TMPDIR: this.root, IPCSPEC_REPLY_DEADLINE_MS: String(this.deadlineMs) });
    this.driver = d;
    const fail = async (why: string): Promise<never> => {
      this.driver = undefined;
      await d.stop();
      throw new ProtocolError(`${why}${this.tail(d)}`);
    };
    d.send({ type: 'hello', protocol: PROTOCOL_VERSION });
    let m: DriverMessage;
    try {
      m = await d.next(this.helloDeadlineMs ?? this.deadlineMs, 'hello');
    } catch (e) {
      return fail((e as Error).message);
    }
    if (m.type !== 'hello') return fail(`expected hello, got ${m.type}`);
    if (m.protocol !== PROTOCOL_VERSION) return fail(`driver speaks protocol ${m.protocol}, ipcspec speaks ${PROTOCOL_VERSION}`);
    if (this.hello && JSON.stringify(capabilities(this.hello)) !== JSON.stringify(capabilities(m))) {
      return fail('restarted driver declared different capabilities');
    }
    this.hello ??= m;
    this.info.description = `${this.info.name}: ${m.driver}, ${m.description}`;
    this.info.settled = m.settle === 'proven';
    this.info.privileged = m.privileged;
    return d;
  }

  kill(): void {
    this.driver?.kill();
    this.driver = undefined;
  }

  /** A broken driver is not reused: the next scenario starts a new one. */
  forget(d: DriverProcess): void {
    if (this.driver === d) this.driver = undefined;
  }

  async open(): Promise<Session> {
    let d: DriverProcess;
    const n = this.scenarios++;
    if (this.startFailure) return new BrokenSession(this.startFailure);
    try {
      d = await this.live();
    } catch (e) {
      return new BrokenSession(`${this.label}: ${(e as Error).message}`); // the stderr tail is in the message
    }
    try {
      d.send({ type: 'begin', scenario: n });
      const m = await d.next(this.deadlineMs, 'begun');
      if (m.type !== 'begun' || m.scenario !== n) throw new ProtocolError(`expected {"type":"begun","scenario":${n}}, got ${JSON.stringify(m)}`);
    } catch (e) {
      this.driver = undefined;
      await d.stop();
      return new BrokenSession(`${this.label}: ${(e as Error).message}${this.tail(d)}`);
    }
    return new ExecSession(this, d, this.hello!);
  }

  async dispose(): Promise<void> {
    const d = this.driver;
    if (d?.alive) {
      d.send({ type: 'shutdown' });
      try {
        const m = await d.next(Math.min(this.deadlineMs, 5_000), 'bye');
        if (m.type === 'bye') await d.waitExit(2_000);
      } catch { /* killed below */ }
    }
    this.kill();
    await d?.waitExit(2_000);
    removeTempDir(this.root);
  }
}

const capabilities = (h: DriverHello) => ({ ops: h.ops, features: h.features, settle: h.settle });

/** The driver failed before the scenario began: the first step reports it. */
class BrokenSession implements Session {
  constructor(private readonly message: string) {}
  async step(): Promise<StepResult> {
    return { outcome: { kind: 'error', message: this.message }, completed: [] };
  }
  async teardown(): Promise<void> {}
}

class ExecSession implements Session {
  private pending = new Set<number>();
  private failed = false;

  constructor(private readonly target: ExecTarget, private readonly d: DriverProcess, private readonly hello: DriverHello) {}

  async step(index: number, step: Step): Promise<StepResult> {
    if (this.failed) return { outcome: { kind: 'error', message: `${this.target.label}: already failed in this scenario` }, completed: [] };
    const missing = this.target.cannotExpress(step);
    if (missing) return { outcome: { kind: 'unsupported', reason: missing }, completed: [] };
    try {
      const data = stepData(index, step);
      // settle goes out at once, behind the step: the driver handles requests in order, and one round trip is saved.
      this.d.send({ type: 'step', step: index, call: step, ...(data ? { data } : {}) });
      this.d.send({ type: 'settle' });
      const completed: Array<{ step: number; outcome: Outcome }> = [];
      let outcome = (await this.until('result', completed, index, stepDeadlineMs(step, this.target.deadlineMs))).outcome as Outcome;
      if (outcome.kind === 'pending') this.pending.add(index);
      const settled = await this.until('settled', completed, undefined, stepDeadlineMs(step, this.target.deadlineMs));
      if (!settled.proven && this.hello.settle === 'proven') throw new ProtocolError('settled "proven": false from a driver that declared settle "proven"');
      const own = completed.findIndex((c) => c.step === index);
      if (own >= 0) outcome = completed.splice(own, 1)[0].outcome;
      return { outcome, completed };
    } catch (e) {
      return { outcome: await this.fail(e), completed: [] };
    }
  }

  /** Read lines until a message of `type` arrives; completions on the way are collected and checked. */
  private async until<T extends DriverMessage['type']>(type: T, completed: Array<{ step: number; outcome: Outcome }>, step?: number, deadlineMs = this.target.deadlineMs): Promise<Extract<DriverMessage, { type: T }>> {
    for (;;) {
      const m = await this.d.next(deadlineMs, type);
      if (m.type === 'complete') {
        if (!this.pending.delete(m.step)) throw new ProtocolError(`complete for step ${m.step}, which is not pending`);
        if (m.outcome.kind === 'pending') throw new ProtocolError(`complete for step ${m.step} says pending`);
        completed.push({ step: m.step, outcome: m.outcome });
        continue;
      }
      if (m.type !== type) throw new ProtocolError(`expected ${type}, got ${m.type}`);
      if (m.type === 'result' && m.step !== step) throw new ProtocolError(`result for step ${m.step}, expected step ${step}`);
      return m as Extract<DriverMessage, { type: T }>;
    }
  }

  private async fail(e: unknown): Promise<Outcome> {
    this.failed = true;
    this.target.forget(this.d);
    await this.d.stop();
    return { kind: 'error', message: `${this.target.label}: ${(e as Error).message}${this.target.tail(this.d)}` };
  }

  async teardown(): Promise<TeardownReport> {
    if (this.failed || !this.d.alive) return {};
    try {
      this.d.send({ type: 'end' });
      const m = await this.until('ended', []);
      if (!m.error) return {};
      // The driver could not undo all of it (a call still blocked): the trace's error, and a fresh driver next time.
      this.target.forget(this.d);
      await this.d.stop();
      return { error: `${this.target.label}: end: ${m.error}` };
    } catch (e) {
      // The driver broke while ending: report it on this trace, and start afresh next scenario.
      this.target.forget(this.d);
      await this.d.stop();
      return { error: `${this.target.label}: the driver could not end the scenario: ${(e as Error).message}${this.target.tail(this.d)}` };
    }
  }
}

/** The bytes a step writes, computed here so that every target writes the same payload. */
function stepData(i: number, step: Step): Uint8Array | undefined {
  switch (step.op) {
    case 'write': case 'writev': return writeData(i, step);
    case 'send': case 'child-write': return payload(payloadTag(i), step.size);
    case 'pipeline': return step.producer.kind === 'bytes' ? producerBytes(i, step) : undefined; // the producer's bytes (runtime driver)
    case 'concurrent-writes': {
      const parts: Uint8Array[] = [];
      for (let w = 0; w < step.writers; w++) for (let q = 0; q < step.records; q++) parts.push(record(w, q, step.size));
      return concat(parts);
    }
    default: return undefined;
  }
}
