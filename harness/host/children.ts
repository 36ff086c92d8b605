// Real child processes: a child that inherits a pipe end, and `prog1 | prog2` pipelines.
// Ends are made O_CLOEXEC, so a child inherits exactly the descriptors passed to it.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Detail } from '../../spec/trace.ts';
import { O, sys } from './libc.mjs';
import { processView } from './proc.ts';

export type Exit = { code: number | null; signal: string | null };

/** Every child still running, so that an interrupted run leaves none behind. */
const live = new Set<Child>();
process.on('exit', () => live.forEach((c) => c.kill()));

/** A child process the harness watches until it exits or sleeps. */
export class Child {
  exit?: Exit;
  stderr = '';
  readonly pid: number;
  readonly exited: Promise<Exit>;

  constructor(readonly proc: ChildProcess, readonly name: string) {
    this.pid = proc.pid ?? -1;
    live.add(this);
    proc.stderr?.on('data', (d: Buffer) => { if (this.stderr.length < 4096) this.stderr += d.toString(); });
    // a killed child's stderr pipe may reset; that is not an observation about the pipe under test
    proc.stderr?.on('error', () => {});
    this.exited = new Promise((resolve) => {
      proc.on('error', (e) => { this.stderr += String(e); this.exit = { code: 127, signal: null }; resolve(this.exit); });
      proc.on('close', (code, signal) => { this.exit = { code, signal }; live.delete(this); resolve(this.exit); });
    });
  }

  /** Exited, or asleep in the kernel with nothing left to do until someone else acts. */
  get quiescent(): boolean {
    if (this.exit) return true;
    const v = processView(this.pid);
    return v?.state === 'S';
  }

  kill(): void {
    if (!this.exit) this.proc.kill('SIGKILL');
  }
}

type Stdio = Array<number | 'ignore' | 'pipe'>;
const start = (name: string, cmd: string, args: string[], stdio: Stdio): Child => new Child(spawn(cmd, args, { stdio }), name);

const errnoFromMessage = (stderr: string): string | undefined =>
  /Broken pipe/i.test(stderr) ? 'EPIPE' : /temporarily unavailable/i.test(stderr) ? 'EAGAIN' : undefined;

/** dd writes `data` with a single write() of data.length bytes to its stdout (the inherited fd). */
export function childWriter(dir: string, tag: string, fd: number, data: Uint8Array, sigpipe: 'default' | 'ignore'): Child {
  const file = join(dir, `.payload-${tag}`);
  writeFileSync(file, data);
  const dd = [`if=${file}`, `bs=${data.length}`, 'count=1', 'status=none'];
  return sigpipe === 'default'
    ? start('dd', 'dd', dd, ['ignore', fd, 'pipe'])
    : start('sh+dd', 'sh', ['-c', 'trap "" PIPE; exec dd "$@"', 'sh', ...dd], ['ignore', fd, 'pipe']);
}

export const writerDetail = (c: Child): Detail => ({ exit: c.exit, errnoSeen: errnoFromMessage(c.stderr) });

/** dd copies its stdin (the inherited read end) to a file until EOF. */
export function childReader(dir: string, tag: string, fd: number): { child: Child; output: () => Uint8Array } {
  const file = join(dir, `.out-${tag}`);
  const out = openSync(file, 'w');
  const child = start('dd', 'dd', ['bs=65536', 'status=none'], [fd, out, 'pipe']);
  closeSync(out);
  return { child, output: () => new Uint8Array(readFileSync(file)) };
}

export interface Pipeline { producer: Child; consumer: Child; output: () => Uint8Array }

/** producer | consumer over a pipe made here, before spawning; the parent keeps no end. */
export function startPipeline(dir: string, tag: string, producer: { data?: Uint8Array; chunk?: number; yes?: true }, consumer: { cat?: true; headLines?: number }): Pipeline {
  const p = sys.pipe2(O.CLOEXEC);
  if (!p.fds) throw new Error(`pipe2 failed: ${p.errno}`);
  const [r, w] = p.fds;
  const outFile = join(dir, `.pipeline-${tag}`);
  const out = openSync(outFile, 'w');
  let prod: Child;
  if (producer.yes) prod = start('yes', 'yes', [], ['ignore', w, 'pipe']);
  else {
    const file = join(dir, `.producer-${tag}`);
    writeFileSync(file, producer.data!);
    prod = start('dd', 'dd', [`if=${file}`, `bs=${producer.chunk}`, 'status=none'], ['ignore', w, 'pipe']);
  }
  const cons = consumer.cat ? start('cat', 'cat', [], [r, out, 'pipe']) : start('head', 'head', ['-n', String(consumer.headLines)], [r, out, 'pipe']);
  sys.close(r);
  sys.close(w);
  closeSync(out);
  return { producer: prod, consumer: cons, output: () => new Uint8Array(readFileSync(outFile)) };
}
