// A graded submission: `exec:CMD` (a driver-protocol program) or `module:PATH` (a JS/TS module that
// exports a Target). Each start is a fresh child in a fresh sandbox (harness/sandbox): the grader never
// loads or runs submission code in its own process.
import { chmodSync, existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import type { Rubric } from '../../spec/grade.ts';
import { ExecTarget } from '../../harness/exec-target.ts';
import { splitCommand } from '../../harness/exec-command.ts';
import { bundleModule, moduleDriverBundle, moduleDriverCommand, ModuleBuildError } from '../../harness/module-target.ts';
import { describeSandbox, killMarked, planSandbox, prepareDir, probeSandbox, sandboxArgv, sweepLeftovers, type SandboxPlan } from '../../harness/sandbox/sandbox.ts';
import { allowedReads, execReads, readableBy, ReadsUnsafe } from './reads.ts';
import { shellWord } from '../../harness/wrap.ts';
import { makeTempDir, removeTempDir } from '../../harness/temp-dirs.ts';

export type Submission = { kind: 'exec'; spec: string; cmd: string } | { kind: 'module'; spec: string; path: string };

/** A --submission value that is not exec:CMD or module:PATH. */
export class BadSubmission extends Error {}

export function parseSubmission(spec: string): Submission {
  if (spec.startsWith('exec:')) {
    const cmd = spec.slice(5);
    let words: string[];
    try { words = splitCommand(cmd); } catch (e) { throw new BadSubmission(`--submission ${spec}: ${(e as Error).message}`); }
    if (!words.length) throw new BadSubmission('--submission exec: needs a command, e.g. exec:./driver');
    return { kind: 'exec', spec, cmd };
  }
  if (spec.startsWith('module:')) {
    const path = spec.slice(7);
    if (!path) throw new BadSubmission('--submission module: needs a path, e.g. module:./pipes.ts');
    return { kind: 'module', spec, path };
  }
  throw new BadSubmission(`--submission ${spec}: say exec:CMD (a program that speaks the driver protocol) or module:PATH (a JS/TS module exporting a Target)`);
}

/** The --target a student passes to `ipcspec replay` on their own machine, from their submission's directory. */
export const localTarget = (s: Submission): string => (s.kind === 'module' ? `module:./${basename(s.path)}` : s.spec);

/**
 * The command with every word that names an existing file relative to the grader's directory made
 * absolute: the submission runs in a fresh temp dir, where `./driver` or `driver.py` would not be.
 */
export function absolutePaths(cmd: string): string {
  return splitCommand(cmd)
    .map((w) => (!isAbsolute(w) && !w.startsWith('-') && existsSync(w) ? resolve(w) : w))
    .map(shellWord)
    .join(' ');
}

/**
 * What a submission may read (engine/grade/reads.ts): the runtime, the harness pieces it loads and its
 * own files. Without Landlock nothing confines reads but permissions: a rubric with hidden seeds the
 * submission's user could read is refused, with how to fix it.
 */
function readsOf(s: Submission, command: string, rubric: Rubric, plan: SandboxPlan, bundleDir?: string): string[] {
  // The driver bundle's directory (the harness's build cache), not the file: another ipcspec process
  // may rebuild it meanwhile, and a rename gives the path a new inode, which a Landlock rule on the old one misses.
  const own = s.kind === 'module' ? [dirname(moduleDriverBundle()), bundleDir!] : execReads(command, rubric.file);
  let reads: string[];
  try {
    reads = allowedReads(own, rubric.file);
  } catch (e) {
    if (e instanceof ReadsUnsafe) throw new SandboxUnavailable(`The autograder could not set up its sandbox (not the submission's fault): ${e.message}`);
    throw e;
  }
  const uid = plan.uid ?? plan.uidLater;
  if (plan.landlock === 0 && rubric.hiddenSeeds.length && (uid === undefined || readableBy(rubric.file, uid))) {
    const who = uid === undefined ? "the grader's own user (it is not root)" : `uid ${uid}`;
    throw new SandboxUnavailable(`The autograder will not grade here (not the submission's fault): without Landlock nothing stops the submission reading the rubric ${rubric.file} and its hidden seeds, which ${who} can read${uid === undefined ? '' : ': make it unreadable to that user (chmod o-r, or o-x on its directory)'}, or grade where the kernel has Landlock`);
  }
  return reads;
}

/** What every start of one submission shares: the bundled module (if any) and the sandbox facts. */
export interface Prepared {
  submission: Submission;
  /** Directory of the bundled module (readable by the sandbox user), removed by `release`. */
  shared?: string;
  command: string;
  /** One line for reports: what the submission runs under. */
  sandbox: string;
  plan: (dir: string) => SandboxPlan;
  release(): void;
}

/** Bundle a module submission (a build error is the submission's: it cannot start) and probe the sandbox. */
/** The grader cannot sandbox anything here (no C compiler for the launcher, a probe that fails): not the submission's fault. */
export class SandboxUnavailable extends Error {}

export function prepare(s: Submission, rubric: Rubric): Prepared {
  let facts: ReturnType<typeof probeSandbox>;
  try {
    facts = probeSandbox();
  } catch (e) {
    throw new SandboxUnavailable(`The autograder could not set up its sandbox (not the submission's fault): ${(e as Error).message}`);
  }
  let shared: string | undefined;
  let command: string;
  if (s.kind === 'module') {
    shared = makeTempDir('grade-module');
    chmodSync(shared, 0o755); // the module driver imports the bundle after dropping to the sandbox user
    try {
      command = moduleDriverCommand(bundleModule(s.path, shared));
    } catch (e) {
      removeTempDir(shared);
      throw e;
    }
  } else {
    command = absolutePaths(s.cmd);
  }
  // A module runs in node, which reserves far more address space than it uses (WebAssembly: ~10 GiB a
  // memory): its memory limit counts writable data (RLIMIT_DATA), an exec: program's its address space.
  const planOf = (dir: string, reads?: string[]) => planSandbox(facts, rubric.limits, dir, { dropLater: s.kind === 'module', memory: s.kind === 'module' ? 'data' : 'address-space', reads });
  let reads: string[];
  try {
    reads = readsOf(s, command, rubric, planOf('DIR'), shared);
  } catch (e) {
    if (shared) removeTempDir(shared);
    throw e;
  }
  const plan = (dir: string) => planOf(dir, reads);
  return {
    submission: s, shared, command, plan,
    sandbox: `${describeSandbox(plan('DIR'))}; deadlines: ${rubric.startSeconds} s to start, ${rubric.replySeconds} s per reply, ${rubric.clauseSeconds} s per clause`,
    release: () => { if (shared) removeTempDir(shared); },
  };
}

/** Sandboxes without a PID namespace still running: swept when ipcspec exits, however it exits (Ctrl-C too). */
const unswept = new Set<SandboxPlan>();
process.on('exit', () => { for (const p of unswept) for (let i = 0; i < 3 && killMarked(p); i++); });

/** A fresh instance of the submission in a fresh sandbox dir: the target, and how to release both. */
export async function startSubmission(p: Prepared, rubric: Rubric, stderr?: (tail: string) => string): Promise<{ target: ExecTarget; release: () => Promise<void> }> {
  const dir = makeTempDir('grade');
  const plan = p.plan(dir);
  try {
    prepareDir(plan); // its only writable place, owned by the sandbox user
  } catch (e) {
    removeTempDir(dir);
    throw e;
  }
  const wrap = sandboxArgv(plan).map(shellWord).join(' ');
  if (!plan.pidns) unswept.add(plan);
  const target = await ExecTarget.start(p.command, { wrap, name: p.submission.spec, deadlineMs: rubric.replySeconds * 1000, helloDeadlineMs: rubric.startSeconds * 1000, label: 'the submission', stderr });
  return {
    target,
    release: async () => {
      await target.dispose().catch(() => {});
      // Without a PID namespace, what left the process group lives on: find it by its environment.
      if (!plan.pidns) await sweepLeftovers(plan);
      unswept.delete(plan);
      removeTempDir(dir);
    },
  };
}

export { ModuleBuildError };
