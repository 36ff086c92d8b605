// Child processes through node:child_process, as a runtime program makes them: `spawn` with a
// descriptor in `stdio` (the child inherits exactly that end), and `prog1 | prog2` joined by the
// runtime's own child stdio pipe (node: libuv makes it with socketpair(2) on Linux, not pipe(2); that
// is the runtime's semantics under test). The programs are the host target's: dd, yes, cat, head.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { b64, entryOf, fdOf, ok, unsupported } from './kit.mjs';

const HAVE_PROC = (() => { try { readFileSync('/proc/self/stat'); return true; } catch { return false; } })();

/**
 * Is the child still on its way (running, or exited but not yet reported by the runtime)? By /proc:
 * only a child asleep (S) or stopped is settled. Where there is no /proc it cannot say: false.
 */
function running(pid) {
  if (!HAVE_PROC) return false;
  try {
    const st = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return !'StTI'.includes(st.slice(st.lastIndexOf(')') + 2)[0]);
  } catch { return true; } // reaped: the runtime's exit and close events are on their way
}

/** Start a child; resolves with its exit once it is gone. Settle waits while it runs (not while it sleeps). */
function start(ctx, cmd, args, stdio) {
  const proc = spawn(cmd, args, { stdio });
  const c = { proc, stderr: '', exit: undefined };
  proc.stderr?.on('data', (d) => { if (c.stderr.length < 4096) c.stderr += d.toString(); });
  proc.stderr?.on('error', () => {});
  const busy = () => !c.exit && proc.pid !== undefined && running(proc.pid);
  ctx.busy.add(busy);
  c.exited = new Promise((res) => {
    proc.on('error', (e) => { c.stderr += String(e.message); c.error = e; c.exit ??= { code: 127, signal: null }; ctx.busy.delete(busy); ctx.touch(); res(c.exit); });
    proc.on('close', (code, signal) => { c.exit = { code, signal }; ctx.busy.delete(busy); ctx.touch(); res(c.exit); });
  });
  ctx.cleanups.push(async () => { if (!c.exit) { try { proc.kill('SIGKILL'); } catch { /* gone */ } await c.exited; } });
  return c;
}

const errnoFromMessage = (s) => (/Broken pipe/i.test(s) ? 'EPIPE' : /temporarily unavailable/i.test(s) ? 'EAGAIN' : /Bad file descriptor/i.test(s) ? 'EBADF' : undefined);

/**
 * A child's stdio descriptor may come back changed: libuv makes a child's fds 0-2 blocking, which
 * clears O_NONBLOCK on the description the driver shares. The driver cannot ask (no fcntl), so from
 * now on a call on it may block.
 */
function inherited(ctx, h) {
  const e = entryOf(ctx, h);
  if (e?.kind === 'fd') e.nonblock = undefined;
}

/** A spawn the runtime refused (a bad descriptor in stdio) is the call's error. */
const spawnFailed = (c) => (c.error ? { kind: 'err', errno: typeof c.error.code === 'string' ? c.error.code : 'EIO' } : undefined);

async function childWrite(ctx, call, data, step) {
  if (entryOf(ctx, call.fd) && entryOf(ctx, call.fd).kind !== 'fd') return unsupported('child-write to a socket handle');
  const file = join(ctx.dir, `.payload-${step}`);
  writeFileSync(file, data);
  const dd = [`if=${file}`, `bs=${data.length}`, 'count=1', 'status=none'];
  const stdio = ['ignore', fdOf(ctx, call.fd), 'pipe'];
  inherited(ctx, call.fd);
  // The runtime's children start with SIGPIPE at its default; `ignore` is set by a shell trap before exec.
  const c = call.sigpipe === 'default' ? start(ctx, 'dd', dd, stdio) : start(ctx, 'sh', ['-c', 'trap "" PIPE; exec dd "$@"', 'sh', ...dd], stdio);
  const exit = await c.exited;
  const failed = spawnFailed(c);
  if (failed) return failed;
  const seen = errnoFromMessage(c.stderr);
  return ok(0, { detail: { exit, ...(seen ? { errnoSeen: seen } : {}) } });
}

async function childRead(ctx, call, _data, step) {
  if (entryOf(ctx, call.fd) && entryOf(ctx, call.fd).kind !== 'fd') return unsupported('child-read from a socket handle');
  const file = join(ctx.dir, `.out-${step}`);
  const outFd = openSync(file, 'w');
  inherited(ctx, call.fd);
  let c;
  try { c = start(ctx, 'dd', ['bs=65536', 'status=none'], [fdOf(ctx, call.fd), outFd, 'pipe']); } finally { closeSync(outFd); }
  const exit = await c.exited;
  const failed = spawnFailed(c);
  if (failed) return failed;
  return ok(0, { detail: { exit, output: b64(readFileSync(file)) } });
}

/** producer | consumer: the consumer's stdin is the producer's stdout stream; the driver then closes its own end. */
async function pipeline(ctx, call, data, step) {
  const outFile = join(ctx.dir, `.pipeline-${step}`);
  const outFd = openSync(outFile, 'w');
  let prod, cons;
  try {
    if (call.producer.kind === 'yes') prod = start(ctx, 'yes', [], ['ignore', 'pipe', 'pipe']);
    else {
      const file = join(ctx.dir, `.producer-${step}`);
      writeFileSync(file, data ?? new Uint8Array(0)); // the producer's bytes come with the step (exec-target stepData)
      prod = start(ctx, 'dd', [`if=${file}`, `bs=${call.producer.chunk}`, 'status=none'], ['ignore', 'pipe', 'pipe']);
    }
    const args = call.consumer.kind === 'cat' ? ['cat', []] : ['head', ['-n', String(call.consumer.lines)]];
    cons = start(ctx, args[0], args[1], [prod.proc.stdout, outFd, 'pipe']);
  } finally {
    closeSync(outFd);
  }
  prod.proc.stdout.destroy();
  const [p, q] = await Promise.all([prod.exited, cons.exited]);
  return ok(0, { detail: { producerExit: p, consumerExit: q, output: b64(readFileSync(outFile)) } });
}

export const CHILD_OPS = { 'child-write': childWrite, 'child-read': childRead, pipeline };
