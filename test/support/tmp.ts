// Temp dirs for tests: made like mkdtempSync (base defaults to the OS temp dir, which the suite's
// global setup points at a fresh dir of its own: test/support/suite-tmpdir.ts), and removed after
// the importing file's tests, or at the latest when its worker exits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const made = new Set<string>();

function removeAll(): void {
  for (const d of made) rmSync(d, { recursive: true, force: true, maxRetries: 3 });
  made.clear();
}

// Imported at the top of a test file, so this hook belongs to that file's root suite.
afterAll(removeAll);
process.on('exit', removeAll);

/** mkdtempSync(join(base, prefix)), removed after this file's tests. */
export function tempDir(prefix: string, base = tmpdir()): string {
  const dir = mkdtempSync(join(base, prefix));
  made.add(dir);
  return dir;
}
