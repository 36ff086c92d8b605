// The listen queue: what a listener that accepts rarely admits, drops and later completes.
import { listenWalk } from '../arbitraries/listen-walk.ts';
import type { Property } from '../property.ts';

export const LISTEN_PROPERTIES: Property[] = [
  {
    name: 'a listener that never accepts completes only what its queue holds; the rest stay pending (TCP) or get EAGAIN (AF_UNIX)',
    area: 'listen-backlog',
    clauses: ['listen.backlog-overflow'],
    scenario: (p) => listenWalk(p, 'listen-backlog'),
    defaultRuns: 100,
  },
];
