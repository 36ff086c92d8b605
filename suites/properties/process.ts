// Shell pipelines with real processes: `dd | cat` and `yes | head -n N`.
import fc from 'fast-check';
import type { Property } from '../property.ts';

export const PIPELINE_PROPERTIES: Property[] = [
  {
    name: 'prog1 | prog2 delivers in order and ends with EOF; an early exit of prog2 kills prog1 by SIGPIPE',
    area: 'pipeline',
    clauses: ['pipeline.order-and-eof', 'pipeline.reader-exit-kills-writer'],
    scenario: () =>
      fc.oneof(
        fc.record({ size: fc.integer({ min: 0, max: 300_000 }), chunk: fc.integer({ min: 1, max: 70_000 }) }).map(({ size, chunk }) => ({
          property: 'pipeline',
          steps: [{ actor: 'main', op: 'pipeline' as const, producer: { kind: 'bytes' as const, size, chunk: Math.max(1, Math.min(chunk, size || 1)) }, consumer: { kind: 'cat' as const } }],
        })),
        fc.integer({ min: 1, max: 50_000 }).map((lines) => ({
          property: 'pipeline',
          steps: [{ actor: 'main', op: 'pipeline' as const, producer: { kind: 'yes' as const }, consumer: { kind: 'head-lines' as const, lines } }],
        })),
      ),
    defaultRuns: 30,
  },
];
