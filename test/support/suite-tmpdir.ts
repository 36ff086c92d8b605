// Vitest global setup: every run of the suite gets a fresh TMPDIR of its own, inherited by the test
// workers and every ipcspec, driver and submission they start; at the end it must be empty. Other
// processes on the machine write /tmp too: only this dir tells what the suite itself left behind.
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Caches, not leaks: tsx keeps compiled modules in $TMPDIR/tsx-<uid> across runs. */
const CACHES = /^tsx-\d+$/;

export default function setup(): () => void {
  // Short: AF_UNIX paths of 64 bytes must still fit in driver scratch dirs nested below it.
  const dir = mkdtempSync(join(tmpdir(), 'ipt-'));
  // Like /tmp (sticky, anyone may make dirs): a graded submission runs as uid 65534 in a dir below
  // it, and a test runs the grader as a user that is not root.
  chmodSync(dir, 0o1777);
  process.env.TMPDIR = dir;
  return () => {
    const left = readdirSync(dir).filter((n) => !CACHES.test(n));
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    if (!left.length) return;
    console.error(`\nThe test suite left ${left.length} thing(s) in its TMPDIR ${dir} (now removed):\n${left.map((n) => `  ${n}`).join('\n')}`);
    process.exitCode = 1; // a teardown that throws does not fail a vitest run
  };
}
