// Mutants of datagram sockets.
import type { Step } from '../../spec/scenario.ts';
import { err, isOk, mutant, ok, type Hook } from './kit.ts';

/** Handles the session made as datagram sockets. */
function dgramHandles(steps: ReadonlyMap<number, Step>): Set<string> {
  const out = new Set<string>();
  for (const s of steps.values()) {
    if (s.op === 'socketpair' && s.dgram) { out.add(s.a); out.add(s.b); }
    if (s.op === 'socket' && s.dgram) out.add(s.as);
  }
  return out;
}

/** recv on a datagram socket coalesces: it drains a second queued datagram into the same buffer. */
const coalesces = mutant(
  'dgram.message-boundaries',
  'recv on a datagram socket appends the next queued datagram to the one it returns, as a stream would',
  (): Hook => async (c) => {
    const s = c.step;
    const out = await c.pass();
    if (s.op !== 'recv' || s.peek || !dgramHandles(c.steps).has(s.fd) || !isOk(out) || !out.data || out.value >= s.size) return out;
    // only a non-empty datagram that fits whole is appended (anything else would look like loss, not coalescing)
    const room = s.size - out.value;
    const next = await c.aux({ ...s, size: room, dontwait: true, peek: true, trunc: true });
    if (!isOk(next) || next.value === 0 || next.value > room) return out;
    const more = await c.aux({ ...s, size: room, dontwait: true });
    if (!isOk(more) || !more.data) return out;
    const data = new Uint8Array(out.value + more.value);
    data.set(out.data);
    data.set(more.data, out.value);
    return ok(data.length, { data, ...(out.detail ? { detail: out.detail } : {}) });
  },
);

/** recvmsg forgets to report truncation. */
const noTruncFlag = mutant(
  'dgram.truncation',
  'recvmsg on a datagram socket never sets MSG_TRUNC in msg_flags, so a truncated datagram looks whole',
  (): Hook => async (c) => {
    const out = await c.pass();
    return c.step.op === 'recv' && isOk(out) && out.detail?.msgFlags ? { ...out, detail: { ...out.detail, msgFlags: [] } } : out;
  },
);

/**
 * A stream-minded port on both sides of the clause: a zero-length send is refused (and sends nothing),
 * and an empty datagram socket reads as EOF. Each half alone breaks dgram.zero-length: the first at the
 * send's own rule, the second at the receive's.
 */
const emptyIsEof = mutant(
  'dgram.zero-length',
  'send of 0 bytes on a datagram socket fails with EINVAL and sends nothing (an empty buffer taken for an error), and recv on an empty datagram socket returns 0 (EOF) instead of EAGAIN',
  (): Hook => async (c) => {
    const s = c.step;
    const dgram = (s.op === 'send' || s.op === 'recv') && dgramHandles(c.steps).has(s.fd);
    if (dgram && s.op === 'send' && s.size === 0) return err('EINVAL');
    const out = await c.pass();
    return dgram && s.op === 'recv' && out.kind === 'err' && out.errno === 'EAGAIN' ? ok(0, { data: new Uint8Array(0), detail: { msgFlags: [] } }) : out;
  },
);

/** A full AF_UNIX receiver silently drops instead of pushing back; a receive loses the oldest of two queued datagrams. */
const dropsWhenFull = mutant(
  'dgram.delivery',
  'a datagram send that would get EAGAIN (the receiver\'s queue is full) reports success and the datagram is lost, as UDP would; and a receive with two or more datagrams queued loses the oldest and returns the next',
  (): Hook => async (c) => {
    const s = c.step;
    const out = await c.pass();
    if ((s.op !== 'send' && s.op !== 'recv') || !dgramHandles(c.steps).has(s.fd)) return out;
    if (s.op === 'send') return out.kind === 'err' && out.errno === 'EAGAIN' ? ok(s.size) : out;
    if (s.peek || !isOk(out)) return out;
    const next = await c.aux({ ...s, dontwait: true });
    return isOk(next) ? next : out;
  },
);

/** MSG_PEEK consumes the datagram it returns. */
const peekConsumes = mutant(
  'dgram.peek-does-not-consume',
  'recv with MSG_PEEK on a datagram socket dequeues the datagram it returns, as a plain recv would',
  (): Hook => async (c) => {
    const s = c.step;
    const out = await c.pass();
    if (s.op !== 'recv' || !s.peek || !dgramHandles(c.steps).has(s.fd) || !isOk(out)) return out;
    await c.aux({ ...s, peek: false, trunc: false, size: 1 });
    return out;
  },
);

/** The pending error is never cleared: once reported, every later call reports it again. */
const stickyRefusal = mutant(
  'dgram.connected-udp-refused',
  'a socket that reported ECONNREFUSED keeps reporting it on every later send and recv (the pending error is not cleared when read)',
  (): Hook => {
    const sticky = new Set<string>();
    return async (c) => {
      const s = c.step;
      const out = await c.pass();
      if ((s.op !== 'send' && s.op !== 'recv') || !dgramHandles(c.steps).has(s.fd)) return out;
      if (out.kind === 'err' && out.errno === 'ECONNREFUSED') sticky.add(s.fd);
      return sticky.has(s.fd) ? err('ECONNREFUSED') : out;
    };
  },
);

/** Oversized datagrams are cut to fit instead of refused. */
const clampsOversize = mutant(
  'dgram.size-limit-emsgsize',
  'a datagram send above the size limit reports the whole size sent (as if clamped to the limit) instead of EMSGSIZE',
  (): Hook => async (c) => {
    const out = await c.pass();
    return c.step.op === 'send' && dgramHandles(c.steps).has(c.step.fd) && out.kind === 'err' && out.errno === 'EMSGSIZE' ? ok(c.step.size) : out;
  },
);

/** The source port comes back in network byte order (a missing ntohs); an AF_UNIX sender's path is lost. */
const wrongSource = mutant(
  'dgram.source-address',
  'recvfrom reports the sender\'s UDP port byte-swapped (no ntohs) and every AF_UNIX sender as unnamed',
  (): Hook => async (c) => {
    const out = await c.pass();
    const addr = isOk(out) ? out.detail?.addr : undefined;
    if (c.step.op !== 'recv' || !isOk(out) || addr === undefined) return out;
    const m = /^(.*):(\d+)$/.exec(addr);
    const port = m ? Number(m[2]) : 0;
    const swapped = addr.startsWith('unix:') ? 'unix:' : `${m![1]}:${((port & 0xff) << 8) | (port >> 8)}`;
    return { ...out, detail: { ...out.detail, addr: swapped } };
  },
);

export const DGRAM_MUTANTS = [coalesces, noTruncFlag, emptyIsEof, dropsWhenFull, peekConsumes, stickyRefusal, clampsOversize, wrongSource] as const;
