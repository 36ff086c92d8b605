// What must follow a call on the wire, and whether it was seen. A target waits (long deadline) for
// it after the call: a datagram at its receiver, the ICMP port unreachable back, TCP bytes or a FIN
// at the peer, a handshake at the listener. When the wait expires it reports the call's outcome with
// detail.arrival "not-seen" (spec/trace.ts): the rule of the call then fails the clause that
// promised the arrival where the profile promises it, and treats the absence as allowed (lost,
// not refused, not queued) where it does not.
import type { Outcome } from '../../spec/trace.ts';

/** The target's wait for what must follow this call expired without seeing it. */
export const notSeen = (out: Outcome): boolean => (out.kind === 'ok' || out.kind === 'err') && out.detail?.arrival === 'not-seen';

/** How a report says it: what the call returned, then what never followed. */
export const neverFollowed = (returned: string, what: string): string => `${returned}, then ${what} (not seen within the long deadline)`;
