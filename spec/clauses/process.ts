import { BOTH, type ClauseSpec } from '../clause.ts';

export const PIPELINE_CLAUSES = [
  {
    id: 'pipeline.order-and-eof', area: 'pipeline', profiles: BOTH,
    title: 'In prog1 | prog2, prog2 reads prog1\'s output in order and sees EOF when prog1 exits.',
    behaviour: 'With real processes joined by a pipe made before spawning (and the parent\'s copies closed), the consumer (cat) reproduces the producer\'s bytes exactly and both exit 0: the consumer saw EOF.',
    citation: { posix: 'XCU 2.9.2 Pipelines: "the standard output of command1 shall be connected to the standard input of command2"' },
  },
  {
    id: 'pipeline.reader-exit-kills-writer', area: 'pipeline', profiles: BOTH,
    title: 'When the consumer of a pipeline exits early, the producer dies of SIGPIPE.',
    behaviour: 'In `yes | head -n N`, head prints N lines and exits; yes, writing forever, is terminated by SIGPIPE (its disposition is the default).',
    citation: { posix: 'XSH write() [EPIPE] and SIGPIPE; XBD <signal.h> SIGPIPE default action' },
  },
] as const satisfies readonly ClauseSpec[];
