// Running a bind as an unprivileged user, in a real child process (unprivileged-child.mjs). The
// harness usually runs as root (CI does), so the child drops to uid/gid 65534 itself before it
// makes the socket; what it reports includes the credentials the bind really ran with.
import { spawn, spawnSync } from 'node:child_process';
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

const args = (family: 'inet' | 'inet6', port: number) => [CHILD, family, String(port), String(UNPRIVILEGED_UID)];

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
