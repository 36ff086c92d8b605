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
   * connects beyond it stay pending (the SYN is dropped), AF_UNIX nonblocking ones get EAGAIN. The
   * measurement also requires (else it fails) that a blocking connect to a full queue sleeps, and that
   * a dropped TCP connect completes once accept frees room (provenance listenQueue.fullQueue).
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
   * shutdown(SHUT_RD) on a stream socket (stream.shutdown-read, stream.shutdown-both). `recv`: what the
   * shut socket's recv returns: 'data-then-eof' (linux measured: what is buffered, and over TCP what
   * the peer sends later, then 0; never blocks) or 'data-or-eof' (posix: the data may be discarded, so
   * any in-order prefix or 0). `peerSend`: the peer's send while only the read half is shut (linux:
   * AF_UNIX EPIPE, TCP accepted and received). `acceptedSendResets`: once both halves are shut, a send
   * the peer's kernel accepted resets the connection (linux TCP; then resetByClose says what the shut
   * socket sees). `afterReset`: what a further shutdown returns once the connection was reset.
   */
  shutdownRead: { recv: 'data-then-eof' | 'data-or-eof'; peerSend: { unix: SendResult[]; tcp: SendResult[] }; acceptedSendResets: boolean | 'either'; afterReset: Array<'0' | 'ENOTCONN'> };
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
  /**
   * UDP sends to a port nobody has bound (dgram.connected-udp-refused). `connected`: a connected
   * socket's later calls; linux (measured) 'next-call': the ICMP port unreachable sets a pending
   * error that the next send or recv returns as ECONNREFUSED, once, before any queued datagram (a send
   * above the size limit still gets EMSGSIZE first); posix 'may' (the error may come, once per refused
   * datagram, or never). `unconnected`: linux 'never' (told nothing), posix 'may'.
   */
  dgramRefused: { connected: 'next-call' | 'may'; unconnected: 'never' | 'may' };
  /**
   * The largest datagram a send takes (dgram.size-limit-emsgsize); above it EMSGSIZE and nothing is
   * sent. udp, udp6: the protocol's limit (65535 less the headers), which posix requires too; unix:
   * linux measured (SO_SNDBUF less 32 bytes), posix null (none known). `exact`: linux true (up to the
   * limit a send is whole or EAGAIN), posix false (a smaller limit is allowed: EMSGSIZE at any size).
   */
  dgramMaxSize: { udp: number; udp6: number; unix: number | null; exact: boolean };
  /**
   * Ports a process without privilege may not bind (bind.privileged-port-eacces): `below` the start
   * of the unprivileged ports (linux measured: net.ipv4.ip_unprivileged_port_start), or null where
   * it is not known (posix: any port but 0 may be protected; a refusal must say EACCES).
   */
  privilegedPorts: { below: number | null };
  /**
   * AF_UNIX path names (bind.unix-path-length): paths of up to `fits` bytes (NUL-terminated in the
   * address) bind; `exact`: every longer one is refused (linux measured: 107 fit, sun_path is 108
   * bytes) or, if false, may bind or be refused (posix: sun_path's size is unspecified, "typically
   * in the range 92 to 108"); a refusal is one of `tooLong`.
   */
  unixPath: { fits: number; exact: boolean; tooLong: string[] };
  /** Linux abstract AF_UNIX names (bind.unix-abstract-name): sun_path starting with a NUL byte, no file. */
  unixAbstract: boolean;
  /**
   * Full send buffers of stream sockets (stream.full-send-buffer). sureRoom: a nonblocking send of at
   * most this many bytes into an idle connection (everything sent before has been read) returns whole,
   * and a larger one queues at least that much (a partial count, never EAGAIN); null (posix): no size
   * is guaranteed. tcpReceiverHolds: while at most this many bytes are unread, a TCP receiver's queue
   * holds them all; beyond it some may wait in the sender's queue behind a closed window, so a recv may
   * return less than is unread; null: not known.
   */
  streamSendBuffer: { sureRoom: { unix: number; tcp: number } | null; tcpReceiverHolds: number | null };
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
