// FIFOs and descriptor I/O through node:fs. The runtime has no pipe(2) (make-pipe's pipe variants are
// not declared), no fcntl (dup, set-nonblock, pipe sizes), no poll; it has no mkfifo API either, so a
// FIFO is made by the `mkfifo` command. Every fs call here is one syscall on the runtime's thread
// pool (node: libuv), so a call that blocks in the kernel keeps its promise unresolved: that is the
// step's "pending". Descriptors come from fs.open (the runtime adds O_CLOEXEC).
import { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { close, closeSync, constants as C, link, lstat, open, openSync, read, readv, unlink, write, writev } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { b64, bindHandle, entryOf, fdOf, ok, unsupported } from './kit.mjs';

/** node-style callback call as a promise of its results. */
const cb = (fn, ...args) => new Promise((res, rej) => fn(...args, (e, ...r) => (e ? rej(e) : res(r))));

/** Descriptors this scenario owns, closed at end (also those a call returns after end began). */
function own(ctx, fd) {
  if (!ctx.fds) {
    ctx.fds = new Set();
    ctx.cleanups.push(() => { for (const f of ctx.fds) { try { closeSync(f); } catch { /* already closed */ } } ctx.fds.clear(); });
  }
  if (ctx.ending) { try { closeSync(fd); } catch { /* gone */ } return; }
  ctx.fds.add(fd);
}

/** strerror texts (C locale) the mkfifo command prints, back to errno names. */
const STRERROR = {
  'File exists': 'EEXIST', 'No such file or directory': 'ENOENT', 'Not a directory': 'ENOTDIR', 'Permission denied': 'EACCES',
  'File name too long': 'ENAMETOOLONG', 'Too many levels of symbolic links': 'ELOOP', 'Read-only file system': 'EROFS', 'No space left on device': 'ENOSPC',
};

/** mkfifo(path, 0600) by the `mkfifo` command; undefined on success, else the outcome to report. */
function mkfifoCommand(path) {
  const r = spawnSync('mkfifo', ['-m', '600', path], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  if (r.error) return unsupported(`no mkfifo command to make a FIFO with (${r.error.code ?? r.error.message})`);
  if (r.status === 0) return undefined;
  const why = Object.keys(STRERROR).find((t) => r.stderr.includes(t));
  return why ? { kind: 'err', errno: STRERROR[why] } : { kind: 'error', message: `mkfifo exited ${r.status}: ${r.stderr.trim()}` };
}

const isSocket = (e) => e && e.kind !== 'fd';
const notFd = (op) => unsupported(`${op} on a socket handle: the runtime's sockets are streams, not descriptors`);

async function makePipe(ctx, call, _data, step) {
  if (!call.variant.startsWith('fifo')) return unsupported(`make-pipe ${call.variant}: the runtime has no pipe(2)`);
  const path = join(ctx.dir, `fifo-${step}`);
  const mk = mkfifoCommand(path);
  if (mk) return mk;
  const nb = call.variant === 'fifo-nonblock' ? C.O_NONBLOCK : 0;
  let r, w;
  if (nb) {
    [r] = await cb(open, path, C.O_RDONLY | nb);
    own(ctx, r);
    [w] = await cb(open, path, C.O_WRONLY | nb);
    own(ctx, w);
  } else {
    // Both opens block until they meet, each on a pool thread.
    const got = await Promise.allSettled([cb(open, path, C.O_RDONLY), cb(open, path, C.O_WRONLY)]);
    for (const g of got) if (g.status === 'fulfilled') own(ctx, g.value[0]);
    const bad = got.find((g) => g.status === 'rejected');
    if (bad) throw bad.reason;
    [r, w] = got.map((g) => g.value[0]);
  }
  bindHandle(ctx, call.read, { kind: 'fd', fd: r, nonblock: !!nb });
  bindHandle(ctx, call.write, { kind: 'fd', fd: w, nonblock: !!nb });
  return ok(0);
}

/**
 * Before a call on a descriptor that may block: a line on stderr, which the harness shows if the
 * driver stops answering (a runtime that runs the call on its event-loop thread hangs there).
 */
function breadcrumb(ctx, call, fd, step) {
  if (entryOf(ctx, call.fd)?.nonblock === true) return;
  process.stderr.write(`runtime driver: step ${step}: ${call.op} on blocking fd ${fd} (${call.fd}) begins; if it was the last step sent, the runtime blocked its event loop in this call\n`);
}

async function readStep(ctx, call, _data, step) {
  if (isSocket(entryOf(ctx, call.fd))) return notFd(call.op);
  const fd = fdOf(ctx, call.fd);
  breadcrumb(ctx, call, fd, step);
  if (call.op === 'read') {
    // node answers a read of 0 bytes itself, without a read(2): that is the runtime's behaviour
    const buf = Buffer.alloc(call.size);
    const [n] = await cb(read, fd, buf, 0, call.size, null);
    return ok(n, { data: b64(buf.subarray(0, n)) });
  }
  const bufs = call.sizes.map((n) => Buffer.alloc(n));
  const [n] = await cb(readv, fd, bufs, null);
  return ok(n, { data: b64(Buffer.concat(bufs).subarray(0, n)) });
}

async function writeStep(ctx, call, data, step) {
  if (isSocket(entryOf(ctx, call.fd))) return notFd(call.op);
  const fd = fdOf(ctx, call.fd);
  breadcrumb(ctx, call, fd, step);
  if (call.op === 'write') {
    const [n] = await cb(write, fd, data, 0, data.length, null);
    return ok(n);
  }
  const parts = [];
  let at = 0;
  for (const n of call.sizes) { parts.push(data.subarray(at, at + n)); at += n; }
  const [n] = await cb(writev, fd, parts, null);
  return ok(n);
}

async function closeFd(ctx, call) {
  const e = entryOf(ctx, call.fd);
  const fd = fdOf(ctx, call.fd);
  await cb(close, fd);
  if (e?.kind === 'fd') {
    ctx.fds?.delete(fd);
    ctx.handles.delete(call.fd);
    ctx.closed.set(call.fd, fd);
  }
  return ok(0);
}

async function mkfifoStep(ctx, call, _data, step) {
  const path = join(ctx.dir, call.path);
  const mk = mkfifoCommand(path);
  if (mk) return mk;
  // A hidden second name, so that end can release an open blocked on this FIFO after an unlink.
  const keep = join(ctx.dir, `.keep-${step}`);
  try { await cb(link, path, keep); (ctx.keepNames ??= new Map()).set(call.path, keep); } catch { /* release falls back to the path */ }
  return ok(0);
}

async function openStep(ctx, call) {
  const path = join(ctx.dir, call.path);
  const flags = (call.mode === 'read' ? C.O_RDONLY : C.O_WRONLY) | (call.nonblock ? C.O_NONBLOCK : 0);
  let released = false;
  let done = false;
  // The FIFO this open is for is the one at the path now: a later mkfifo at the same path makes another.
  const hidden = ctx.keepNames?.get(call.path);
  if (!call.nonblock) {
    // end releases a blocked open by opening the other side (nonblocking) through the FIFO's hidden name
    ctx.releases.push(() => {
      if (done || released) return;
      released = true;
      const other = hidden ?? path;
      // kept open until the open returned (end closes it after every call is done): the open may not have begun yet
      try { const fd = openSync(other, (call.mode === 'read' ? C.O_WRONLY : C.O_RDONLY) | C.O_NONBLOCK); ctx.lateCleanups.push(() => closeSync(fd)); } catch { /* nothing to release */ }
    });
  }
  try {
    const [fd] = await cb(open, path, flags);
    own(ctx, fd);
    if (!ctx.ending) bindHandle(ctx, call.as, { kind: 'fd', fd, nonblock: call.nonblock });
    return ok(fd);
  } finally {
    done = true;
  }
}

async function unlinkStep(ctx, call) {
  await cb(unlink, join(ctx.dir, call.path));
  return ok(0);
}

async function statStep(ctx, call) {
  const [st] = await cb(lstat, join(ctx.dir, call.path));
  const type = st.isFIFO() ? 'fifo' : st.isFile() ? 'file' : st.isDirectory() ? 'directory' : 'other';
  return ok(0, { detail: { type, size: Number(st.size) } });
}

/** writers pool threads each write their records, one write per record, while the step drains reader. */
async function concurrentWrites(ctx, call, data) {
  const fd = fdOf(ctx, call.fd);
  const rfd = fdOf(ctx, call.reader);
  const total = call.writers * call.records * call.size;
  const drain = (async () => {
    const got = [];
    let n = 0;
    try {
      while (n < total) {
        const buf = Buffer.alloc(Math.min(65536, total - n));
        const [k] = await cb(read, rfd, buf, 0, buf.length, null);
        if (k === 0) break;
        got.push(buf.subarray(0, k));
        n += k;
      }
    } catch { /* a read error ends the drain with what it has, as the host's drain does */ }
    return Buffer.concat(got);
  })();
  const writers = Array.from({ length: call.writers }, async (_, w) => {
    for (let q = 0; q < call.records; q++) {
      const at = (w * call.records + q) * call.size;
      const [k] = await cb(write, fd, data, at, call.size, null);
      if (k !== call.size) return 'SHORT_WRITE';
    }
    return undefined;
  });
  const errs = await Promise.all(writers.map((p) => p.catch((e) => e.code ?? String(e))));
  const bad = errs.find((x) => x !== undefined);
  if (bad) return { kind: 'err', errno: /^[A-Z][A-Z0-9_]*$/.test(bad) ? bad : 'EIO' };
  const got = await drain;
  return ok(got.length, { detail: { records: b64(got) } });
}

export const FIFO_OPS = {
  'make-pipe': makePipe,
  read: readStep,
  readv: readStep,
  write: writeStep,
  writev: writeStep,
  mkfifo: mkfifoStep,
  open: openStep,
  unlink: unlinkStep,
  stat: statStep,
  'concurrent-writes': concurrentWrites,
};
export { closeFd, own, cb };
