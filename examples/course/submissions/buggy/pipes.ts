// A submission with typical student bugs, for trying the grader: the reference solution
// (../correct/pipes.ts) with four bugs, each marked `// BUG:` and each breaking a different clause:
//   lost EOF              -> pipe.eof-after-last-writer
//   partial small write   -> pipe.nonblocking-small-write-all-or-nothing
//   wrong errno           -> fifo.nonblocking-write-open-enxio
//   lost message bounds   -> dgram.message-boundaries
//
// Part C: AF_UNIX datagram socketpairs (send, recv) have their own section of the class.
//
// Shape: one Pipe object per pipe or FIFO (its buffer and how many read/write ends are open), one
// OpenFile per open file description (what dup shares: the end and O_NONBLOCK), a table from the
// scenario's handles to open files, and a list of blocked calls. After every step the simulator
// "settles": it retries every blocked call, oldest first, until none can make progress, and reports
// the ones that finished in `completed`.
//
// Only type imports from the repository: they vanish at run time, so this directory is self-contained.
import type { Session, StepResult, Target } from '../../../../spec/target.ts';
import type { Step } from '../../../../spec/scenario.ts';
import type { Outcome } from '../../../../spec/trace.ts';

/** POSIX {PIPE_BUF}: writes of at most this many bytes are atomic. 512 is the minimum POSIX allows. */
const PIPE_BUF = 512;
/** Bytes a pipe holds before writers block (Linux's default is 64 KiB too). */
const CAPACITY = 65536;

interface Pipe {
  kind: 'pipe' | 'fifo';
  /** Buffered bytes, oldest first. */
  chunks: Uint8Array[];
  buffered: number;
  /** Open files on each end (a blocked open counts: it is already "opening"). */
  readers: number;
  writers: number;
  /** How many times each end was ever opened: a blocked FIFO open waits for the other one to move. */
  readOpens: number;
  writeOpens: number;
}

interface OpenFile {
  pipe: Pipe;
  end: 'read' | 'write';
  nonblock: boolean;
  /** Descriptors and in-flight calls using it; the end closes when this reaches 0. */
  refs: number;
  /** FIFO read end opened O_NONBLOCK with no writer: POLLHUP only after a writer has come (and gone) since. */
  writeOpensAtOpen?: number;
}

/** One end of a datagram socketpair: the datagrams sent to it, oldest first. */
interface DgramSocket {
  queue: Uint8Array[];
  peer?: DgramSocket;
}

type Blocked =
  | { kind: 'read'; step: number; file: OpenFile; size: number; missedEof: boolean }
  | { kind: 'write'; step: number; file: OpenFile; data: Uint8Array; written: number }
  | { kind: 'open'; step: number; file: OpenFile; handle: string; partnerOpensAtStart: number };

const ok = (value: number, extra: Partial<Extract<Outcome, { kind: 'ok' }>> = {}): Outcome => ({ kind: 'ok', value, ...extra });
const err = (errno: string): Outcome => ({ kind: 'err', errno });
const PENDING: Outcome = { kind: 'pending' };
/** Descriptor numbers are not checked: any non-negative number will do. */
const fdNumber = (step: number): number => 3 + step;

class PipeSession implements Session {
  /** handle -> open file, or 'closed' once closed (a handle never bound is simply absent). */
  private fds = new Map<string, OpenFile | 'closed'>();
  /** FIFO names in the scenario's directory. */
  private names = new Map<string, Pipe>();
  /** Blocked calls, in the order they blocked. */
  private blocked: Blocked[] = [];
  /** handle -> datagram socket, or 'closed' (Part C). */
  private sockets = new Map<string, DgramSocket | 'closed'>();

  async step(index: number, step: Step, data?: Uint8Array): Promise<StepResult> {
    let outcome = this.perform(index, step, data);
    const completed = this.settle();
    // The call that just blocked may have been released by the settle: report that as its own outcome.
    const own = completed.findIndex((c) => c.step === index);
    if (own >= 0) outcome = completed.splice(own, 1)[0].outcome;
    return { outcome, completed };
  }

  async teardown(): Promise<void> {
    this.blocked = [];
    this.fds.clear();
    this.names.clear();
    this.sockets.clear();
  }

