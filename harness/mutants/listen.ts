// Mutant of the listen queue.
import { err, mutant, ok, type Hook } from './kit.ts';
import type { Mutant } from './mutant.ts';

/**
 * The listen queue holds backlog - 1 connections (an off-by-two in the overflow check): a connect
 * beyond that is not performed and reported as the kernel reports an overflow (AF_UNIX EAGAIN, TCP
 * EINPROGRESS that never completes).
 */
const queueTooShort: Mutant = mutant(
  'listen.backlog-overflow',
  'the listen queue holds backlog - 1 connections instead of backlog + 1',
  (): Hook => {
    const backlog = new Map<string, number>();
    const queued = new Map<string, number>();
    const unix = new Set<string>();
    const dropped = new Set<string>();
    return async (c) => {
      const s = c.step;
      if (s.op === 'socket' && s.family === 'unix') unix.add(s.as);
      if (s.op === 'listen') { backlog.set(s.fd, s.backlog); queued.set(s.fd, 0); }
      if (s.op === 'accept') queued.set(s.fd, Math.max(0, (queued.get(s.fd) ?? 0) - 1));
      if (s.op === 'connect-status' && dropped.has(s.fd)) return ok(0);
      if (s.op === 'connect' && 'of' in s.to && backlog.has(s.to.of)) {
        const l = s.to.of;
        if ((queued.get(l) ?? 0) >= Math.max(0, backlog.get(l)! - 1)) {
          dropped.add(s.fd);
          return err(unix.has(s.fd) ? 'EAGAIN' : 'EINPROGRESS');
        }
        const out = await c.pass();
        if (out.kind === 'ok' || (out.kind === 'err' && out.errno === 'EINPROGRESS')) queued.set(l, (queued.get(l) ?? 0) + 1);
        return out;
      }
      return c.pass();
    };
  },
);

export const LISTEN_MUTANTS: Mutant[] = [queueTooShort];
