// Datagram socket properties. Each ranges over socketpair(AF_UNIX, SOCK_DGRAM), AF_UNIX bound to a
// path, and UDP over 127.0.0.1 and ::1 through dgramWalk.
import { dgramWalk } from '../arbitraries/dgram-walk.ts';
import type { Property } from '../property.ts';

export const DGRAM_PROPERTIES: Property[] = [
  {
    name: 'each receive on a datagram socket returns exactly one whole datagram that was sent to it',
    area: 'dgram-data',
    clauses: ['dgram.message-boundaries'],
    scenario: () => dgramWalk({ property: 'dgram-data', menu: { send: 4, recv: 3 } }),
  },
  {
    name: 'a datagram longer than the buffer gives its first bytes, discards the rest, and reports MSG_TRUNC',
    area: 'dgram-data',
    clauses: ['dgram.truncation'],
    scenario: () => dgramWalk({ property: 'dgram-trunc', menu: { send: 4, 'recv-short': 3, recv: 1 } }),
  },
  {
    name: 'a zero-length datagram is received as 0, and a datagram socket never reports EOF',
    area: 'dgram-data',
    clauses: ['dgram.zero-length'],
    scenario: () => dgramWalk({ property: 'dgram-zero', menu: { send: 3, 'send-empty': 2, recv: 3 } }),
  },
  {
    name: 'datagrams arrive in order without loss or duplicates while the receiver has room; a full AF_UNIX receiver makes the sender get EAGAIN',
    area: 'dgram-data',
    clauses: ['dgram.delivery'],
    scenario: () => dgramWalk({ property: 'dgram-delivery', menu: { send: 4, 'send-empty': 1, 'send-burst': 1, recv: 3, 'recv-short': 1 }, minSteps: 2, maxSteps: 16 }),
  },
];
