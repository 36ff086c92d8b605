// The submission sandbox (harness/sandbox): real processes under the real launcher. Each containment
// is shown by what a process inside can and cannot do, and every "cannot" has a "can" beside it (the
// same operation inside the temp dir, or without the sandbox), so that no check passes by accident.
// Waits for things that must happen (a launcher's exit, processes gone after a kill) have long
// deadlines; nothing here is timed.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCDriver } from '../harness/c-driver.ts';
import { ExecTarget } from '../harness/exec-target.ts';
import { describeSandbox, planSandbox, prepareDir, probeSandbox, sandboxArgv, type SandboxFacts, type SandboxPlan } from '../harness/sandbox/sandbox.ts';
import { shellWord } from '../harness/wrap.ts';
import type { SandboxLimits } from '../spec/grade.ts';
import { loadProfile } from '../spec/profile.ts';
import { PROPERTIES } from '../suites/properties/index.ts';
import { runProperty } from '../engine/run-property.ts';
import { tempDir } from './support/tmp.ts';

const linux = process.platform === 'linux';
const facts: SandboxFacts = linux ? probeSandbox() : { root: false, netns: false, pidns: false, landlock: 0, pids: false };
const LIMITS: SandboxLimits = { cpuSeconds: 60, memoryMb: 1024, processes: 64, fileSizeMb: 16 };
const MUST_HAPPEN_MS = 120_000;
/** No account has it: the fork bomb's processes are the only ones it has. */
const BOMB_UID = 64_123;

// Everything uid 65534 must reach lives here (the repo itself may sit under a 0700 directory).
const scratch = tempDir('sandbox-test-');
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let runs = 0;
/** A plan for a fresh dir, prepared (owned by the uid it drops to). */
function plan(limits: Partial<SandboxLimits> = {}, opts: Parameters<typeof planSandbox>[3] = {}): SandboxPlan {
  const p = planSandbox(facts, { ...LIMITS, ...limits }, join(scratch, `run-${++runs}`), opts);
  prepareDir(p);
  return p;
}

function run(p: SandboxPlan, cmd: string[], input?: string): SpawnSyncReturns<string> {
  const [bin, ...args] = sandboxArgv(p);
  return spawnSync(bin, [...args, ...cmd], { encoding: 'utf8', input, timeout: MUST_HAPPEN_MS });
}

/** The signal that ended the command: directly, or as 128+N from the PID namespace's init. */
function endedBy(r: { status: number | null; signal: NodeJS.Signals | null }): string | undefined {
  if (r.signal) return r.signal;
  const n = (r.status ?? 0) - 128;
  return Object.entries(constants.signals).find(([, v]) => v === n)?.[0];
}

/** pid -> [ppid, state] for every process. */
function processes(): Map<number, [number, string]> {
  const m = new Map<number, [number, string]>();
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const st = readFileSync(`/proc/${p}/stat`, 'latin1');
      const [state, ppid] = st.slice(st.lastIndexOf(')') + 2).split(' ');
      m.set(Number(p), [Number(ppid), state]);
    } catch { /* exited meanwhile */ }
  }
  return m;
}

function descendants(pid: number): number[] {
  const all = processes();
  const out: number[] = [];
  const walk = (p: number) => { for (const [c, [pp]] of all) if (pp === p) { out.push(c); walk(c); } };
  walk(pid);
  return out;
}

const comm = (pid: number): string | undefined => { try { return readFileSync(`/proc/${pid}/comm`, 'utf8').trim(); } catch { return undefined; } };
const uidOf = (pid: number): number | undefined => { try { return Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]); } catch { return undefined; } };

/** Gone, or a zombie (it can no longer run). */
const dead = (pid: number): boolean => processes().get(pid)?.[1] === 'Z' || !processes().has(pid);

