// Address properties: connect and bind errors, ephemeral ports, AF_UNIX path names.
import { addrWalk, privilegedWalk, unixNameWalk } from '../arbitraries/addr-walk.ts';
import type { Property } from '../property.ts';

export const SOCKET_ADDR_PROPERTIES: Property[] = [
  {
    name: 'connect fails as the address says: ECONNREFUSED where nothing listens, ENOENT for a missing path, EISCONN when connected',
    area: 'connect-errors',
    clauses: ['connect.tcp-no-listener-econnrefused', 'connect.unix-missing-path-enoent', 'connect.unix-not-listening-econnrefused', 'connect.already-connected-eisconn'],
    scenario: () => addrWalk({ property: 'connect-errors', menu: { connect: 3, 'connect-missing': 2, 'connect-twice': 2, 'socketpair-connect': 1 } }),
  },
  {
    name: 'bind refuses an address in use and a second bind, and port 0 gets an ephemeral port',
    area: 'bind-errors',
    clauses: ['bind.address-in-use', 'bind.already-bound-einval', 'bind.port-zero-ephemeral'],
    // a closed L (a stale socket file) is the next property's
    scenario: () => addrWalk({ property: 'bind-errors', menu: { 'bind-same': 3, 'bind-twice': 2, 'bind-port-zero': 2, connect: 1 }, lStates: ['bound', 'listening'] }),
  },
  {
    name: 'AF_UNIX names: a missing directory is ENOENT, a path binds whole while it fits sun_path, a stale socket file holds its path until unlinked, an abstract name until its socket closes',
    area: 'bind-errors',
    clauses: ['bind.unix-missing-dir-enoent', 'bind.unix-path-length', 'bind.unix-stale-socket-file', 'bind.unix-abstract-name'],
    scenario: (p) => unixNameWalk('unix-names', p),
  },
  {
    name: 'a process without privilege gets EACCES for a protected port, and binds port 0',
    area: 'bind-errors',
    clauses: ['bind.privileged-port-eacces'],
    scenario: (p) => privilegedWalk('privileged-ports', p),
    // each bind is a child process (~0.1 s)
    defaultRuns: 25,
  },
];
