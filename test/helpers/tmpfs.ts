// A small tmpfs mounted for one command, in a mount namespace of its own (`unshare -m`): the mount
// vanishes with the command, so a test that dies leaves nothing mounted.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Why a tmpfs cannot be mounted here, or undefined when it can. */
export function whyNoTmpfs(): string | undefined {
  if (process.platform !== 'linux') return `tmpfs mounts need Linux (this is ${process.platform})`;
  const dir = mkdtempSync(join(tmpdir(), 'cli-tmpfs-probe-'));
  try {
    const r = spawnSync('unshare', ['-m', 'sh', '-c', `mount -t tmpfs -o size=64k tmpfs '${dir}' && umount '${dir}'`], { encoding: 'utf8' });
    if (r.error) return `no unshare: ${r.error.message}`;
    return r.status === 0 ? undefined : `cannot mount a tmpfs in a new mount namespace: ${r.stderr.trim()}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
