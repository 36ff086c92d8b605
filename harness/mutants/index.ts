// Every clause's mutant (docs/design.md, principle 6): exactly one per clause id in the catalogue. The
// compiler checks that none is missing; loading this module fails if a clause has two.
import type { ClauseId } from '../../spec/catalogue.ts';
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

const ALL = [
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
] as const;

/** Clause ids no mutant breaks: must be none, or `everyClauseHasAMutant` below does not compile and names them. */
type WithoutMutant = Exclude<ClauseId, (typeof ALL)[number]['clause']>;
const everyClauseHasAMutant: [WithoutMutant] extends [never] ? true : { clausesWithoutAMutant: WithoutMutant } = true;
void everyClauseHasAMutant;

/** In the order the mutants command runs them (by area). */
export const MUTANTS: readonly Mutant[] = ALL;

function byClause(ms: readonly Mutant[]): Readonly<Record<ClauseId, Mutant>> {
  const out = new Map<ClauseId, Mutant>();
  for (const m of ms) {
    if (out.has(m.clause)) throw new Error(`two mutants break ${m.clause}: one per clause`);
    out.set(m.clause, m);
  }
  return Object.fromEntries(out) as Record<ClauseId, Mutant>;
}

/** The mutant table, keyed by clause id. */
export const MUTANT_OF = byClause(MUTANTS);
