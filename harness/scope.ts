// Everything that must be undone on Ctrl-C or SIGTERM (DESIGN principle 8): registered cleanups run
// once, in reverse order, then the process exits 130 (or 143).
const cleanups: Array<() => Promise<void> | void> = [];
/** Cleanups that have something to say (not just removing temp dirs): the interrupt message is printed for them. */
const loud = new Set<() => Promise<void> | void>();
let installed = false;
let interrupted = false;

export function onInterrupt(fn: () => Promise<void> | void, opts: { quiet?: boolean } = {}): () => void {
  install();
  cleanups.push(fn);
  if (!opts.quiet) loud.add(fn);
  return () => {
    const i = cleanups.indexOf(fn);
    if (i >= 0) cleanups.splice(i, 1);
    loud.delete(fn);
  };
}

export const wasInterrupted = (): boolean => interrupted;

function install(): void {
  if (installed) return;
  installed = true;
  const handler = (sig: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    if (loud.size) process.stderr.write(`\nipcspec: ${sig}: saving what was gathered and cleaning up...\n`);
    void (async () => {
      for (const fn of cleanups.reverse()) {
        try { await fn(); } catch (e) { process.stderr.write(`ipcspec: cleanup failed: ${(e as Error).message}\n`); }
      }
      process.exit(sig === 'SIGINT' ? 130 : 143);
    })();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
