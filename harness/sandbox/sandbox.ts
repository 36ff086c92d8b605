// The sandbox every graded submission runs in: the launcher harness/sandbox/ipcspec-sandbox.c (built
// into the cache dir like the C driver), what this machine lets it do (--probe, tried for real), and
// the plan for one submission: the launcher's argv prefix and one line for the grade report.
// Everything the machine allows is asked for; what it does not allow is said plainly, never faked.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SandboxLimits } from '../../spec/grade.ts';
import { buildC } from '../c-driver.ts';

export const SANDBOX_SOURCE = fileURLToPath(new URL('./ipcspec-sandbox.c', import.meta.url));

/** What `ipcspec-sandbox --probe` found it can do here. */
export interface SandboxFacts {
  /** Running as root: the submission can be run as another user, and namespaces made. */
  root: boolean;
  /** A network namespace with loopback up could be made. */
  netns: boolean;
  /** A PID namespace with its own /proc could be made. */
  pidns: boolean;
  /** The kernel's Landlock ABI version, 0 without Landlock. */
  landlock: number;
  /** A cgroup with its own pids.max could be made (cgroup v1 pids, or v2 with pids). */
  pids: boolean;
}

/** What one submission runs under. */
export interface SandboxPlan {
  /** Its working directory, TMPDIR and HOME; the only place it may write (with Landlock). */
  dir: string;
  limits: SandboxLimits;
  /** The launcher drops to this uid (and gid) before exec. */
  uid?: number;
  /** The submission is started as root and drops to this uid itself (env IPCSPEC_SANDBOX_UID): a module driver. */
  uidLater?: number;
  netns: boolean;
  pidns: boolean;
  /** Landlock ABI used, 0 for none. */
  landlock: number;
  /**
   * How limits.memoryMb is enforced: RLIMIT_AS (`address-space`, the default) or RLIMIT_DATA (`data`: private
   * writable memory only), for node, which reserves far more address space than it uses (node with tsx
   * fails to start under RLIMIT_AS below about 32 GiB, from WebAssembly's guard regions).
   */
  memory: 'address-space' | 'data';
  /**
   * How limits.processes is enforced: a cgroup of the submission's own (pids.max: its processes and
   * threads alone), or RLIMIT_NPROC (every process and thread of its uid on the machine, so
   * submissions graded side by side as one uid share it).
   */
  processCount: 'cgroup' | 'rlimit';
  /** RLIMIT_NOFILE, when one is wanted. */
  openFiles?: number;
  /**
   * With Landlock: the only paths (files or directories) it may read or execute beyond its dir and
   * /dev/null. Undefined: reads are not confined (only writes are).
   */
  reads?: string[];
  /** The facts the plan was made from (for describeSandbox). */
  facts: SandboxFacts;
}

/** The launcher's path, built first if missing or older than its source. */
export function sandboxBinary(): string {
  return buildC(SANDBOX_SOURCE, 'ipcspec-sandbox', { what: 'the submission sandbox' });
}

let probed: SandboxFacts | undefined;

/** What this machine lets the launcher do: probed once per process. */
export function probeSandbox(): SandboxFacts {
  if (probed) return probed;
  const bin = sandboxBinary();
  const r = spawnSync(bin, ['--probe'], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`the submission sandbox could not probe this machine: ${r.error?.message ?? r.stderr.trim()}`);
  const f = JSON.parse(r.stdout) as SandboxFacts;
  probed = { root: f.root === true, netns: f.netns === true, pidns: f.pidns === true, landlock: Number(f.landlock) || 0, pids: f.pids === true };
  return probed;
}

/**
 * IPCSPEC_SANDBOX_WITHOUT=netns,pidns,pids,landlock plans as if this machine refused those (as a
 * container without CAP_SYS_ADMIN does, e.g. Gradescope's): to see, and test, how grading goes there.
 */
