// ipcspec bench: scenarios per second end to end, where the time goes, and the ratio to raw C.
import { formatBench } from '../../bench/report.ts';
import { PIPE_GOAL_RATIO, runBench, SOCKET_GOAL_RATIO } from '../../bench/run.ts';
import { BENCH_TARGETS, formatTargetsBench, runTargetsBench } from '../../bench/targets.ts';
import { TARGET_NAMES } from '../../engine/targets.ts';
import { hostProfileName, loadProfile } from '../../spec/profile.ts';
import { intFlag, LIMITS, parseFlags, UsageError, type Command } from '../command.ts';

const KNOWN = ['host', 'host-process', 'c', 'model', 'node', 'bun', 'deno'];

export const command: Command = {
  name: 'bench',
  summary: `measure ipcspec's cost per scenario on the host against the same syscalls in raw C (goal ≤ ${PIPE_GOAL_RATIO}× pipes, ≤ ${SOCKET_GOAL_RATIO}× sockets)`,
  usage: [
    'usage: ipcspec bench [--seconds N] [--only pipes|sockets|targets] [--targets T,T...] [--json]',
    '',
    'Runs suite properties on the host, each pinned to one variant with every call nonblocking:',
    '  pipes:   the pipe data property on a pipe2(O_NONBLOCK) pipe, then a FIFO opened O_NONBLOCK;',
    '  sockets: the stream-data property over AF_UNIX and over TCP on 127.0.0.1 (socket, bind,',
    '           listen, connect, accept; sockets O_NONBLOCK, recv MSG_DONTWAIT), and the dgram-data',
    '           property over AF_UNIX SOCK_DGRAM and UDP on 127.0.0.1 (a bound receiver, a connected',
    '           sender);',
    'and reports for each, all measured in this run:',
    '  - scenarios per second end to end (generate, execute, check) and syscalls per scenario;',
    '  - where the time goes: generation, execution, checking, the fast-check runner;',
    '  - model checks per second on the recorded traces;',
    '  - the same scenarios\' calls replayed by a C loop (bench/raw-loop.c and raw-socket.c, built',
    '    with cc -O2), and the ratio ipcspec / C against the goal: ' + `${PIPE_GOAL_RATIO}× for pipes, ${SOCKET_GOAL_RATIO}× for sockets.`,
    '    The C loop waits for loopback TCP/UDP effects on the host target\'s conditions, but only',
    '    where a C program needs to: before a later step receives (see bench/raw-socket.c).',
    'End to end and C run in turn, in rounds, and the ratio is the median of the rounds\': other',
    'processes change the load from second to second. The load average is printed with the figures.',
    'Without `cc` only the C part (and the ratio) is skipped. Figures are printed, never asserted.',
    '',
    'Then the targets group: the pipe, FIFO, AF_UNIX stream, TCP and UDP workloads on every target',
    `(default ${BENCH_TARGETS.join(', ')}): scenarios per second and µs per step on each, and the`,
    'overhead per step against the in-process host (for host-process: the driver protocol itself).',
    'A workload a target cannot express is shown unsupported.',
    '',
    `  --seconds N             time spent on each figure, 1..${LIMITS.seconds} (default 5)`,
    '  --only pipes|sockets|targets   run one group of workloads',
    `  --targets T,T...        the targets group's targets (default ${BENCH_TARGETS.join(',')})`,
    '  --json                  print the result as JSON instead of a table',
  ].join('\n'),
  async run(argv) {
    const { flags, positional } = parseFlags(argv, ['seconds', 'only', 'targets'], ['json']);
    if (positional.length) throw new UsageError(`unexpected argument "${positional[0]}"`);
    const seconds = intFlag(flags, 'seconds', 5, 1, LIMITS.seconds);
    const only = flags.get('only')?.at(-1);
    if (only !== undefined && only !== 'pipes' && only !== 'sockets' && only !== 'targets') throw new UsageError(`--only takes pipes, sockets or targets, not "${only}"`);
    const list = flags.get('targets')?.at(-1)?.split(',').map((t) => t.trim());
    if (list?.some((t) => !t)) throw new UsageError(`--targets ${flags.get('targets')!.at(-1)}: an empty target name`);
    if (list && (only === 'pipes' || only === 'sockets')) throw new UsageError(`--targets is for the targets group; --only ${only} does not run it`);
    // refused before any figure is measured (makeTarget would only say so after the host's figures)
    const bad = list?.find((t) => !KNOWN.includes(t) && !/^(mutant|exec|runtime|module):./.test(t));
    if (bad !== undefined) throw new UsageError(`--targets: unknown target "${bad}" (known: ${TARGET_NAMES.join(', ')})`);
    const names = list ?? [...BENCH_TARGETS];
    if (!names.includes('host')) names.unshift('host'); // the baseline the overhead is measured against
    const json = flags.has('json');
    const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);
    const host = only === 'targets' ? undefined : await runBench(seconds, log, only);
    const targets = only === 'pipes' || only === 'sockets' ? undefined : await runTargetsBench(Math.max(1, Math.round(seconds / 2)), loadProfile(hostProfileName()), names, log);
    if (json) console.log(JSON.stringify({ ...(host ? { host } : {}), ...(targets ? { targets } : {}) }, null, 2));
    else console.log([host && formatBench(host), targets && formatTargetsBench(targets)].filter(Boolean).join('\n\n'));
    return 0;
  },
};
