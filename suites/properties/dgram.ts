// Datagram socket properties. Each ranges over socketpair(AF_UNIX, SOCK_DGRAM), AF_UNIX bound to a
// path, and UDP over 127.0.0.1 and ::1 through dgramWalk (the refusal one over UDP only).
import type { Profile } from '../../spec/profile.ts';
import { dgramRefusedWalk } from '../arbitraries/dgram-refused-walk.ts';
import { dgramWalk } from '../arbitraries/dgram-walk.ts';
import type { Property } from '../property.ts';

const limits = (p: Profile) => p.dgramMaxSize;

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
    name: 'datagrams arrive in order without loss or duplicates while the receiver has room; a full AF_UNIX receiver makes the sender get EAGAIN (or block until a receive makes room), a full UDP one drops silently',
    area: 'dgram-data',
    clauses: ['dgram.delivery'],
    scenario: () => dgramWalk({ property: 'dgram-delivery', menu: { send: 4, 'send-empty': 1, 'send-burst': 1, 'send-flood': 1, 'send-block': 1, sendto: 1, recv: 3, 'recv-short': 1 }, minSteps: 2, maxSteps: 16 }),
  },
  {
    name: 'MSG_PEEK returns a datagram and leaves it, whole, for the next receive',
    area: 'dgram-data',
    clauses: ['dgram.peek-does-not-consume'],
    scenario: () => dgramWalk({ property: 'dgram-peek', menu: { send: 3, 'recv-peek': 3, recv: 2, 'recv-short': 1 }, minSteps: 2 }),
  },
  {
    name: 'a datagram above the maximum size fails with EMSGSIZE and nothing is sent; one at the limit is sent whole',
    area: 'dgram-data',
    clauses: ['dgram.size-limit-emsgsize'],
    scenario: (p) => dgramWalk({ property: 'dgram-size', menu: { send: 2, 'send-big': 3, 'recv-big': 2, recv: 1 }, limits: limits(p) }),
    defaultRuns: 100,
  },
  {
    name: 'a receive reports the address the datagram came from',
    area: 'dgram-data',
    clauses: ['dgram.source-address'],
    scenario: () => dgramWalk({ property: 'dgram-source', menu: { send: 2, sendto: 3, 'send-empty': 1, recv: 3, 'recv-short': 1 }, minSteps: 2 }),
  },
  {
    name: 'a connected UDP socket that sent to a closed port gets ECONNREFUSED once on a later call; an unconnected one is told nothing',
    area: 'dgram-data',
    clauses: ['dgram.connected-udp-refused'],
    scenario: (p) => dgramRefusedWalk('dgram-refused', limits(p)),
  },
];
