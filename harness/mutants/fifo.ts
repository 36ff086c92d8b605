// Mutants of named FIFOs: the namespace (mkfifo, unlink, stat) and the open rendezvous.
import type { Outcome } from '../../spec/trace.ts';
import { err, errOf, isOk, isRead, mutant, ok, rewrite, sizeOf, withNonblock, type Hook } from './kit.ts';

/** stat's mode translation maps S_IFIFO to S_IFREG. */
const statSaysFile = mutant(
  'fifo.mkfifo-creates-fifo',
  'stat reports a FIFO as a regular file (the port\'s st_mode translation maps S_IFIFO to S_IFREG)',
  () => rewrite((out, step) => (step.op === 'stat' && isOk(out) && out.detail?.type === 'fifo' ? { ...out, detail: { ...out.detail, type: 'file' } } : out)),
);

/** A wrapper that treats mkfifo as idempotent and swallows EEXIST. */
const swallowsEexist = mutant(
  'fifo.mkfifo-eexist',
  'mkfifo on an existing path returns 0 (EEXIST is swallowed, as if mkfifo were idempotent)',
  () => rewrite((out, step) => (step.op === 'mkfifo' && errOf(out) === 'EEXIST' ? ok(0) : out)),
);

/** An error path that forgets to set the return value. */
const swallowsEnoent = mutant(
  'fifo.mkfifo-enoent',
  'mkfifo in a missing directory returns 0 without creating anything (the ENOENT error path forgets its return value)',
  () => rewrite((out, step) => (step.op === 'mkfifo' && errOf(out) === 'ENOENT' ? ok(0) : out)),
);

/** open() of a FIFO never waits: it behaves as if O_NONBLOCK were set, and then clears the flag. */
const openNeverWaits = mutant(
  'fifo.open-blocks-until-partner',
  'a blocking open of a FIFO never waits for the other side: it behaves like an O_NONBLOCK open (readers get a descriptor at once, writers ENXIO)',
  (): Hook => async (c) => {
    const s = c.step;
    if (s.op !== 'open' || s.nonblock) return c.pass();
    const out = await c.pass({ ...s, nonblock: true });
    if (isOk(out)) await c.aux({ actor: 'main', op: 'set-nonblock', fd: s.as, on: false });
    return out;
  },
);

/** The write rule applied to readers too: O_RDONLY|O_NONBLOCK with no writer fails with ENXIO. */
const readOpenEnxio = mutant(
  'fifo.nonblocking-read-open-succeeds',
  'open(O_RDONLY|O_NONBLOCK) of a FIFO with no writer fails with ENXIO, as if the rule for writers applied to readers',
  (): Hook => async (c) => {
    const s = c.step;
    if (s.op !== 'open' || !s.nonblock || s.mode !== 'read') return c.pass();
    const out = await c.pass();
    const p = c.view.pipeOf(s.as);
    if (!isOk(out) || !p || p.writers > 0) return out;
    await c.aux({ actor: 'main', op: 'close', fd: s.as });
    return err('ENXIO');
  },
);

/** Nonblocking write-opens are done O_RDWR, which on a FIFO never fails: the opener is its own reader. */
const writeOpenRdwr = mutant(
  'fifo.nonblocking-write-open-enxio',
  'open(O_WRONLY|O_NONBLOCK) of a FIFO is done O_RDWR, so it succeeds without a reader instead of failing with ENXIO',
  (): Hook => async (c) => {
    const s = c.step;
    if (s.op !== 'open' || !s.nonblock || s.mode !== 'write') return c.pass();
    const out = await c.pass();
    if (errOf(out) !== 'ENXIO') return out;
    // the read side of the O_RDWR descriptor
    await c.aux({ actor: 'main', op: 'open', path: s.path, as: `${s.as}.rdwr`, mode: 'read', nonblock: true });
    return c.pass();
  },
);

/** fstat of a FIFO reports the bytes buffered in st_size, as BSD-derived systems do. */
const statSizeIsBuffered = mutant(
  'fifo.data-not-in-file',
  'the FIFO keeps its data in the file: stat reports the bytes it holds as st_size, and what remains when every end closes comes back after a reopen',
  () => {
    const kept = new Map<string, Uint8Array>();
    const sizeInStat = rewrite((out, step, c) => {
      if (step.op !== 'stat' || !isOk(out) || out.detail?.type !== 'fifo') return out;
      const id = c.view.names.get(step.path);
      const p = id === undefined ? undefined : c.view.pipes.get(id);
      return p && p.count > 0 ? { ...out, detail: { ...out.detail, size: p.count } } : out;
    });
    return async (c) => {
      const s = c.step;
      const p = 'fd' in s ? c.view.pipeOf(s.fd) : undefined;
      const held = p?.kind === 'fifo' && p.path !== undefined ? c.view.buffered(p) : undefined;
      // The last end to close is a read end with data still in the FIFO: save it "in the file" first.
      if (s.op === 'close' && p?.path && held && c.view.end(s.fd)?.end === 'r' && p.readers + p.writers === 1) {
        const r = await c.aux({ actor: s.actor, op: 'read', fd: s.fd, size: held });
        if (isOk(r) && r.data) kept.set(p.path, r.data);
      }
      if (s.op === 'read' && p?.path && kept.has(p.path)) {
        const out = await c.pass();
        if (isOk(out) && out.value > 0) return out;
        const data = kept.get(p.path)!.subarray(0, s.size);
        kept.delete(p.path);
        return ok(data.length, { data });
      }
      return sizeInStat(c);
    };
  },
);

