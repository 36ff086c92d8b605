// Running a bind as an unprivileged user, in a real child process (unprivileged-child.mjs). The
// harness usually runs as root (CI does), so the child drops to uid/gid 65534 itself before it
// makes the socket; what it reports includes the credentials the bind really ran with.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** nobody/nogroup: the conventional unprivileged uid and gid. */
export const UNPRIVILEGED_UID = 65534;
/** Long: node starts in ~0.1 s; expiry means the machine is stuck, a harness error. */
const CHILD_DEADLINE_MS = 15_000;
const CHILD = fileURLToPath(new URL('./unprivileged-child.mjs', import.meta.url));

export interface UnprivilegedBind {
  errno?: string;
  addr?: string;
  ranAs: { uid: number; euid: number; netBindService: boolean };
}

/** Whether id is inside a /proc/self/{uid,gid}_map (lines "INSIDE OUTSIDE COUNT"). */
const mapped = (map: string, id: number): boolean =>
  map.trim().split('\n').some((l) => { const [inside, , count] = l.trim().split(/\s+/).map(Number); return id >= inside && id < inside + count; });

let noUser: { why?: string } | undefined;
/**
 * Why a bind-unprivileged step cannot run here, if it cannot: the child reads the credentials it bound
 * with from /proc/self/status, and root drops to UNPRIVILEGED_UID, which a user namespace may not map
 * (`unshare -r` maps uid 0 only: setuid(65534) fails with EINVAL). Probed once.
 */
export function whyNoUnprivilegedUser(): string | undefined {
  noUser ??= { why: probeUnprivilegedUser() };
  return noUser.why;
}

function probeUnprivilegedUser(): string | undefined {
  try {
    readFileSync('/proc/self/status', 'latin1');
  } catch (e) {
    return `no /proc/self/status (${(e as NodeJS.ErrnoException).code}) to show the credentials an unprivileged bind ran with`;
  }
  if (process.geteuid?.() !== 0) return undefined; // the child runs as this user, already unprivileged
  for (const kind of ['uid', 'gid'] as const) {
    let map: string;
    try {
      map = readFileSync(`/proc/self/${kind}_map`, 'latin1');
    } catch {
      continue; // no user namespaces: every id exists
    }
    if (!mapped(map, UNPRIVILEGED_UID)) return `no ${kind} ${UNPRIVILEGED_UID} to drop to: this user namespace maps only ${map.trim().replace(/\s+/g, ' ')} (${kind}_map)`;
  }
  return undefined;
}

/** Loaded by require (synchronously, as actor.ts does: under proot asynchronous module reads fail); argv[2..] as with `node CHILD`. */
const loadChild = (process.features as { require_module?: boolean }).require_module ? ['-e', `require(${JSON.stringify(CHILD)})`, '--'] : [];
const args = (family: 'inet' | 'inet6', port: number) => [...loadChild, CHILD, family, String(port), String(UNPRIVILEGED_UID)];

function parse(stdout: string, stderr: string, status: number | null, signal: string | null): UnprivilegedBind {
  const line = stdout.trim().split('\n').pop() ?? '';
  let r: Partial<UnprivilegedBind> & { error?: string };
  try {
    r = JSON.parse(line);
  } catch {
    throw new Error(`unprivileged bind child said nothing usable (exit ${status ?? signal}): ${stderr.trim().slice(0, 300) || line}`);
  }
  if (r.error || !r.ranAs) throw new Error(`unprivileged bind child: ${r.error ?? 'no credentials reported'}`);
  return r as UnprivilegedBind;
}

/** bind(loopback:port) in a child that has dropped its privileges first. */
export function bindUnprivileged(family: 'inet' | 'inet6', port: number): Promise<UnprivilegedBind> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args(family, port), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`unprivileged bind child did not finish within ${CHILD_DEADLINE_MS / 1000} s`)); }, CHILD_DEADLINE_MS);
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { if (err.length < 4096) err += d.toString(); });
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      try { resolve(parse(out, err, code, signal)); } catch (e) { reject(e); }
    });
  });
}

/** The same, synchronously (for measuring the profile). */
export function bindUnprivilegedSync(family: 'inet' | 'inet6', port: number): UnprivilegedBind {
  const r = spawnSync(process.execPath, args(family, port), { encoding: 'utf8', timeout: CHILD_DEADLINE_MS });
  if (r.error) throw r.error;
  return parse(r.stdout, r.stderr, r.status, r.signal);
}
