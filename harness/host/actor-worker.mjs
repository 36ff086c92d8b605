// An actor: one real thread that performs calls synchronously, so a call may block in the kernel
// while the harness carries on. It reports its kernel thread id so the harness can see, in
// /proc/self/task/<tid>/syscall, that it is asleep inside the call (and not merely slow).
import { parentPort } from 'node:worker_threads';
import { sys } from './libc.mjs';
import { net } from './libc-net.mjs';

// Signals go to the main thread only: one arriving here could cut a blocked write short with a
// partial count (POSIX allows that), which would be the harness's noise, not the kernel's answer.
const masked = sys.blockAllSignals();
parentPort.postMessage({ tid: sys.gettid(), masked: !masked.errno });

const ops = {
  read: (a) => sys.read(a.fd, a.size),
  readv: (a) => sys.readv(a.fd, a.sizes),
  write: (a) => sys.write(a.fd, a.data),
  writev: (a) => sys.writev(a.fd, a.parts),
  open: (a) => sys.open(a.path, a.flags),
  recv: (a) => net.recv(a.fd, a.size, a.flags),
  send: (a) => net.send(a.fd, a.data, a.flags),
  accept: (a) => net.accept(a.fd, a.root),
  connect: (a) => net.connect(a.fd, a.addr, a.root),
  /** Write `records` buffers back to back, as fast as possible (concurrent-writes). */
  writeAll(a) {
    for (const rec of a.records) {
      let off = 0;
      while (off < rec.length) {
        const r = sys.write(a.fd, rec.subarray(off));
        if (r.errno) return { value: -1, errno: r.errno };
        off += r.value;
        if (off < rec.length) return { value: -1, errno: 'SHORT_WRITE', short: r.value };
      }
    }
    return { value: a.records.length };
  },
  /** Read until `total` bytes or EOF (concurrent-writes drain). */
  drain(a) {
    const out = new Uint8Array(a.total);
    let got = 0;
    while (got < a.total) {
      const r = sys.read(a.fd, Math.min(65536, a.total - got));
      if (r.errno) return { value: -1, errno: r.errno, data: out.subarray(0, got) };
      if (r.value === 0) break;
      out.set(r.data, got);
      got += r.value;
    }
    return { value: got, data: out.subarray(0, got) };
  },
};

parentPort.on('message', (m) => {
  let result;
  try {
    result = ops[m.op](m.args);
  } catch (e) {
    result = { value: -1, errno: 'HARNESS', message: String(e) };
  }
  parentPort.postMessage({ id: m.id, result });
});