  private perform(index: number, step: Step, data?: Uint8Array): Outcome {
    switch (step.op) {
      case 'make-pipe': return this.makePipe(step.variant, step.read, step.write);
      case 'write': case 'writev':
        if (!data) return { kind: 'error', message: 'the grader passed no data for a write' };
        return this.write(index, step.fd, data);
      case 'read': return this.read(index, step.fd, step.size);
      case 'readv': return this.read(index, step.fd, step.sizes.reduce((a, b) => a + b, 0));
      case 'close': return this.sockets.has(step.fd) ? this.closeSocket(step.fd) : this.close(step.fd);
      case 'dup': return this.dup(index, step.fd, step.as);
      case 'set-nonblock': {
        const f = this.file(step.fd);
        if (typeof f === 'string') return err(f);
        f.nonblock = step.on;
        return ok(0);
      }
      case 'poll': return this.poll(step.fd);
      case 'mkfifo': return this.mkfifo(step.path);
      case 'open': return this.open(index, step.path, step.as, step.mode, step.nonblock);
      case 'unlink':
        if (!this.names.delete(step.path)) return err('ENOENT');
        return ok(0);
      case 'stat':
        if (!this.names.has(step.path)) return err('ENOENT');
        // A FIFO's data lives in the kernel, never in the file.
        return ok(0, { detail: { type: 'fifo', size: 0 } });
      case 'socketpair':
        if (!step.dgram) return { kind: 'unsupported', reason: 'stream socketpairs are not part of this lab' };
        return this.socketpair(step.a, step.b);
      case 'send':
        if (!data) return { kind: 'error', message: 'the grader passed no data for a send' };
        if (step.to) return { kind: 'unsupported', reason: 'sendto is not part of this lab' };
        return this.send(step.fd, data);
      case 'recv':
        if (step.waitall || !step.dontwait) return { kind: 'unsupported', reason: 'only MSG_DONTWAIT receives are part of this lab' };
        return this.recv(step.fd, step.size, !!step.peek, !!step.trunc);
      default:
        return { kind: 'unsupported', reason: `this simulator does not do ${step.op}` };
    }
  }

  // ---- descriptors -------------------------------------------------------------------------

  /** The open file a handle names, or the errno for a closed or never-opened handle. */
  private file(handle: string): OpenFile | 'EBADF' {
    const f = this.fds.get(handle);
    return f === undefined || f === 'closed' ? 'EBADF' : f;
  }

  private newFile(pipe: Pipe, end: 'read' | 'write', nonblock: boolean): OpenFile {
    if (end === 'read') { pipe.readers++; pipe.readOpens++; } else { pipe.writers++; pipe.writeOpens++; }
    return { pipe, end, nonblock, refs: 0 };
  }

  private bind(handle: string, f: OpenFile): void {
    f.refs++;
    this.fds.set(handle, f);
  }

  private release(f: OpenFile): void {
    if (--f.refs > 0) return;
    const p = f.pipe;
    if (f.end === 'read') p.readers--; else p.writers--;
    // "When all file descriptors associated with a pipe or FIFO special file are closed, any data
    // remaining in the pipe or FIFO shall be discarded."
    if (p.readers === 0 && p.writers === 0) { p.chunks = []; p.buffered = 0; }
  }

  private makePipe(variant: string, read: string, write: string): Outcome {
    const pipe = newPipe(variant.startsWith('fifo') ? 'fifo' : 'pipe');
    const nonblock = variant.endsWith('nonblock');
    this.bind(read, this.newFile(pipe, 'read', nonblock));
    this.bind(write, this.newFile(pipe, 'write', nonblock));
    return ok(0);
  }

  private close(handle: string): Outcome {
    const f = this.file(handle);
    if (typeof f === 'string') return err(f);
    this.fds.set(handle, 'closed');
    this.release(f);
    return ok(0);
  }

  private dup(index: number, handle: string, as: string): Outcome {
    const f = this.file(handle);
    if (typeof f === 'string') return err(f);
    this.bind(as, f); // the same open file description: same end, shared O_NONBLOCK
    return ok(fdNumber(index));
  }

  // ---- data ----------------------------------------------------------------------------------

  private read(index: number, handle: string, size: number): Outcome {
    const f = this.file(handle);
    if (typeof f === 'string') return err(f);
    if (f.end !== 'read') return err('EBADF');
    if (size === 0) return ok(0, { data: new Uint8Array(0) });
    // BUG: lost EOF. A blocking read of an empty pipe goes to sleep without checking whether any
    // writer is left. Readers already asleep when the last writer closes get their EOF from that
    // close (see retry), but a reader that comes after it sleeps forever: nobody will close again.
    const done = f.pipe.buffered > 0 || f.nonblock ? tryRead(f.pipe, size) : undefined;
    if (done) return done;
    if (f.nonblock) return err('EAGAIN');
    f.refs++; // the blocked call keeps the end open
    this.blocked.push({ kind: 'read', step: index, file: f, size, missedEof: f.pipe.writers === 0 });
    return PENDING;
  }

