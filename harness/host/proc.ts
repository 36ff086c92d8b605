// Reading the kernel's view of a thread or process: is it asleep, and inside which syscall?
// This is what lets the harness say "blocked" without timing anything (docs/design.md, principle 4).
import { readFileSync } from 'node:fs';

export interface KernelView {
  state: string; // R, S, D, Z, ...
  syscall: number | null; // null when running in user space or unknown
}

export function kernelView(path: string): KernelView | undefined {
  try {
    const stat = readFileSync(`${path}/stat`, 'latin1');
    const state = stat[stat.lastIndexOf(')') + 2];
    const sc = readFileSync(`${path}/syscall`, 'latin1');
    const nr = Number.parseInt(sc, 10);
    return { state, syscall: Number.isNaN(nr) || nr < 0 ? null : nr };
  } catch {
    return undefined;
  }
}

export const threadView = (tid: number) => kernelView(`/proc/self/task/${tid}`);
export const processView = (pid: number) => kernelView(`/proc/${pid}`);

/** Whether /proc exposes per-thread syscalls here (Linux with CONFIG_HAVE_ARCH_TRACEHOOK; not gVisor). */
export function canSeeSyscalls(): boolean {
  try {
    readFileSync('/proc/self/syscall', 'latin1');
    return true;
  } catch {
    return false;
  }
}

/** This process's effective capabilities (CapEff of /proc/self/status), or undefined where /proc cannot say. */
export function effectiveCaps(): bigint | undefined {
  try {
    const m = /CapEff:\s*([0-9a-f]+)/.exec(readFileSync('/proc/self/status', 'latin1'));
    return m ? BigInt(`0x${m[1]}`) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CAP_SYS_RESOURCE (bit 24) lifts pipe-max-size; root in a container may not have it; unknown (no /proc)
 * counts as not, and so does one held in a user namespace (`unshare -r`: only the initial one's counts).
 */
export function hasCapSysResource(): boolean {
  const caps = effectiveCaps();
  return caps !== undefined && ((caps >> 24n) & 1n) === 1n && inInitialUserNamespace();
}

/** The initial user namespace maps every uid to itself ("0 0 4294967295"); a missing map means no user namespaces. */
function inInitialUserNamespace(): boolean {
  try {
    return readFileSync('/proc/self/uid_map', 'latin1').trim().split(/\s+/).join(' ') === '0 0 4294967295';
  } catch {
    return true;
  }
}

/** Whether /proc shows this process's threads (their stat files): where not, nothing can be seen asleep. */
export function canSeeThreads(): boolean {
  try {
    readFileSync(`/proc/self/task/${process.pid}/stat`, 'latin1');
    return true;
  } catch {
    return false;
  }
}