const TURNED_OFF = ['netns', 'pidns', 'pids', 'landlock'] as const;
const turnedOff = (): Set<string> => new Set((process.env.IPCSPEC_SANDBOX_WITHOUT ?? '').split(',').map((x) => x.trim()).filter(Boolean));
function withoutWhatEnvTurnsOff(f: SandboxFacts): SandboxFacts {
  const off = turnedOff();
  const unknown = [...off].filter((x) => !(TURNED_OFF as readonly string[]).includes(x));
  if (unknown.length) throw new Error(`IPCSPEC_SANDBOX_WITHOUT: unknown ${unknown.join(', ')} (known: ${TURNED_OFF.join(', ')})`);
  return { ...f, netns: f.netns && !off.has('netns'), pidns: f.pidns && !off.has('pidns'), pids: f.pids && !off.has('pids'), landlock: off.has('landlock') ? 0 : f.landlock };
}

/**
 * Everything the facts say is available: a uid drop (default 65534) only as root, namespaces as root
 * where the probe made them, Landlock wherever the kernel has it. `dropLater`: the submission starts as
 * root and drops itself (the module driver). Call prepareDir(plan) before running under it.
 */
export function planSandbox(probed: SandboxFacts, limits: SandboxLimits, dir: string, opts: { dropLater?: boolean; uid?: number; openFiles?: number; memory?: 'address-space' | 'data'; reads?: string[] } = {}): SandboxPlan {
  const uid = opts.uid ?? 65534;
  const facts = withoutWhatEnvTurnsOff(probed);
  return {
    dir: resolve(dir),
    limits,
    uid: facts.root && !opts.dropLater ? uid : undefined,
    uidLater: facts.root && opts.dropLater ? uid : undefined,
    netns: facts.root && facts.netns,
    pidns: facts.root && facts.pidns,
    landlock: facts.landlock,
    memory: opts.memory ?? 'address-space',
    processCount: facts.root && facts.pidns && facts.pids ? 'cgroup' : 'rlimit',
    openFiles: opts.openFiles,
    reads: opts.reads,
    facts,
  };
}

/**
 * Make the plan's dir (mode 0700) and, when a uid is dropped to, give it to that uid, after checking
 * that the uid can reach it (every directory above it searchable by others).
 */
export function prepareDir(plan: SandboxPlan): void {
  mkdirSync(plan.dir, { recursive: true });
  chmodSync(plan.dir, 0o700);
  const uid = plan.uid ?? plan.uidLater;
  if (uid === undefined) return;
  chownSync(plan.dir, uid, uid);
  for (let d = dirname(plan.dir); ; d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) throw new Error(`the submission's dir ${plan.dir} is not reachable by uid ${uid}: ${d} is not searchable by others`);
    if (d === dirname(d)) break;
  }
}

/** What every program needs to run: the system's programs and libraries, its config, /proc, a few devices, and this node. */
export function runtimeReads(): string[] {
  const node = dirname(dirname(realpathSync(process.execPath))); // e.g. /usr, or a version manager's prefix
  const paths = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc', '/proc', '/dev/zero', '/dev/random', '/dev/urandom', node];
  return narrowest(paths.filter((p) => existsSync(p)));
}

/** The paths without those beneath another one of them (a rule on /usr covers /usr/local). */
export function narrowest(paths: string[]): string[] {
  const real = [...new Set(paths.map((p) => resolve(p)))];
  const beneath = (p: string, d: string) => p !== d && (d === '/' || p.startsWith(`${d}/`));
  return real.filter((p) => !real.some((d) => beneath(p, d)));
}

/** Is `file` at or beneath `dir`? (Both real paths: a symlink does not hide a rubric.) */
export function isBeneath(file: string, dir: string): boolean {
  const real = (p: string) => { try { return realpathSync(p); } catch { return resolve(p); } };
  const f = real(file);
  const d = real(dir);
  return f === d || d === '/' || f.startsWith(`${d}/`);
}

