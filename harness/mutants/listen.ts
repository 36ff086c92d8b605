// Mutants of the listen queue.
import { readFileSync } from 'node:fs';
import { loadProfile } from '../../spec/profile.ts';
import { err, mutant, ok, type Hook } from './kit.ts';

/**
 * The listen queue holds backlog - 1 connections (an off-by-two in the overflow check): a connect
 * beyond that is not performed and reported as the kernel reports an overflow (AF_UNIX EAGAIN, TCP
 * EINPROGRESS that never completes).
 */
const queueTooShort = mutant(
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

/** A blocked AF_UNIX connect never wakes: its completion (after accept freed room) is never reported. */
const unixConnectNeverWakes = mutant(
  'listen.full-queue-blocks-unix',
  'a blocking AF_UNIX connect to a full queue stays asleep after accept frees room',
  (): Hook => {
    const unix = new Set<string>();
    return async (c) => {
      const s = c.step;
      if (s.op === 'socket' && s.family === 'unix') unix.add(s.as);
      const out = await c.pass();
      c.completed = c.completed.filter((k) => { const t = c.steps.get(k.step)!; return !(t.op === 'connect' && unix.has(t.fd)); });
      return out;
    };
  },
  { needsSettledTarget: 'the fault is a connect that stays blocked: only a proof that it is asleep tells it from a connect not returned yet' },
);

/**
 * A TCP connect whose SYN was dropped never completes (as if the client gave up retransmitting): it is
 * reported in progress by connect-status and connect-wait (at once), and a blocking one never returns.
 * A connect was dropped if, once the harness saw the listener queue or drop it, it is not connected.
 */
const droppedSynNeverCompletes = mutant(
  'listen.dropped-syn-completes-later',
  'a TCP connect whose SYN was dropped never completes, even after accept frees room',
  (): Hook => {
    const tcp = new Set<string>();
    const dropped = new Set<string>();
    return async (c) => {
      const s = c.step;
      if (s.op === 'socket' && s.family !== 'unix' && !s.dgram) tcp.add(s.as);
      if ((s.op === 'connect-status' || s.op === 'connect-wait') && dropped.has(s.fd)) return ok(0);
      const out = await c.pass();
      if (s.op === 'connect' && tcp.has(s.fd) && 'of' in s.to) {
        if (out.kind === 'pending') dropped.add(s.fd);
        else if (out.kind === 'err' && out.errno === 'EINPROGRESS') {
          const now = await c.aux({ actor: 'main', op: 'connect-status', fd: s.fd });
          if (now.kind === 'ok' && now.value === 0) dropped.add(s.fd);
        }
      }
      c.completed = c.completed.filter((k) => { const t = c.steps.get(k.step)!; return !(t.op === 'connect' && dropped.has(t.fd)); });
      return out;
    };
  },
  { needsSettledTarget: 'the fault is a connect that never completes: only a proof that it is asleep tells a blocked one from one not completed yet (a scenario that waits for it with connect-wait still shows it)' },
);

/** listen() takes a backlog that linux would truncate to somaxconn (negative, or above it) as 0. */
const backlogNotTruncated = mutant(
  'listen.backlog-truncated',
  'a negative backlog, or one above somaxconn, acts as 0 instead of somaxconn',
  (): Hook => {
    const somaxconn = hostSomaxconn();
    return async (c) => {
      const s = c.step;
      if (s.op === 'listen' && (s.backlog < 0 || s.backlog > somaxconn)) return c.pass({ ...s, backlog: 0 });
      return c.pass();
    };
  },
);

/**
 * The kernel's somaxconn as this process sees it (the wrapped target runs on the same kernel: a driver
 * process, or a wrap such as gVisor that reports its own). Without /proc: the linux profile's measure.
 */
function hostSomaxconn(): number {
  try {
    return Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8').trim());
  } catch {
    const q = loadProfile('linux').listenQueue;
    return q.rule === 'backlog-plus-one' ? q.somaxconn : 4096;
  }
}

export const LISTEN_MUTANTS = [queueTooShort, unixConnectNeverWakes, droppedSynNeverCompletes, backlogNotTruncated] as const;
