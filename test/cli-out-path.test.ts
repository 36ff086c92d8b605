// --out is checked before anything runs (issue 12, defect 2) and every output is written whole
// (defect 9): real /proc, a real read-only mount and a real full filesystem, with the real CLI.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isOneCleanLine, runCli } from './helpers/cli-child.ts';
import { whyNoTmpfs } from './helpers/tmpfs.ts';

const dirs: string[] = [];
const tmp = (): string => { const d = mkdtempSync(join(tmpdir(), 'cli-out-path-')); dirs.push(d); return d; };
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

const noTmpfs = whyNoTmpfs();
const linux = process.platform === 'linux';

describe.skipIf(!linux)('--out under /proc', () => {
  // Before: the whole run went, then Node's recursive mkdir looped for ever, deaf to SIGINT and SIGTERM.
  it.each([
    ['run', ['run', '--only', 'pipe.zero-length-io', '--runs', '5'], '/proc/ipcspec-no/such/dir', 'ENOENT'],
    ['run (the /proc root itself)', ['run', '--only', 'pipe.zero-length-io', '--runs', '5'], '/proc', 'ENOENT'],
    ['diff', ['diff', '--target', 'host', '--target', 'model', '--only', 'pipe.zero-length-io', '--runs', '5'], '/proc/ipcspec-no/dir', 'ENOENT'],
    ['report merge', ['report', 'merge', 'test/fixtures/none.json'], '/proc/ipcspec-no/dir', 'ENOENT'],
    ['grade', ['grade', '--submission', 'exec:true', '--rubric', 'examples/course/rubric.yaml'], '/proc/ipcspec-no/dir/results.json', 'ENOENT'],
  ])('%s: exit 2 at once, with the path and the real errno, and nothing run', async (_, args, out, errno) => {
    const r = await runCli([...args, '--out', out], { cwd: join(import.meta.dirname, '..'), deadlineMs: 30_000 });
    expect(r.hung).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/proc');
    expect(r.stderr).toContain(errno);
    expect(isOneCleanLine(r.stderr)).toBe(true);
    expect(r.stdout).not.toMatch(/ipcspec (run|diff):|\[1\//); // refused before a single property
  });
});

describe.skipIf(!linux || noTmpfs !== undefined)(`--out on a real read-only or full filesystem${noTmpfs ? ` (skipped: ${noTmpfs})` : ''}`, () => {
  it('a read-only mount is refused before the run with EROFS (not a misleading ENOENT after it)', async () => {
    const mnt = tmp();
    const r = await runCli(['run', '--only', 'pipe.zero-length-io', '--runs', '5', '--out', `${mnt}/report`], {
      shell: `mount -t tmpfs -o ro,size=64k tmpfs '${mnt}' && exec $0 "$@"`, deadlineMs: 30_000,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${mnt}/report`);
    expect(r.stderr).toContain('EROFS');
    expect(isOneCleanLine(r.stderr)).toBe(true);
    expect(r.stdout).toBe('');
  });

  it('a full disk: no truncated file, the failing file named, the shrunk failure on the terminal', async () => {
    const mnt = tmp();
    // 64 KiB, 56 KiB of it taken: the --out check passes, the report itself does not fit.
    const r = await runCli(['run', '--target', 'mutant:pipe.zero-length-io', '--only', 'pipe.zero-length-io', '--runs', '20', '--seed', '5', '--out', `${mnt}/out`], {
      shell: `mount -t tmpfs -o size=64k tmpfs '${mnt}' && head -c 57344 /dev/zero > '${mnt}/fill' && $0 "$@"; code=$?; `
        + `mkdir -p '${mnt}.copy' && cp -a '${mnt}/out/.' '${mnt}.copy/' 2>/dev/null; exit $code`,
      deadlineMs: 120_000,
    });
    dirs.push(`${mnt}.copy`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`cannot write ${mnt}/out/\\S+: ENOSPC`));
    expect(isOneCleanLine(r.stderr)).toBe(true);
    // the failure's steps reach the terminal even though the report did not fit
    expect(r.stdout).toMatch(/FAIL pipe\.zero-length-io/);
    expect(r.stdout).toMatch(/ 1\. \[main\] make pipe/);
    expect(r.stdout).toMatch(/report could NOT be written/);
    // whatever was left is whole: no zero-byte or cut-off file, no temp file
    const left = readdirSync(`${mnt}.copy`, { recursive: true }).map(String).filter((f) => statSync(join(`${mnt}.copy`, f)).isFile());
    for (const f of left) {
      const text = readFileSync(join(`${mnt}.copy`, f), 'utf8');
      expect(text.length, f).toBeGreaterThan(0);
      expect(f, 'a temp file was left behind').not.toMatch(/\.tmp$/);
      if (f.endsWith('.json')) expect(() => JSON.parse(text), f).not.toThrow();
      if (f.endsWith('junit.xml')) expect(text.trimEnd(), f).toMatch(/<\/testsuites>$/);
      if (f.endsWith('.html')) expect(text.trimEnd(), f).toMatch(/<\/html>$/);
    }
  });

});

describe.skipIf(!linux)('--out naming a device', () => {
  it('/dev/full as grade --out: written in place (the device node is never replaced), ENOSPC named', async () => {
    const before = statSync('/dev/full');
    const r = await runCli(['grade', '--submission', 'exec:true', '--rubric', 'examples/course/rubric.yaml', '--out', '/dev/full'], { cwd: join(import.meta.dirname, '..'), deadlineMs: 120_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot write \/dev\/full: ENOSPC/);
    expect(r.stderr.split('\n').filter((l) => /^ipcspec grade: cannot write/.test(l))).toHaveLength(1);
    expect(statSync('/dev/full').isCharacterDevice()).toBe(true);
    expect(statSync('/dev/full').rdev).toBe(before.rdev);
  });
});
