// Syscall numbers, to recognise in /proc/<tid>/syscall which call a sleeping thread is inside.
const TABLES: Record<string, Record<string, number>> = {
  x64: { read: 0, write: 1, readv: 19, writev: 20, openat: 257, recvfrom: 45, accept4: 288, connect: 42, sendto: 44 },
  arm64: { read: 63, write: 64, readv: 65, writev: 66, openat: 56, recvfrom: 207, accept4: 242, connect: 203, sendto: 206 },
};

export function syscallNumber(name: 'read' | 'write' | 'readv' | 'writev' | 'openat' | 'recvfrom' | 'accept4' | 'connect' | 'sendto'): number {
  const t = TABLES[process.arch];
  if (!t) throw new Error(`no syscall table for ${process.arch}`);
  return t[name];
}

export const hasSyscallTable = (): boolean => process.arch in TABLES;
