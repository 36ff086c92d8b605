// The harness side of an actor thread.
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { threadView } from './proc.ts';

const WORKER = new URL('./actor-worker.mjs', import.meta.url);
/**
 * The worker loads its modules (plain JS) by require, synchronously, where node can require ES modules:
 * under proot, node's asynchronous module reads fail at random with EFAULT. No execArgv: it needs none
 * of the loader hooks its parent may run under (tsx), which would be read that way again.
 */
const startWorker = (): Worker => ((process.features as { require_module?: boolean }).require_module
  ? new Worker(`require(${JSON.stringify(fileURLToPath(WORKER))})`, { eval: true, execArgv: [] })
  : new Worker(WORKER));

export interface ActorResult { value: number; errno?: string; data?: Uint8Array; message?: string; short?: number }

export class ActorThread {
  private worker: Worker;
  private tid = 0;
  private nextId = 1;
  private inflight?: { id: number; syscall: number; done?: ActorResult };
  private ready: Promise<void>;
  private crashed?: string;

  constructor() {
    this.worker = startWorker();
    this.worker.unref();
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('message', (m: { tid: number; masked: boolean }) => {
        this.tid = m.tid;
        if (m.masked) resolve();
        else reject(new Error('actor thread could not block signals (pthread_sigmask failed)'));
      });
      this.worker.once('error', reject);
    });
    this.worker.on('message', (m: { id?: number; result?: ActorResult }) => {
      if (m.id !== undefined && this.inflight?.id === m.id) this.inflight.done = m.result;
    });
    this.worker.on('error', (e) => { this.crashed = String(e); });
    this.worker.on('exit', (code) => { this.crashed ??= `actor thread exited (${code})`; });
  }

  async start(): Promise<void> {
    await this.ready;
  }

  /** The finished call's result, without taking it (poll() still reports it). */
  get result(): ActorResult | undefined {
    return this.inflight?.done;
  }

  get busy(): boolean {
    return this.inflight !== undefined && this.inflight.done === undefined;
  }

  /** Send a call; `syscall` is the number it will sleep in if it blocks. */
  send(op: string, args: unknown, syscall: number, transfer: ArrayBuffer[] = []): void {
    if (this.inflight && !this.inflight.done) throw new Error('actor is busy');
    const id = this.nextId++;
    this.inflight = { id, syscall };
    this.worker.postMessage({ id, op, args }, transfer);
  }

  /** 'done' once the result is in; 'blocked' once the thread sleeps inside the call; else 'running'. */
  poll(): { state: 'done'; result: ActorResult } | { state: 'blocked' | 'running' } {
    const f = this.inflight;
    if (!f) throw new Error('actor has no call');
    if (f.done) {
      this.inflight = undefined;
      return { state: 'done', result: f.done };
    }
    if (this.crashed) throw new Error(this.crashed);
    const v = threadView(this.tid);
    return v && v.state === 'S' && v.syscall === f.syscall ? { state: 'blocked' } : { state: 'running' };
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}
