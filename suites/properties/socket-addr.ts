// Address properties: connect and bind errors, ephemeral ports, AF_UNIX path names.
import { addrWalk } from '../arbitraries/addr-walk.ts';
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
    scenario: () => addrWalk({ property: 'bind-errors', menu: { 'bind-same': 3, 'bind-twice': 2, 'bind-port-zero': 2, connect: 1 } }),
  },
];
