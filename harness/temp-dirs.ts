// Every temp dir ipcspec makes comes from here: `ipcspec-<kind>-<pid>-<random>` in the OS temp dir
// (TMPDIR). The owner removes its own at exit, also after Ctrl-C and SIGTERM (harness/scope.ts ends
// those in process.exit). A run killed with kill -9 cannot; its PID in the name lets the next start
// find what it left and remove it (sweepStaleTempDirs), as harness/host/test-hosts.ts does for
// network namespaces. A dir whose owner is alive is never touched: two runs at once stay apart.
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { onInterrupt } from './scope.ts';

/** What a temp dir is for: part of its name, and the only kinds a sweep recognises. */
export const TEMP_KINDS = [
  'exec', 'grade', 'grade-module', 'module', 'host',
  'measure', 'sendbuf', 'peer', 'un', 'shutdown', 'listen', 'reset',
] as const;
export type TempKind = (typeof TEMP_KINDS)[number];

const KIND_ALT = [...TEMP_KINDS].sort((a, b) => b.length - a.length).join('|');
/** ipcspec-<kind>-<pid>-<6 from mkdtemp>. */
const NAME_RE = new RegExp(`^ipcspec-(?:${KIND_ALT})-(\\d+)-[A-Za-z0-9]{6}$`);
/** What tmp-promise named them before (ipcspec 0.1): ipcspec--<pid>-<12 random>. */
const LEGACY_RE = /^ipcspec--(\d+)-[A-Za-z0-9]{12}$/;

/** The PID that made a temp dir of this name, if ipcspec made it. */
export function ownerPid(name: string): number | undefined {
  const m = NAME_RE.exec(name) ?? LEGACY_RE.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** Whether dir is itself one of ipcspec's temp dirs (a driver's TMPDIR is the exec target's). */
export const isIpcspecDir = (dir: string): boolean => basename(dir).startsWith('ipcspec-');

const mine = new Set<string>();
let hooked = false;

/** Remove every temp dir this process made and has not removed yet. */
function removeAll(): void {
  for (const d of mine) rmSync(d, { recursive: true, force: true, maxRetries: 3 });
  mine.clear();
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  // 'exit' runs after every interrupt cleanup (drivers stopped, reports written): nothing is removed
  // from under a driver still at work. The no-op makes Ctrl-C and SIGTERM end in process.exit, so
  // that 'exit' runs then too (a default SIGINT ends node without it).
  process.on('exit', removeAll);
  onInterrupt(() => {}, 'cleanup', { quiet: true });
}

/**
 * A fresh temp dir (mode 0700) for this process, removed at exit; removeTempDir removes it sooner.
 * Inside one of ipcspec's own dirs (a driver under an exec target) the name is short (`<kind>-XXXXXX`):
 * the owner of the outer dir removes it, and AF_UNIX paths made in it must stay under 108 bytes.
 */
export function makeTempDir(kind: TempKind, base = tmpdir()): string {
  hook();
  const prefix = isIpcspecDir(base) ? `${kind}-` : `ipcspec-${kind}-${process.pid}-`;
  const dir = mkdtempSync(join(base, prefix));
  mine.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  mine.delete(dir);
}

/** Seconds since the epoch the machine booted, from /proc/stat; undefined without /proc. */
function bootTimeS(): number | undefined {
  try {
    const m = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'latin1'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** When process pid started (ms since the epoch), from /proc/PID/stat; undefined if unknown. */
export function processStartMs(pid: number): number | undefined {
  const boot = bootTimeS();
  if (boot === undefined) return undefined;
  let stat: string;
  try { stat = readFileSync(`/proc/${pid}/stat`, 'latin1'); } catch { return undefined; }
  // Field 22, starttime, in clock ticks since boot; after "(comm)", which may hold spaces, it is the 20th.
  const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  // USER_HZ is 100 on every Linux architecture node runs on.
  return Number.isFinite(ticks) ? boot * 1000 + ticks * 10 : undefined;
}

/**
 * How much later than a dir's mtime a process may seem to have started and still be its owner: the
 * boot time has whole seconds, and a wall clock stepped forward makes a live owner look younger.
 * Erring here keeps a dead run's dir a while longer; it never removes a live one's.
 */
const START_SLACK_MS = 60_000;

/**
 * Whether the process that made a dir last modified at mtimeMs may still be running: a process with
 * its PID exists and (where /proc says when it started) started before the dir was last changed. A
 * process that started later only reuses the PID of an owner that is gone.
 */
export function ownerMayBeAlive(pid: number, mtimeMs: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const started = processStartMs(pid);
  return started === undefined || started <= mtimeMs + START_SLACK_MS;
}

/**
 * Remove the temp dirs in base that ipcspec processes now gone left behind (killed before their exit
 * handlers ran); the paths removed. Only directories (never a symlink), and only this user's, or any
 * as root (a grade dir belongs to the sandbox's uid).
 */
export function sweepStaleTempDirs(base = tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try { names = readdirSync(base); } catch { return removed; }
  const euid = process.geteuid?.();
  for (const name of names) {
    const pid = ownerPid(name);
    if (pid === undefined || pid === process.pid) continue;
    const path = join(base, name);
    try {
      const st = lstatSync(path);
      if (!st.isDirectory() || (euid !== undefined && euid !== 0 && st.uid !== euid)) continue;
      if (ownerMayBeAlive(pid, st.mtimeMs)) continue;
      rmSync(path, { recursive: true, force: true, maxRetries: 3 });
      removed.push(path);
    } catch { /* gone meanwhile, or not ours to remove: the next start tries again */ }
  }
  return removed;
}
