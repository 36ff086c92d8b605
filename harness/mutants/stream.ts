// Mutants of stream sockets: the data path, half-close, accept, names.
import type { Step } from '../../spec/scenario.ts';
import { err, isOk, mutant, ok, rewrite, type Hook } from './kit.ts';

const isRecv = (s: Step): s is Extract<Step, { op: 'recv' }> => s.op === 'recv';

/** recv copies its first two bytes out swapped. */
const swapsBytes = mutant(
  'stream.order-and-content',
  'recv returns its first two bytes swapped (an off-by-one in the copy to user space)',
  () => rewrite((out, step) => {
    if (!isRecv(step) || !isOk(out) || !out.data || out.data.length < 2) return out;
    const data = out.data.slice();
    [data[0], data[1]] = [data[1], data[0]];
    return { ...out, data };
  }),
);

/**
 * recv never fills the caller's whole buffer: it asks the kernel for one byte less. A MSG_WAITALL recv
 * is cut only when the full length is already buffered (a peek says so), so that it never looks like a
 * recv that stopped waiting (stream.recv-waitall's fault).
 */
const shortRecv = mutant(
  'stream.no-message-boundaries',
  'recv (MSG_WAITALL with the data all there included) stops one byte short of the length asked, as a receiver that stops at an internal chunk boundary would',
  (): Hook => async (c) => {
    const s = c.step;
    if (!isRecv(s) || s.size < 2) return c.pass();
    if (s.waitall) {
      const there = await c.aux({ ...s, waitall: false, dontwait: true, peek: true });
      if (!isOk(there) || there.value < s.size) return c.pass();
    }
    return c.pass({ ...s, size: s.size - 1 });
  },
);

/** MSG_WAITALL is ignored: recv returns whatever is there. */
const waitallIgnored = mutant(
  'stream.recv-waitall',
  'recv drops MSG_WAITALL, so it returns as soon as any data is there instead of waiting for the full length',
  (): Hook => async (c) => (isRecv(c.step) && c.step.waitall ? c.pass({ ...c.step, waitall: false }) : c.pass()),
);

/** MSG_DONTWAIT is ignored on recv: on a blocking socket the call blocks. */
const dontwaitIgnored = mutant(
  'stream.dontwait-never-blocks',
  'recv drops MSG_DONTWAIT, so on a blocking socket with nothing to read it blocks instead of failing with EAGAIN',
  (): Hook => async (c) => (isRecv(c.step) && c.step.dontwait ? c.pass({ ...c.step, dontwait: false }) : c.pass()),
  { needsSettledTarget: 'the fault is a recv reported blocked: only a proof that it is asleep tells it from a recv not returned yet' },
);

/** After the peer's close, EOF is reported as a reset. */
const closeResets = mutant(
  'stream.eof-after-peer-close',
  'the peer\'s orderly close is reported as ECONNRESET instead of EOF',
  (): Hook => {
    let shutdowns = 0;
    const inner = rewrite((out, step) => (isRecv(step) && step.size > 0 && isOk(out) && out.value === 0 && shutdowns === 0 ? err('ECONNRESET') : out));
    return async (c) => {
      if (c.step.op === 'shutdown') shutdowns++;
      return inner(c);
    };
  },
);

/** shutdown(SHUT_WR) reports success and does nothing. */
const shutdownIgnored = mutant(
  'stream.shutdown-write-half-close',
  'shutdown(SHUT_WR) returns 0 but the socket keeps its write side open (no FIN, sends still accepted)',
  (): Hook => async (c) => (c.step.op === 'shutdown' && c.step.how === 'wr' ? ok(0) : c.pass()),
);

/** shutdown(SHUT_RD) reports success and does nothing. */
const shutdownReadIgnored = mutant(
  'stream.shutdown-read',
  'shutdown(SHUT_RD) returns 0 but receiving stays enabled (recv blocks or gets EAGAIN, the peer\'s sends are accepted)',
  (): Hook => async (c) => (c.step.op === 'shutdown' && c.step.how === 'rd' ? ok(0) : c.pass()),
);

/** shutdown(SHUT_RDWR) shuts only the write half. */
const shutdownBothWriteOnly = mutant(
  'stream.shutdown-both',
  'shutdown(SHUT_RDWR) behaves as SHUT_WR: the read half stays open',
  (): Hook => async (c) => (c.step.op === 'shutdown' && c.step.how === 'rdwr' ? c.pass({ ...c.step, how: 'wr' }) : c.pass()),
);

/** A listener stops listening once it has accepted a connection. */
const acceptOnce = mutant(
  'stream.accept-keeps-listening',
  'accept turns the listening socket into a closed one, so later connects are refused',
  (): Hook => {
    const accepted = new Set<string>();
    return async (c) => {
      const s = c.step;
      if (s.op === 'connect' && 'of' in s.to && accepted.has(s.to.of)) return err('ECONNREFUSED');
      if (s.op === 'accept') accepted.add(s.fd);
      return c.pass();
    };
  },
);

/** getpeername reports a wrong name. */
const wrongPeerName = mutant(
  'stream.names-agree',
  'getpeername returns the peer\'s name with one character appended (a length off by one in the copy-out)',
  () => rewrite((out, step) => (step.op === 'sockname' && step.peer && isOk(out) && out.detail?.addr !== undefined ? { ...out, detail: { ...out.detail, addr: `${out.detail.addr}9` } } : out)),
);

/** MSG_PEEK is ignored: the peek consumes. */
const peekConsumes = mutant(
  'stream.peek-does-not-consume',
  'recv ignores MSG_PEEK and consumes what it returns',
  (): Hook => async (c) => (isRecv(c.step) && c.step.peek ? c.pass({ ...c.step, peek: false }) : c.pass()),
);

/** Sends to a closed peer keep succeeding (the data goes nowhere). */
const sendsIntoTheVoid = mutant(
  'stream.send-after-peer-close',
  'send to a peer that has closed reports success instead of EPIPE/ECONNRESET',
  (): Hook => {
    const shut = new Set<string>(); // a socket shut down for writing gets EPIPE for that reason: leave it
    const inner = rewrite((out, step) => (step.op === 'send' && !shut.has(step.fd) && out.kind === 'err' && (out.errno === 'EPIPE' || out.errno === 'ECONNRESET') ? ok(step.size) : out));
    return async (c) => {
      if (c.step.op === 'shutdown') shut.add(c.step.fd);
      return inner(c);
    };
  },
);

/** A close with unread data looks like an orderly close to the peer. */
const noReset = mutant(
  'stream.close-unread-resets',
  'the peer of a socket closed with unread data sees plain EOF instead of ECONNRESET',
  () => rewrite((out, step) => (isRecv(step) && out.kind === 'err' && out.errno === 'ECONNRESET' ? ok(0) : out)),
);

export const STREAM_MUTANTS = [swapsBytes, shortRecv, waitallIgnored, dontwaitIgnored, closeResets, shutdownIgnored, shutdownReadIgnored, shutdownBothWriteOnly, acceptOnce, wrongPeerName, peekConsumes, sendsIntoTheVoid, noReset] as const;
