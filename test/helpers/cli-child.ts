// bin/ipcspec.mjs as a real child process, with a deadline: a test of "does not hang" fails on the
// deadline instead of hanging itself. IPCSPEC_BIN runs another checkout's CLI (to see a test fail there).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const BIN = process.env.IPCSPEC_BIN ?? join(import.meta.dirname, '..', '..', 'bin', 'ipcspec.mjs');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The deadline passed and the child was killed with SIGKILL. */
  hung: boolean;
}

export interface CliOptions {
  cwd?: string;
  deadlineMs?: number;
  /**
   * Run through `unshare -m sh -c SCRIPT "node BIN" ARGS...` instead ("$0" runs the CLI): in a mount
   * namespace of its own, so what SCRIPT mounts vanishes with it.
   */
  shell?: string;
  /** Called once with the child, to signal it or watch its output. */
  onSpawn?: (child: ChildProcess, out: { stdout: () => string }) => void;
}

export function runCli(args: string[], o: CliOptions = {}): Promise<CliResult> {
  const child = o.shell
    ? spawn('unshare', ['-m', 'sh', '-c', o.shell, `${process.execPath} ${BIN}`, ...args], { cwd: o.cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, [BIN, ...args], { cwd: o.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => { stdout += d; });
  child.stderr!.on('data', (d) => { stderr += d; });
  let hung = false;
  const timer = setTimeout(() => { hung = true; child.kill('SIGKILL'); }, o.deadlineMs ?? 60_000);
  o.onSpawn?.(child, { stdout: () => stdout });
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, hung });
    });
  });
}

/** Resolves once `text` matches the child's stdout so far (polls: output arrives in chunks). */
export function waitFor(out: { stdout: () => string }, re: RegExp, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (re.test(out.stdout())) resolve();
      else if (Date.now() - t0 > timeoutMs) reject(new Error(`no ${re} on stdout within ${timeoutMs} ms`));
      else setTimeout(tick, 20);
    };
    tick();
  });
}

/** Exactly one non-empty line, and not a stack trace. */
export const isOneCleanLine = (s: string): boolean => {
  const lines = s.split('\n').filter((l) => l.trim() !== '');
  return lines.length === 1 && !/^\s+at |Error: .*\n\s+at /m.test(s);
};
