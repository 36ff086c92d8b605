// ipcspec bench: scenarios per second end to end, where the time goes, and the ratio to raw C.
import { formatBench } from '../../../bench/report.ts';
import { GOAL_RATIO, runBench } from '../../../bench/run.ts';
import { intFlag, parseFlags, UsageError, type Command } from '../command.ts';

export const command: Command = {
  name: 'bench',
  summary: `measure ipcspec's cost per scenario on the host against the same syscalls in raw C (goal ≤ ${GOAL_RATIO}×)`,
  usage: [
    'usage: ipcspec bench [--seconds N] [--json]',
    '',
    'Runs the pipe data property (variant pinned to a nonblocking pipe, then a nonblocking FIFO) on',
    'the host and reports, all measured in this run:',
    '  - scenarios per second end to end (generate, execute, check) and syscalls per scenario;',
    '  - where the time goes: generation, execution, checking, the fast-check runner;',
    '  - model checks per second on the recorded traces;',
    '  - the same scenarios\' syscalls replayed by a C loop (bench/raw-loop.c, built with cc -O2),',
    `    and the ratio ipcspec / C against the goal of ${GOAL_RATIO}×.`,
    'Without `cc` only the C part is skipped.',
    '',
    '  --seconds N   time spent on each figure (default 5)',
    '  --json        print the result as JSON instead of a table',
  ].join('\n'),
  async run(argv) {
    const { flags, positional } = parseFlags(argv, ['seconds'], ['json']);
    if (positional.length) throw new UsageError(`unexpected argument "${positional[0]}"`);
    const seconds = intFlag(flags, 'seconds', 5, 1);
    const json = flags.has('json');
    const result = await runBench(seconds, (msg) => process.stderr.write(`bench: ${msg}\n`));
    console.log(json ? JSON.stringify(result, null, 2) : formatBench(result));
    return 0;
  },
};