/** The launcher's argv, ending in `--`: the submission's command follows. */
export function sandboxArgv(plan: SandboxPlan): string[] {
  const { limits: l } = plan;
  const a = [sandboxBinary(), '--dir', plan.dir];
  if (plan.uid !== undefined) a.push('--uid', String(plan.uid));
  if (plan.uidLater !== undefined) a.push('--uid-later', String(plan.uidLater));
  a.push('--cpu', String(l.cpuSeconds), plan.memory === 'data' ? '--data' : '--mem', String(l.memoryMb), plan.processCount === 'cgroup' && plan.pidns ? '--pids' : '--nproc', String(l.processes), '--fsize', String(l.fileSizeMb));
  if (plan.openFiles !== undefined) a.push('--nofile', String(plan.openFiles));
  if (plan.netns) a.push('--netns');
  if (plan.pidns) a.push('--pidns');
  if (plan.landlock > 0) {
    a.push('--landlock');
    // Its own dir at least: a --read makes the launcher confine reads, so an empty list never means "all".
    if (plan.reads) for (const r of plan.reads.length ? plan.reads : [plan.dir]) a.push('--read', r);
  }
  a.push('--');
  return a;
}

const refused = (what: string): string =>
  turnedOff().has(what) ? 'turned off by IPCSPEC_SANDBOX_WITHOUT' : 'this machine refused to make one';

/** One line for the grade report: what the submission ran under, and what is missing and why. */
export function describeSandbox(plan: SandboxPlan): string {
  const { facts: f, limits: l } = plan;
  const parts: string[] = [];
  if (plan.uid !== undefined) parts.push(`uid ${plan.uid}`);
  else if (plan.uidLater !== undefined) parts.push(`uid ${plan.uidLater} (dropped by the driver after loading the harness)`);
  else parts.push("not root: runs as the grader's user, no namespaces");
  if (plan.netns) parts.push('own network namespace (loopback only)');
  else if (f.root) parts.push(`no network namespace (${refused('netns')})`);
  if (plan.pidns) parts.push('own PID namespace');
  else if (f.root) parts.push(`no PID namespace (${refused('pidns')}): what it leaves running outside its process group is found by its environment and killed`);
  if (plan.landlock === 0) parts.push(`no Landlock in this kernel: ${plan.reads ? 'reads and writes are' : 'writes are'} limited only by file permissions`);
  else if (plan.reads) parts.push(`Landlock ABI ${plan.landlock}: reads only the runtime, the harness and its own files; writes only in its temp dir`);
  else parts.push(`Landlock ABI ${plan.landlock}: writes only in its temp dir`);
  parts.push(`limits: CPU ${l.cpuSeconds} s, memory ${l.memoryMb} MiB${plan.memory === 'data' ? ' (writable data)' : ''}, ${l.processes} processes${plan.processCount === 'cgroup' && plan.pidns ? ' (its own cgroup)' : plan.uid === undefined && plan.uidLater === undefined ? " more than the grader's user runs at the start (RLIMIT_NPROC counts all its processes)" : ` more than uid ${plan.uid ?? plan.uidLater} runs at the start (RLIMIT_NPROC counts all its processes)`}, files ${l.fileSizeMb} MiB${plan.openFiles !== undefined ? `, ${plan.openFiles} open files` : ''}`);
  return parts.join('; ');
}

/**
 * Kill what a submission left running outside its process group (a daemon, a fork bomb's detached
 * children) where no PID namespace took it down: every process whose environment still has the
 * sandbox's TMPDIR, the one the launcher gave it. (A process that rewrote its environment escapes this;
 * a PID namespace, where the machine allows one, does not depend on it.)
 */
/** One pass of sweepLeftovers: SIGKILL every process marked with the plan's TMPDIR; how many. */
export function killMarked(plan: SandboxPlan): number {
  const mark = Buffer.from(`TMPDIR=${plan.dir}\0`);
  const inside = Buffer.concat([Buffer.from([0]), mark]);
  let found = 0;
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    let env: Buffer;
    try { env = readFileSync(`/proc/${p}/environ`); } catch { continue; }
    if (!env.subarray(0, mark.length).equals(mark) && env.indexOf(inside) < 0) continue;
    try { process.kill(Number(p), 'SIGKILL'); found++; } catch { /* gone already */ }
  }
  return found;
}

export async function sweepLeftovers(plan: SandboxPlan): Promise<number> {
  let killed = 0;
  for (let round = 0; round < 20; round++) {
    const found = killMarked(plan);
    killed += found;
    if (!found) break;
    await new Promise((r) => setTimeout(r, 20)); // children forked meanwhile are found next round
  }
  return killed;
}
