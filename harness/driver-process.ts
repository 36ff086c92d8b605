// A driver child process: lines in, lines out, the tail of its stderr, deadlines on every reply.
import { spawn, type ChildProcess } from 'node:child_process';
import { toJsonLine } from './exec-command.ts';
import { parseDriverLine, ProtocolError, type DriverMessage } from './driver-messages.ts';

const STDERR_LINES = 20;
/** A stderr line is cut to this many characters: a driver that floods stderr costs no memory. */
const STDERR_LINE_CHARS = 1_000;
/** Unread stdout beyond this is a flood (the largest real reply, a TCP read of ~4 MB, is ~6 MB as base64). */
export const STDOUT_LIMIT_BYTES = 64 * 1024 * 1024;

/** Drivers still running: killed when ipcspec exits, however it exits (a hung driver ignores its closed stdin). */
const live = new Set<DriverProcess>();
process.on('exit', () => { for (const d of live) d.kill(); });

export class DriverProcess {
  private child: ChildProcess;
  private partial: string[] = [];
  private lines: string[] = [];
  private stderr: string[] = [''];
  private exited?: string;
  private wake?: () => void;

  constructor(readonly argv: string[], env: Record<string, string> = {}) {
    // Its own process group: a Ctrl-C to ipcspec reaches the harness, which then shuts the driver down.
    this.child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env: { ...process.env, ...env } });
    // A long line (a big read's data) comes in many chunks: keep them apart until its newline arrives.
    this.child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      this.unread += s.length;
      if (this.unread > STDOUT_LIMIT_BYTES) {
        // Flooded: drop what is buffered, kill it, and say so instead of holding the flood in memory.
        this.partial = [];
        this.lines = [];
        this.died(`driver flooded its stdout (over ${STDOUT_LIMIT_BYTES / 1024 / 1024} MiB unread)`);
        this.kill(true);
        return;
      }
      if (!s.includes('\n')) { this.partial.push(s); return; }
      const parts = s.split('\n');
      parts[0] = this.partial.join('') + parts[0];
      this.partial = [parts.pop()!];
      this.lines.push(...parts);
      this.wake?.();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      const parts = s.split('\n').map((l) => l.slice(0, STDERR_LINE_CHARS));
      const last = this.stderr.length - 1;
      this.stderr[last] = (this.stderr[last] + parts[0]).slice(0, STDERR_LINE_CHARS);
      this.stderr.push(...parts.slice(1).slice(-STDERR_LINES - 1));
      if (this.stderr.length > STDERR_LINES + 1) this.stderr.splice(0, this.stderr.length - STDERR_LINES - 1);
    });
    this.child.stdin!.on('error', () => {}); // EPIPE when the driver died: reported by exit
    this.child.on('error', (e) => { live.delete(this); this.died(`could not start ${argv[0]}: ${e.message}`); });
    live.add(this);
    this.child.on('exit', (code, signal) => { live.delete(this); this.died(signal ? `driver killed by ${signal}` : `driver exited with status ${code}`); });
    this.child.on('close', () => { this.closed = true; });
  }

  /** Every stdio stream has ended: stderr holds all the driver wrote. */
  private closed = false;
  /** Characters of stdout received and not yet taken by next(). */
  private unread = 0;

  /** Kill the driver (if still running) and wait briefly for its stderr to drain, so the tail is complete. */
  async stop(): Promise<void> {
    this.kill();
    const t0 = Date.now();
    while (!this.closed && Date.now() - t0 < 1_000) await new Promise((res) => setTimeout(res, 5));
  }

  private died(why: string): void {
    this.exited ??= why;
    // Let stdout and stderr drain before anyone reports the death.
    setTimeout(() => this.wake?.(), 20);
  }

  get alive(): boolean {
    return this.exited === undefined;
  }

  send(message: object): void {
    if (this.exited) return;
    this.child.stdin!.write(toJsonLine(message));
  }

  /** The next message, validated; throws ProtocolError on a bad line, an exit, or no line before the deadline. */
  async next(deadlineMs: number, waitingFor: string): Promise<DriverMessage> {
    const t0 = Date.now();
    for (;;) {
      const line = this.lines.shift();
      if (line !== undefined) {
        this.unread -= line.length + 1;
        const m = parseDriverLine(line);
        if (m.type === 'fatal') throw new ProtocolError(`the driver gave up while ipcspec waited for ${waitingFor}: ${m.message}`);
        return m;
      }
      if (this.exited) {
        await new Promise((res) => setTimeout(res, 20)); // stdout may still hold lines
        if (this.lines.length) continue;
        throw new ProtocolError(`${this.exited} while ipcspec waited for ${waitingFor}`);
      }
      const left = deadlineMs - (Date.now() - t0);
      if (left <= 0) throw new ProtocolError(`no ${waitingFor} from the driver within ${deadlineMs / 1000} s`);
      await new Promise<void>((res) => {
        const t = setTimeout(res, left);
        this.wake = () => { clearTimeout(t); res(); };
      });
      this.wake = undefined;
    }
  }

  /** The last lines the driver wrote to stderr. */
  stderrTail(): string {
    return this.stderr.join('\n').trim();
  }

  kill(evenIfExited = false): void {
    if (this.exited === undefined || evenIfExited) {
      try { process.kill(-this.child.pid!, 'SIGKILL'); } catch { this.child.kill('SIGKILL'); }
    }
  }

  /** Resolves once the process has exited (after kill or a clean shutdown), or after `ms`. */
  async waitExit(ms: number): Promise<void> {
    const t0 = Date.now();
    while (this.exited === undefined && Date.now() - t0 < ms) await new Promise((res) => setTimeout(res, 5));
  }
}

export { ProtocolError };
