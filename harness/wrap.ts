// `--wrap PREFIX`: a process-based target runs under a command prefix (a sandbox such as gVisor's
// `runsc --rootless --network=none do`, an emulator, `env LD_PRELOAD=...`). A wrapped target is named
// `NAME (wrapped: PREFIX)` in reports, so that its results are never mixed up with the plain
// target's and its replay commands can be rebuilt (`--target NAME --wrap PREFIX`).
import { fileURLToPath } from 'node:url';
import type { Target } from '../spec/target.ts';

export { shellWord, unwrapName } from '../spec/replay-command.ts';
import { shellWord } from '../spec/replay-command.ts';

/** The report name of target `name` run under `wrap` (just `name` without one). */
export const wrappedName = (name: string, wrap?: string): string => (wrap ? `${name} (wrapped: ${wrap})` : name);

/**
 * The host driver process (harness/drivers/host-driver.ts): this node, with tsx's loader by absolute
 * URL, so that it starts from any working directory and inside a sandbox that sees this tree.
 */
export function hostDriverCommand(): string {
  const loader = import.meta.resolve('tsx');
  // Module sources read synchronously (harness/drivers/sync-load.mjs): under proot node's asynchronous reads fail.
  const syncLoad = new URL('./drivers/sync-load.mjs', import.meta.url).href;
  const script = fileURLToPath(new URL('./drivers/host-driver.ts', import.meta.url));
  return [process.execPath, '--import', syncLoad, '--import', loader, script].map(shellWord).join(' ');
}

/** `--target host --wrap P` and `--target host-process`: the host target behind the driver protocol, in its own process. */
export async function hostDriverTarget(name: string, wrap?: string): Promise<Target> {
  const { ExecTarget } = await import('./exec-target.ts');
  return ExecTarget.start(hostDriverCommand(), { wrap, name: wrappedName(name, wrap) });
}
