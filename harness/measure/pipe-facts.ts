// Pipe facts measured on the host with real syscalls: capacity and how it is counted, PIPE_BUF
// atomicity, F_SETPIPE_SZ rounding and limits, zero-length writes with no reader.
// Each measurement returns its value and the evidence that produced it (for provenance).
import { readFileSync } from 'node:fs';
import { hasCapSysResource } from '../host/proc.ts';
import { fpathconfPipeBuf, probe, show, sysconfPageSize, type Probe } from './probe.ts';

export interface Fact<T> {
  value: T;
  evidence: string;
}

export interface CapacityFacts {
  pageSize: Fact<number>;
  /** F_GETPIPE_SZ of a fresh pipe. */
  defaultBytes: Fact<number>;
  /** Full pages a fresh pipe takes before EAGAIN. */
  defaultSlots: Fact<number>;
  /** A free byte in a partly read head page does not admit a 1-byte write: a full ring of slots is full. */
  countsPageSlots: Fact<boolean>;
  mergesIntoTailPage: Fact<boolean>;
}

export function measureCapacity(): CapacityFacts {
  const page = sysconfPageSize();
  return probe((p) => {
    const a = p.pipe();
    const getSz = p.getSize(a.w);
    const oneByte = p.fill(a.w, 1);
    const b = p.pipe();
    const slots = p.fill(b.w, page);
    if (slots * page !== getSz || oneByte !== getSz) {
      throw new Error(`inconsistent capacity: F_GETPIPE_SZ ${getSz}, ${oneByte} 1-byte writes, ${slots} writes of a ${page}-byte page`);
    }
    // Read 1 byte from a ring full of whole pages: a byte is free, but no slot is.
    const r1 = p.read(b.r, 1);
    const after1 = p.write(b.w, 1);
    const rest = p.read(b.r, page - 1); // empties the head page, freeing its slot
    const afterPage = p.write(b.w, 1);
    const slotted = after1.errno === 'EAGAIN' && afterPage.value === 1;
    // 16 one-byte writes into an empty pipe: if they share one page, slots-1 whole pages still fit.
    const c = p.pipe();
    for (let i = 0; i < 16; i++) if (p.write(c.w, 1).value !== 1) throw new Error('a 1-byte write into an empty pipe failed');
    const pagesAfter = p.fill(c.w, page);
    return {
      pageSize: { value: page, evidence: `sysconf(_SC_PAGESIZE) = ${page}; F_GETPIPE_SZ ${getSz} = ${slots} page writes x ${page}` },
      defaultBytes: { value: getSz, evidence: `F_GETPIPE_SZ of a fresh pipe = ${getSz}; ${oneByte} nonblocking 1-byte writes fit before EAGAIN` },
      defaultSlots: { value: slots, evidence: `${slots} nonblocking writes of one page fit in a fresh pipe before EAGAIN` },
      countsPageSlots: {
        value: slotted,
        evidence: `full ring of ${slots} pages, read 1 byte (${show(r1)}): write 1 byte -> ${show(after1)}; read ${page - 1} more (${show(rest)}): write 1 byte -> ${show(afterPage)}`,
      },
      mergesIntoTailPage: {
        value: pagesAfter === slots - 1,
        evidence: `after 16 1-byte writes into an empty pipe, ${pagesAfter} whole pages fit (of ${slots} slots)`,
      },
    };
  });
}

type WriteResult = 'whole' | 'EAGAIN' | 'partial' | string;

/** A nonblocking pipe with `slots - free` slots in use: whole pages, then a last page of `tail` bytes. */
function partlyFull(p: Probe, page: number, slots: number, free: number, tail: number): { r: number; w: number } {
  const fds = p.pipe();
  const used = slots - free;
  for (let i = 0; i < used - (tail ? 1 : 0); i++) if (p.write(fds.w, page).value !== page) throw new Error('setting up: a page write failed');
  if (tail && p.write(fds.w, tail).value !== tail) throw new Error('setting up: the tail write failed');
  return fds;
}

/**
 * PIPE_BUF: fpathconf's answer, checked by the behaviour it promises. Nonblocking writes of each
 * size go into pipes left with less room than they need, in several shapes; the measured limit is
 * the largest size for which no write ever came back partial.
 */
