// The trace vocabulary: what a target observed. A target reports facts only; the model judges.

export type Errno = string; // 'EAGAIN', 'EPIPE', ... (names, never numbers: numbers differ across systems)

export type Outcome =
  | { kind: 'ok'; value: number; data?: Uint8Array; detail?: Detail }
  | { kind: 'err'; errno: Errno; detail?: Detail }
  /** The call is blocked (asleep in the kernel) or, for unsettled targets, has not returned yet. */
  | { kind: 'pending' }
  /** The target cannot express this call (principle 7: unsupported is not pass). */
  | { kind: 'unsupported'; reason: string }
  /** The harness failed to observe (crash, hang, nonsense): neither pass nor fail. */
  | { kind: 'error'; message: string };

/** Extra observed facts: poll revents, stat fields, child exit status, bytes a child saw. */
export interface Detail {
  revents?: string[];
  type?: string;
  size?: number;
  exit?: { code: number | null; signal: string | null };
  errnoSeen?: Errno;
  output?: Uint8Array;
  producerExit?: { code: number | null; signal: string | null };
  consumerExit?: { code: number | null; signal: string | null };
  records?: Uint8Array;
  /** A socket address (bind, connect, accept, getsockname, getpeername), as "unix:PATH", "127.0.0.1:PORT", "[::1]:PORT". */
  addr?: string;
  /** recvmsg's msg_flags on a datagram socket, by name (MSG_TRUNC). */
  msgFlags?: string[];
  /** The credentials a call ran with (bind-unprivileged): real and effective uid, and CAP_NET_BIND_SERVICE in the effective set. */
  ranAs?: { uid: number; euid: number; netBindService: boolean };
  /**
   * What must follow the call on the wire was not seen within the long deadline (10 s): a UDP
   * datagram queued or dropped at its receiver, the ICMP port unreachable back at its sender, TCP
   * bytes at the peer, a FIN at the peer, a handshake queued or dropped by the listener. A fact,
   * not a verdict: the model decides whether the profile promised it.
   */
  arrival?: 'not-seen';
}

export type TraceEvent =
  /** A step was issued; `outcome` is what was seen once the target settled. */
  | { type: 'call'; step: number; actor: string; outcome: Outcome }
  /** A call reported pending earlier has completed. */
  | { type: 'complete'; step: number; actor: string; outcome: Outcome }
  /** Every issued call has returned or is asleep in the kernel: nothing more can happen without a new step. */
  | { type: 'quiescent' };

export interface Trace {
  target: string;
  /** True when the target proves quiescence (host: /proc shows each pending call asleep in its syscall). */
  settled: boolean;
  /** True when the calls ran with CAP_SYS_RESOURCE, which lifts pipe-max-size (uid 0 alone is not enough). */
  privileged: boolean;
  events: TraceEvent[];
  /** The target could not undo the scenario at its end (a call still blocked after release): an error, never a verdict. */
  teardownError?: string;
}
