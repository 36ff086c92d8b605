// Reading a file a user was handed (a replay file, a report, a rubric) without trusting it: stat
// first, so a FIFO, a device or a directory is refused before anything blocks on it; a size cap,
// so /dev/zero-like or huge files never fill memory; strict UTF-8 and JSON, each error at LINE:COLUMN.
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';

export class InvalidInput extends Error {}

/** Replay files, counterexamples and report.json: generated ones are kilobytes; 32 MiB is plenty. */
export const MAX_DATA_FILE_BYTES = 32 << 20;
/** Nesting deeper than this is no ipcspec file (counterexamples nest about 8 deep). */
export const MAX_JSON_DEPTH = 64;

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Refuse anything but a regular file of at most `maxBytes`, naming why. */
function checkStat(st: Stats, file: string, maxBytes: number): void {
  if (!st.isFile()) throw new InvalidInput(`${file}: is ${kindOf(st)}, not a regular file`);
  if (st.size > maxBytes) throw new InvalidInput(`${file}: ${st.size} bytes is larger than the limit of ${maxBytes} bytes`);
}

/** The bytes of a regular file of at most `maxBytes`: the checks run before any read can block. */
export function readBoundedFile(file: string, maxBytes = MAX_DATA_FILE_BYTES): Buffer {
  const errno = (e: unknown) => `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  let st: Stats;
  try {
    st = statSync(file);
  } catch (e) {
    throw new InvalidInput(errno(e));
  }
  checkStat(st, file, maxBytes);
  let fd: number;
  try {
    // O_NONBLOCK: if the path was swapped for a FIFO since the stat, open and read do not wait for a writer.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    throw new InvalidInput(errno(e));
  }
  try {
    checkStat(fstatSync(fd), file, maxBytes);
    // Read to EOF, but never more than the cap: a file that grows (or lies about its size, as /proc does) stops there.
    let buf = Buffer.alloc(Math.min(maxBytes + 1, Math.max(st.size + 1, 64 << 10)));
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        if (n > maxBytes) throw new InvalidInput(`${file}: larger than the limit of ${maxBytes} bytes`);
        const bigger = Buffer.alloc(Math.min(maxBytes + 1, buf.length * 2));
        buf.copy(bigger);
        buf = bigger;
      }
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    return buf.subarray(0, n);
  } catch (e) {
    if (e instanceof InvalidInput) throw e;
    throw new InvalidInput(errno(e));
  } finally {
    closeSync(fd);
  }
}

/** LINE:COLUMN (1-based) of a character offset in `text`. */
export function lineColumn(text: string, offset: number): string {
  let line = 1;
  let col = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) { line++; col = 1; } else col++;
  }
  return `${line}:${col}`;
}

/** Offset of the first byte that does not begin a valid UTF-8 sequence, or -1. */
function firstInvalidUtf8(b: Buffer): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    const len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (len === 0 || i + len > b.length) return i;
    for (let k = 1; k < len; k++) if ((b[i + k] & 0xc0) !== 0x80) return i;
    // overlong, surrogate and above-U+10FFFF forms
    if ((c === 0xe0 && b[i + 1] < 0xa0) || (c === 0xed && b[i + 1] > 0x9f) || (c === 0xf0 && b[i + 1] < 0x90) || (c === 0xf4 && b[i + 1] > 0x8f)) return i;
    i += len;
  }
  return -1;
}

/** Where a file stops being UTF-8: 1-based line and column, the byte and its offset; undefined when it is UTF-8. */
export function utf8Error(bytes: Buffer): { line: number; column: number; byte: number; offset: number } | undefined {
  const bad = firstInvalidUtf8(bytes);
  if (bad < 0) return undefined;
  const before = bytes.subarray(0, bad).toString('utf8');
  const [line, column] = lineColumn(before, before.length).split(':').map(Number);
  return { line, column, byte: bytes[bad], offset: bad };
}

export const describeUtf8Error = (e: { byte: number; offset: number }): string => `not UTF-8 (byte 0x${e.byte.toString(16).padStart(2, '0')} at offset ${e.offset})`;

/** Text of a file that must be UTF-8 (a leading BOM is dropped); an invalid byte is named at LINE:COLUMN. */
export function decodeUtf8(bytes: Buffer, file: string): string {
  const bad = utf8Error(bytes);
  if (bad) throw new InvalidInput(`${file}:${bad.line}:${bad.column}: ${describeUtf8Error(bad)}`);
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Read a UTF-8 text file under the same rules. */
export function readTextFile(file: string, maxBytes = MAX_DATA_FILE_BYTES): string {
  return decodeUtf8(readBoundedFile(file, maxBytes), file);
}

/**
 * Where JSON text nests deeper than `max` (an iterative scan: JSON.parse with a reviver recurses
 * and would overflow the stack on "[[[[...").
 */
function tooDeep(text: string, max: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) { if (++depth > max) return i; }
    else if (c === 93 || c === 125) depth--;
  }
  return -1;
}

/** Beyond this, a bad token JSON.parse did not place is reported without LINE:COLUMN. */
const BAD_TOKEN_SEARCH_LIMIT = 4 << 20;

/** A JSON.parse error's offset: "at position N", or where the text runs out. */
function errorOffset(text: string, message: string): number | undefined {
  const m = /at position (\d+)/.exec(message);
  if (m) return Number(m[1]);
  if (/end of JSON input/.test(message)) return text.length;
  return undefined;
}

/**
 * Where JSON.parse found a bad token it did not place ("Unexpected token 'r', ..."): the shortest
 * prefix that fails with more than running out ends just past it. Prefixes are monotone, so a
 * binary search finds it in about 25 parses; only on an error.
 */
function badTokenOffset(text: string): number | undefined {
  if (text.length > BAD_TOKEN_SEARCH_LIMIT) return undefined; // 25 parses of a huge file would not be quick
  const bad = (k: number): boolean => {
    try {
      JSON.parse(text.slice(0, k));
      return false;
    } catch (e) {
      const at = errorOffset(text.slice(0, k), (e as Error).message);
      return at === undefined || at < k;
    }
  };
  if (!bad(text.length)) return undefined;
  let lo = 0;
  let hi = text.length; // bad(hi) holds
  while (lo + 1 < hi) {
    const mid = (lo + hi) >>> 1;
    if (bad(mid)) hi = mid;
    else lo = mid;
  }
  return hi - 1;
}

/** JSON.parse with the error at LINE:COLUMN and nesting bounded; the file's content is never echoed. */
export function parseJsonText(text: string, file: string, reviver?: (key: string, value: unknown) => unknown): unknown {
  if (text.trim() === '') throw new InvalidInput(`${file}: empty file (expected JSON)`);
  const deep = tooDeep(text, MAX_JSON_DEPTH);
  if (deep >= 0) throw new InvalidInput(`${file}:${lineColumn(text, deep)}: JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(text, reviver as never);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw new InvalidInput(`${file}: not valid JSON (${(e as Error).message})`);
    const msg = e.message;
    const at = errorOffset(text, msg) ?? badTokenOffset(text);
    const what = msg.replace(/ at position \d+.*$/s, '').replace(/ in JSON$/, '').replace(/, (\.\.\.)?".*$/s, '').split('\n')[0];
    throw new InvalidInput(`${file}${at === undefined ? '' : `:${lineColumn(text, at)}`}: not valid JSON (${what})`);
  }
}