export function measurePipeBuf(page: number, slots: number): { pipeBuf: Fact<number>; nonblockingWrite: Fact<string> } {
  return probe((p) => {
    const declared = (() => { const { r } = p.pipe(); return fpathconfPipeBuf(r); })();
    const shapes = [0, 1].flatMap((free) => [0, 1, 100, page / 2, page - 1].map((tail) => ({ free, tail })));
    const results = new Map<number, Array<{ free: number; tail: number; got: WriteResult; value: number }>>();
    const tryAll = (n: number) => {
      if (results.has(n)) return results.get(n)!;
      const out = shapes.map(({ free, tail }) => {
        const fds = partlyFull(p, page, slots, free, tail);
        const r = p.write(fds.w, n);
        p.close(fds.r);
        p.close(fds.w);
        const got: WriteResult = r.errno ?? (r.value === n ? 'whole' : 'partial');
        return { free, tail, got, value: r.value };
      });
      results.set(n, out);
      return out;
    };
    const partial = (n: number) => tryAll(n).some((x) => x.got === 'partial');
    const odd = (n: number) => tryAll(n).find((x) => x.got !== 'whole' && x.got !== 'EAGAIN' && x.got !== 'partial');
    const base = [1, 2, 3, 64, 100, 511, 512, 513, 1000, page / 2, page - 1, page, page + 1, page + 100, 2 * page, 2 * page + 1];
    const candidates = [...new Set([...base, declared - 1, declared, declared + 1].filter((n) => n > 0))].sort((x, y) => x - y);
    let firstPartial = 0;
    let prev = 0;
    for (const n of candidates) {
      const bad = odd(n);
      if (bad) throw new Error(`write of ${n} into a pipe without room gave ${bad.got}`);
      if (partial(n)) {
        // Pin the boundary: scan down from n to the last size known to be atomic.
        firstPartial = n;
        for (let m = n - 1; m > prev; m--) { if (!partial(m)) break; firstPartial = m; }
        break;
      }
      prev = n;
    }
    if (!firstPartial) throw new Error(`no nonblocking write up to ${candidates.at(-1)} bytes was ever partial: cannot find PIPE_BUF`);
    const limit = firstPartial - 1;
    const example = tryAll(firstPartial).find((x) => x.got === 'partial')!;
    const refused = tryAll(limit).filter((x) => x.got === 'EAGAIN').length;
    const big = tryAll(2 * page).map((x) => `${x.free} free slot(s)+tail ${x.tail}: ${x.got === 'partial' ? x.value : x.got}`);
    return {
      pipeBuf: {
        value: limit,
        evidence: `fpathconf(_PC_PIPE_BUF) = ${declared}; nonblocking writes of 1..${limit} bytes into pipes lacking room were whole or EAGAIN (${refused} of ${shapes.length} shapes refused ${limit}), ` +
          `${firstPartial} bytes with ${example.free} free slot(s) and a ${example.tail}-byte tail page wrote ${example.value}`,
      },
      nonblockingWrite: {
        value: `n <= ${limit}: whole or EAGAIN; n > ${limit}: partial as soon as a slot is free or n % page fits the tail page, else EAGAIN (${2 * page} bytes -> ${big.join('; ')})`,
        evidence: 'writes into pipes with 0 or 1 free slots and tail pages of 0, 1, 100, page/2, page-1 bytes',
      },
    };
  });
}

