// Two-host scenarios: client and server on separate test hosts (network namespaces the harness makes,
// joined by a veth pair), over AF_INET and AF_INET6. The loopback walks, moved across hosts, and
// judged by the same clauses. A target that cannot make test hosts reports them unsupported.
import { addrWalk } from '../arbitraries/addr-walk.ts';
import { dgramWalk } from '../arbitraries/dgram-walk.ts';
import { listenWalk } from '../arbitraries/listen-walk.ts';
import { streamWalk } from '../arbitraries/stream-walk.ts';
import { acrossHosts } from '../arbitraries/two-host-walk.ts';
import type { Property } from '../property.ts';

const INET = ['inet', 'inet6'] as const;

export const TWO_HOST_PROPERTIES: Property[] = [
  // The stream menus are the loopback properties' own (suites/properties/stream.ts): their mixes are what the model is known to judge.
  {
    name: 'across two hosts, a TCP connection delivers bytes in order both ways, coalescing sends as recv asks; MSG_PEEK does not consume',
    area: 'two-host',
    clauses: ['stream.order-and-content', 'stream.no-message-boundaries', 'stream.peek-does-not-consume'],
    scenario: () => acrossHosts(streamWalk({ property: 'two-host-stream-data', menu: { send: 4, recv: 3, 'recv-waitall': 2, 'recv-peek': 2, name: 1 }, variants: INET, maxSteps: 14 })),
    defaultRuns: 80,
  },
  {
    name: 'across two hosts, after close or shutdown(SHUT_WR) the peer reads the data, then EOF; sends to a closed peer fail; closing with unread data resets',
    area: 'two-host',
    clauses: ['stream.eof-after-peer-close', 'stream.shutdown-write-half-close', 'stream.send-after-peer-close', 'stream.close-unread-resets'],
    scenario: () => acrossHosts(streamWalk({ property: 'two-host-stream-close', menu: { send: 4, recv: 3, 'recv-waitall': 1, shutdown: 1, close: 3 }, variants: INET, minSteps: 3, maxSteps: 12 })),
    defaultRuns: 80,
  },
  {
    name: 'across two hosts, accept returns a connected socket while the listener keeps listening, and names agree on both ends',
    area: 'two-host',
    clauses: ['stream.accept-keeps-listening', 'stream.names-agree'],
    scenario: () => acrossHosts(streamWalk({ property: 'two-host-stream-accept', menu: { reconnect: 3, name: 3, send: 1, recv: 1 }, variants: INET, minSteps: 2, maxSteps: 10 })),
    defaultRuns: 60,
  },
  {
    name: 'across two hosts, a TCP connect to a port where nothing listens is refused, and connecting twice gives EISCONN',
    area: 'two-host',
    clauses: ['connect.tcp-no-listener-econnrefused', 'connect.already-connected-eisconn', 'bind.port-zero-ephemeral'],
    scenario: () => acrossHosts(addrWalk({ property: 'two-host-connect', menu: { connect: 3, 'connect-twice': 1 } })),
    defaultRuns: 80,
  },
  {
    name: 'across two hosts, each UDP receive returns one whole datagram (or its first bytes, MSG_TRUNC), zero-length ones included, in order while the receiver has room',
    area: 'two-host',
    clauses: ['dgram.message-boundaries', 'dgram.truncation', 'dgram.zero-length', 'dgram.delivery'],
    scenario: () => acrossHosts(dgramWalk({ property: 'two-host-dgram', menu: { send: 4, 'send-empty': 1, 'send-burst': 1, recv: 3, 'recv-short': 2 }, variants: INET, minSteps: 2, maxSteps: 16 })),
    defaultRuns: 150,
  },
  {
    name: 'a listener on one host that never accepts completes only what its queue holds; the other host\'s further connects stay pending',
    area: 'two-host',
    clauses: ['listen.backlog-overflow'],
    scenario: (p) => acrossHosts(listenWalk(p, 'two-host-listen')),
    defaultRuns: 40,
  },
];
