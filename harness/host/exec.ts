// Each scenario step as real calls on the host.
import { lstatSync } from 'node:fs';
import type { Step } from '../../spec/scenario.ts';
import { payload, payloadTag, producerBytes, record, writeData } from '../../spec/payload.ts';
import type { Outcome } from '../../spec/trace.ts';
import type { ActorResult } from './actor.ts';
import { childReader, childWriter, startPipeline, writerDetail, type Child } from './children.ts';
import { F, O, POLL, sys, type Sys } from './libc.mjs';
import type { HostSession, Waiting } from './session.ts';
import { syscallNumber } from './syscalls.ts';
import { afterWait, execSocketStep, tcpPeerWatch } from './exec-socket.ts';

/** A descriptor number that is never open: above any RLIMIT_NOFILE. */
const NEVER_OPEN = 0x3fffffff;

const toOutcome = (r: Sys | ActorResult, data?: Uint8Array): Outcome =>
  r.errno ? { kind: 'err', errno: r.errno } : { kind: 'ok', value: r.value, ...(data ? { data } : {}) };

export async function execStep(s: HostSession, i: number, step: Step): Promise<Outcome | Waiting> {
  switch (step.op) {
    case 'make-pipe': return makePipe(s, i, step);
    case 'read': case 'readv': {
      const fd = fdOf(s, step.fd);
      const args = step.op === 'read' ? { fd, size: step.size } : { fd, sizes: step.sizes };
      if (!mayBlock(fd)) { const r = step.op === 'read' ? sys.read(fd, step.size) : sys.readv(fd, step.sizes); return toOutcome(r, r.data); }
      return onActor(s, i, step.actor, step.op, args, syscallNumber(step.op), (r) => toOutcome(r, r.data));
    }
    case 'write': case 'writev': {
      const fd = fdOf(s, step.fd);
      const data = writeData(i, step);
      const parts = step.op === 'writev' ? step.sizes.map((n, k) => payload(payloadTag(i, k), n)) : [data];
      if (!mayBlock(fd)) return toOutcome(step.op === 'write' ? sys.write(fd, data) : sys.writev(fd, parts));
      // Payloads are views into a shared pool; posting a view would clone the whole pool, so copy the bytes.
      const args = step.op === 'write' ? { fd, data: data.slice() } : { fd, parts: parts.map((p) => p.slice()) };
      return onActor(s, i, step.actor, step.op, args, syscallNumber(step.op), (r) => toOutcome(r));
    }
    case 'close': {
      const fd = fdOf(s, step.fd);
      const watch = s.fds.get(step.fd) === fd ? tcpPeerWatch(s, fd) : undefined;
      const r = sys.close(fd);
      if (s.fds.get(step.fd) === fd) { s.fds.delete(step.fd); s.closed.set(step.fd, fd); }
      const seen = r.errno || !watch ? true : await watch();
      return afterWait(toOutcome(r), seen);
    }
    case 'dup': {
      const r = sys.fcntl(fdOf(s, step.fd), F.DUPFD_CLOEXEC, 0);
      if (!r.errno) bind(s, step.as, r.value);
      return toOutcome(r);
    }
    case 'set-nonblock': {
      const fd = fdOf(s, step.fd);
      const fl = sys.fcntl(fd, F.GETFL);
      if (fl.errno) return toOutcome(fl);
      return toOutcome(sys.fcntl(fd, F.SETFL, step.on ? fl.value | O.NONBLOCK : fl.value & ~O.NONBLOCK));
    }
    case 'poll': {
      const r = sys.poll(fdOf(s, step.fd), POLL.IN | POLL.OUT);
      if (r.errno) return toOutcome(r);
      const names = (Object.keys(POLL) as Array<keyof typeof POLL>).filter((k) => (r.revents! & POLL[k]) !== 0).map((k) => `POLL${k}`);
      return { kind: 'ok', value: r.value, detail: { revents: names } };
    }
    case 'get-pipe-size': return toOutcome(sys.fcntl(fdOf(s, step.fd), F.GETPIPE_SZ));
    case 'set-pipe-size': return toOutcome(sys.fcntl(fdOf(s, step.fd), F.SETPIPE_SZ, step.size));
    case 'mkfifo': {
      const r = sys.mkfifo(s.path(step.path));
      if (!r.errno) {
        const keep = s.path(`.keep-${i}`);
        sys.link(s.path(step.path), keep);
        s.keepNames.set(step.path, keep);
      }
      return toOutcome(r);
    }
    case 'open': return openFifo(s, i, step);
    case 'unlink': return toOutcome(sys.unlink(s.path(step.path)));
    case 'stat': {
      try {
        const st = lstatSync(s.path(step.path));
        const type = st.isFIFO() ? 'fifo' : st.isFile() ? 'file' : st.isDirectory() ? 'directory' : 'other';
        return { kind: 'ok', value: 0, detail: { type, size: st.size } };
      } catch (e) {
        return { kind: 'err', errno: (e as NodeJS.ErrnoException).code ?? 'EIO' };
      }
    }
    case 'child-write': {
      // Handing a child an invalid descriptor fails the way dup2 in the spawn would: EBADF.
      const bad = invalidFd(s, step.fd);
      if (bad) return bad;
      const c = childWriter(s.dir, String(i), fdOf(s, step.fd), payload(payloadTag(i), step.size), step.sigpipe);
      return watchChildren(s, i, `child-write #${i}`, [c], () => ({ kind: 'ok', value: 0, detail: writerDetail(c) }));
    }
    case 'child-read': {
      const bad = invalidFd(s, step.fd);
      if (bad) return bad;
      const { child, output } = childReader(s.dir, String(i), fdOf(s, step.fd));
      return watchChildren(s, i, `child-read #${i}`, [child], () => ({ kind: 'ok', value: 0, detail: { exit: child.exit, output: output() } }));
    }
    case 'pipeline': {
      const prod = step.producer.kind === 'yes' ? { yes: true as const } : { data: producerBytes(i, step), chunk: step.producer.chunk };
      const cons = step.consumer.kind === 'cat' ? { cat: true as const } : { headLines: step.consumer.lines };
      const p = startPipeline(s.dir, String(i), prod, cons);
      return watchChildren(s, i, `pipeline #${i}`, [p.producer, p.consumer], () => ({
        kind: 'ok', value: 0, detail: { producerExit: p.producer.exit, consumerExit: p.consumer.exit, output: p.output() },
      }));
    }
    case 'concurrent-writes': return concurrentWrites(s, i, step);
    default: return execSocketStep(s, i, step);
  }
}

