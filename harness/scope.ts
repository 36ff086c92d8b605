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

/**
 * Set by targets whose worker threads may be blocked in a syscall: process.exit joins every worker
 * thread, and one asleep in open() of a FIFO never returns, so the exit (and every later signal,
 * the main thread being stuck in that join) would wait for ever. This ends the process at once.
 */
let hardExit: ((code: number) => void) | undefined;
export function setHardExit(fn: (code: number) => void): void { hardExit ??= fn; }

/** The end of an interrupt: 'exit' listeners (temp dirs) run, then the process ends whatever its threads do. */
function exitNow(code: number): never {
  if (hardExit) {
    try { process.emit('exit', code); } catch { /* an exit listener's error must not keep the process alive */ }
    hardExit(code);
  }
  process.exit(code);
}

/** Installed by the CLI at start (and by the first onInterrupt): an interrupt at any moment is handled. */
export function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  const handler = (sig: NodeJS.Signals) => {
    if (interrupted) {
      process.stderr.write(`\nipcspec: ${sig} again: exiting without finishing the cleanup\n`);
      exitNow(exitCode(sig));
    }
    interrupted = true;
    if (loud.size) process.stderr.write(`\nipcspec: ${sig}: saving what was gathered and cleaning up...\n`);
    const list = [...savers, ...[...cleanups].reverse()];
    setTimeout(() => {
      process.stderr.write(`ipcspec: cleanup still running after ${CLEANUP_DEADLINE_MS / 1000} s: exiting\n`);
      exitNow(exitCode(sig));
    }, CLEANUP_DEADLINE_MS).unref();
    void (async () => {
      for (const fn of list) {
        try { await fn(); } catch (e) { process.stderr.write(`ipcspec: cleanup failed: ${(e as Error).message.split('\n')[0]}\n`); }
      }
      exitNow(exitCode(sig));
    })();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
