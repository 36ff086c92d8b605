// Small tools for measuring the host: every probe makes its own pipes and FIFOs inside a Probe
// scope, and everything it opened is closed (and every FIFO removed) when the scope ends.
import koffi from 'koffi';
import { join } from 'node:path';
import { F, O, POLL, sys, type Sys } from '../host/libc.mjs';
import { AF, net } from '../host/libc-net.mjs';
import { makeTempDir, removeTempDir } from '../temp-dirs.ts';

const lib = koffi.load('libc.so.6');
const c = {
  fpathconf: lib.func('long fpathconf(int fd, int name)'),
  sysconf: lib.func('long sysconf(int name)'),
};
/** glibc <bits/confname.h>: _PC_PIPE_BUF and _SC_PAGESIZE. */
const PC_PIPE_BUF = 5;
const SC_PAGESIZE = 30;

export const fpathconfPipeBuf = (fd: number): number => Number(c.fpathconf(fd, PC_PIPE_BUF));
export const sysconfPageSize = (): number => Number(c.sysconf(SC_PAGESIZE));

/** What a call returned, as one comparable string: "4096", "EAGAIN". */
export const show = (r: Sys): string => (r.errno ? r.errno : String(r.value));

export function reventNames(revents: number): string[] {
  return (Object.keys(POLL) as Array<keyof typeof POLL>).filter((k) => (revents & POLL[k]) !== 0).map((k) => `POLL${k}`);
}

const filler = new Map<number, Uint8Array>();
/** A buffer of n bytes (content does not matter to any measurement). */
export function bytes(n: number): Uint8Array {
  let b = filler.get(n);
  if (!b) { b = new Uint8Array(n).fill(0x61); filler.set(n, b); }
  return b;
}

export class Probe {
  private fds = new Set<number>();
  private dir?: string;
  private fifos = 0;

  /** A pipe; both ends O_NONBLOCK unless told otherwise. */
  pipe(nonblock = true): { r: number; w: number } {
    const p = sys.pipe2(O.CLOEXEC | (nonblock ? O.NONBLOCK : 0));
    if (!p.fds) throw new Error(`pipe2: ${p.errno}`);
    p.fds.forEach((fd) => this.fds.add(fd));
    return { r: p.fds[0], w: p.fds[1] };
  }

  /** A fresh FIFO path in this probe's private temp dir. */
  fifo(): string {
    this.dir ??= makeTempDir('measure');
    const path = join(this.dir, `f${this.fifos++}`);
    const r = sys.mkfifo(path);
    if (r.errno) throw new Error(`mkfifo: ${r.errno}`);
    return path;
  }

  open(path: string, flags: number): number {
    const r = sys.open(path, flags | O.CLOEXEC);
    if (r.errno) throw new Error(`open ${path}: ${r.errno}`);
    this.fds.add(r.value);
    return r.value;
  }

  close(fd: number): Sys {
    this.fds.delete(fd);
    return sys.close(fd);
  }

  write(fd: number, n: number): Sys {
    return sys.write(fd, bytes(n));
  }

  read(fd: number, n: number): Sys {
    return sys.read(fd, n);
  }

  poll(fd: number, events = POLL.IN | POLL.OUT): string[] {
    const r = sys.poll(fd, events);
    if (r.errno) throw new Error(`poll: ${r.errno}`);
    return reventNames(r.revents!);
  }

  getSize(fd: number): number {
    const r = sys.fcntl(fd, F.GETPIPE_SZ);
    if (r.errno) throw new Error(`F_GETPIPE_SZ: ${r.errno}`);
    return r.value;
  }

  setSize(fd: number, size: number): Sys {
    return sys.fcntl(fd, F.SETPIPE_SZ, size);
  }

  /** Write n-byte chunks until the pipe refuses; returns how many chunks went in whole. */
  fill(fd: number, n: number, limit = 1 << 22): number {
    for (let k = 0; k < limit; k++) {
      const r = this.write(fd, n);
      if (r.errno === 'EAGAIN') return k;
      if (r.errno) throw new Error(`filling: write ${n}: ${r.errno}`);
      if (r.value !== n) throw new Error(`filling: write ${n} returned ${r.value}`);
    }
    throw new Error(`filling: the pipe took ${limit} writes of ${n} bytes without refusing`);
  }

  dispose(): void {
    for (const fd of this.fds) sys.close(fd);
    this.fds.clear();
    if (this.dir) removeTempDir(this.dir);
  }
}

/** Run `f` with a fresh probe scope; everything it opened is released however `f` ends. */
export function probe<T>(f: (p: Probe) => T): T {
  const p = new Probe();
  try {
    return f(p);
  } finally {
    p.dispose();
  }
}

/**
 * A listener on loopback (or at `dir/name` for AF_UNIX) with one connected client and its accepted
 * server end. Every descriptor is pushed on `fds`, for the caller to close.
 */
export function connectedPair(family: number, dir: string, name: string, fds: number[]): { client: number; server: number } {
  const L = net.socket(family, false).value;
  fds.push(L);
  net.bind(L, family === AF.UNIX ? `unix:${join(dir, name)}` : family === AF.INET ? '127.0.0.1:0' : '[::1]:0');
  net.listen(L, 1);
  const client = net.socket(family, false).value;
  fds.push(client);
  if (net.connect(client, net.getsockname(L).addr!).errno) throw new Error('connect failed');
  const a = net.accept(L);
  if (a.errno) throw new Error('accept failed');
  fds.push(a.value);
  return { client, server: a.value };
}
