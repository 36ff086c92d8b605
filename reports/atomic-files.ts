// Files a command leaves behind are written whole or not at all: a temp file beside the target, then
// rename (a full disk leaves the old file or none, never a truncated one). Directories are made one
// level at a time: Node's recursive mkdir loops for ever under /proc, and blocks signals while it does.
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** A file or directory that could not be written, named with the real errno. */
export class OutputError extends Error {
  constructor(readonly path: string, readonly code: string, what: string) {
    super(`${what} ${path}: ${code}`);
  }
}

/** "ENOSPC (no space left on device)" from a Node fs error. */
export function errnoText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (!err.code) return err.message ?? String(e);
  const why = /^[A-Z]+: ([^,]+)/.exec(err.message)?.[1];
  return why ? `${err.code} (${why})` : err.code;
}

/** Make `dir` and its missing parents without recursive mkdir; returns the ones it made, outermost first. */
export function makeDirs(dir: string): string[] {
  const missing: string[] = [];
  for (let p = dir; ; p = dirname(p)) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && dirname(p) !== p) { missing.unshift(p); continue; }
      throw new OutputError(p, errnoText(e), 'cannot use');
    }
    if (!isDir) throw new OutputError(p, 'ENOTDIR (not a directory)', 'cannot make a directory under');
    break;
  }
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && statSync(d).isDirectory()) continue;
      throw new OutputError(d, errnoText(e), 'cannot create directory');
    }
  }
  return missing;
}

/**
 * Write `text` to `file` atomically; an OutputError names the file and the errno. A file that exists
 * and is not a regular file (/dev/stdout, a FIFO, /dev/full) is written in place: a rename would
 * replace the device node itself.
 */
export function writeFileAtomic(file: string, text: string | Uint8Array): void {
  let special = false;
  try { special = !statSync(file).isFile(); } catch { /* a new file */ }
  if (special) {
    try { writeFileSync(file, text); } catch (e) { throw new OutputError(file, errnoText(e), 'cannot write'); }
    return;
  }
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text, { flag: 'w' });
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new OutputError(file, errnoText(e), 'cannot write');
  }
}
