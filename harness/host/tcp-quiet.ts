// When a TCP connection over loopback has settled after a send or a recv: every byte sent has
// arrived, and what the sender has not sent yet waits only behind a full receiver (its window is
// shut). A full send buffer never drains to SIOCOUTQ 0, so this is what the send and recv steps wait
// for (long deadline) instead; and a sender blocked in sendto counts as blocked only in that state.
import { sys } from './libc.mjs';
import { net } from './libc-net.mjs';

type Info = ReturnType<typeof net.tcpInfo>;
/** Every data byte sent has arrived (a FIN counts one more in tcpi_bytes_received). */
const arrived = (i: Info, j: Info): boolean => j.received! >= i.sent!;

/** The connection sender -> receiver has nothing in flight and no window update pending (see above). */
export function tcpQuiet(sender: number, receiver: number): boolean {
  const i = net.tcpInfo(sender);
  const j = net.tcpInfo(receiver);
  if (i.errno || j.errno) return true; // not a TCP connection (any more): nothing to wait for
  return arrived(i, j) && (i.notsent === 0 || (i.unacked === 0 && net.inq(receiver).value > 0));
}

/** A sender asleep in sendto may stay so: its unsent bytes wait behind a receiver holding data, nothing unacknowledged. */
export function tcpSenderMayWait(sender: number, receiver: number): boolean {
  const i = net.tcpInfo(sender);
  const j = net.tcpInfo(receiver);
  if (i.errno || j.errno) return true;
  return arrived(i, j) && i.unacked === 0 && i.notsent! > 0 && net.inq(receiver).value > 0;
}

/**
 * A receiver asleep in recvfrom may stay so: every byte the sender queued has arrived and it queues no
 * more. While bytes wait in the sender (behind a window the receiver is reopening as it reads, as a
 * MSG_WAITALL recv does), the recv is still on its way to them, not blocked.
 */
export function tcpNothingComing(sender: number, receiver: number): boolean {
  const i = net.tcpInfo(sender);
  const j = net.tcpInfo(receiver);
  if (i.errno || j.errno) return true;
  return arrived(i, j) && i.notsent === 0;
}

/** The connection broke (POLLERR or POLLHUP): nothing more will move. */
export const tcpBroken = (fd: number): boolean => ((sys.poll(fd, 0).revents ?? 0) & 0x18) !== 0;
