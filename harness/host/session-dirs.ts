// Session directories, reused: teardown empties a session's directory and the next session of the
// same target takes it, because mkdir and rmdir cost more than a whole scenario of socket calls.
// Every session still starts with an empty directory of its own.
import { mkdirSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Emptied directories by the target root they are in (a disposed target's root is never used again). */
const free = new Map<string, string[]>();

/** An empty directory for a session that would be `path`: an emptied one in the same root, or `path`, made. */
export function takeSessionDir(path: string): string {
  const reused = free.get(dirname(path))?.pop();
  if (reused !== undefined) return reused;
  mkdirSync(path, { recursive: true });
  return path;
}

/** Empty `dir` (socket files, FIFOs) and keep it; if something in it is not a plain entry (a directory), remove it all. */
export function giveBackSessionDir(dir: string): void {
  try {
    for (const e of readdirSync(dir)) unlinkSync(join(dir, e));
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  const root = dirname(dir);
  const list = free.get(root) ?? [];
  free.set(root, list);
  list.push(dir);
}
