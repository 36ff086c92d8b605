// Mutants of datagram sockets.
import type { Step } from '../../spec/scenario.ts';
import { isOk, mutant, ok, type Hook } from './kit.ts';
import type { Mutant } from './mutant.ts';

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
const coalesces: Mutant = mutant(
  'dgram.message-boundaries',
  'recv on a datagram socket appends the next queued datagram to the one it returns, as a stream would',
  (): Hook => async (c) => {
    const s = c.step;
    const out = await c.pass();
    if (s.op !== 'recv' || !dgramHandles(c.steps).has(s.fd) || !isOk(out) || !out.data || out.value >= s.size) return out;
    const more = await c.aux({ ...s, size: s.size - out.value, dontwait: true });
    if (!isOk(more) || !more.data || more.value === 0) return out;
    const data = new Uint8Array(out.value + more.value);
    data.set(out.data);
    data.set(more.data, out.value);
    return ok(data.length, { data });
  },
);

/** recvmsg forgets to report truncation. */
const noTruncFlag: Mutant = mutant(
  'dgram.truncation',
  'recvmsg on a datagram socket never sets MSG_TRUNC in msg_flags, so a truncated datagram looks whole',
  (): Hook => async (c) => {
    const out = await c.pass();
    return c.step.op === 'recv' && isOk(out) && out.detail?.msgFlags ? { ...out, detail: { ...out.detail, msgFlags: [] } } : out;
  },
);

/** An empty datagram socket reads as EOF. */
const emptyIsEof: Mutant = mutant(
  'dgram.zero-length',
  'recv on an empty datagram socket returns 0 (EOF) instead of EAGAIN, as a stream-minded port would',
  (): Hook => async (c) => {
    const out = await c.pass();
    return c.step.op === 'recv' && dgramHandles(c.steps).has(c.step.fd) && out.kind === 'err' && out.errno === 'EAGAIN' ? ok(0, { data: new Uint8Array(0), detail: { msgFlags: [] } }) : out;
  },
);

/** A full AF_UNIX receiver silently drops instead of pushing back. */
const dropsWhenFull: Mutant = mutant(
  'dgram.delivery',
  'a datagram send that would get EAGAIN (the receiver\'s queue is full) reports success and the datagram is lost, as UDP would',
  (): Hook => async (c) => {
    const out = await c.pass();
    return c.step.op === 'send' && dgramHandles(c.steps).has(c.step.fd) && out.kind === 'err' && out.errno === 'EAGAIN' ? ok(c.step.size) : out;
  },
);

export const DGRAM_MUTANTS: Mutant[] = [coalesces, noTruncFlag, emptyIsEof, dropsWhenFull];
