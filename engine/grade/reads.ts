// What a graded submission may read (Landlock read rules, harness/sandbox): the runtime, the harness
// pieces it loads and its own files; never the rubric (its hidden seeds would let it regenerate every
// hidden scenario), the grader's temp dirs (other submissions' sandboxes and bundles) or `/`. Where
// Landlock cannot confine reads, file permissions are all there is: a rubric with hidden seeds that
// the submission's user could read is refused (fail closed), not graded.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import { splitCommand } from '../../harness/exec-command.ts';
import { isBeneath, narrowest, runtimeReads, sandboxBinary } from '../../harness/sandbox/sandbox.ts';

/** Reads that cannot be confined safely here: the grader's own failure, never the submission's. */
export class ReadsUnsafe extends Error {}

/** A compiled program (ELF) needs only itself and the system's libraries; a script, its directory too. */
function isElf(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(4);
    return readSync(fd, b, 0, 4, 0) === 4 && b.toString('latin1') === '\x7fELF';
  } finally {
    closeSync(fd);
  }
}

/** May `dir` be read whole? Not `/`, nor one holding the rubric or the grader's temp dirs. */
const wholeDirOk = (dir: string, rubricFile: string): boolean =>
  realpathSync(dir) !== sep && !isBeneath(rubricFile, dir) && !isBeneath(tmpdir(), dir);

/**
 * The paths an exec: submission may read: each file its command names (absolute by then, see
 * absolutePaths), and for a script the directory holding it (its own modules), where that is safe.
 */
export function execReads(command: string, rubricFile: string): string[] {
  const out: string[] = [];
  for (const w of splitCommand(command)) {
    if (!isAbsolute(w) || !existsSync(w)) continue;
    const dir = statSync(w).isDirectory() ? w : isElf(w) ? undefined : dirname(w);
    out.push(dir && wholeDirOk(dir, rubricFile) ? dir : w);
  }
  return out;
}

/** All a submission may read, given its own paths: refused when one of them would expose the rubric or the temp dirs. */
export function allowedReads(own: string[], rubricFile: string): string[] {
  const reads = narrowest([...runtimeReads(), ...own]);
  for (const r of reads) {
    if (isBeneath(rubricFile, r)) throw new ReadsUnsafe(`the rubric ${rubricFile} lies beneath ${r}, which the submission must read: keep the rubric elsewhere`);
    if (isBeneath(tmpdir(), r)) throw new ReadsUnsafe(`the temp dir ${tmpdir()} (other submissions' sandboxes) lies beneath ${r}, which the submission must read: set TMPDIR elsewhere`);
  }
  return reads;
}

/**
 * Could `uid` read `file`? Asked for real: `test -r` run as that uid by the sandbox launcher, so that
 * ACLs and every directory on the way count. Anything but a clear "no" is taken as yes (the safe side).
 */
export function readableBy(file: string, uid: number): boolean {
  const r = spawnSync(sandboxBinary(), ['--uid', String(uid), '--', 'test', '-r', resolve(file)], { timeout: 30_000 });
  return r.status !== 1;
}
