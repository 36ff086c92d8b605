// `--target node`, `--target bun`, `--target deno`, `--target runtime:CMD`: the runtime driver
// (harness/drivers/runtime/main.mjs, node: APIs only) run under a JavaScript runtime, behind the driver
// protocol (an ExecTarget). The runtime's own semantics are under test; see spec/driver-protocol.md,
// "The runtime driver".
import { fileURLToPath } from 'node:url';
import { splitCommand } from './exec-command.ts';
import type { Target } from '../spec/target.ts';

export const RUNTIME_TARGETS = ['node', 'bun', 'deno'] as const;

const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const RUNTIME_DRIVER = fileURLToPath(new URL('./drivers/runtime/main.mjs', import.meta.url));

/**
 * Node runs blocking fs calls (a FIFO read, a blocking open) on its libuv pool, 4 threads by
 * default, and sizes it when the pool first starts, before the driver's code runs: give it room for
 * a scenario's blocked calls and the calls that release them.
 */
const POOL_ENV = ['env', 'UV_THREADPOOL_SIZE=16'];

/** The command (argv) that runs the driver under `name` (node, bun, deno or runtime:CMD). */
export function runtimeArgv(name: string): string[] {
  if (name === 'node') return [...POOL_ENV, process.execPath, RUNTIME_DRIVER];
  if (name === 'bun') return [...POOL_ENV, `${PACKAGE_ROOT}node_modules/.bin/bun`, RUNTIME_DRIVER];
  if (name === 'deno') return [...POOL_ENV, `${PACKAGE_ROOT}node_modules/.bin/deno`, 'run', '-A', RUNTIME_DRIVER];
  if (name.startsWith('runtime:')) {
    const cmd = splitCommand(name.slice('runtime:'.length));
    if (!cmd.length) throw new Error('runtime: needs a command, e.g. --target runtime:node or --target "runtime:deno run -A"');
    return [...POOL_ENV, ...cmd, RUNTIME_DRIVER];
  }
  throw new Error(`not a runtime target: ${name}`);
}

export const isRuntimeTarget = (name: string): boolean => (RUNTIME_TARGETS as readonly string[]).includes(name) || name.startsWith('runtime:');

/** A word the shell (and splitCommand) reads back unchanged. */
const word = (w: string): string => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

/**
 * Start the runtime target. `wrap` (--wrap PREFIX) runs it under a command prefix; the report name is
 * then harness/wrap.ts's wrapped name. The description comes from the driver's hello: the runtime
 * and its version, and the OS it saw.
 */
export async function startRuntimeTarget(name: string, wrap?: string): Promise<Target> {
  const { ExecTarget } = await import('./exec-target.ts');
  const { wrappedName } = await import('./wrap.ts');
  return ExecTarget.start(runtimeArgv(name).map(word).join(' '), { wrap, name: wrappedName(name, wrap) });
}
