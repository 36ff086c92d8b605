// What the runtime driver's op files share: outcomes, errno names, handles, waiting for events.
import { Buffer } from 'node:buffer';
import { fstatSync } from 'node:fs';

/** A descriptor number that is never open: above any RLIMIT_NOFILE. */
export const NEVER_OPEN = 0x3fffffff;

export const ok = (value, extra = {}) => ({ kind: 'ok', value, ...extra });
export const b64 = (bytes) => ({ $base64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') });
export const unsupported = (reason) => ({ kind: 'unsupported', reason: `runtime driver: ${reason}` });

/**
 * The runtime's error as an outcome. `err.code` is the errno name for system errors (EAGAIN, EPIPE);
 * the runtime's own refusals (ERR_STREAM_DESTROYED, ERR_OUT_OF_RANGE, ...) are reported as they are,
 * for the model to judge; a runtime saying it does not implement something is unsupported.
 */
export function errOutcome(e) {
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (code && /NOT_IMPLEMENTED|NOT_SUPPORTED|ERR_FEATURE_UNAVAILABLE/.test(code)) return unsupported(`the runtime does not implement this: ${code}: ${e.message}`);
  if (code && /^[A-Z][A-Z0-9_]*$/.test(code)) return { kind: 'err', errno: code };
  if (/not (yet )?implemented|not supported/i.test(String(e?.message))) return unsupported(`the runtime does not implement this: ${e.message}`);
  return { kind: 'error', message: `runtime driver: ${e?.stack ?? e}` };
}

/** A handle's entry, or undefined. */
export const entryOf = (ctx, h) => ctx.handles.get(h);

/** Bind a handle to a new entry (dropping what it named before from the closed set). */
export function bindHandle(ctx, h, entry) {
  ctx.handles.set(h, entry);
  ctx.closed.delete(h);
}

/**
 * The descriptor a handle stands for (spec/driver-protocol.md, Handles): its open descriptor; after
 * close the number it had unless something reuses it now (then one never open); -1 if never bound.
 */
export function fdOf(ctx, h) {
  const e = ctx.handles.get(h);
  if (e?.kind === 'fd') return e.fd;
  const old = ctx.closed.get(h);
  if (old === undefined) return -1;
  try { fstatSync(old); return NEVER_OPEN; } catch { return old; }
}

/** Resolve when `emitter` emits one of `events` (or at once if `ready()` already holds). */
export function once(emitter, events, ready = () => false) {
  return new Promise((res) => {
    if (ready()) return res();
    const done = () => { for (const ev of events) emitter.off(ev, done); res(); };
    for (const ev of events) emitter.on(ev, done);
  });
}