/** unlink refuses a FIFO that is open, as Windows refuses to delete an open file. */
const unlinkBusy = mutant(
  'fifo.unlink-keeps-open-ends',
  'unlink of a FIFO that some process has open fails with EBUSY (as deleting an open file does on Windows)',
  (): Hook => async (c) => {
    const s = c.step;
    const id = s.op === 'unlink' ? c.view.names.get(s.path) : undefined;
    const p = id === undefined ? undefined : c.view.pipes.get(id);
    if (p && p.readers + p.writers + p.opening > 0) return err('EBUSY');
    return c.pass();
  },
);

/** The FIFO keeps a "writer gone" flag instead of a count: any writer's close makes empty reads EOF. */
const anyWriterCloseIsEof = mutant(
  'fifo.eof-after-all-writers',
  'once any writer of a FIFO closes, reads of the empty FIFO return 0 (EOF) although other writers are still open (a "writer gone" flag instead of a count)',
  (): Hook => async (c) => {
    const s = c.step;
    const e = 'fd' in s ? c.view.end(s.fd) : undefined;
    const p = e && c.view.pipes.get(e.pipe);
    if (!isRead(s) || !p || e.end !== 'r' || p.kind !== 'fifo' || !p.writerLeft || p.writers === 0 || sizeOf(s) === 0) return c.pass();
    const out = e.nonblock ? await c.pass() : await withNonblock(c, s.fd, () => c.pass());
    return errOf(out) === 'EAGAIN' ? ok(0, { data: new Uint8Array(0) }) : out;
  },
);

/**
 * A port that builds FIFOs on sockets which connect when the first writer opens: until then the
 * reader is an unconnected socket, so poll reports POLLHUP and read says EAGAIN instead of 0.
 */
const unconnectedReader = mutant(
  'fifo.read-before-any-writer',
  'a FIFO read end that has never seen a writer acts as an unconnected socket: poll reports POLLHUP and a read fails with EAGAIN instead of returning 0',
  () => rewrite((out, step, c) => {
    if ((step.op !== 'poll' && !isRead(step)) || !isOk(out)) return out;
    const e = c.view.end(step.fd);
    const p = e && c.view.pipes.get(e.pipe);
    if (!p || e.end !== 'r' || p.kind !== 'fifo' || p.writers > 0 || e.wCounterAtOpen !== p.wCounter) return out;
    if (isRead(step)) return out.value === 0 && sizeOf(step) > 0 ? err('EAGAIN') : out;
    const revents = out.detail?.revents ?? [];
    return revents.includes('POLLHUP') ? out : { ...out, detail: { ...out.detail, revents: [...revents, 'POLLHUP'] } };
  }),
);

/**
 * FIFOs kept in a table keyed by path: unlink of a FIFO that is still open only hides its name,
 * and mkfifo on that path brings the old FIFO back instead of making a new one. It is really
 * unlinked once its last end closes.
 */
const revivedByPath = mutant(
  'fifo.recreate-is-independent',
  'unlink of an open FIFO only hides the name, and mkfifo on that path revives the old FIFO (buffer, readers and writers) instead of making a new one',
  (): Hook => {
    const hidden = new Set<string>();
    return async (c) => {
      const s = c.step;
      const live = (path: string) => {
        const id = c.view.names.get(path);
        const p = id === undefined ? undefined : c.view.pipes.get(id);
        return !!p && c.view.endsFor(p, 'read') + c.view.endsFor(p, 'write') > 0;
      };
      let out: Outcome;
      if ((s.op === 'stat' || s.op === 'open' || s.op === 'unlink') && hidden.has(s.path)) out = err('ENOENT');
      else if (s.op === 'mkfifo' && hidden.delete(s.path)) out = ok(0);
      else if (s.op === 'unlink' && live(s.path)) { hidden.add(s.path); out = ok(0); }
      else out = await c.pass();
      for (const path of [...hidden]) if (!live(path)) { hidden.delete(path); await c.aux({ actor: 'main', op: 'unlink', path }); }
      return out;
    };
  },
);

export const FIFO_MUTANTS = [statSaysFile, swallowsEexist, swallowsEnoent, openNeverWaits, readOpenEnxio, writeOpenRdwr, statSizeIsBuffered, unlinkBusy, anyWriterCloseIsEof, unconnectedReader, revivedByPath] as const;
