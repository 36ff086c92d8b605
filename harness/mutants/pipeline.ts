// Mutants of shell pipelines with real processes.
import { isOk, mutant, rewrite, type Hook } from './kit.ts';
import type { Mutant } from './mutant.ts';

/** The shell keeps its own copy of the pipe's write end: `cat` never sees EOF. */
const parentKeepsWriteEnd: Mutant = mutant(
  'pipeline.order-and-eof',
  'the spawner keeps its copy of the pipe\'s write end open, so the consumer of `producer | cat` never sees EOF and the pipeline hangs',
  (): Hook => async (c) => {
    const s = c.step;
    if (s.op !== 'pipeline' || s.producer.kind !== 'bytes') return c.pass();
    await c.pass();
    c.completed = c.completed.filter((k) => k.step !== c.index);
    return { kind: 'pending' };
  },
);

/** The spawner leaves SIGPIPE ignored in the producer, which then dies of its own EPIPE error instead. */
const producerIgnoresSigpipe: Mutant = mutant(
  'pipeline.reader-exit-kills-writer',
  'the producer is spawned with SIGPIPE ignored, so when the consumer exits early it gets EPIPE and exits 1 instead of dying of SIGPIPE',
  () => rewrite((out, step) => {
    if (step.op !== 'pipeline' || step.producer.kind !== 'yes' || !isOk(out) || out.detail?.producerExit?.signal !== 'SIGPIPE') return out;
    return { ...out, detail: { ...out.detail, producerExit: { code: 1, signal: null } } };
  }),
);

export const PIPELINE_MUTANTS: Mutant[] = [parentKeepsWriteEnd, producerIgnoresSigpipe];