function fdOf(s: HostSession, handle: string): number {
  const fd = s.fds.get(handle);
  if (fd !== undefined) return fd;
  const old = s.closed.get(handle);
  // A handle whose open failed holds -1, as a program's fd variable would.
  if (old === undefined) return -1;
  // Use the closed number itself, unless something else has reused it since.
  return sys.fcntl(old, F.GETFL).errno ? old : NEVER_OPEN;
}

function invalidFd(s: HostSession, handle: string): Outcome | undefined {
  const r = sys.fcntl(fdOf(s, handle), F.GETFL);
  return r.errno ? { kind: 'err', errno: r.errno } : undefined;
}

function bind(s: HostSession, handle: string, fd: number): void {
  s.fds.set(handle, fd);
  s.closed.delete(handle);
}

/** A call can block only on a descriptor that is open and not O_NONBLOCK. */
const mayBlock = (fd: number): boolean => {
  const fl = sys.fcntl(fd, F.GETFL);
  return !fl.errno && (fl.value & O.NONBLOCK) === 0;
};

async function onActor(s: HostSession, i: number, actorName: string, op: string, args: unknown, syscall: number, finish: (r: ActorResult) => Outcome, release?: () => void): Promise<Waiting> {
  const actor = await s.actorFor(actorName);
  actor.send(op, args, syscall);
  return {
    step: i,
    label: `${op} #${i} on actor ${actorName}`,
    poll: () => {
      const r = actor.poll();
      return r.state === 'done' ? finish(r.result) : r.state;
    },
    release,
  };
}

function watchChildren(s: HostSession, i: number, label: string, children: Child[], finish: () => Outcome): Waiting {
  return {
    step: i,
    label,
    poll: () => (children.every((c) => c.exit) ? finish() : children.every((c) => c.quiescent) ? 'blocked' : 'running'),
    release: () => children.forEach((c) => c.kill()),
  };
}

