// FIFO properties: the namespace (mkfifo, unlink, stat) and the open rendezvous.
// (FIFOs behaving as pipes after open is covered by the pipe properties' fifo variants.)
import { fifoWalk, OPENINGS } from '../arbitraries/fifo-walk.ts';
import type { Property } from '../property.ts';

export const FIFO_PROPERTIES: Property[] = [
  {
    name: 'mkfifo makes a FIFO whose data stays in the kernel; names come and go independently of open ends',
    area: 'fifo-namespace',
    clauses: ['fifo.mkfifo-creates-fifo', 'fifo.mkfifo-eexist', 'fifo.mkfifo-enoent', 'fifo.data-not-in-file', 'fifo.unlink-keeps-open-ends', 'fifo.recreate-is-independent'],
    scenario: (p) => fifoWalk(p, 'fifo-namespace', { mkfifo: 3, 'mkfifo-missing-dir': 1, unlink: 2, stat: 3, open: 4, write: 3, read: 3, close: 1 }, [OPENINGS.none, OPENINGS.DATA_IN_FIFO, OPENINGS.RECREATED, OPENINGS.REOPENED_AFTER_LAST_CLOSE]),
  },
  {
    name: 'opening a FIFO waits for the other side, except O_NONBLOCK readers; EOF needs every writer gone',
    area: 'fifo-open',
    clauses: ['fifo.open-blocks-until-partner', 'fifo.nonblocking-read-open-succeeds', 'fifo.nonblocking-write-open-enxio', 'fifo.eof-after-all-writers', 'fifo.read-before-any-writer'],
    scenario: (p) => fifoWalk(p, 'fifo-open', { open: 6, write: 2, read: 3, close: 3, poll: 2 }, [OPENINGS.none, OPENINGS.TWO_WRITERS, OPENINGS.NEVER_WRITTEN]),
  },
];
