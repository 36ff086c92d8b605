#!/usr/bin/env node
// ipcspec CLI entry: registers the TypeScript loader, then runs the CLI. No build step needed.
// Blocked calls park on actor threads; libuv's own pool must stay free for fs work.
process.env.UV_THREADPOOL_SIZE ??= '8';
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
