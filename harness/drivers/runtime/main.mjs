// ipcspec runtime driver: speaks driver protocol v1 (spec/driver-protocol.md) using only `node:` APIs,
// so the same file runs under node, bun and deno (`deno run -A main.mjs`), or a port's own binary.
// What is under test is the runtime's API (net, dgram, fs, child_process) as a program sees it; the
// mapping of each op is in the op files (fifo-ops, child-ops, stream-ops, udp-ops) and in
// spec/driver-protocol.md, "The runtime driver".
//
// Generic mechanism: every op handler is `async (ctx, call, data, step) => outcome`. The loop starts it
// and answers `result` at once if it returned within a few event-loop turns, `pending` otherwise; it
// sends `complete` when the promise resolves. A runtime cannot prove that a call is asleep in the
// kernel, so the hello says settle "unknown" and `settle` waits a window of its choosing (settle()).
import { Buffer } from 'node:buffer';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import process from 'node:process';
import { hello } from './hello.mjs';
import { errOutcome } from './kit.mjs';
import { mayBlock, OPS } from './ops.mjs';
import { otherThreadsRunning } from './proc.mjs';
import { startWatchdog } from './watchdog.mjs';

// (node runs blocking fs calls on its libuv pool, sized when the pool starts, before this code runs:
// the runtime target sets UV_THREADPOOL_SIZE in the environment, harness/runtime-target.ts.)

/**
 * The settle window. After a step, wait at least MIN_TURNS timer turns and until nothing happened
 * (no call returned, no socket, child or datagram event) for QUIET_MS; while something is visibly
 * busy (a child process or another thread of this process running, by /proc where there is one;
 * TCP bytes or a FIN on their way to a peer in this process) keep waiting, up to BUSY_MS.
 * Calls still unreturned then are reported pending: "has not returned yet", not "proven asleep".
 */
const QUIET_MS = Number(process.env.IPCSPEC_RUNTIME_QUIET_MS) || 2;
const MIN_TURNS = 3;
const BUSY_MS = 10_000;
/**
 * How long a call that cannot block may take before the driver calls it an error (a slow machine, not
 * a verdict): most of the harness's own deadline, so that the driver's message, naming the call, wins.
 */
const MUST_MS = 0.8 * (Number(process.env.IPCSPEC_EXEC_DEADLINE_MS) || 15_000);
/** How long `end` waits for released calls to return before it says it could not clean up. */
const END_MS = 10_000;

const out = (m) => process.stdout.write(`${JSON.stringify(m)}\n`);
const turn = () => new Promise((res) => setImmediate(res));
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

/** One scenario's state; op files keep theirs in it. */
function newContext() {
  const base = process.env.TMPDIR || tmpdir();
  // Inside an ipcspec dir (the exec target's TMPDIR, removed by its owner) a short name: AF_UNIX paths
  // of a given length must still fit after it (harness/temp-dirs.ts).
  const name = basename(base).startsWith('ipcspec-') ? 'rt-' : 'ipcspec-rt-';
  let dir;
  try { dir = mkdtempSync(join(base, name)); } catch { dir = mkdtempSync(join(tmpdir(), 'ipcspec-rt-')); }
  const ctx = {
    dir,
    /** handle name -> entry ({ kind: 'fd', fd } | { kind: 'stream', ... } | { kind: 'udp', ... }) */
    handles: new Map(),
    /** handle name -> descriptor number it had when closed */
    closed: new Map(),
    /** last activity count: bumped by every event the runtime delivers */
    activity: 0,
    touch() { ctx.activity++; },
    /** functions that say "something that must finish soon is still running" (children) */
    busy: new Set(),
    /** release steps, run at end in order: first the ones that unblock calls */
    releases: [],
    cleanups: [],
    /** run once every call has returned (a FIFO partner that released a blocked open) */
    lateCleanups: [],
    /** every call still running: step -> { done, outcome, promise } */
    running: new Map(),
  };
  return ctx;
}

let ctx;

async function runStep(msg) {
  const { step, call } = msg;
  const data = msg.data?.$base64 !== undefined ? Buffer.from(msg.data.$base64, 'base64') : undefined;
  const handler = OPS[call.op];
  const block = ctx && mayBlock(ctx, call);
  const rec = { done: false, outcome: undefined, call };
  rec.promise = (async () => {
    try {
      if (!handler) return { kind: 'unsupported', reason: `runtime driver: op ${call.op} not implemented` };
      return await handler(ctx, call, data, step);
    } catch (e) {
      return errOutcome(e);
    }
  })().then((o) => { rec.done = true; rec.outcome = o; ctx?.touch(); });
  if (!block) {
    // A call that cannot block must return: a long deadline, and at expiry an error, never "pending".
    const t0 = Date.now();
    while (!rec.done && Date.now() - t0 < MUST_MS) await (Date.now() - t0 < 5 ? turn() : sleep(1));
    return out({ type: 'result', step, outcome: rec.done ? rec.outcome : { kind: 'error', message: `runtime driver: ${call.op}, which cannot block, did not return within ${MUST_MS / 1000} s` } });
  }
  for (let k = 0; k < 3 && !rec.done; k++) await turn();
  if (rec.done) return out({ type: 'result', step, outcome: rec.outcome });
  ctx.running.set(step, rec);
  out({ type: 'result', step, outcome: { kind: 'pending' } });
}

