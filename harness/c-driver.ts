// `--target c`: the portable C driver (harness/drivers/ipcspec-driver.c), built with `cc -O2 -pthread`
// into a cache directory (rebuilt when the source is newer than the binary) and run as an exec target.
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TargetStartError, type Target } from './target.ts';
import { shellWord, wrappedName } from './wrap.ts';

export const C_DRIVER_SOURCE = fileURLToPath(new URL('./drivers/ipcspec-driver.c', import.meta.url));

/** Where built drivers are kept: $IPCSPEC_CACHE_DIR, else node_modules/.cache/ipcspec of this tree. */
export const cacheDir = (): string => process.env.IPCSPEC_CACHE_DIR || fileURLToPath(new URL('../node_modules/.cache/ipcspec/', import.meta.url));

/** A build that cannot be made (no compiler, a compile error): one line for the user. */
export class CDriverBuildError extends TargetStartError {}

/** The built driver's path, building it first if it is missing or older than its source. */
export function buildCDriver(dir = cacheDir()): string {
  return buildC(C_DRIVER_SOURCE, 'ipcspec-driver', { dir, flags: ['-pthread'], what: '--target c' });
}

/**
 * Any one-file C program of this tree, built with `cc -O2 [flags]` into `dir` (default the cache dir) as
 * `binName`, rebuilt when the source is newer than the binary. `what` names it in errors (default binName).
 */
export function buildC(source: string, binName: string, opts: { dir?: string; flags?: string[]; what?: string } = {}): string {
  const dir = opts.dir ?? cacheDir();
  const what = opts.what ?? binName;
  const bin = join(dir, binName);
  const src = statSync(source).mtimeMs;
  let built: number | undefined;
  try { built = statSync(bin).mtimeMs; } catch { /* not built yet */ }
  if (built !== undefined && built >= src) return bin;
  mkdirSync(dir, { recursive: true });
  // Built beside, then renamed into place: a run that starts meanwhile sees the old binary or the new one, never half of one.
  const tmp = `${bin}.${process.pid}.tmp`;
  const cc = process.env.CC || 'cc';
  const r = spawnSync(cc, ['-O2', ...(opts.flags ?? []), '-o', tmp, source], { encoding: 'utf8' });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    throw new CDriverBuildError(`${what} needs a C compiler: ${cc} ${code === 'ENOENT' ? 'is not installed' : `failed to start (${code ?? r.error.message})`}`);
  }
  if (r.status !== 0) {
    rmSync(tmp, { force: true });
    const first = (r.stderr.split('\n').find((l) => /error/i.test(l)) ?? r.stderr.split('\n')[0]).trim();
    const why = first || (r.status === null ? `killed by ${r.signal}` : `exit status ${r.status}, nothing on stderr`);
    throw new CDriverBuildError(`${what}: ${cc} could not build ${source}: ${why}`);
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
