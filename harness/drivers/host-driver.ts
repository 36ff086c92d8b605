// The host target as a driver process: `node --import tsx harness/drivers/host-driver.ts` speaks
// driver protocol v1 (spec/driver-protocol.md) on stdin/stdout with the host target behind it, so
// that `ipcspec run --target host --wrap PREFIX` can run the host's calls inside a sandbox.
// stdout carries protocol lines only: everything else anything prints goes to stderr.
const out = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
console.log = console.info = console.debug = console.error;
process.env.UV_THREADPOOL_SIZE ??= '8'; // as bin/ipcspec.mjs: blocked calls park on actor threads, not libuv's pool

const { serve } = await import('./host-driver-serve.ts');
await serve((line) => void out(line));
