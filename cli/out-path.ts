// --out is checked before anything runs: made if missing, then probed with a real file, so a place
// that cannot hold the report (read-only, full, /proc, a file) is refused at once, with the path and
// the real errno, instead of after a whole run. What the check made is removed again: a command
// that then fails (a bad input, an unknown target) leaves no empty directory behind.
import { rmdirSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { errnoText, makeDirs, OutputError } from '../reports/atomic-files.ts';
import { UsageError } from './command.ts';

/** Filesystems that hold no ordinary files (statfs f_type), to say why a path there fails. */
const PSEUDO_FS: Record<number, string> = { 0x9fa0: 'proc', 0x62656572: 'sysfs', 0x1cd1: 'devpts', 0x63677270: 'cgroup2', 0x27e0eb: 'cgroup', 0x64626720: 'debugfs', 0xcafe4a11: 'bpf' };

function nearestExisting(path: string): string {
  for (let p = path; ; p = dirname(p)) {
    try { statSync(p); return p; } catch { if (dirname(p) === p) return p; }
  }
}

function refuse(flag: string, path: string, why: string): never {
  let note = '';
  try {
    const fs = PSEUDO_FS[statfsSync(nearestExisting(path)).type];
    if (fs) note = ` (a ${fs} filesystem, which holds no report files)`;
  } catch { /* no note */ }
  throw new UsageError(`--${flag} ${path}: ${why}${note}`);
}

/** The absolute directory `value` names, created and proven writable. */
export function prepareOutDir(flag: string, value: string): string {
  const dir = resolve(value);
  let made: string[] = [];
  try {
    made = makeDirs(dir);
  } catch (e) {
    if (e instanceof OutputError) refuse(flag, dir, e.message);
    throw e;
  }
  const probe = join(dir, `.ipcspec-probe-${process.pid}`);
  try {
    writeFileSync(probe, 'ipcspec checks that this directory is writable\n', { flag: 'wx' });
  } catch (e) {
    refuse(flag, dir, `cannot write here: ${errnoText(e)}`);
  } finally {
    rmSync(probe, { force: true });
    for (const d of made.reverse()) try { rmdirSync(d); } catch { /* not empty or gone: keep it */ }
  }
  return dir;
}

/** The absolute file `value` names: its directory made and proven writable, and not a directory itself. */
export function prepareOutFile(flag: string, value: string): string {
  const file = resolve(value);
  let st;
  try { st = statSync(file); } catch { /* a new file */ }
  if (st?.isDirectory()) throw new UsageError(`--${flag} ${file}: EISDIR (is a directory; name a file)`);
  if (st && !st.isFile()) return file; // a device or FIFO (/dev/stdout): written in place, never replaced
  prepareOutDir(flag, dirname(file));
  return file;
}
