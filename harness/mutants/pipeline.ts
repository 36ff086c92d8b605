// Mutants of shell pipelines with real processes.
import { isOk, mutant, rewrite, type Hook } from './kit.ts';

/** The shell keeps its own copy of the pipe's write end: `cat` never sees EOF. */
const parentKeepsWriteEnd = mutant(
  'pipeline.order-and-eof',
  'the spawner keeps its copy of the pipe\'s write end open, so the consumer of `producer | cat` never sees EOF and the pipeline hangs',
  (): Hook => {
    const hung = new Set<number>(); // pipelines that never finish, whichever settle reports their end
    return async (c) => {
      const s = c.step;
      if (s.op === 'pipeline' && s.producer.kind === 'bytes') hung.add(c.index);
      const out = await c.pass();
      c.completed = c.completed.filter((k) => !hung.has(k.step));
      return hung.has(c.index) ? { kind: 'pending' } : out;
    };
  },
  { needsSettledTarget: 'the fault is a pipeline that never ends: only a proof that it is asleep tells it from one not finished yet' },
);

/** The spawner leaves SIGPIPE ignored in the producer, which then dies of its own EPIPE error instead. */
const producerIgnoresSigpipe = mutant(
  'pipeline.reader-exit-kills-writer',
  'the producer is spawned with SIGPIPE ignored, so when the consumer exits early it gets EPIPE and exits 1 instead of dying of SIGPIPE',
  () => rewrite((out, step) => {
    if (step.op !== 'pipeline' || step.producer.kind !== 'yes' || !isOk(out) || out.detail?.producerExit?.signal !== 'SIGPIPE') return out;
    return { ...out, detail: { ...out.detail, producerExit: { code: 1, signal: null } } };
  }),
);

export const PIPELINE_MUTANTS = [parentKeepsWriteEnd, producerIgnoresSigpipe] as const;
