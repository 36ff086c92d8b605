// Model state of stream sockets: each socket, its connection's two byte queues (PipeObj, shared with
// the pipe model's buffer functions), listening queues, and the address namespace.
import type { Family } from '../spec/socket-scenario.ts';

export interface Sock {
  id: number;
  family: Family;
  nonblock: boolean;
  state: 'unbound' | 'bound' | 'listening' | 'connected' | 'closed';
  /** This socket's name, once bound or connected ("unix:" when unnamed). */
  local?: string;
  /** Connected: the peer socket, the queue it reads (rx) and the one it writes (tx), both PipeObj ids. */
  peer?: number;
  rx?: number;
  tx?: number;
  /** How this side stopped sending: the peer's recv sees EOF after the data. */
  wrDone?: 'shutdown' | 'close';
  /** shutdown(SHUT_RD) or SHUT_RDWR: receive operations are disabled (recv never blocks); the clause that judges them. */
  rdShut?: 'stream.shutdown-read' | 'stream.shutdown-both';
  /** The connection was reset (closed with unread data): outside the model from here. */
  reset?: boolean;
  /** The peer closed with data of ours unread: `resetPending` until a call reports ECONNRESET. */
  peerReset?: boolean;
  /** 'maybe': a MSG_WAITALL recv cut short by the end of the data may have taken it (linux AF_UNIX does, silently). */
  resetPending?: boolean | 'maybe';
  /** Listening: the accept queue (server-side sockets, oldest first), the backlog asked, accepts so far. */
  queue: number[];
  backlog: number;
  accepted: number;
  /** A nonblocking TCP connect in progress: to `listener`, made when it had accepted `acceptedAt`; `dropped`: the profile says its SYN was surely dropped. */
  connecting?: { listener: number; acceptedAt: number; dropped: boolean };
  /** A send after the peer closed has been made (the next ones see the peer's answer). */
  sentAfterPeerClose?: boolean;
  /** The last recv on this socket was a MSG_PEEK: a mismatch now means the peek consumed. */
  peeked?: boolean;
  /** A datagram socket: `dest` is where send goes (socketpair peer or connect target). */
  dgram?: boolean;
  dest?: number;
  /** Datagrams sent to this socket: every one ever (what a receive may return), and those not yet received. */
  sent?: readonly Uint8Array[];
  unread?: readonly Uint8Array[];
  /** Its receive queue may have overflowed (UDP): what was dropped is not known, so order is no longer judged. */
  lossy?: boolean;
  /** Datagram sockets: who sent each datagram in `sent` (socket id, by the datagram's identity). */
  senders?: ReadonlyMap<Uint8Array, number>;
  /** The source address its datagrams carry, once seen (a UDP socket's port chosen at its first sendto). */
  source?: string;
  /** The scenario handle that named it (datagram sockets): a sendto may still address it after close. */
  handle?: string;
  /** A connected datagram socket: sends to a closed UDP port whose ECONNREFUSED no call has reported yet. */
  refused?: number;
  /** The same from sendto on an unconnected socket (linux tells it nothing). */
  refusedUnconnected?: number;
  /** A MSG_PEEK returned one of these datagrams: the next receive returns it again. */
  peekedDgrams?: readonly Uint8Array[];
  /** Two-host scenarios: the test host whose address it was bound to. */
  testHost?: 'a' | 'b';
  /** set-buffers fixed SO_SNDBUF/SO_RCVBUF on this connection (either end): the profile's measured sizes, taken with default buffers, do not apply. */
  fixedBuffers?: boolean;
  /** Its connect completed where the model does not track the connection: outside the model from here. */
  limbo?: boolean;
}

export interface NetState {
  socks: Map<number, Sock>;
  /** Scenario handle -> socket id; 'closed' after close. */
  handles: Map<string, number | 'closed'>;
  /** AF_UNIX paths bound in the temp dir -> the socket bound there (its file stays after close: stale). */
  paths: Map<string, number>;
  /** Socket files removed by unlink (a bind there works again), and abstract names -> the socket holding it (free once it closes). */
  unlinked: Set<string>;
  abstract: Map<string, number>;
}

export const initialNet = (): NetState => ({ socks: new Map(), handles: new Map(), paths: new Map(), unlinked: new Set(), abstract: new Map() });

export function cloneNet(n: NetState): NetState {
  const socks = new Map<number, Sock>();
  for (const [k, v] of n.socks) socks.set(k, { ...v, queue: v.queue.slice() });
  return { socks, handles: new Map(n.handles), paths: new Map(n.paths), unlinked: new Set(n.unlinked), abstract: new Map(n.abstract) };
}