/** Rounding rule of F_SETPIPE_SZ, checked on many sizes: every result must be a power-of-two number of pages. */
export function measureSetPipeSize(page: number): {
  pipeMaxSize: Fact<number>;
  rounding: Fact<'pow2-pages'>;
  maxArg: Fact<number>;
  abovePipeMax: Fact<string>;
} {
  const pipeMaxSize = Number(readFileSync('/proc/sys/fs/pipe-max-size', 'utf8').trim());
  const privileged = hasCapSysResource();
  return probe((p) => {
    const setOnFresh = (arg: number) => {
      const fds = p.pipe();
      const r = p.setSize(fds.w, arg);
      const now = r.errno ? undefined : p.getSize(fds.r);
      p.close(fds.r);
      p.close(fds.w);
      return { r, now };
    };
    const pow2Pages = (arg: number) => (arg < page ? page : 2 ** Math.ceil(Math.log2(arg)));
    const sizes = [0, 1, page - 1, page, page + 1, 2 * page - 1, 2 * page, 3 * page, 5 * page + 1, 65535, 65536, 65537, 100_000, pipeMaxSize / 2 + 1, pipeMaxSize - 1, pipeMaxSize];
    const seen = sizes.map((arg) => ({ arg, ...setOnFresh(arg) }));
    const wrong = seen.filter(({ arg, r, now }) => r.errno || r.value !== pow2Pages(arg) || now !== r.value);
    if (wrong.length) {
      const w = wrong.map(({ arg, r, now }) => `${arg} -> ${show(r)} (F_GETPIPE_SZ ${now ?? '-'}; pow2 pages would be ${pow2Pages(arg)})`);
      throw new Error(`F_SETPIPE_SZ does not round to a power-of-two number of pages, which no profile can express yet: ${w.join(', ')}`);
    }
    // Largest argument (as the kernel's unsigned int) not refused with EINVAL: binary search on [0, 2^32).
    const einval = (arg: number) => setOnFresh(arg).r.errno === 'EINVAL';
    let lo = 0;
    let hi = 2 ** 32 - 1;
    if (einval(lo) || !einval(hi)) throw new Error(`F_SETPIPE_SZ(0) -> ${show(setOnFresh(0).r)}, F_SETPIPE_SZ(2^32-1) -> ${show(setOnFresh(hi).r)}: no EINVAL boundary`);
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (einval(mid)) hi = mid;
      else lo = mid;
    }
    const above = [lo + 1, lo + 2, lo + 4097, 2 ** 32 - 2].filter((x) => !einval(x));
    if (above.length) throw new Error(`F_SETPIPE_SZ's EINVAL boundary is not a threshold: ${above.join(', ')} accepted above ${lo}`);
    const atMax = setOnFresh(lo).r;
    const justAbove = setOnFresh(pipeMaxSize + 1).r;
    const minusOne = setOnFresh(-1).r;
    return {
      pipeMaxSize: { value: pipeMaxSize, evidence: `/proc/sys/fs/pipe-max-size = ${pipeMaxSize}` },
      rounding: {
        value: 'pow2-pages',
        evidence: `F_SETPIPE_SZ on fresh pipes: ${seen.map(({ arg, r }) => `${arg}->${show(r)}`).join(', ')} (each confirmed by F_GETPIPE_SZ)`,
      },
      maxArg: {
        value: lo,
        evidence: `binary search over unsigned 32-bit arguments: ${lo} -> ${show(atMax)}, ${lo + 1} -> EINVAL, -1 -> ${show(minusOne)}`,
      },
      abovePipeMax: {
        value: `${pipeMaxSize + 1} -> ${show(justAbove)}`,
        evidence: `this process ${privileged ? 'has' : 'lacks'} CAP_SYS_RESOURCE (EPERM above pipe-max-size applies without it)`,
      },
    };
  });
}

/** write(fd, buf, 0) on a pipe whose read end is closed. */
export function measureZeroLengthWriteNoReader(): Fact<Array<'ok' | 'EPIPE'>> {
  return probe((p) => {
    const outcomes = [true, false].map((nonblock) => {
      const { r, w } = p.pipe(nonblock);
      p.close(r);
      return { nonblock, r: p.write(w, 0) };
    });
    const kinds = [...new Set(outcomes.map(({ r }) => (r.errno ? r.errno : r.value === 0 ? 'ok' : `returned ${r.value}`)))];
    const bad = kinds.filter((k) => k !== 'ok' && k !== 'EPIPE');
    if (bad.length) throw new Error(`zero-length write with no reader gave ${bad.join(', ')}`);
    return {
      value: kinds as Array<'ok' | 'EPIPE'>,
      evidence: outcomes.map(({ nonblock, r }) => `write(w, buf, 0) after closing the read end (${nonblock ? 'O_NONBLOCK' : 'blocking'}) -> ${show(r)}`).join('; '),
    };
  });
}
