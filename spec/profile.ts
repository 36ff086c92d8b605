// Profiles say how strict the model is. A profile is data (spec/profiles/*.json), not a code branch.
import { readFileSync } from 'node:fs';
import type { ProfileName } from './clause.ts';

export type Capacity =
  /** POSIX: capacity unknown, but at least `minimumBytes` can be buffered. */
  | { accounting: 'unspecified'; minimumBytes: number }
  /** Linux: a ring of `slots` pages; a write merges into the tail page when it fits, else takes new slots. */
  | { accounting: 'page-slots'; pageSize: number; defaultSlots: number; mergesIntoTailPage: boolean };

export type SendResult = 'ok' | 'EPIPE' | 'ECONNRESET';

export interface Profile {
  name: ProfileName;
  description: string;
  /** Writes of at most this many bytes are atomic. */
  pipeBuf: number;
  capacity: Capacity;
  /** F_SETPIPE_SZ: absent where the profile does not have it. */
  setPipeSize?: { maxArg: number; pipeMaxSize: number; rounding: 'pow2-pages' };
  /** Allowed results of write(fd, buf, 0) on a pipe with no reader. */
  zeroLengthWriteNoReader: Array<'ok' | 'EPIPE'>;
  poll: {
    /** Whether POLLIN may be set at EOF with no data ('never' | 'either'). */
    pollinAtEof: 'never' | 'either';
    /** Whether POLLERR is set on a write end with no reader ('always' | 'either'). */
    pollerrNoReader: 'always' | 'either';
    /** POLLOUT rule: 'free-slot' (linux) or 'unknown' (posix: required only while PIPE_BUF surely fits). */
    pollout: 'free-slot' | 'unknown';
    /** FIFO read end: POLLHUP only once a writer has come and gone since this reader opened. */
    fifoHupNeedsWriterSinceOpen: boolean | 'either';
  };
  fifo: {
    /** Allowed st_size of a FIFO holding data: 'zero' or 'any'. */
    statSize: 'zero' | 'any';
  };
  /**
   * How many connections a listener that never accepts holds. 'unspecified' (posix): the backlog is a
   * hint; one connection is surely held when the backlog is at least 1. 'backlog-plus-one' (linux,
   * measured): exactly min(backlog, somaxconn) + 1 (a negative backlog counts as somaxconn); TCP
   * connects beyond it stay pending (the SYN is dropped), AF_UNIX nonblocking ones get EAGAIN.
   */
  listenQueue: { rule: 'unspecified' } | { rule: 'backlog-plus-one'; somaxconn: number };
  /**
   * send (MSG_NOSIGNAL) on a stream socket whose peer has closed (having read everything): allowed
   * results of the first such send per family, and of later ones once the peer's answer arrived
   * (TCP: its reset). linux measured: AF_UNIX EPIPE at once; TCP the first send succeeds, then EPIPE.
   */
  peerClosedSend: { unixFirst: SendResult[]; tcpFirst: SendResult[]; later: SendResult[] };
  /**
   * The peer of a socket closed with unread data (a reset): what its recv returns once the data left
   * is read (linux measured: ECONNRESET once, then 0), and whether a send before that takes the reset
   * as ECONNRESET (linux: TCP yes, AF_UNIX no: EPIPE) or 'either'.
   */
  resetByClose: { recvAfterData: Array<'ECONNRESET' | '0'>; sendTakesReset: { unix: boolean; tcp: boolean } | 'either' };
  /**
   * A datagram longer than the receive buffer (dgram.truncation): whether recvmsg sets MSG_TRUNC in
   * msg_flags (POSIX requires it), and what recv with the MSG_TRUNC flag returns: 'real' (linux: the
   * datagram's length), 'copied' (the bytes copied), or an error where the flag is not supported.
   */
  dgramTruncation: { msgFlagsTrunc: boolean; recvTruncFlag: TruncFlagResult[] };
  /**
   * Datagram delivery (dgram.delivery). posix: inOrder false, bounds null (loss, duplication and
   * reordering allowed). linux (measured, for datagrams up to the walks' 3000 bytes): delivered in
   * order, without loss or duplicates, while the receiver holds fewer than the bound: unixQueue for an
   * AF_UNIX sender that is not the receiver's peer (beyond it a nonblocking send gets EAGAIN),
   * unixPairFits for a socketpair, udpFits for UDP over loopback (beyond it silently dropped); the
   * bounds hold for datagrams of at most `bytes` bytes (the size they were measured with).
   */
  dgramDelivery: { inOrder: boolean; bytes: number | null; unixQueue: number | null; unixPairFits: number | null; udpFits: number | null };
  /** Where the numbers come from (measurement facts for measured profiles). */
  provenance: Record<string, string | number | boolean>;
}

export type TruncFlagResult = 'real' | 'copied' | 'EINVAL' | 'EOPNOTSUPP';

const cache = new Map<string, Profile>();

export const PROFILE_NAMES: ProfileName[] = ['posix', 'linux'];

export function loadProfile(name: string): Profile {
  if (!PROFILE_NAMES.includes(name as ProfileName)) {
    throw new Error(`unknown profile "${name}" (known: ${PROFILE_NAMES.join(', ')})`);
  }
  let p = cache.get(name);
  if (!p) {
    p = JSON.parse(readFileSync(new URL(`./profiles/${name}.json`, import.meta.url), 'utf8')) as Profile;
    cache.set(name, p);
  }
  return p;
}

/** The profile that matches the host: linux on Linux, posix elsewhere. */
export const hostProfileName = (): ProfileName => (process.platform === 'linux' ? 'linux' : 'posix');

export const hasClause = (p: Profile, clauseProfiles: ProfileName[]): boolean => clauseProfiles.includes(p.name);
