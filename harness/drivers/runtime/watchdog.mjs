// A watchdog for a blocked event loop (watchdog-worker.mjs). A healthy driver turns its loop every few
// milliseconds, even while a call of its own is pending; only a call that blocks the runtime's one
// thread stops it. The window is long (default 5 s, IPCSPEC_RUNTIME_WATCHDOG_MS) so that a slow
// machine is not taken for a hang, and short against the harness's 15 s reply deadline.
import process from 'node:process';
import { Worker } from 'node:worker_threads';

const MS = Number(process.env.IPCSPEC_RUNTIME_WATCHDOG_MS) || 5_000;

/** Start the watchdog; `busy(step)` while a request is handled, `idle()` after. No-op where a runtime has no worker threads. */
export function startWatchdog() {
  const beat = new Int32Array(new SharedArrayBuffer(12)); // [0] heartbeat, [1] busy, [2] step
  try {
    const w = new Worker(new URL('./watchdog-worker.mjs', import.meta.url), { workerData: { beat, ms: MS } });
    w.unref();
    w.on('error', () => {});
  } catch (e) {
    process.stderr.write(`runtime driver: no watchdog (${e.message}): a blocked event loop costs the harness's full reply deadline\n`);
  }
  const timer = setInterval(() => Atomics.add(beat, 0, 1), 50);
  timer.unref?.();
  return {
    busy(step) { Atomics.store(beat, 2, step ?? -1); Atomics.store(beat, 1, 1); },
    idle() { Atomics.store(beat, 1, 0); },
  };
}
