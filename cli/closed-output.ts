// `ipcspec run | head -1`: once the reader of stdout (or stderr) goes away, the output ends quietly:
// later writes are dropped, the run goes on to its end, writes its report and exits with its own
// verdict. An EPIPE is never a failure of the run (exit 1) nor a stack trace.
let stdoutError: string | undefined;

/** An error other than EPIPE on stdout (ENOSPC on /dev/full): output was lost, which is an exit 2. */
export const stdoutFailure = (): string | undefined => stdoutError;

function guard(stream: NodeJS.WriteStream, onClose: (code: string | undefined) => void): void {
  let closed = false;
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  // EPIPE (the reader left), or any other error on our own output: stop writing to it, never crash on it
  stream.on('error', (e: NodeJS.ErrnoException) => { closed = true; onClose(e.code); });
  stream.write = ((...args: unknown[]) => {
    if (closed) {
      const cb = args.find((a) => typeof a === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    }
    return write(...args);
  }) as typeof stream.write;
}

let guarded = false;

/** Installs the guards once per process, however often main() runs (a test batch calls it many times). */
export function guardClosedOutput(): void {
  if (guarded) return;
  guarded = true;
  guard(process.stdout, (code) => {
    if (code !== 'EPIPE' && code !== 'ERR_STREAM_DESTROYED') stdoutError ??= code ?? 'an unknown error';
  });
  guard(process.stderr, () => {});
}
