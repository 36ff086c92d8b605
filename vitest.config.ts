import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A fresh TMPDIR per run, which must be empty at the end: the suite leaves nothing behind.
    globalSetup: ['test/support/suite-tmpdir.ts'],
    testTimeout: 300_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Conformance tests use real threads and child processes; two files at a time suits a 2-core machine.
    maxWorkers: 2,
  },
});