  private write(index: number, handle: string, data: Uint8Array): Outcome {
    const f = this.file(handle);
    if (typeof f === 'string') return err(f);
    if (f.end !== 'write') return err('EBADF');
    const p = f.pipe;
    if (data.length === 0) return ok(0);
    if (p.readers === 0) return err('EPIPE'); // SIGPIPE is ignored by the harness: the writer sees EPIPE
    const room = CAPACITY - p.buffered;
    if (data.length <= room) { append(p, data); return ok(data.length); }
    if (f.nonblock) {
      // BUG: partial small write. It writes what fits whatever the size, but a nonblocking write of at
      // most PIPE_BUF bytes must transfer everything or nothing (EAGAIN).
      if (room === 0) return err('EAGAIN');
      append(p, data.subarray(0, room));
      return ok(room);
    }
    // Blocking: a large write transfers what fits now, a small one waits until it fits whole.
    const written = data.length > PIPE_BUF ? room : 0;
    append(p, data.subarray(0, written));
    f.refs++;
    this.blocked.push({ kind: 'write', step: index, file: f, data, written });
    return PENDING;
  }

  private poll(handle: string): Outcome {
    const f = this.fds.get(handle);
    // A closed descriptor is POLLNVAL; a handle never opened is descriptor -1, which poll ignores.
    if (f === 'closed') return ok(1, { detail: { revents: ['POLLNVAL'] } });
    if (f === undefined) return ok(0, { detail: { revents: [] } });
    const p = f.pipe;
    const revents: string[] = [];
    if (f.end === 'read') {
      if (p.buffered > 0) revents.push('POLLIN');
      const writerCameSinceOpen = f.writeOpensAtOpen === undefined || p.writeOpens !== f.writeOpensAtOpen;
      if (p.writers === 0 && writerCameSinceOpen) revents.push('POLLHUP');
    } else {
      if (CAPACITY - p.buffered >= PIPE_BUF) revents.push('POLLOUT');
      if (p.readers === 0) revents.push('POLLERR');
    }
    return ok(revents.length ? 1 : 0, { detail: { revents } });
  }

  // ---- FIFOs ---------------------------------------------------------------------------------

  private mkfifo(path: string): Outcome {
    if (path.includes('/')) return err('ENOENT'); // the only directory that exists is the scenario's own
    if (this.names.has(path)) return err('EEXIST');
    this.names.set(path, newPipe('fifo'));
    return ok(0);
  }

  private open(index: number, path: string, handle: string, mode: 'read' | 'write', nonblock: boolean): Outcome {
    const pipe = this.names.get(path);
    if (!pipe) return err('ENOENT');
    // BUG: wrong errno. "Try again later" sounds right, but POSIX says ENXIO for a nonblocking open
    // for writing when no reader has the FIFO open.
    if (mode === 'write' && nonblock && pipe.readers === 0) return err('EAGAIN');
    const f = this.newFile(pipe, mode, nonblock);
    if (mode === 'read' && nonblock && pipe.writers === 0) f.writeOpensAtOpen = pipe.writeOpens;
    const partnerThere = mode === 'read' ? pipe.writers > 0 : pipe.readers > 0;
    if (nonblock || partnerThere) { this.bind(handle, f); return ok(fdNumber(index)); }
    // A blocking open waits until the other side opens (the settle releases it).
    f.refs++;
    this.blocked.push({ kind: 'open', step: index, file: f, handle, partnerOpensAtStart: mode === 'read' ? pipe.writeOpens : pipe.readOpens });
    return PENDING;
  }

  // ---- Part C: datagram socketpairs ----------------------------------------------------------

  private socketpair(a: string, b: string): Outcome {
    const x: DgramSocket = { queue: [] };
    const y: DgramSocket = { queue: [], peer: x };
    x.peer = y;
    this.sockets.set(a, x);
    this.sockets.set(b, y);
    return ok(0);
  }

  private socket(handle: string): DgramSocket | undefined {
    const k = this.sockets.get(handle);
    return k === 'closed' ? undefined : k;
  }

  private closeSocket(handle: string): Outcome {
    const k = this.socket(handle);
    if (!k) return err('EBADF');
    this.sockets.set(handle, 'closed');
    if (k.peer) k.peer.peer = undefined;
    return ok(0);
  }

  /** A datagram goes to the peer whole, as one message (no size limit and no queue bound here). */
  private send(handle: string, data: Uint8Array): Outcome {
    const k = this.socket(handle);
    if (!k) return err('EBADF');
    if (!k.peer) return err('ECONNREFUSED');
    k.peer.queue.push(data.slice());
    return ok(data.length);
  }

