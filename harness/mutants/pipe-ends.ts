// Mutants of descriptors and ends: poll, zero-length calls, EBADF cases, dup, inheritance.
import { err, isOk, isRead, isWrite, mutant, ok, rewrite, sizeOf, type Completion, type Hook } from './kit.ts';

const EMPTY = new Uint8Array(0);

/** poll never reports hang-up: a port that maps only "readable" and "writable". */
const noPollhup = mutant(
  'pipe.poll-readiness',
  'poll never reports POLLHUP, so a reader cannot tell that the last writer has gone',
  () => rewrite((out, step) => {
    if (step.op !== 'poll' || !isOk(out) || !out.detail?.revents?.includes('POLLHUP')) return out;
    return { ...out, detail: { ...out.detail, revents: out.detail.revents.filter((r) => r !== 'POLLHUP') } };
  }),
);

/**
 * A zero-length read goes down the normal read path: on an empty pipe with a writer it fails with
 * EAGAIN (O_NONBLOCK) or sleeps until data arrives or the last writer leaves.
 */
const zeroReadWaits = mutant(
  'pipe.zero-length-io',
  'read(fd, buf, 0) is not short-circuited: on an empty pipe it waits for data like any read (EAGAIN when O_NONBLOCK)',
  (): Hook => {
    const asleep: Array<{ step: number; pipe: number }> = [];
    return async (c) => {
      const s = c.step;
      const e = 'fd' in s ? c.view.end(s.fd) : undefined;
      if (isRead(s) && sizeOf(s) === 0 && e && e.end === 'r') {
        const seen = await c.aux({ actor: 'main', op: 'poll', fd: s.fd });
        const revents = isOk(seen) ? seen.detail?.revents ?? [] : ['?'];
        if (!revents.includes('POLLIN') && !revents.includes('POLLHUP') && !revents.includes('?')) {
          if (e.nonblock) return err('EAGAIN');
          asleep.push({ step: c.index, pipe: e.pipe });
          return { kind: 'pending' };
        }
      }
      const out = await c.pass();
      // data or the last writer's close wakes the sleepers with their 0
      for (let i = asleep.length - 1; i >= 0; i--) {
        const p = c.view.pipes.get(asleep[i].pipe)!;
        if (p.writers === 0 || p.count > 0 || p.inflight > 0) c.completed.push(...asleep.splice(i, 1).map(({ step }): Completion => ({ step, outcome: ok(0, { data: EMPTY }) })));
      }
      return out;
    };
  },
);

/** Full-duplex pipes (as on SVR4): the read end accepts writes, into a direction nobody reads here. */
const fullDuplex = mutant(
  'pipe.wrong-end-ebadf',
  'writing to the read end succeeds (the port\'s pipes are full-duplex), the bytes going where nobody reads them',
  (): Hook => async (c) => {
    const s = c.step;
    if (isWrite(s) && c.view.end(s.fd)?.end === 'r') return ok(sizeOf(s));
    return c.pass();
  },
);

/** The runtime reuses a closed descriptor number at once for its own /dev/null. */
const staleFdIsDevNull = mutant(
  'pipe.closed-fd-ebadf',
  'a closed descriptor number is reused at once for the runtime\'s /dev/null, so calls on the stale handle succeed',
  (): Hook => async (c) => {
    const s = c.step;
    if (!('fd' in s) || !c.view.isClosed(s.fd) || c.view.end(s.fd)) return c.pass();
    switch (s.op) {
      case 'read': case 'readv': return ok(0, { data: EMPTY });
      case 'write': case 'writev': return ok(sizeOf(s));
      case 'close': case 'set-nonblock': return ok(0);
      case 'poll': return ok(1, { detail: { revents: ['POLLIN', 'POLLOUT'] } });
      default: return c.pass();
    }
  },
);

/** dup of a pipe end is not supported by the port. */
const noDup = mutant(
  'pipe.dup-shares-end',
  'dup of a pipe end fails with EINVAL (the port cannot share a pipe end between descriptors)',
  (): Hook => async (c) => (c.step.op === 'dup' && c.view.end(c.step.fd) ? err('EINVAL') : c.pass()),
);

/** The spawner wires only stdout/stderr through; a child's stdin is closed, so dd reading it fails. */
const stdinNotInherited = mutant(
  'pipe.inherited-by-child',
  'a child meant to read an inherited read end gets a closed stdin instead: dd fails with EBADF and reads nothing',
  (): Hook => async (c) => (c.step.op === 'child-read' && c.view.end(c.step.fd) ? ok(0, { detail: { exit: { code: 1, signal: null }, output: EMPTY } }) : c.pass()),
);

export const PIPE_ENDS_MUTANTS = [noPollhup, zeroReadWaits, fullDuplex, staleFdIsDevNull, noDup, stdinNotInherited] as const;
