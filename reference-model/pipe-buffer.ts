// The pipe's byte store and its capacity accounting, per profile.
// linux ("page-slots"): a ring of `slots` pages, as fs/pipe.c pipe_write/pipe_read do it.
// posix ("unspecified"): capacity unknown but at least `minimumBytes`.
import type { Capacity } from '../spec/profile.ts';
import { buffered, type PipeObj } from './state.ts';

/**
 * How many bytes of `data` a write transfers right now without waiting (linux exact accounting).
 * Mirrors pipe_write: the n % PAGE part merges into the tail page first if it fits whole, then
 * full pages go into free slots.
 */
export function exactTransfer(o: PipeObj, cap: Extract<Capacity, { accounting: 'page-slots' }>, data: Uint8Array): number {
  const page = cap.pageSize;
  let done = 0;
  const chars = data.length % page;
  const tail = o.pages[o.pages.length - 1];
  const canMerge = cap.mergesIntoTailPage && chars > 0 && tail && tail.offset + tail.bytes.length + chars <= page;
  // A write of at most one page either merges whole or takes one whole slot: all-or-nothing falls out.
  if (canMerge) { mergeTail(o, data.subarray(0, chars)); done = chars; }
  while (done < data.length && o.pages.length < o.slots) {
    const n = Math.min(page, data.length - done);
    o.pages.push({ offset: 0, bytes: data.subarray(done, done + n) }); // payloads are immutable: share, don't copy
    done += n;
  }
  return done;
}

function mergeTail(o: PipeObj, data: Uint8Array): void {
  const tail = o.pages[o.pages.length - 1];
  const merged = new Uint8Array(tail.bytes.length + data.length);
  merged.set(tail.bytes);
  merged.set(data, tail.bytes.length);
  o.pages[o.pages.length - 1] = { offset: tail.offset, bytes: merged };
}

function pushPages(o: PipeObj, data: Uint8Array, page: number): void {
  for (let i = 0; i < data.length; i += page) o.pages.push({ offset: 0, bytes: data.subarray(i, Math.min(i + page, data.length)) });
}

/** Append without capacity checks (posix accounting, or data whose transfer the trace already proved). */
export function appendUnbounded(o: PipeObj, data: Uint8Array, page = 4096): void {
  if (data.length) pushPages(o, data, page);
}

/** Remove and return the first `n` bytes; emptied pages free their slot, a partly read page keeps it. */
export function consume(o: PipeObj, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const p = o.pages[0];
    const k = Math.min(p.bytes.length, n - got);
    out.set(p.bytes.subarray(0, k), got);
    got += k;
    if (k === p.bytes.length) o.pages.shift();
    else o.pages[0] = { offset: p.offset + k, bytes: p.bytes.subarray(k) };
  }
  return out;
}

/** Remove the last `n` buffered bytes (a writer turned out not to have written them). */
export function dropTail(o: PipeObj, n: number): void {
  while (n > 0 && o.pages.length) {
    const last = o.pages[o.pages.length - 1];
    const k = Math.min(n, last.bytes.length);
    if (k === last.bytes.length) o.pages.pop();
    else o.pages[o.pages.length - 1] = { offset: last.offset, bytes: last.bytes.subarray(0, last.bytes.length - k) };
    n -= k;
  }
}

/** The first `n` buffered bytes, without consuming them. */
export function peek(o: PipeObj, n: number): Uint8Array {
  const out = new Uint8Array(Math.min(n, buffered(o)));
  let got = 0;
  for (const p of o.pages) {
    if (got >= out.length) break;
    const k = Math.min(p.bytes.length, out.length - got);
    out.set(p.bytes.subarray(0, k), got);
    got += k;
  }
  return out;
}

/** Bytes that surely fit on top of what is buffered (posix: the guaranteed minimum). */
export function guaranteedRoom(o: PipeObj, cap: Capacity): number {
  if (cap.accounting === 'unspecified') return Math.max(0, cap.minimumBytes - buffered(o));
  return (o.slots - o.pages.length) * cap.pageSize;
}

/** linux: POLLOUT iff the ring is not full (pipe_poll). */
export const hasFreeSlot = (o: PipeObj): boolean => o.pages.length < o.slots;

const view = (a: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.length);
export const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && view(a).equals(view(b));
