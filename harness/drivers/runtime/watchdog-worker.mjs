// The watchdog's thread (watchdog.mjs): while the driver handles a request, a main thread that has
// not turned its event loop for `ms` is stuck in a call that blocks the whole runtime (deno's
// fs.write on a full FIFO). Then this thread says so on the protocol, once, and stops: the harness
// reports it and kills the driver, instead of waiting out its full reply deadline.
import { writeSync } from 'node:fs';
import { workerData } from 'node:worker_threads';

const { beat, ms } = workerData;
const pause = new Int32Array(new SharedArrayBuffer(4));
let last = Atomics.load(beat, 0);
let since = Date.now();
for (;;) {
  Atomics.wait(pause, 0, 0, 100);
  const now = Atomics.load(beat, 0);
  if (now !== last || Atomics.load(beat, 1) === 0) { last = now; since = Date.now(); continue; }
  if (Date.now() - since < ms) continue;
  const message = `runtime driver: the runtime's event loop has not turned for ${Math.round((Date.now() - since) / 1000)} s while handling step ${Atomics.load(beat, 2)}: a call blocked the whole runtime, not just its caller`;
  writeSync(1, `${JSON.stringify({ type: 'fatal', message })}\n`);
  break;
}