async function makePipe(s: HostSession, i: number, step: Extract<Step, { op: 'make-pipe' }>): Promise<Outcome> {
  const nonblock = step.variant.endsWith('nonblock') ? O.NONBLOCK : 0;
  if (!step.variant.startsWith('fifo')) {
    const p = sys.pipe2(O.CLOEXEC | nonblock);
    if (!p.fds) return { kind: 'err', errno: p.errno! };
    bind(s, step.read, p.fds[0]);
    bind(s, step.write, p.fds[1]);
    return { kind: 'ok', value: 0 };
  }
  // The FIFO variant needs a name only until both ends are open: it works on unlinked, as FIFOs do.
  const path = s.scratch(`fifo-${i}`);
  const mk = sys.mkfifo(path);
  if (mk.errno) return toOutcome(mk);
  s.cleanups.push(() => void sys.unlink(path));
  let r: Sys;
  if (nonblock) r = sys.open(path, O.RDONLY | O.NONBLOCK | O.CLOEXEC);
  else {
    // A real blocking open: the reader waits (proven asleep) until the writer's open releases it.
    const reader = await onActor(s, i, `__opener`, 'open', { path, flags: O.RDONLY | O.CLOEXEC }, syscallNumber('openat'), (x) => toOutcome(x));
    s.waiting.set(i, reader);
    const { stuck } = await s.settle();
    if (stuck) throw new Error(`blocking FIFO open did not settle: ${stuck}`);
    const w = sys.open(path, O.WRONLY | O.CLOEXEC);
    if (w.errno) return toOutcome(w);
    bind(s, step.write, w.value);
    for (;;) {
      const o = reader.poll();
      if (o !== 'running' && o !== 'blocked') { s.waiting.delete(i); if (o.kind !== 'ok') return o; bind(s, step.read, o.value); break; }
      await new Promise((res) => setImmediate(res));
    }
    return { kind: 'ok', value: 0 };
  }
  if (r.errno) return toOutcome(r);
  bind(s, step.read, r.value);
  const w = sys.open(path, O.WRONLY | O.NONBLOCK | O.CLOEXEC);
  if (w.errno) return toOutcome(w);
  bind(s, step.write, w.value);
  return { kind: 'ok', value: 0 };
}

async function openFifo(s: HostSession, i: number, step: Extract<Step, { op: 'open' }>): Promise<Outcome | Waiting> {
  const flags = (step.mode === 'read' ? O.RDONLY : O.WRONLY) | O.CLOEXEC | (step.nonblock ? O.NONBLOCK : 0);
  const path = s.path(step.path);
  const bound = (o: Outcome): Outcome => { if (o.kind === 'ok') bind(s, step.as, o.value); return o; };
  if (step.nonblock) return bound(toOutcome(sys.open(path, flags)));
  const keep = s.keepNames.get(step.path);
  const partnerFds: number[] = [];
  s.cleanups.push(() => partnerFds.forEach((fd) => sys.close(fd)));
  // Teardown releases a blocked open by opening the other side through the FIFO's hidden name.
  const release = () => {
    if (!keep) return;
    const r = sys.open(keep, (step.mode === 'read' ? O.WRONLY : O.RDONLY) | O.NONBLOCK | O.CLOEXEC);
    if (!r.errno) partnerFds.push(r.value);
  };
  return onActor(s, i, step.actor, 'open', { path, flags }, syscallNumber('openat'), (r) => bound(toOutcome(r)), release);
}

async function concurrentWrites(s: HostSession, i: number, step: Extract<Step, { op: 'concurrent-writes' }>): Promise<Outcome> {
  const fd = fdOf(s, step.fd);
  const rfd = fdOf(s, step.reader);
  const total = step.writers * step.records * step.size;
  const drain = await s.actorFor(`__drain`);
  const writers = await Promise.all(Array.from({ length: step.writers }, (_, w) => s.actorFor(`__writer${w}`)));
  drain.send('drain', { fd: rfd, total }, syscallNumber('read'));
  writers.forEach((a, w) => a.send('writeAll', { fd, records: Array.from({ length: step.records }, (_, q) => record(w, q, step.size)) }, syscallNumber('write')));
  const results: Array<ActorResult | undefined> = new Array(step.writers + 1);
  const all = [drain, ...writers];
  const t0 = Date.now();
  while (results.filter(Boolean).length < all.length) {
    all.forEach((a, k) => { if (!results[k]) { const r = a.poll(); if (r.state === 'done') results[k] = r.result; } });
    if (Date.now() - t0 > 15_000) throw new Error('concurrent writers did not finish within 15 s');
    await new Promise((res) => setTimeout(res, 0));
  }
  const bad = results.slice(1).find((r) => r!.errno);
  if (bad) return { kind: 'err', errno: bad.errno! };
  return { kind: 'ok', value: results[0]!.value, detail: { records: results[0]!.data } };
}
