// The linux profile, measured: every number and choice in spec/profiles/linux.json comes from a
// measurement on this host (harness/measure/*-facts.ts); provenance records the evidence.
import { arch, release } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Profile } from '../../spec/profile.ts';
import { measureAddr } from './addr-facts.ts';
import { measureDelivery, measureDgram, measureMaxSize, measureRefused } from './dgram-facts.ts';
import { measureFifo, measurePoll } from './fifo-poll-facts.ts';
import { measureListen } from './listen-facts.ts';
import { measurePeerClose } from './peer-close-facts.ts';
import { measureReset } from './reset-facts.ts';
import { measureSendBuf } from './sendbuf-facts.ts';
import { measureShutdown } from './shutdown-facts.ts';
import { measureCapacity, measurePipeBuf, measureSetPipeSize, measureZeroLengthWriteNoReader, type Fact } from './pipe-facts.ts';

export const LINUX_PROFILE_PATH = fileURLToPath(new URL('../../spec/profiles/linux.json', import.meta.url));

export function measureHostFacts() {
  if (process.platform !== 'linux') throw new Error(`measuring the linux profile needs Linux (this is ${process.platform})`);
  const capacity = measureCapacity();
  const page = capacity.pageSize.value;
  const slots = capacity.defaultSlots.value;
  const { pipeBuf, nonblockingWrite } = measurePipeBuf(page, slots);
  return {
    capacity,
    pipeBuf,
    nonblockingWrite,
    setPipeSize: measureSetPipeSize(page),
    zeroLengthWriteNoReader: measureZeroLengthWriteNoReader(),
    poll: measurePoll(page, slots),
    fifo: measureFifo(),
    listen: measureListen(),
    peerClose: measurePeerClose(),
    reset: measureReset(),
    shutdown: measureShutdown(),
    dgram: measureDgram(),
    delivery: measureDelivery(3000),
    refused: measureRefused(),
    maxSize: measureMaxSize(),
    addr: measureAddr(),
    sendBuf: measureSendBuf(),
  };
}

export type HostFacts = ReturnType<typeof measureHostFacts>;