function sendCompletions() {
  for (const [step, rec] of ctx.running) {
    if (!rec.done) continue;
    ctx.running.delete(step);
    out({ type: 'complete', step, outcome: rec.outcome.kind === 'pending' ? { kind: 'error', message: 'handler resolved to pending' } : rec.outcome });
  }
}

async function settle() {
  // Nothing outstanding and nothing that delivers events by itself (no socket, no child): nothing
  // can still happen, so one turn is enough.
  if (!ctx.running.size && !ctx.busy.size && !ctx.sockets) {
    await turn();
    return out({ type: 'settled', proven: false });
  }
  const t0 = Date.now();
  let seen = ctx.activity;
  let quietSince = Date.now();
  let calm = 0;
  for (let turns = 0; ; turns++) {
    await (turns < 2 ? turn() : sleep(1));
    if (ctx.activity !== seen) { seen = ctx.activity; quietSince = Date.now(); }
    // pool threads matter only while a call of ours is out (idle runtimes have busy threads of their own: GC, JIT)
    const busy = [...ctx.busy].some((f) => f()) || (ctx.running.size > 0 && otherThreadsRunning());
    if (busy && Date.now() - t0 < BUSY_MS) { calm = 0; continue; }
    // twice in a row calm: one look can catch a thread just before another wakes it
    if (turns >= MIN_TURNS && Date.now() - quietSince >= QUIET_MS && ++calm >= 2) break;
  }
  sendCompletions();
  out({ type: 'settled', proven: false });
}

/** Release everything: unblock calls, close handles, reap children, remove the scratch dir. */
async function release() {
  if (!ctx) return undefined;
  const c = ctx;
  c.ending = true;
  let problem;
  for (const f of [...c.releases, ...c.cleanups]) {
    try { await f(); } catch (e) { problem ??= `cleanup: ${e.message}`; }
  }
  const t0 = Date.now();
  while ([...c.running.values()].some((r) => !r.done) && Date.now() - t0 < END_MS) await sleep(2);
  const stuck = [...c.running].filter(([, r]) => !r.done).map(([s, r]) => `${s} ${JSON.stringify(r.call)}`);
  if (stuck.length) problem ??= `step(s) ${stuck.join(', ')} still running ${END_MS / 1000} s after every handle was released`;
  sendCompletions();
  // late results (an open released at end returns a descriptor): close what they made
  for (const f of [...c.cleanups, ...c.lateCleanups]) { try { await f(); } catch { /* reported above */ } }
  try { rmSync(c.dir, { recursive: true, force: true }); } catch (e) { problem ??= `rm ${c.dir}: ${e.message}`; }
  ctx = undefined;
  return problem;
}

async function handle(msg) {
  switch (msg.type) {
    case 'hello':
      if (msg.protocol !== 1) process.stderr.write(`runtime driver: harness speaks protocol ${msg.protocol}, this driver 1\n`);
      return out(hello());
    case 'begin':
      await release();
      ctx = newContext();
      return out({ type: 'begun', scenario: msg.scenario });
    case 'step':
      if (!ctx) ctx = newContext();
      return runStep(msg);
    case 'settle':
      if (!ctx) return out({ type: 'settled', proven: false });
      return settle();
    case 'end': {
      const problem = await release();
      return out(problem ? { type: 'ended', error: problem } : { type: 'ended' });
    }
    case 'shutdown':
      await release();
      out({ type: 'bye' });
      return exit(0);
    default:
      process.stderr.write(`runtime driver: unknown request ${JSON.stringify(msg).slice(0, 200)}\n`);
      return exit(2);
  }
}

function exit(code) {
  // stdout is a pipe: let the last line drain before the process goes
  process.stdout.write('', () => process.exit(code));
}

const watchdog = startWatchdog();

// Requests one at a time, in order.
const queue = [];
let busy = false;
let eof = false;
async function pump() {
  if (busy) return;
  busy = true;
  while (queue.length) {
    const line = queue.shift();
    let msg;
    try { msg = JSON.parse(line); } catch { process.stderr.write(`runtime driver: bad request line ${line.slice(0, 200)}\n`); return exit(2); }
    watchdog.busy(msg.step);
    try { await handle(msg); } catch (e) { process.stderr.write(`runtime driver: ${e.stack ?? e}\n`); return exit(2); }
    watchdog.idle();
  }
  busy = false;
  if (eof) { await release(); exit(0); }
}

let partial = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (s) => {
  const parts = (partial + s).split('\n');
  partial = parts.pop();
  for (const p of parts) if (p.trim()) queue.push(p);
  pump();
});
process.stdin.on('end', () => { eof = true; pump(); });
