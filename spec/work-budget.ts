// The work a scenario may ask of a target, summed over all its steps. A replay file is data from
// anywhere: without a bound, one step (`concurrent-writes` with a billion records, `yes | head -n
// 1e15`) or a million small ones keep a target busy for hours. Generated scenarios use a small
// fraction of each limit (test/bad-input-corpus.test.ts samples every property to check it).
import type { Step } from './scenario.ts';

export const WORK_BUDGET = {
  /** Steps in one scenario (generated ones have at most a few hundred). */
  steps: 10_000,
  /** Distinct actors: each is a thread on the host target. */
  actors: 32,
  /** Bytes one step may move: payloads are views into a 16 MiB pool (spec/payload.ts). */
  stepBytes: 8 << 20,
  /** Bytes all steps together write, send, or have children and threads produce (a read returns no more than was written). */
  bytes: 64 << 20,
  /** System calls the steps stand for (a record of concurrent-writes, a dd block, a connect of connect-fill). */
  calls: 1_000_000,
  /** Child processes the steps start (child-write, child-read, bind-unprivileged: one; a pipeline: two). */
  processes: 256,
  /** Descriptors the steps name (connect-fill names `count` of them). */
  handles: 20_000,
  /** Seconds of long waits the steps may legitimately take (connect-wait waits up to 30 s for a SYN retransmit). */
  waitSeconds: 300,
} as const;

/** connect-wait's deadline (harness/host/exec-connect.ts CONNECT_WAIT_MS). */
const CONNECT_WAIT_SECONDS = 30;
/** `yes` writes "y\n"; a pipe page is the unit in which it reaches head. */
const YES_LINE_BYTES = 2;
const PAGE = 4096;

export interface StepCost {
  /** The field the cost comes from, named in a rejection. */
  field: string;
  /** How the bytes were counted, e.g. "4 writers × 1000000000 records of 4096 bytes". */
  what: string;
  /** Bytes the step moves (a read: the most it may return), bounded by stepBytes. */
  bytes: number;
  /** Bytes it adds to what the scenario produces, bounded by bytes. */
  produced: number;
  calls: number;
  processes: number;
  waitSeconds: number;
  /** Set when the step is unbounded whatever its numbers. */
  unbounded?: string;
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/** What one (already shape-checked) step costs. */
export function stepCost(step: Step): StepCost {
  const cost = (field: string, bytes: number, what = `${bytes} bytes`, calls = 1, waitSeconds = 0): StepCost => ({ field, what, bytes, produced: bytes, calls, processes: 0, waitSeconds });
  const spawns = (c: StepCost, n: number): StepCost => ({ ...c, processes: n });
  const reads = (c: StepCost): StepCost => ({ ...c, produced: 0 });
  switch (step.op) {
    case 'write': case 'send':
      return cost('size', step.size);
    case 'child-write':
      return spawns(cost('size', step.size), 1);
    case 'child-read': case 'bind-unprivileged':
      return spawns(cost('op', 0, `a ${step.op}`), 1);
    case 'read': case 'recv':
      return reads(cost('size', step.size));
    case 'writev':
      return cost('sizes', sum(step.sizes), `${step.sizes.length} buffers of ${sum(step.sizes)} bytes in all`);
    case 'readv':
      return reads(cost('sizes', sum(step.sizes), `${step.sizes.length} buffers of ${sum(step.sizes)} bytes in all`));
    case 'concurrent-writes': {
      const bytes = step.writers * step.records * step.size;
      return cost('records', bytes, `${step.writers} writer${step.writers === 1 ? '' : 's'} × ${step.records} records of ${step.size} bytes`, step.writers * step.records);
    }
    case 'pipeline': {
      if (step.producer.kind === 'yes') {
        if (step.consumer.kind !== 'head-lines') return { ...cost('consumer', 0), unbounded: 'yes | cat never ends: a yes producer needs a head-lines consumer' };
        const bytes = step.consumer.lines * YES_LINE_BYTES;
        return spawns(cost('consumer', bytes, `yes | head -n ${step.consumer.lines} (${bytes} bytes)`, 1 + Math.ceil(bytes / PAGE)), 2);
      }
      const { size, chunk } = step.producer;
      return spawns(cost('producer', size, `a producer of ${size} bytes in blocks of ${chunk}`, 1 + Math.ceil(size / chunk)), 2);
    }
    case 'connect-fill':
      return cost('count', 0, `${step.count} connects`, step.count);
    case 'connect-wait':
      return cost('op', 0, 'a connect-wait', 1, CONNECT_WAIT_SECONDS);
    default:
      return cost('op', 0);
  }
}
