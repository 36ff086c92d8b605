// Reading the kernel's view of a thread or process: is it asleep, and inside which syscall?
// This is what lets the harness say "blocked" without timing anything (DESIGN principle 4).
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

/** CAP_SYS_RESOURCE (bit 24) lifts pipe-max-size; root in a container may not have it. */
export function hasCapSysResource(): boolean {
  const m = /CapEff:\s*([0-9a-f]+)/.exec(readFileSync('/proc/self/status', 'latin1'));
  return !!m && (BigInt(`0x${m[1]}`) >> 24n) % 2n === 1n;
}
