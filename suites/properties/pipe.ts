// Pipe properties. Each ranges over every way of making the object (pipe, pipe2 O_NONBLOCK,
// FIFO opened blocking, FIFO opened O_NONBLOCK) through pipeWalk.
import fc from 'fast-check';
import { pipeWalk } from '../arbitraries/pipe-walk.ts';
import { capacityOf } from '../arbitraries/sizes.ts';
import type { Property } from '../property.ts';

export const PIPE_PROPERTIES: Property[] = [
  {
    name: 'bytes come out in order, whatever the write and read sizes',
    area: 'pipe-data',
    clauses: ['pipe.order-and-content', 'pipe.no-message-boundaries'],
    scenario: (p) => pipeWalk(p, { property: 'pipe-data', menu: { write: 4, writev: 2, read: 4, readv: 2, poll: 1 }, maxSteps: 14 }),
  },
  {
    name: 'an empty pipe blocks or fails with EAGAIN, and gives EOF after the last writer',
    area: 'pipe-blocking',
    clauses: ['pipe.read-blocks-while-writer-open', 'pipe.nonblocking-read-eagain', 'pipe.eof-after-last-writer', 'pipe.last-writer-close-wakes-readers'],
    scenario: (p) => pipeWalk(p, { property: 'pipe-blocking', menu: { read: 5, write: 2, 'close-write': 2, 'dup-write': 1, 'set-nonblock': 1 }, maxSteps: 10, maxSize: 200 }),
  },
  {
    name: 'writing with no reader fails with EPIPE, or kills a child by SIGPIPE',
    area: 'pipe-no-reader',
    clauses: ['pipe.epipe-when-no-reader', 'pipe.sigpipe-kills-writer'],
    scenario: (p) => pipeWalk(p, { property: 'pipe-no-reader', menu: { write: 3, 'close-read': 3, 'child-write': 3, read: 1, 'dup-read': 1 }, maxSteps: 8, maxSize: 100_000 }),
    defaultRuns: 100,
  },
  {
    name: 'a full pipe blocks the writer or refuses it as the profile allows, and reads make room',
    area: 'pipe-capacity',
    clauses: ['pipe.full-pipe-blocks-writer', 'pipe.nonblocking-write-when-full', 'pipe.read-wakes-blocked-writer', 'pipe.nonblocking-small-write-all-or-nothing', 'pipe.large-write-may-split'],
    scenario: (p) => pipeWalk(p, { property: 'pipe-capacity', menu: { write: 6, read: 3, 'set-nonblock': 2, poll: 1 }, minSteps: 3, maxSteps: 12, maxSize: 2 * capacityOf(p) }),
  },
  {
    name: 'F_GETPIPE_SZ reports the capacity and F_SETPIPE_SZ rounds and refuses as documented',
    area: 'pipe-capacity',
    clauses: ['pipe.capacity-query', 'pipe.capacity-resize'],
    scenario: (p) => pipeWalk(p, { property: 'pipe-size', menu: { 'set-pipe-size': 4, 'get-pipe-size': 3, write: 3, read: 2 }, maxSteps: 10, maxSize: 3 * capacityOf(p) }),
  },
  {
    name: 'poll reports readiness consistent with the buffer and the open ends',
    area: 'pipe-readiness',
    clauses: ['pipe.poll-readiness'],
    scenario: (p) => pipeWalk(p, { property: 'pipe-readiness', menu: { poll: 5, write: 3, read: 2, 'close-write': 1, 'close-read': 1 }, maxSteps: 12 }),
  },
  {
    name: 'zero-length calls return 0, the wrong end and closed descriptors give EBADF',
    area: 'pipe-fd-errors',
    clauses: ['pipe.zero-length-io', 'pipe.wrong-end-ebadf', 'pipe.closed-fd-ebadf'],
    scenario: (p) => pipeWalk(p, { property: 'pipe-fd-errors', menu: { 'zero-read': 2, 'zero-write': 2, 'wrong-end': 3, 'close-read': 1, 'close-write': 1, write: 1, read: 1, poll: 1 }, maxSteps: 10, maxSize: 300 }),
  },
  {
    name: 'duplicated and inherited ends share one pipe',
    area: 'pipe-sharing',
    clauses: ['pipe.dup-shares-end', 'pipe.inherited-by-child'],
    scenario: (p) => pipeWalk(p, { property: 'pipe-sharing', menu: { 'dup-write': 2, 'dup-read': 1, 'close-write': 2, write: 2, read: 2, 'set-nonblock': 1, 'child-write': 2, 'child-read': 2 }, minSteps: 3, maxSteps: 12, maxSize: 100_000 }),
    defaultRuns: 60,
  },
  {
    name: 'concurrent writes of at most PIPE_BUF bytes are never interleaved',
    area: 'pipe-atomicity',
    clauses: ['pipe.atomic-small-writes'],
    scenario: (p) =>
      fc.record({
        variant: fc.constantFrom('pipe' as const, 'fifo' as const),
        writers: fc.integer({ min: 2, max: 4 }),
        records: fc.integer({ min: 20, max: 120 }),
        // at least 4 bytes: a record's header (writer, sequence) makes it unambiguous
        size: fc.oneof(fc.integer({ min: 4, max: p.pipeBuf }), fc.constantFrom(p.pipeBuf, p.pipeBuf - 1), fc.integer({ min: p.pipeBuf + 1, max: 3 * p.pipeBuf })),
      }).map(({ variant, writers, records, size }) => ({
        property: 'pipe-atomicity',
        steps: [
          { actor: 'main', op: 'make-pipe' as const, variant, read: 'r0', write: 'w0' },
          { actor: 'main', op: 'concurrent-writes' as const, fd: 'w0', reader: 'r0', writers, records, size },
        ],
      })),
    defaultRuns: 25,
  },
];
