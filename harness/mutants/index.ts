// Every clause's mutant (docs/design.md, principle 6): exactly one per clause id in the catalogue.
import { DGRAM_MUTANTS } from './dgram.ts';
import { FIFO_MUTANTS } from './fifo.ts';
import type { Mutant } from './mutant.ts';
import { PIPE_BLOCKING_MUTANTS } from './pipe-blocking.ts';
import { PIPE_CAPACITY_MUTANTS } from './pipe-capacity.ts';
import { PIPE_DATA_MUTANTS } from './pipe-data.ts';
import { PIPE_ENDS_MUTANTS } from './pipe-ends.ts';
import { PIPELINE_MUTANTS } from './pipeline.ts';
import { STREAM_MUTANTS } from './stream.ts';
import { SEND_BUFFER_MUTANTS } from './send-buffer.ts';
import { SOCKET_ADDR_MUTANTS } from './socket-addr.ts';
import { LISTEN_MUTANTS } from './listen.ts';

export type { Mutant } from './mutant.ts';

export const MUTANTS: readonly Mutant[] = [
  ...PIPE_DATA_MUTANTS,
  ...PIPE_BLOCKING_MUTANTS,
  ...PIPE_CAPACITY_MUTANTS,
  ...PIPE_ENDS_MUTANTS,
  ...PIPELINE_MUTANTS,
  ...FIFO_MUTANTS,
  ...STREAM_MUTANTS,
  ...SOCKET_ADDR_MUTANTS,
  ...LISTEN_MUTANTS,
  ...DGRAM_MUTANTS,
  ...SEND_BUFFER_MUTANTS,
];