  /** One receive takes exactly one datagram: what does not fit is discarded and MSG_TRUNC reported. */
  private recv(handle: string, size: number, peek: boolean, trunc: boolean): Outcome {
    const k = this.socket(handle);
    if (!k) return err('EBADF');
    if (!k.queue[0]) return err('EAGAIN'); // MSG_DONTWAIT; a datagram socket has no EOF
    // BUG: lost message boundaries. To save calls it packs as many whole queued datagrams as fit in
    // the buffer into one receive, as a byte stream would; each receive must return one datagram.
    let take = 1;
    for (let n = k.queue[0].length; take < k.queue.length && n + k.queue[take].length <= size; take++) n += k.queue[take].length;
    const d = take === 1 ? k.queue[0] : concatAll(k.queue.slice(0, take));
    if (!peek) k.queue.splice(0, take);
    const cut = d.length > size;
    // With the MSG_TRUNC flag, recv returns the datagram's real length (Linux does; POSIX allows it).
    const value = cut && trunc ? d.length : Math.min(size, d.length);
    return ok(value, { data: d.slice(0, size), detail: { msgFlags: cut ? ['MSG_TRUNC'] : [], addr: 'unix:' } });
  }

  // ---- blocked calls -------------------------------------------------------------------------

  /** Retry blocked calls, oldest first, until none makes progress; return those that finished. */
  private settle(): Array<{ step: number; outcome: Outcome }> {
    const done: Array<{ step: number; outcome: Outcome }> = [];
    for (let progress = true; progress;) {
      progress = false;
      for (const b of this.blocked) {
        const r = this.retry(b);
        if (r === 'stuck') continue;
        progress = true;
        if (r !== 'moved') {
          this.blocked.splice(this.blocked.indexOf(b), 1);
          if (b.kind === 'open') this.bind(b.handle, b.file);
          this.release(b.file);
          done.push({ step: b.step, outcome: r });
        }
        break; // the state changed: look at every blocked call again, oldest first
      }
    }
    return done;
  }

  /** One attempt at a blocked call: its final outcome, 'moved' (some progress), or 'stuck'. */
  private retry(b: Blocked): Outcome | 'moved' | 'stuck' {
    const p = b.file.pipe;
    switch (b.kind) {
      case 'read':
        if (p.writers > 0) b.missedEof = false; // a new writer's close will wake it
        if (b.missedEof && p.buffered === 0) return 'stuck'; // BUG: lost EOF (see read)
        return tryRead(p, b.size) ?? 'stuck';
      case 'open': {
        const opens = b.file.end === 'read' ? p.writeOpens : p.readOpens;
        return opens !== b.partnerOpensAtStart ? ok(fdNumber(b.step)) : 'stuck';
      }
      case 'write': {
        // The last reader went away: report what got in, or EPIPE if nothing did.
        if (p.readers === 0) return b.written > 0 ? ok(b.written) : err('EPIPE');
        const rest = b.data.length - b.written;
        const room = CAPACITY - p.buffered;
        const n = b.data.length <= PIPE_BUF ? (room >= rest ? rest : 0) : Math.min(room, rest);
        if (n === 0) return 'stuck';
        append(p, b.data.subarray(b.written, b.written + n));
        b.written += n;
        return b.written === b.data.length ? ok(b.written) : 'moved';
      }
    }
  }
}

function concatAll(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function newPipe(kind: 'pipe' | 'fifo'): Pipe {
  return { kind, chunks: [], buffered: 0, readers: 0, writers: 0, readOpens: 0, writeOpens: 0 };
}

function append(p: Pipe, data: Uint8Array): void {
  if (data.length === 0) return;
  p.chunks.push(data.slice()); // copy: the caller's buffer is not ours to keep
  p.buffered += data.length;
}

/** A read that does not need to wait: data (up to `size`), or EOF when no writer is left; undefined if it must wait. */
function tryRead(p: Pipe, size: number): Outcome | undefined {
  if (p.buffered === 0) return p.writers === 0 ? ok(0, { data: new Uint8Array(0) }) : undefined;
  const out = new Uint8Array(Math.min(size, p.buffered));
  let got = 0;
  while (got < out.length) {
    const c = p.chunks[0];
    const k = Math.min(c.length, out.length - got);
    out.set(c.subarray(0, k), got);
    got += k;
    if (k === c.length) p.chunks.shift(); else p.chunks[0] = c.subarray(k);
  }
  p.buffered -= got;
  return ok(got, { data: out });
}

/** The module's default export: a function returning the Target. */
export default function makeTarget(): Target {
  return {
    info: {
      name: 'lab3-buggy',
      description: 'in-memory pipe and FIFO simulator with typical student bugs',
      settled: true, // it knows exactly which calls are blocked
      privileged: false,
    },
    open: async () => new PipeSession(),
    dispose: async () => {},
  };
}
