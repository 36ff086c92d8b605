// The suite's own leak check (test/support/suite-tmpdir.ts, vitest's global setup): a fresh TMPDIR
// per run, and a run that leaves anything in it (tsx's compile cache aside) fails, naming what was left.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import setup from './support/suite-tmpdir.ts';

describe('the suite leak check', () => {
  const saved = { tmp: process.env.TMPDIR, code: process.exitCode };
  afterEach(() => {
    process.env.TMPDIR = saved.tmp;
    process.exitCode = saved.code;
    vi.restoreAllMocks();
  });

  it('runs the suite in a fresh TMPDIR of its own', () => {
    // This very file runs under it: the global setup already pointed TMPDIR away from the machine's.
    expect(process.env.TMPDIR).toMatch(/\/ipt-[A-Za-z0-9]{6}$/);
  });

  it('fails the run naming what was left, and removes it', () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const teardown = setup();
    const dir = process.env.TMPDIR!;
    mkdirSync(join(dir, 'cli-abc123'));
    writeFileSync(join(dir, 'ipcspec-exec-1-abcdef'), '');
    mkdirSync(join(dir, 'tsx-0'));
    process.exitCode = 0;
    teardown();
    expect(process.exitCode).toBe(1);
    expect(err.mock.calls.join('\n')).toMatch(/left 2 thing\(s\)[^]*cli-abc123[^]*ipcspec-exec-1-abcdef/);
    expect(err.mock.calls.join('\n')).not.toMatch(/tsx-0/);
    expect(existsSync(dir)).toBe(false);
  });

  it('passes a run that left nothing but the tsx cache', () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const teardown = setup();
    mkdirSync(join(process.env.TMPDIR!, 'tsx-0'));
    process.exitCode = 0;
    teardown();
    expect(process.exitCode).toBe(0);
    expect(err).not.toHaveBeenCalled();
  });
});
