// Stream socket properties. Each ranges over every way of making a connection (socketpair, and
// connect/accept over AF_UNIX, AF_INET and AF_INET6) through streamWalk.
import { streamWalk } from '../arbitraries/stream-walk.ts';
import type { Property } from '../property.ts';

export const STREAM_PROPERTIES: Property[] = [
  {
    name: 'stream sockets deliver bytes in order, coalescing sends as recv asks',
    area: 'stream-data',
    clauses: ['stream.order-and-content', 'stream.no-message-boundaries', 'stream.recv-waitall', 'stream.dontwait-never-blocks'],
    scenario: () => streamWalk({ property: 'stream-data', menu: { send: 4, recv: 3, 'recv-waitall': 2, name: 1 }, maxSteps: 14 }),
  },
  {
    name: 'recv with MSG_PEEK leaves the data for the next recv',
    area: 'stream-data',
    clauses: ['stream.peek-does-not-consume'],
    scenario: () => streamWalk({ property: 'stream-peek', menu: { send: 4, 'recv-peek': 4, recv: 2, 'recv-waitall': 1 }, maxSteps: 14 }),
  },
  {
    name: 'after close or shutdown(SHUT_WR) the peer reads the data, then EOF, and the other direction keeps working; sends to a closed peer fail; closing with unread data resets',
    area: 'stream-close',
    clauses: ['stream.eof-after-peer-close', 'stream.shutdown-write-half-close', 'stream.send-after-peer-close', 'stream.close-unread-resets'],
    scenario: () => streamWalk({ property: 'stream-close', menu: { send: 4, recv: 3, 'recv-waitall': 1, shutdown: 1, close: 2, 'close-unread': 2 }, minSteps: 3, maxSteps: 12 }),
  },
  {
    name: 'after shutdown(SHUT_RD) recv ends in 0 without blocking and the socket still sends; after SHUT_RDWR the peer sees a closed socket',
    area: 'stream-close',
    clauses: ['stream.shutdown-read', 'stream.shutdown-both'],
    scenario: () => streamWalk({ property: 'stream-shutdown', menu: { send: 4, recv: 3, 'recv-waitall': 1, shutdown: 2, 'close-unread': 1 }, shutdowns: ['rd', 'rdwr', 'wr'], minSteps: 3, maxSteps: 12 }),
  },
  {
    name: 'accept returns a connected socket while the listener keeps listening, and names agree on both ends',
    area: 'stream-accept',
    clauses: ['stream.accept-keeps-listening', 'stream.names-agree'],
    scenario: () => streamWalk({ property: 'stream-accept', menu: { reconnect: 3, name: 3, send: 1, recv: 1 }, variants: ['unix', 'inet', 'inet6', 'socketpair'], minSteps: 2, maxSteps: 10 }),
    defaultRuns: 150,
  },
];
