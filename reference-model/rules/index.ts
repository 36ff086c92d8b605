// Dispatch: one rule per call, one per kind of blocked call completing, one per kind still blocked.
import type { Op, Step } from '../../spec/scenario.ts';
import type { Outcome } from '../../spec/trace.ts';
import type { Ctx } from '../context.ts';
import type { ModelState, Pending } from '../state.ts';
import { childRead, childReadCompleted, childReadStillBlocked, childWrite, childWriteCompleted, childWriteStillBlocked, pipeline, pipelineDone } from './children.ts';
import { concurrentWrites } from './concurrent.ts';
import { close, dup, makePipe, setNonblock } from './fd.ts';
import { mkfifo, open, openCompleted, openStillBlocked, stat } from './fifo.ts';
import { readCall, readCompleted, readStillBlocked } from './pipe-read.ts';
import { getPipeSize, setPipeSize } from './pipe-size.ts';
import { pumpWriter, writeCall, writeCompleted, writeStillBlocked } from './pipe-write.ts';
import { poll } from './poll.ts';
import { bind, bindUnprivileged, sockname, unlinkName } from './address.ts';
import { accept, connect, connectStatus, listen } from './connect.ts';
import { connectCompleted, connectStillBlocked, connectWait } from './connect-wait.ts';
import { connectFill } from './connect-fill.ts';
import { shutdown, socket, socketpair } from './socket.ts';
import { recv, recvCompleted, recvStillBlocked, send } from './socket-data.ts';
import { sendCompleted, sendStillBlocked, setBuffers } from './send-buffer.ts';
import { dgramSendCompleted, dgramSendStillBlocked } from './dgram-block.ts';

type CallRule = (s: ModelState, step: number, actor: string, call: never, out: Outcome, ctx: Ctx) => void;
const plain = <C>(f: (s: ModelState, call: C, out: Outcome, ctx: Ctx) => void): CallRule =>
  ((s: ModelState, _step: number, _actor: string, call: C, out: Outcome, ctx: Ctx) => f(s, call, out, ctx)) as CallRule;

export const CALL_RULES: Record<Op, CallRule> = {
  'make-pipe': plain(makePipe),
  write: writeCall as CallRule,
  writev: writeCall as CallRule,
  read: readCall as CallRule,
  readv: readCall as CallRule,
  close: plain(close),
  dup: plain(dup),
  'set-nonblock': plain(setNonblock),
  poll: plain(poll),
  'get-pipe-size': plain(getPipeSize),
  'set-pipe-size': plain(setPipeSize),
  mkfifo: plain(mkfifo),
  open: open as CallRule,
  // socket files are address.ts's, FIFO names fifo.ts's
  unlink: plain(unlinkName),
  stat: plain(stat),
  'child-write': childWrite as CallRule,
  'child-read': childRead as CallRule,
  pipeline: pipeline as CallRule,
  'concurrent-writes': plain(concurrentWrites),
  socketpair: plain(socketpair),
  socket: plain(socket),
  bind: plain(bind),
  listen: plain(listen),
  connect: connect as CallRule,
  accept: accept as CallRule,
  send: send as CallRule,
  recv: recv as CallRule,
  shutdown: plain(shutdown),
  sockname: plain(sockname),
  'connect-status': plain(connectStatus),
  'connect-wait': plain(connectWait),
  'connect-fill': plain(connectFill),
  'bind-unprivileged': plain(bindUnprivileged),
  'set-buffers': plain(setBuffers),
};

export function completed(s: ModelState, p: Pending, out: Outcome, ctx: Ctx): void {
  switch (p.kind) {
    case 'read': return readCompleted(s, p, out, ctx);
    case 'write': return writeCompleted(s, p, out, ctx);
    case 'open': return openCompleted(s, p, out, ctx);
    case 'child-write': return childWriteCompleted(s, p, out, ctx);
    case 'child-read': return childReadCompleted(s, p, out, ctx);
    case 'recv': return recvCompleted(s, p, out, ctx);
    case 'send': return sendCompleted(s, p, out, ctx);
    case 'dgram-send': return dgramSendCompleted(s, p, out, ctx);
    case 'connect': return connectCompleted(s, p, out, ctx);
    case 'opaque':
      s.pending.delete(p.step);
      return pipelineDone(p.step, p.call as Extract<Step, { op: 'pipeline' }>, out, ctx);
  }
}

/** At a quiescent point every blocked call must really be unable to proceed. */
export function stillBlocked(s: ModelState, p: Pending, ctx: Ctx): void {
  switch (p.kind) {
    case 'read': return readStillBlocked(s, p, ctx);
    case 'write': return writeStillBlocked(s, p, ctx);
    case 'open': return openStillBlocked(s, p, ctx);
    case 'child-write': return childWriteStillBlocked(s, p, ctx);
    case 'child-read': return childReadStillBlocked(s, p, ctx);
    case 'recv': return recvStillBlocked(s, p, ctx);
    case 'send': return sendStillBlocked(s, p, ctx);
    case 'dgram-send': return dgramSendStillBlocked(s, p, ctx);
    case 'connect': return connectStillBlocked(s, p, ctx);
    case 'opaque': return ctx.violate('pipeline.order-and-eof', 'the pipeline is stuck: both processes are blocked', 'it finishes');
  }
}

/** What the kernel does on its own after any event: blocked writers move data into freed room. */
export function afterEvent(s: ModelState, ctx: Ctx): void {
  // pumpWriter moves nothing without a blocked writer: skip the walk over every object (thousands in a full listen queue)
  if (![...s.pending.values()].some((p) => p.kind === 'write' || p.kind === 'child-write')) return;
  for (const obj of s.objects.values()) pumpWriter(s, obj, ctx);
}
