// reference-model/rules/index.ts on hand-written traces: the one clause the dispatch itself names, a
// pipeline left blocked at a quiescent point (both processes asleep) is stuck.
import { describe, expect, it } from 'vitest';
import { producerBytes } from '../../spec/payload.ts';
import type { Step } from '../../spec/scenario.ts';
import { both, main, ok, PENDING, TraceBuilder, verdicts } from '../support/trace.ts';

const pipeline = main({ op: 'pipeline', producer: { kind: 'bytes', size: 20, chunk: 7 }, consumer: { kind: 'cat' } });
const done = ok(0, { detail: { output: producerBytes(0, pipeline as Extract<Step, { op: 'pipeline' }>), producerExit: { code: 0, signal: null }, consumerExit: { code: 0, signal: null } } });

describe('pipeline.order-and-eof (a stuck pipeline)', () => {
  it('passes a pipeline reported running that then finishes', () => {
    expect(verdicts(new TraceBuilder({ settled: false }).call(pipeline, PENDING).complete([0, done]).build())).toEqual(both('pass'));
  });
  it('fails a pipeline still blocked when the target proves everything asleep', () => {
    expect(verdicts(new TraceBuilder().call(pipeline, PENDING).build())).toEqual(both('pipeline.order-and-eof'));
  });
});
