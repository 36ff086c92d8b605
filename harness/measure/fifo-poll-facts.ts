// poll(2) readiness and FIFO facts measured on the host (zero-timeout polls and nonblocking calls
// only: nothing here waits for anything).
import { statSync } from 'node:fs';
import { O } from '../host/libc.mjs';
import type { Fact } from './pipe-facts.ts';
import { probe, show } from './probe.ts';

const list = (names: string[]) => (names.length ? names.join('|') : 'none');

export interface PollFacts {
  pollinAtEof: Fact<'never' | 'either'>;
  pollerrNoReader: Fact<'always' | 'either'>;
  pollout: Fact<'free-slot' | 'unknown'>;
}

export function measurePoll(page: number, slots: number): PollFacts {
  return probe((p) => {
    // EOF: the only writer closed, nothing buffered.
    const a = p.pipe();
    p.close(a.w);
    const atEof = p.poll(a.r);
    // No reader: the only read end closed.
    const b = p.pipe();
    p.close(b.r);
    const noReader = p.poll(b.w);
    // POLLOUT: every slot in use though the tail page has room, versus one slot free.
    const c = p.pipe();
    const emptyRevents = p.poll(c.w);
    for (let i = 0; i < slots - 1; i++) p.write(c.w, page);
    const oneSlotFree = p.poll(c.w);
    p.write(c.w, 1);
    const allSlotsUsed = p.poll(c.w);
    const mergedAnyway = p.write(c.w, 1);
    const freeSlot = emptyRevents.includes('POLLOUT') && oneSlotFree.includes('POLLOUT') && !allSlotsUsed.includes('POLLOUT') && mergedAnyway.value === 1;
    return {
      pollinAtEof: {
        value: atEof.includes('POLLIN') ? 'either' : 'never',
        evidence: `poll(read end) after the only writer closed, pipe empty: ${list(atEof)}`,
      },
      pollerrNoReader: {
        value: noReader.includes('POLLERR') ? 'always' : 'either',
        evidence: `poll(write end) after the only reader closed: ${list(noReader)}`,
      },
      pollout: {
        value: freeSlot ? 'free-slot' : 'unknown',
        evidence: `poll(write end): empty ${list(emptyRevents)}; ${slots - 1} of ${slots} slots used ${list(oneSlotFree)}; ` +
          `all ${slots} used (tail page holds 1 byte) ${list(allSlotsUsed)}, yet a 1-byte write then -> ${show(mergedAnyway)}`,
      },
    };
  });
}

export interface FifoFacts {
  /** read(2) on an O_NONBLOCK FIFO reader that never had a writer. */
  readNeverWriter: Fact<string>;
  fifoHupNeedsWriterSinceOpen: Fact<boolean | 'either'>;
  statSize: Fact<'zero' | 'any'>;
}

export function measureFifo(): FifoFacts {
  return probe((p) => {
    const path = p.fifo();
    const r = p.open(path, O.RDONLY | O.NONBLOCK);
    const before = p.poll(r);
    const readBefore = p.read(r, 1);
    const w = p.open(path, O.WRONLY | O.NONBLOCK);
    const withWriter = p.poll(r);
    p.close(w);
    const after = p.poll(r);
    const readAfter = p.read(r, 1);
    // A reader that opens after a writer came and went: does it see that writer's hangup?
    const late = p.open(path, O.RDONLY | O.NONBLOCK);
    const lateRevents = p.poll(late);
    const hupBefore = before.includes('POLLHUP');
    const hupAfter = after.includes('POLLHUP');
    const needs = !hupBefore && hupAfter && !lateRevents.includes('POLLHUP') ? true : hupBefore && hupAfter ? false : 'either';

    const path2 = p.fifo();
    const r2 = p.open(path2, O.RDONLY | O.NONBLOCK);
    const w2 = p.open(path2, O.WRONLY | O.NONBLOCK);
    const wrote = p.write(w2, 100);
    const size = statSync(path2).size;
    p.read(r2, 100);
    return {
      readNeverWriter: {
        value: readBefore.errno ?? `returns ${readBefore.value}`,
        evidence: `O_NONBLOCK reader of a FIFO that never had a writer: read 1 -> ${show(readBefore)}; after a writer opened and closed: read 1 -> ${show(readAfter)}`,
      },
      fifoHupNeedsWriterSinceOpen: {
        value: needs,
        evidence: `poll(FIFO reader): no writer yet ${list(before)}; writer open ${list(withWriter)}; writer gone ${list(after)}; ` +
          `a reader opened after that ${list(lateRevents)}`,
      },
      statSize: {
        value: size === 0 ? 'zero' : 'any',
        evidence: `st_size of a FIFO holding ${show(wrote)} bytes: ${size}`,
      },
    };
  });
}
