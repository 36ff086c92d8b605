// Sends across a connection whose read half is shut (XSH shutdown(): "SHUT_RD Disables further receive
// operations."), and the shut socket's own sends once a send of its peer reset the connection.
import { payload, payloadTag } from '../../spec/payload.ts';
import type { SocketCall } from '../../spec/socket-scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import type { Ctx } from '../context.ts';
import { showOutcome } from '../describe.ts';
import { appendUnbounded } from '../pipe-buffer.ts';
import type { Sock } from '../socket-state.ts';
import type { PipeObj } from '../state.ts';
import { isErr } from './fd.ts';


type Send = Extract<SocketCall, { op: 'send' }>;
type Result = 'ok' | 'EPIPE' | 'ECONNRESET';

const matches = (out: Outcome, size: number, allowed: readonly Result[]): boolean =>
  allowed.some((a) => (a === 'ok' ? (out.kind === 'ok' && out.value >= 1 && out.value <= size) || isErr(out, 'EAGAIN') : isErr(out, a)));
const show = (allowed: readonly Result[], size: number): string => allowed.map((a) => (a === 'ok' ? `1..${size} or -1 EAGAIN` : `-1 ${a}`)).join(' or ');

/**
 * A send by `k` that a shutdown(SHUT_RD) decides (true: judged here): k's own send after its peer's
 * send reset the connection, or a send to a peer whose read half is shut.
 */
export function sendAfterShutdown(step: number, k: Sock, peer: Sock, tx: PipeObj, call: Send, out: Outcome, ctx: Ctx): boolean {
  const got = () => showOutcome(out);
  const fam = k.family === 'unix' ? 'unix' : 'tcp';
  if (k.rdShut && k.wrDone === 'shutdown' && k.peerReset) {
    // Shut for writing, and reset: the pending ECONNRESET where the profile says a send takes it (linux TCP), else EPIPE.
    const takes = ctx.profile.resetByClose.sendTakesReset;
    const allowed: Result[] = !k.resetPending ? ['EPIPE'] : takes === 'either' || k.resetPending === 'maybe' ? ['EPIPE', 'ECONNRESET'] : takes[fam] ? ['ECONNRESET'] : ['EPIPE'];
    ctx.require('stream.shutdown-both', matches(out, call.size, allowed), got, () => `${show(allowed, call.size)} (shut down for writing; the peer's send reset the connection)`);
    if (isErr(out, 'ECONNRESET')) k.resetPending = false;
    return true;
  }
  if (!peer.rdShut || peer.state !== 'connected' || k.wrDone) return false;
  if (peer.wrDone === 'shutdown') {
    // Both halves of the peer shut: to k it is a closed peer (the facts of stream.send-after-peer-close).
    const p = ctx.profile.peerClosedSend;
    const resets = ctx.profile.shutdownRead.acceptedSendResets;
    const first = !k.sentAfterPeerClose;
    const answered = first ? p[fam === 'unix' ? 'unixFirst' : 'tcpFirst'] : ctx.settled ? p.later : [...new Set([...p.tcpFirst, ...p.later])];
    // Where an accepted send need not reset (posix; BSD drops the data silently), later sends may be accepted too.
    const allowed: readonly Result[] = resets === true ? answered : [...new Set([...answered, 'ok' as const])];
    ctx.require('stream.shutdown-both', matches(out, call.size, allowed), got, () => `${show(allowed, call.size)} (the peer shut down both halves${first ? '' : '; an earlier send drew its answer'})`);
    k.sentAfterPeerClose = true;
    if (out.kind !== 'ok' || out.value === 0) return true;
    // linux TCP (measured): data arriving after both halves are shut resets the connection (tcp_rcv_state_process, LINUX_MIB_TCPABORTONDATA).
    if (!peer.peerReset && resets !== false) Object.assign(peer, { peerReset: true, resetPending: resets === true ? true : 'maybe' });
    if (resets !== true) appendUnbounded(tx, payload(payloadTag(step), call.size).subarray(0, out.value)); // it may also be received
    return true;
  }
  // Only the peer's read half is shut: linux AF_UNIX refuses (EPIPE), TCP accepts and the peer still receives it.
  const allowed = ctx.profile.shutdownRead.peerSend[fam];
  ctx.require('stream.shutdown-read', matches(out, call.size, allowed), got, () => `${show(allowed, call.size)} (the peer shut down its read half)`);
  if (out.kind === 'ok') appendUnbounded(tx, payload(payloadTag(step), call.size).subarray(0, out.value));
  return true;
}
