// The hello: which runtime this is, and what it can express (spec/driver-protocol.md, hello).
import { readFileSync } from 'node:fs';
import os from 'node:os';
import process from 'node:process';
import { OPS } from './ops.mjs';

/** The runtime's name and version, read defensively (each runtime names itself its own way). */
export function runtimeName() {
  const g = globalThis;
  if (g.Deno?.version?.deno) return `deno ${g.Deno.version.deno}`;
  if (process.versions?.bun) return `bun ${process.versions.bun}`;
  if (process.release?.name === 'node' && process.versions?.node) return `node ${process.versions.node}`;
  return `${process.release?.name ?? 'unknown runtime'} ${process.version ?? ''}`.trim();
}

/** CAP_SYS_RESOURCE in the effective set (Linux, by /proc); false where it cannot be read. */
function privileged() {
  try {
    const m = /^CapEff:\s*([0-9a-f]+)/m.exec(readFileSync('/proc/self/status', 'latin1'));
    return !!m && ((BigInt(`0x${m[1]}`) >> 24n) & 1n) === 1n;
  } catch { return false; }
}

/**
 * Declared: FIFOs (mkfifo command, fs), children, concurrent writes on the thread pool, AF_UNIX and TCP
 * stream sockets (net), UDP (dgram). Not declared, as the runtime has no call for them: pipe(2)
 * (variants pipe, pipe2-nonblock), dup, fcntl (set-nonblock, pipe sizes), poll, socketpair,
 * connect-status/connect-wait/connect-fill (no nonblocking connect), set-buffers, bind-unprivileged,
 * AF_UNIX path-length and abstract names, test hosts.
 */
export function hello() {
  return {
    type: 'hello',
    protocol: 1,
    driver: 'ipcspec runtime driver (harness/drivers/runtime) 0.1',
    description: `${runtimeName()} on ${os.type()} ${os.release()} ${os.arch()}, node: APIs only (pending = not returned within the settle window)`,
    ops: Object.keys(OPS),
    features: ['variant:fifo', 'variant:fifo-nonblock', 'family:unix', 'family:inet', 'family:inet6', 'dgram', 'unix-path-length', 'unix-abstract'],
    settle: 'unknown',
    privileged: privileged(),
  };
}
