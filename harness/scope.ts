// Everything that must be undone on Ctrl-C or SIGTERM (docs/design.md, principle 8): registered cleanups run
// once, then the process exits 130 (or 143). Savers (what writes a partial report) run first, in
// the order registered, then cleanups in reverse order. The list is fixed when the signal arrives:
// a handler removed while others run (a `finally { off() }`, a target's dispose) still runs, so
// what was gathered is always saved. A second signal, or cleanups that take longer than
// CLEANUP_DEADLINE_MS, end the process at once: a signal always ends it.
type Fn = () => Promise<void> | void;
const savers: Fn[] = [];
const cleanups: Fn[] = [];
/** Handlers with something to say (not just removing temp dirs): the interrupt message is printed for them. */
const loud = new Set<Fn>();
let installed = false;
let interrupted = false;
const CLEANUP_DEADLINE_MS = 30_000;

/** `quiet`: a cleanup that only removes temp dirs, for which "saving what was gathered" would be untrue. */
export function onInterrupt(fn: Fn, kind: 'cleanup' | 'save' = 'cleanup', opts: { quiet?: boolean } = {}): () => void {
  installSignalHandlers();
  const list = kind === 'save' ? savers : cleanups;
  list.push(fn);
  if (!opts.quiet) loud.add(fn);
  return () => {
    if (interrupted) return; // the handler has its own copy of the list: it runs fn anyway
    const i = list.indexOf(fn);
    if (i >= 0) list.splice(i, 1);
    loud.delete(fn);
  };
}

export const wasInterrupted = (): boolean => interrupted;

const exitCode = (sig: NodeJS.Signals): number => (sig === 'SIGINT' ? 130 : 143);

/** Installed by the CLI at start (and by the first onInterrupt): an interrupt at any moment is handled. */
export function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  const handler = (sig: NodeJS.Signals) => {
    if (interrupted) {
      process.stderr.write(`\nipcspec: ${sig} again: exiting without finishing the cleanup\n`);
      process.exit(exitCode(sig));
    }
    interrupted = true;
    if (loud.size) process.stderr.write(`\nipcspec: ${sig}: saving what was gathered and cleaning up...\n`);
    const list = [...savers, ...[...cleanups].reverse()];
    setTimeout(() => {
      process.stderr.write(`ipcspec: cleanup still running after ${CLEANUP_DEADLINE_MS / 1000} s: exiting\n`);
      process.exit(exitCode(sig));
    }, CLEANUP_DEADLINE_MS).unref();
    void (async () => {
      for (const fn of list) {
        try { await fn(); } catch (e) { process.stderr.write(`ipcspec: cleanup failed: ${(e as Error).message.split('\n')[0]}\n`); }
      }
      process.exit(exitCode(sig));
    })();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
