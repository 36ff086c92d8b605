// `--target module:PATH` (and `ipcspec grade --submission module:PATH`): a JS or TS module that exports
// a Target, run in a child process (harness/drivers/module-driver.ts) as an exec target, never in
// ipcspec's own process. Both the driver and the module are bundled to plain JS with esbuild first:
// the child needs no TypeScript loader, and a sandboxed child reads one file it was given.
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync, type Message } from 'esbuild';
import { cacheDir } from './c-driver.ts';
import { TargetStartError, type Target } from '../spec/target.ts';
import { shellWord } from './wrap.ts';
import { makeTempDir, removeTempDir } from './temp-dirs.ts';

const DRIVER_SOURCE = fileURLToPath(new URL('./drivers/module-driver.ts', import.meta.url));

/** A module that cannot be bundled (missing file, syntax error): one line, with file:line:column. */
export class ModuleBuildError extends TargetStartError {}

const firstError = (errors: Message[]): string => {
  const e = errors[0];
  if (!e) return 'unknown error';
  const at = e.location ? `${e.location.file}:${e.location.line}:${e.location.column + 1}: ` : '';
  return `${at}${e.text}`;
};

function bundle(entry: string, outfile: string): void {
  const tmp = `${outfile}.${process.pid}.tmp`;
  try {
    const r = buildSync({ entryPoints: [entry], outfile: tmp, bundle: true, format: 'esm', platform: 'node', target: 'node20', logLevel: 'silent', write: true });
    if (r.errors.length) throw new ModuleBuildError(firstError(r.errors));
  } catch (e) {
    rmSync(tmp, { force: true });
    if (e instanceof ModuleBuildError) throw e;
    const errors = (e as { errors?: Message[] }).errors;
    throw new ModuleBuildError(errors ? firstError(errors) : (e as Error).message);
  }
  renameSync(tmp, outfile); // a concurrent run sees the old file or the new one, never half of one
}

let driverBundle: string | undefined;
/** The module driver as one plain-JS file in the cache dir (built once per ipcspec process). */
export function moduleDriverBundle(): string {
  if (driverBundle) return driverBundle;
  const dir = cacheDir();
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'module-driver.mjs');
  bundle(DRIVER_SOURCE, out);
  return (driverBundle = out);
}

/** Bundle the module at `path` into `dir`/submission.mjs; returns that file. */
export function bundleModule(path: string, dir: string): string {
  const out = join(dir, 'submission.mjs');
  try {
    bundle(resolve(path), out);
  } catch (e) {
    throw new ModuleBuildError(`module:${path} could not be built: ${(e as Error).message}`);
  }
  return out;
}

/** The command that serves a bundled module over the driver protocol. */
export const moduleDriverCommand = (bundled: string): string =>
  [process.execPath, moduleDriverBundle(), bundled].map(shellWord).join(' ');

/** `module:PATH` as a target for run, replay and diff (unsandboxed: a user's own module on their own machine). */
export async function moduleTarget(path: string, opts: { wrap?: string; name?: string } = {}): Promise<Target> {
  const dir = makeTempDir('module');
  let target: Target;
  try {
    const bundled = bundleModule(path, dir);
    const { ExecTarget } = await import('./exec-target.ts');
    target = await ExecTarget.start(moduleDriverCommand(bundled), { wrap: opts.wrap, name: opts.name ?? `module:${path}` });
  } catch (e) {
    removeTempDir(dir);
    throw e;
  }
  const dispose = target.dispose.bind(target);
  target.dispose = async () => {
    await dispose();
    removeTempDir(dir);
  };
  return target;
}