export function profileFromFacts(f: HostFacts, when = new Date()): Profile {
  const c = f.capacity;
  const slotted = c.countsPageSlots.value;
  const provenance: Record<string, string | number | boolean> = {
    source: 'measured on the host by `ipcspec measure-profile` (harness/measure/)',
    kernel: release(),
    arch: arch(),
    measuredAt: when.toISOString().slice(0, 10),
  };
  const note = (key: string, fact: Fact<unknown>) => {
    provenance[key] = `${typeof fact.value === 'string' ? fact.value : JSON.stringify(fact.value)}: ${fact.evidence}`;
  };
  note('pipeBuf', f.pipeBuf);
  note('nonblockingWrite', f.nonblockingWrite);
  note('capacity.pageSize', c.pageSize);
  note('capacity.defaultBytes', c.defaultBytes);
  note('capacity.defaultSlots', c.defaultSlots);
  note('capacity.accounting', { value: slotted ? 'page-slots' : 'bytes (not page slots)', evidence: c.countsPageSlots.evidence });
  note('capacity.mergesIntoTailPage', c.mergesIntoTailPage);
  note('setPipeSize.rounding', f.setPipeSize.rounding);
  note('setPipeSize.maxArg', f.setPipeSize.maxArg);
  note('setPipeSize.pipeMaxSize', f.setPipeSize.pipeMaxSize);
  note('setPipeSize.abovePipeMax', f.setPipeSize.abovePipeMax);
  note('zeroLengthWriteNoReader', f.zeroLengthWriteNoReader);
  note('poll.pollinAtEof', f.poll.pollinAtEof);
  note('poll.pollerrNoReader', f.poll.pollerrNoReader);
  note('poll.pollout', f.poll.pollout);
  note('poll.fifoHupNeedsWriterSinceOpen', f.fifo.fifoHupNeedsWriterSinceOpen);
  note('fifo.readNeverWriter', f.fifo.readNeverWriter);
  note('fifo.statSize', f.fifo.statSize);
  note('listenQueue.somaxconn', f.listen.somaxconn);
  note('listenQueue.rule', f.listen.queue);
  note('listenQueue.fullQueue', f.listen.fullQueue);
  note('resetByClose.recvAfterData', f.reset.recvAfterData);
  note('resetByClose.sendTakesReset', f.reset.sendTakesReset);
  note('shutdownRead', { value: { recv: f.shutdown.recv.value, peerSend: f.shutdown.peerSend.value, acceptedSendResets: f.shutdown.acceptedSendResets.value, afterReset: f.shutdown.afterReset.value }, evidence: f.shutdown.recv.evidence });
  note('dgramTruncation.msgFlagsTrunc', f.dgram.msgFlagsTrunc);
  note('dgramTruncation.recvTruncFlag', f.dgram.recvTruncFlag);
  note('dgramRefused', { value: { connected: f.refused.connected.value, unconnected: f.refused.unconnected.value }, evidence: f.refused.connected.evidence });
  note('dgramMaxSize', { value: { udp: f.maxSize.udp.value, udp6: f.maxSize.udp6.value, unix: f.maxSize.unix.value, exact: f.maxSize.exact.value }, evidence: f.maxSize.udp.evidence });
  note('dgramDelivery', { value: { inOrder: f.delivery.inOrder.value, bytes: f.delivery.bytes, unixQueue: f.delivery.unixQueue.value, unixPairFits: f.delivery.unixPairFits.value, udpFits: f.delivery.udpFits.value }, evidence: f.delivery.inOrder.evidence });
  note('privilegedPorts.below', f.addr.privilegedBelow);
  note('unixPath', f.addr.unixPath);
  note('unixAbstract', f.addr.unixAbstract);
  note('peerClosedSend', { value: { unixFirst: f.peerClose.unixFirst.value, tcpFirst: f.peerClose.tcpFirst.value, later: f.peerClose.later.value }, evidence: f.peerClose.later.evidence });
  note('streamSendBuffer', { value: { sureRoom: f.sendBuf.sureRoom.value, tcpReceiverHolds: f.sendBuf.tcpReceiverHolds.value }, evidence: f.sendBuf.sureRoom.evidence });
  return {
    name: 'linux',
    description:
      'What this Linux kernel measurably does (regenerate with `ipcspec measure-profile --write`): ' +
      (slotted ? 'capacity counted in page slots, ' : 'capacity counted in bytes, ') +
      (c.mergesIntoTailPage.value ? 'writes merging into the tail page, ' : 'no merging into the tail page, ') +
      'F_SETPIPE_SZ rounding to a power-of-two number of pages.',
    pipeBuf: f.pipeBuf.value,
    capacity: slotted
      ? { accounting: 'page-slots', pageSize: c.pageSize.value, defaultSlots: c.defaultSlots.value, mergesIntoTailPage: c.mergesIntoTailPage.value }
      : { accounting: 'unspecified', minimumBytes: c.defaultBytes.value },
    setPipeSize: { maxArg: f.setPipeSize.maxArg.value, pipeMaxSize: f.setPipeSize.pipeMaxSize.value, rounding: f.setPipeSize.rounding.value },
    zeroLengthWriteNoReader: f.zeroLengthWriteNoReader.value,
    poll: {
      pollinAtEof: f.poll.pollinAtEof.value,
      pollerrNoReader: f.poll.pollerrNoReader.value,
      pollout: f.poll.pollout.value,
      fifoHupNeedsWriterSinceOpen: f.fifo.fifoHupNeedsWriterSinceOpen.value,
    },
    fifo: { statSize: f.fifo.statSize.value },
    listenQueue: { rule: f.listen.queue.value, somaxconn: f.listen.somaxconn.value },
    resetByClose: { recvAfterData: f.reset.recvAfterData.value, sendTakesReset: f.reset.sendTakesReset.value },
    shutdownRead: { recv: f.shutdown.recv.value, peerSend: f.shutdown.peerSend.value, acceptedSendResets: f.shutdown.acceptedSendResets.value, afterReset: f.shutdown.afterReset.value },
    peerClosedSend: { unixFirst: f.peerClose.unixFirst.value, tcpFirst: f.peerClose.tcpFirst.value, later: f.peerClose.later.value },
    dgramTruncation: { msgFlagsTrunc: f.dgram.msgFlagsTrunc.value, recvTruncFlag: f.dgram.recvTruncFlag.value },
    dgramDelivery: { inOrder: f.delivery.inOrder.value, bytes: f.delivery.bytes, unixQueue: f.delivery.unixQueue.value, unixPairFits: f.delivery.unixPairFits.value, udpFits: f.delivery.udpFits.value },
    dgramRefused: { connected: f.refused.connected.value, unconnected: f.refused.unconnected.value },
    dgramMaxSize: { udp: f.maxSize.udp.value, udp6: f.maxSize.udp6.value, unix: f.maxSize.unix.value, exact: f.maxSize.exact.value },
    privilegedPorts: { below: f.addr.privilegedBelow.value },
    unixPath: f.addr.unixPath.value,
    unixAbstract: f.addr.unixAbstract.value,
    streamSendBuffer: { sureRoom: f.sendBuf.sureRoom.value, tcpReceiverHolds: f.sendBuf.tcpReceiverHolds.value },
    provenance,
  };
}

export const measureLinuxProfile = (): Profile => profileFromFacts(measureHostFacts());

/** The fields the model reads: everything except name, description and provenance. */
export function behaviour(p: Profile): Omit<Profile, 'name' | 'description' | 'provenance'> {
  const { name: _n, description: _d, provenance: _p, ...rest } = p;
  return rest;
}

/** The profile as JSON in the repository's style: one line per field, provenance one line per fact. */
export function formatProfile(p: Profile): string {
  const inline = (v: unknown) => JSON.stringify(v, null, 1).replace(/\n\s*/g, ' ').replace(/\[ /g, '[').replace(/ \]/g, ']');
  const lines = Object.entries(p).map(([k, v]) => {
    if (k !== 'provenance') return `  ${JSON.stringify(k)}: ${inline(v)}`;
    const facts = Object.entries(v as Record<string, unknown>).map(([fk, fv]) => `    ${JSON.stringify(fk)}: ${JSON.stringify(fv)}`);
    return `  "provenance": {\n${facts.join(',\n')}\n  }`;
  });
  return `{\n${lines.join(',\n')}\n}\n`;
}