async function until(what: string, ok: () => boolean): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > MUST_HAPPEN_MS) throw new Error(`harness: ${what} did not happen within ${MUST_HAPPEN_MS / 1000} s`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

/**
 * The launcher in its own process group (as the harness starts drivers), until `marker` appears on its stdout;
 * then the whole group is SIGKILLed, as the harness does. Returns what was alive below it just before the kill.
 */
async function runThenKillGroup(p: SandboxPlan, cmd: string[], marker: string): Promise<{ before: Array<{ pid: number; comm?: string; uid?: number }>; stderr: string; launcher: number }> {
  const [bin, ...args] = sandboxArgv(p);
  const child = spawn(bin, [...args, ...cmd], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  const exited = new Promise<void>((res) => child.on('exit', () => res()));
  const lines = createInterface({ input: child.stdout });
  await new Promise<void>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`harness: no "${marker}" within ${MUST_HAPPEN_MS / 1000} s; stderr: ${stderr}`)), MUST_HAPPEN_MS);
    lines.on('line', (l) => { if (l === marker) { clearTimeout(t); res(); } });
  });
  const pids = descendants(child.pid!);
  const before = pids.map((pid) => ({ pid, comm: comm(pid), uid: uidOf(pid) }));
  process.kill(-child.pid!, 'SIGKILL');
  await exited;
  return { before, stderr, launcher: child.pid! };
}

if (linux && !facts.root) console.warn('test/sandbox.test.ts: not root: the uid, namespace and fork-bomb tests are skipped (CI runs them as root)');

