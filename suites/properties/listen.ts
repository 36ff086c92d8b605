// The listen queue: what a listener that accepts rarely admits, drops and later completes.
import { listenRetransmitWalk } from '../arbitraries/listen-retransmit-walk.ts';
import { listenBigWalk, listenWalk } from '../arbitraries/listen-walk.ts';
import type { Property } from '../property.ts';

export const LISTEN_PROPERTIES: Property[] = [
  {
    name: 'a listener that never accepts completes only what its queue holds; the rest stay pending (TCP), get EAGAIN (nonblocking AF_UNIX) or block until accept frees room (blocking AF_UNIX)',
    area: 'listen-backlog',
    clauses: ['listen.backlog-overflow', 'listen.full-queue-blocks-unix'],
    scenario: (p) => listenWalk(p, 'listen-backlog'),
    defaultRuns: 100,
  },
  {
    name: 'TCP connects whose SYN a full queue dropped complete through retransmission once accept frees room for them',
    area: 'listen-backlog',
    clauses: ['listen.dropped-syn-completes-later', 'listen.backlog-overflow'],
    scenario: (p) => listenRetransmitWalk(p, 'listen-retransmit'),
    // each run waits for a SYN retransmission (about 1 s)
    defaultRuns: 4,
  },
  {
    name: 'a negative backlog, or one above somaxconn, holds somaxconn + 1 connections',
    area: 'listen-backlog',
    // linux only: under posix a negative backlog acts as 0 and a large one is a hint, so nothing is required
    clauses: ['listen.backlog-truncated'],
    scenario: (p) => listenBigWalk(p, 'listen-backlog'),
    // each linux run fills somaxconn + 1 places
    defaultRuns: 3,
  },
];
