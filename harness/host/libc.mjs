// Direct libc calls through koffi (plain ESM: actor worker threads load it too; types in libc.d.mts). Every call returns { value } or { errno } with errno captured
// right after the call (koffi.errno), so nothing in between can clobber it.
import koffi from 'koffi';
import { constants } from 'node:os';

const lib = koffi.load(process.platform === 'darwin' ? 'libc.dylib' : 'libc.so.6');

export const O = {
  RDONLY: 0, WRONLY: 1, RDWR: 2,
  NONBLOCK: constants.O_NONBLOCK ?? 0o4000,
  CLOEXEC: process.platform === 'linux' ? 0o2000000 : 0x1000000,
};
export const F = { DUPFD_CLOEXEC: 1030, GETFL: 3, SETFL: 4, SETPIPE_SZ: 1031, GETPIPE_SZ: 1032 };
export const POLL = { IN: 0x1, OUT: 0x4, ERR: 0x8, HUP: 0x10, NVAL: 0x20 };

// Aliases share a number (EWOULDBLOCK = EAGAIN, EDEADLOCK = EDEADLK): name them by the POSIX spelling.
const ALIASES = new Set(['EWOULDBLOCK', 'EDEADLOCK', 'ENOTSUP']);
const errnoNames = new Map(Object.entries(constants.errno).filter(([k]) => !ALIASES.has(k)).map(([k, v]) => [v, k]));
export const errnoName = (n) => errnoNames.get(n) ?? `E#${n}`;

const wrap = (r) => {
  const v = Number(r);
  return v < 0 ? { value: -1, errno: errnoName(koffi.errno()) } : { value: v };
};

/**
 * Signals the harness itself receives (SIGCHLD from its children, a profiler's SIGPROF) can interrupt
 * a call that moved no data; poll is never restarted. Such an EINTR is not part of the scenario: the
 * call is simply made again. (Never for close: on Linux the descriptor is released even then.)
 */
const EINTR = constants.errno.EINTR;
const again = (call) => {
  for (let i = 0; ; i++) {
    const r = call();
    if (Number(r) >= 0 || koffi.errno() !== EINTR || i >= 1000) return wrap(r);
  }
};

const PollFd = koffi.struct('ipcspec_pollfd', { fd: 'int', events: 'short', revents: 'short' });
const IoVec = koffi.struct('ipcspec_iovec', { iov_base: 'void *', iov_len: 'size_t' });

const c = {
  pipe2: lib.func('int pipe2(_Out_ int *fds, int flags)'),
  read: lib.func('long read(int fd, _Out_ uint8_t *buf, size_t n)'),
  write: lib.func('long write(int fd, const uint8_t *buf, size_t n)'),
  readv: lib.func('long readv(int fd, const ipcspec_iovec *iov, int n)'),
  writev: lib.func('long writev(int fd, const ipcspec_iovec *iov, int n)'),
  close: lib.func('int close(int fd)'),
  fcntl: lib.func('int fcntl(int fd, int cmd, long arg)'),
  poll: lib.func('int poll(_Inout_ ipcspec_pollfd *fds, unsigned long n, int timeout)'),
  mkfifo: lib.func('int mkfifo(const char *path, uint32_t mode)'),
  open: lib.func('int open(const char *path, int flags, uint32_t mode)'),
  unlink: lib.func('int unlink(const char *path)'),
  link: lib.func('int link(const char *from, const char *to)'),
  gettid: lib.func('int gettid()'),
  pthread_sigmask: lib.func('int pthread_sigmask(int how, const uint8_t *set, _Out_ uint8_t *old)'),
};

/** _exit(2): ends the process without joining threads (an actor blocked in open() of a FIFO never returns). */
export const hardExit = lib.func('void _exit(int status)');

export const sys = {
  pipe2(flags) {
    const fds = [0, 0];
    const r = wrap(c.pipe2(fds, flags));
    return r.errno ? { errno: r.errno } : { fds: [fds[0], fds[1]] };
  },
  read(fd, n) {
    // unfilled: the kernel writes what is returned, and only that is looked at
    const buf = Buffer.allocUnsafe(Math.max(n, 1));
    const r = again(() => c.read(fd, buf, n));
    return r.errno ? r : { value: r.value, data: new Uint8Array(buf.buffer, buf.byteOffset, r.value) };
  },
  write: (fd, data) => again(() => c.write(fd, data, data.length)),
  readv(fd, sizes) {
    const bufs = sizes.map((n) => Buffer.allocUnsafe(Math.max(n, 1)));
    const iov = bufs.map((b, i) => ({ iov_base: b, iov_len: sizes[i] }));
    const r = again(() => c.readv(fd, iov, iov.length));
    if (r.errno) return r;
    const out = new Uint8Array(r.value);
    let at = 0;
    for (let i = 0; i < bufs.length && at < r.value; i++) {
      const k = Math.min(sizes[i], r.value - at);
      out.set(bufs[i].subarray(0, k), at);
      at += k;
    }
    return { value: r.value, data: out };
  },
  writev: (fd, parts) => again(() => c.writev(fd, parts.map((p) => ({ iov_base: Buffer.from(p.buffer, p.byteOffset, p.length), iov_len: p.length })), parts.length)),
  close: (fd) => wrap(c.close(fd)),
  fcntl: (fd, cmd, arg = 0) => wrap(c.fcntl(fd, cmd, arg)),
  poll(fd, events) {
    const fds = [{ fd, events, revents: 0 }];
    const r = again(() => c.poll(fds, 1, 0));
    return r.errno ? r : { value: r.value, revents: fds[0].revents };
  },
  mkfifo: (path, mode = 0o600) => wrap(c.mkfifo(path, mode)),
  open: (path, flags, mode = 0o600) => again(() => c.open(path, flags, mode)),
  unlink: (path) => wrap(c.unlink(path)),
  link: (from, to) => wrap(c.link(from, to)),
  gettid: () => c.gettid(),
  /** Block every signal in the calling thread (actors: a signal must not cut a blocked call short). */
  blockAllSignals: () => wrap(c.pthread_sigmask(0 /* SIG_BLOCK */, Buffer.alloc(128, 0xff), Buffer.alloc(128))),
};

