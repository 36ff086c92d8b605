// `--target c`: the portable C driver (harness/drivers/c/*.c), built with `cc -O2 -pthread`
// into a cache directory (rebuilt when a source is newer than the binary) and run as an exec target.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TargetStartError, type Target } from '../spec/target.ts';
import { shellWord, wrappedName } from './wrap.ts';

/** The C driver's directory: ipcspec-driver.h and the .c files that `cc -O2 -pthread *.c` builds. */
export const C_DRIVER_DIR = fileURLToPath(new URL('./drivers/c/', import.meta.url));
/** Its .c files, sorted: what cc compiles (the header counts for the rebuild too). */
export const cDriverSources = (): string[] => readdirSync(C_DRIVER_DIR).filter((f) => f.endsWith('.c')).sort().map((f) => join(C_DRIVER_DIR, f));

/** Where built drivers are kept: $IPCSPEC_CACHE_DIR, else node_modules/.cache/ipcspec of this tree. */
export const cacheDir = (): string => process.env.IPCSPEC_CACHE_DIR || fileURLToPath(new URL('../node_modules/.cache/ipcspec/', import.meta.url));

/** A build that cannot be made (no compiler, a compile error): one line for the user. */
export class CDriverBuildError extends TargetStartError {}

/** The built driver's path, building it first if it is missing or older than one of its sources. */
export function buildCDriver(dir = cacheDir()): string {
  return buildC(cDriverSources(), 'ipcspec-driver', { dir, flags: ['-pthread'], what: '--target c', alsoNewer: [join(C_DRIVER_DIR, 'ipcspec-driver.h')] });
}

/**
 * A C program of this tree (one file, or several), built with `cc -O2 [flags]` into `dir` (default the cache
 * dir) as `binName`, rebuilt when a source, or a header in `alsoNewer`, is newer than the binary. `what` names
 * it in errors (default binName).
 */
export function buildC(source: string | string[], binName: string, opts: { dir?: string; flags?: string[]; what?: string; alsoNewer?: string[] } = {}): string {
  const dir = opts.dir ?? cacheDir();
  const what = opts.what ?? binName;
  const bin = join(dir, binName);
  const sources = typeof source === 'string' ? [source] : source;
  const src = Math.max(...[...sources, ...(opts.alsoNewer ?? [])].map((f) => statSync(f).mtimeMs));
  let built: number | undefined;
  try { built = statSync(bin).mtimeMs; } catch { /* not built yet */ }
  if (built !== undefined && built >= src) return bin;
  mkdirSync(dir, { recursive: true });
  // Built beside, then renamed into place: a run that starts meanwhile sees the old binary or the new one, never half of one.
  const tmp = `${bin}.${process.pid}.tmp`;
  const cc = process.env.CC || 'cc';
  const r = spawnSync(cc, ['-O2', ...(opts.flags ?? []), '-o', tmp, ...sources], { encoding: 'utf8' });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    throw new CDriverBuildError(`${what} needs a C compiler: ${cc} ${code === 'ENOENT' ? 'is not installed' : `failed to start (${code ?? r.error.message})`}`);
  }
  if (r.status !== 0) {
    rmSync(tmp, { force: true });
    const first = (r.stderr.split('\n').find((l) => /error/i.test(l)) ?? r.stderr.split('\n')[0]).trim();
    const why = first || (r.status === null ? `killed by ${r.signal}` : `exit status ${r.status}, nothing on stderr`);
    throw new CDriverBuildError(`${what}: ${cc} could not build ${typeof source === 'string' ? source : dirname(sources[0])}: ${why}`);
  }
  renameSync(tmp, bin);
  return bin;
}

/** `--target c [--wrap P]`: the built C driver as an exec target, named `c` (with the wrap, if any). */
export async function cDriverTarget(wrap?: string): Promise<Target> {
  const bin = buildCDriver();
  const { ExecTarget } = await import('./exec-target.ts');
  return ExecTarget.start(shellWord(bin), { wrap, name: wrappedName('c', wrap) });
}