describe.skipIf(!linux)('the submission sandbox', () => {
  it(`probes this machine for real (here: ${JSON.stringify(facts)})`, () => {
    expect(facts.root).toBe(process.getuid!() === 0);
    expect(Number.isInteger(facts.landlock) && facts.landlock >= 0).toBe(true);
    // what the probe claims holds when asked for; what it denies makes a run fail closed (125), never run without
    const p = plan();
    for (const [flag, has] of [['--netns', facts.netns], ['--pidns', facts.pidns], ['--landlock', facts.landlock > 0]] as const) {
      const [bin, ...args] = sandboxArgv({ ...p, netns: false, pidns: false, landlock: 0 });
      const r = spawnSync(bin, [...args.slice(0, -1), flag, '--', 'sh', '-c', 'echo ran'], { encoding: 'utf8', timeout: MUST_HAPPEN_MS });
      if (has) expect(r.stdout, `${flag}: ${r.stderr}`).toBe('ran\n');
      else expect([r.status, r.stdout, r.stderr.split('\n').length], flag).toEqual([125, '', 2]);
    }
  });

  it('plans everything the facts allow, and says plainly what is missing', () => {
    const full = planSandbox({ root: true, netns: true, pidns: true, landlock: 7, pids: true }, LIMITS, '/tmp/x');
    expect(sandboxArgv(full).slice(1)).toEqual(['--dir', '/tmp/x', '--uid', '65534', '--cpu', '60', '--mem', '1024', '--pids', '64', '--fsize', '16', '--netns', '--pidns', '--landlock', '--']);
    expect(describeSandbox(full)).toBe('uid 65534; own network namespace (loopback only); own PID namespace; Landlock ABI 7: writes only in its temp dir; limits: CPU 60 s, memory 1024 MiB, 64 processes (its own cgroup), files 16 MiB');
    // without a pids cgroup the count is RLIMIT_NPROC's, shared by every process of the uid
    const noCgroup = planSandbox({ root: true, netns: true, pidns: true, landlock: 7, pids: false }, LIMITS, '/tmp/x');
    expect(sandboxArgv(noCgroup)).toContain('--nproc');
    expect(describeSandbox(noCgroup)).toMatch(/64 processes more than uid 65534 runs at the start \(RLIMIT_NPROC counts all its processes\)/);
    const later = planSandbox({ root: true, netns: true, pidns: false, landlock: 7, pids: true }, LIMITS, '/tmp/x', { dropLater: true, uid: 1234, memory: 'data' });
    expect(sandboxArgv(later).slice(1, 9)).toEqual(['--dir', '/tmp/x', '--uid-later', '1234', '--cpu', '60', '--data', '1024']);
    expect(describeSandbox(later)).toMatch(/uid 1234 \(dropped by the driver.*no PID namespace \(this machine refused.*memory 1024 MiB \(writable data\)/);
    const user = planSandbox({ root: false, netns: false, pidns: false, landlock: 0, pids: false }, LIMITS, '/tmp/x');
    expect(sandboxArgv(user)).not.toContain('--uid');
    expect(sandboxArgv(user)).not.toContain('--netns');
    expect(describeSandbox(user)).toMatch(/^not root: runs as the grader's user, no namespaces; no Landlock in this kernel: writes are limited only by file permissions; .*64 processes more than the grader's user runs at the start/);
  });

  it('fails closed: a requested step that fails means exit 125 with one line, and the command never runs', () => {
    const p = plan();
    const marker = join(scratch, 'must-not-exist');
    const r = run({ ...p, dir: join(scratch, 'no-such-dir') }, ['sh', '-c', `touch ${marker}`]);
    expect(r.status).toBe(125);
    expect(r.stderr).toMatch(/^ipcspec-sandbox: chdir .*no-such-dir: No such file or directory\n$/);
    expect(existsSync(marker)).toBe(false);
  });

  it('a program that cannot be executed: exit 127 and one line saying why', () => {
    const r = run(plan(), ['/nonexistent/ipcspec-submission', 'arg']);
    expect(r.status).toBe(127);
    const as = facts.root ? ' as uid 65534' : '';
    expect(r.stderr).toBe(`ipcspec-sandbox: cannot execute /nonexistent/ipcspec-submission${as}: No such file or directory\n`);
  });

  it('works in its fresh dir (cwd, TMPDIR, HOME) under the limits, with only stdin, stdout and stderr open', () => {
    // the process count as RLIMIT_NPROC here, to see it in /proc/self/limits (a cgroup's pids.max: the next tests)
    const p: SandboxPlan = { ...plan({}, { openFiles: 64 }), processCount: 'rlimit' };
    const [bin, ...args] = sandboxArgv(p);
    // an extra inherited descriptor (3) must not reach the command
    const r = spawnSync(bin, [...args, 'sh', '-c', 'pwd; echo "$TMPDIR $HOME"; ls /proc/$$/fd; cat /proc/self/limits'], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe', 'pipe'], timeout: MUST_HAPPEN_MS });
    expect(r.stderr).toBe('');
    const [cwd, env, ...rest] = r.stdout.split('\n');
    expect(cwd).toBe(p.dir);
    expect(env).toBe(`${p.dir} ${p.dir}`);
    expect(rest.slice(0, 4).join(' ')).toMatch(/^0 1 2 Limit /); // the fds, then /proc/self/limits' header
    const limit = (name: string) => new RegExp(`^${name}\\s+(\\S+)\\s+(\\S+)`, 'm').exec(r.stdout)?.slice(1, 3);
    expect(limit('Max cpu time')).toEqual(['60', '61']);
    expect(limit('Max address space')).toEqual([String(1024 * 2 ** 20), String(1024 * 2 ** 20)]);
    // RLIMIT_NPROC counts every task of the uid on the machine: 64 more than it runs at launch
    const [soft, hard] = limit('Max processes')!;
    expect(soft).toBe(hard);
    expect(Number(soft)).toBeGreaterThanOrEqual(64);
    expect(limit('Max file size')).toEqual([String(16 * 2 ** 20), String(16 * 2 ** 20)]);
    expect(limit('Max core file size')).toEqual(['0', '0']);
    expect(limit('Max open files')).toEqual(['64', '64']);
  });

  it.skipIf(!facts.root)('as root: the submission runs as uid and gid 65534 with no groups; --uid-later leaves that to the driver', () => {
    const r = run(plan(), ['sh', '-c', 'id -u; id -g; id -G; echo "${IPCSPEC_SANDBOX_UID-unset}"']);
    expect(r.stdout).toBe('65534\n65534\n65534\nunset\n');
    const later = run(plan({}, { dropLater: true }), ['sh', '-c', 'id -u; echo "$IPCSPEC_SANDBOX_UID"']);
    expect(later.stdout).toBe('0\n65534\n');
  });

  it.skipIf(!facts.netns)('own network namespace: only lo, and TCP over 127.0.0.1 works inside', () => {
    const script = `
      const net = require('node:net');
      const s = net.createServer((c) => c.end('pong')).listen(0, '127.0.0.1', () => {
        const c = net.connect(s.address().port, '127.0.0.1');
        let got = '';
        c.on('data', (d) => { got += d; }).on('end', () => {
          net.connect(80, '10.1.2.3').on('error', (e) => { console.log(got, e.code); process.exit(0); });
        });
      });`;
    const r = run(plan(), ['sh', '-c', 'ls /sys/class/net; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "; exec "$0" -e "$1"', process.execPath, script]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('lo\nlo\npong ENETUNREACH\n');
    // the control: outside, this machine has other interfaces
    expect(readdirSync('/sys/class/net').filter((i) => i !== 'lo').length).toBeGreaterThan(0);
  });

  it.skipIf(!facts.pidns)('own PID namespace: small pids, its own /proc, and nothing it left survives a SIGKILL of the launcher group', async () => {
    const r = run(plan(), ['sh', '-c', 'echo $$; echo /proc/[0-9]*']);
    expect(r.stdout).toBe('2\n/proc/1 /proc/2\n'); // init is 1; its /proc shows init and this shell only
    // a background sleep in the group and one that left it (setsid): only the namespace's end kills the second
    const leave = 'sleep 1000 & a=$!; setsid sleep 1000 & b=$!; until grep -qx sleep /proc/$a/comm && grep -qx sleep /proc/$b/comm; do :; done; echo ready; wait';
    const { before, launcher } = await runThenKillGroup(plan(), ['sh', '-c', leave], 'ready');
    expect(before.filter((p) => p.comm === 'sleep').length).toBe(2);
    await until('every process of the killed sandbox to die', () => [launcher, ...before.map((p) => p.pid)].every(dead));
  });

  it.skipIf(facts.landlock === 0)(`Landlock (ABI ${facts.landlock}): writes only beneath its dir and to /dev/null, as uid 65534 and as root`, () => {
    const outside = tempDir('sandbox-outside-');
    try {
      chmodSync(outside, 0o777);
      writeFileSync(join(outside, 'existing'), 'original\n', { mode: 0o666 });
      chmodSync(join(outside, 'existing'), 0o666);
      const tries = [
        'echo x > inside', 'mkdir d && mkfifo d/p && ln -s inside d/l && mv inside d/moved && rm -r d', 'echo x > /dev/null', `cat ${outside}/existing > /dev/null`,
        `echo x > ${outside}/new`, `echo x >> ${outside}/existing`, `: > ${outside}/existing`, `mkfifo ${outside}/fifo`, `mkdir ${outside}/d`,
        `ln -s /etc ${outside}/l`, `rm ${outside}/existing`, `mv ${outside}/existing ${outside}/moved`,
      ];
      const script = `t() { if sh -c "$1" 2>err; then echo ok; else echo "refused $(head -c 300 err | tr '\\n' ' ')"; fi; }; ${tries.map((c) => `t ${shellWord(c)}`).join('; ')}`;
      const asRoot = { ...plan(), uid: undefined };
      for (const p of facts.root ? [plan(), asRoot] : [plan()]) {
        const r = run(p, ['sh', '-c', script]);
        const out = r.stdout.trim().split('\n');
        expect(out.slice(0, 4), `${p.uid ?? 'root'}: ${r.stdout}${r.stderr}`).toEqual(['ok', 'ok', 'ok', 'ok']);
        for (const [i, line] of out.slice(4).entries()) expect(line, `${p.uid ?? 'root'}: ${tries[i + 4]}`).toMatch(/^refused .*(Permission denied|Operation not permitted)/);
        expect(out.length).toBe(tries.length);
      }
      expect(readdirSync(outside)).toEqual(['existing']);
      expect(readFileSync(join(outside, 'existing'), 'utf8')).toBe('original\n');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it.skipIf(facts.landlock < 6)('Landlock scopes signals: even as root and without a PID namespace it cannot signal the grader', () => {
    const p = { ...plan(), uid: undefined, pidns: false };
    expect(run({ ...p, landlock: 0 }, ['sh', '-c', `kill -0 ${process.pid} && echo delivered`]).stdout).toBe('delivered\n');
    const r = run(p, ['sh', '-c', `kill -0 ${process.pid} 2>&1 || echo refused`]);
    expect(r.stdout).toMatch(/Operation not permitted.*\nrefused\n$/s);
  });

  it.skipIf(!facts.root)('a fork bomb is capped by the process limit, and all of it dies with the launcher group', async () => {
    // the subshell forks until a fork fails (which ends it: dash exits on "Cannot fork"); its sleeps stay behind
    const bomb = '(while :; do sleep 1000 & done); echo ready; exec sleep 1000';
    // a uid of its own: RLIMIT_NPROC counts every process of the uid on the machine, and other tests run as 65534
    const { before, stderr, launcher } = await runThenKillGroup(plan({ processes: 20 }, { uid: BOMB_UID }), ['sh', '-c', bomb], 'ready');
    expect(stderr).toMatch(/fork/i);
    // its processes (init is root): at most 20, and so many that the limit was what stopped it
    const its = before.filter((p) => p.uid === BOMB_UID);
    expect(its.length).toBeLessThanOrEqual(20);
    expect(its.length).toBeGreaterThanOrEqual(15);
    await until('every process of the fork bomb to die', () => [launcher, ...before.map((p) => p.pid)].every(dead));
  });

  it.skipIf(!facts.root)('without a cgroup, RLIMIT_NPROC allows N more than the uid already runs (its other processes do not starve it)', async () => {
    const uid = BOMB_UID + 1; // no account has it
    // 30 processes of that uid already running (as the grader's own would be, when it is not root)
    const others = spawn('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', 'sh', '-c', 'for i in $(seq 30); do sleep 1000 & done; echo ready; wait'], { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
    const exited = new Promise((res) => others.on('close', res));
    try {
      await new Promise<void>((res, rej) => {
        const t = setTimeout(() => rej(new Error('harness: the 30 sleepers never said ready')), MUST_HAPPEN_MS);
        createInterface({ input: others.stdout! }).on('line', (l) => { if (l === 'ready') { clearTimeout(t); res(); } });
      });
      const p: SandboxPlan = { ...plan({ processes: 10 }, { uid }), processCount: 'rlimit' };
      expect(sandboxArgv(p)).toContain('--nproc');
      const r = run(p, ['sh', '-c', 'for i in 1 2 3 4 5; do sleep 0 & done; wait; echo forked']);
      expect(r.stdout, r.stderr).toBe('forked\n');
    } finally {
      process.kill(-others.pid!, 'SIGKILL');
      await exited;
    }
  });

  it.skipIf(!facts.root || !facts.pids || !facts.pidns)('the process limit is the submission\'s own (a cgroup): a fork bomb does not starve another submission of the same uid', async () => {
    const bomb = '(while :; do sleep 1000 & done); echo ready; exec sleep 1000';
    const other = plan({ processes: 20 });
    expect(sandboxArgv(other)).toContain('--pids');
    const child = spawn(sandboxArgv(plan({ processes: 20 }))[0], [...sandboxArgv(plan({ processes: 20 })).slice(1), 'sh', '-c', bomb], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const lines = createInterface({ input: child.stdout! });
    const exited = new Promise((res) => child.on('close', res));
    try {
      await new Promise<void>((res, rej) => {
        const t = setTimeout(() => rej(new Error('harness: the fork bomb never said ready')), MUST_HAPPEN_MS);
        lines.on('line', (l) => { if (l === 'ready') { clearTimeout(t); res(); } });
      });
      // its cgroup, seen from outside: pids.max 20, and full
      const v1 = existsSync('/sys/fs/cgroup/pids/cgroup.procs');
      const cgroupOf = (pid: number) => (v1 ? /^\d+:pids:(.*)$/m : /^0::(.*)$/m).exec(readFileSync(`/proc/${pid}/cgroup`, 'utf8'))?.[1];
      const inside = descendants(child.pid!).find((pid) => cgroupOf(pid)?.startsWith('/ipcspec-sandbox-'));
      expect(inside).toBeDefined();
      expect(readFileSync(`/sys/fs/cgroup${v1 ? '/pids' : ''}${cgroupOf(inside!)}/pids.max`, 'utf8').trim()).toBe('20');
      // the bomb holds its 20 as uid 65534; a second submission of the same uid still forks freely
      const r = run(other, ['sh', '-c', 'for i in 1 2 3 4 5 6 7 8; do sleep 0 & done; wait; echo forked']);
      expect(r.stdout, r.stderr).toBe('forked\n');
    } finally {
      process.kill(-child.pid!, 'SIGKILL');
      await exited;
    }
  });

  it('a CPU busy loop is killed by SIGXCPU (or SIGKILL at the hard limit)', () => {
    const r = run(plan({ cpuSeconds: 1 }), ['sh', '-c', 'while :; do :; done']);
    expect(['SIGXCPU', 'SIGKILL']).toContain(endedBy(r));
  });

  it('a write beyond the file-size limit gets SIGXFSZ, or EFBIG when that is ignored; the file stops at the limit', () => {
    const p = plan({ fileSizeMb: 1 });
    const r = run(p, ['sh', '-c', 'head -c 2000000 /dev/zero > a; echo $?; wc -c < a; trap "" XFSZ; head -c 2000000 /dev/zero > b; echo $?; wc -c < b']);
    expect(r.stdout).toBe(`${128 + constants.signals.SIGXFSZ}\n1048576\n1\n1048576\n`);
    expect(r.stderr).toMatch(/File too large/);
  });

  it('memory beyond the limit cannot be allocated (address space, and writable data for node)', () => {
    const awk = run(plan({ memoryMb: 64 }), ['awk', 'BEGIN { s = "x"; while (1) s = s s }']);
    expect(awk.status).not.toBe(0);
    expect(awk.stderr).toMatch(/memory/i);
    const node = run(plan({ memoryMb: 256 }, { memory: 'data' }), [process.execPath, '-e', 'try { Buffer.alloc(1e9); console.log("allocated") } catch (e) { console.log(e.message) }']);
    expect(node.stdout).toBe('Array buffer allocation failed\n');
    // the control: within the limit it allocates
    expect(run(plan({}, { memory: 'data' }), [process.execPath, '-e', 'Buffer.alloc(1e8); console.log("allocated")']).stdout).toBe('allocated\n');
  });

  it('node starts under the default limits, and node with tsx under them with memory as writable data (the module driver as root, dropping later)', () => {
    expect(run(plan(), [process.execPath, '--version']).stdout).toBe(`${process.version}\n`);
    const p = plan({}, { memory: 'data', dropLater: true });
    writeFileSync(join(p.dir, 'typed.ts'), 'const n: number = 1;\nconsole.log(n, process.env.IPCSPEC_SANDBOX_UID ?? "");\n', { mode: 0o644 });
    const tsx = run(p, [process.execPath, '--import', import.meta.resolve('tsx'), 'typed.ts']);
    expect(tsx.stderr).toBe('');
    expect(tsx.stdout).toBe(facts.root ? '1 65534\n' : '1 \n');
  });

  it('the C driver runs under the full sandbox, calls still proven asleep, and passes pipe, FIFO, pipeline and stream-socket properties', async () => {
    const bins = join(scratch, 'bin');
    const driver = buildCDriver(bins);
    chmodSync(bins, 0o755);
    const p = plan();
    const target = await ExecTarget.start(shellWord(driver), { wrap: sandboxArgv(p).map(shellWord).join(' ') });
    try {
      expect(target.info.description).not.toMatch(/did not start/);
      expect(target.info.settled).toBe(true);
      // the driver process really is inside: its uid, and its own network and PID namespaces
      const drv = [...processes().keys()].filter((pid) => comm(pid) === 'ipcspec-driver' && readFileSync(`/proc/${pid}/cmdline`, 'latin1').startsWith(driver));
      expect(drv.length).toBe(1);
      const ns = (pid: number | string, kind: string) => readlinkSync(`/proc/${pid}/ns/${kind}`);
      if (facts.root) expect(uidOf(drv[0])).toBe(65534);
      if (facts.netns) expect(ns(drv[0], 'net')).not.toBe(ns('self', 'net'));
      if (facts.pidns) expect(ns(drv[0], 'pid')).not.toBe(ns('self', 'pid'));
      const profile = loadProfile('posix');
      const names = ['bytes come out in order, whatever the write and read sizes', 'an empty pipe blocks or fails with EAGAIN, and gives EOF after the last writer',
        'opening a FIFO waits for the other side, except O_NONBLOCK readers; EOF needs every writer gone',
        'prog1 | prog2 delivers in order and ends with EOF; an early exit of prog2 kills prog1 by SIGPIPE',
        'stream sockets deliver bytes in order, coalescing sends as recv asks'];
      for (const name of names) {
        const prop = PROPERTIES.find((q) => q.name === name)!;
        expect(prop, name).toBeDefined();
        const o = await runProperty(prop, target, profile, { runs: 6, seed: 5 });
        expect(o.failure?.verdict, name).toBeUndefined();
        expect([o.runs, o.unsupported], name).toEqual([6, 0]);
      }
    } finally {
      await target.dispose();
    }
  }, 300_000);
});
