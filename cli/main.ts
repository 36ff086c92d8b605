// ipcspec: the command line. Subcommands live in ./commands/, one module each exporting `command`.
// The exit code contract: 0 ok, 1 a violation (or a surviving mutant), 2 usage or infrastructure
// error with exactly one line on stderr saying what went wrong (details, if any, on stdout).
import { existsSync, readdirSync } from 'node:fs';
import { OutputError } from '../reports/atomic-files.ts';
import { installSignalHandlers } from '../harness/scope.ts';
import { guardClosedOutput, stdoutFailure } from './closed-output.ts';
import type { Command } from './command.ts';
import { InfraError, LIMITS, UsageError } from './command.ts';
import { packageVersion } from './run-plan.ts';
import { sweepStaleTempDirs } from '../harness/temp-dirs.ts';

async function loadCommands(): Promise<Command[]> {
  const dir = new URL('./commands/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts')).sort();
  const mods = await Promise.all(files.map((f) => import(new URL(f, dir).href) as Promise<{ command?: Command }>));
  return mods.map((m) => m.command).filter((c): c is Command => !!c);
}

/** Only the named command's module (commands/NAME.ts): loading all of them costs most of a second. */
async function loadCommand(name: string): Promise<Command | undefined> {
  if (!/^[a-z][a-z-]*$/.test(name)) return undefined;
  const url = new URL(`./commands/${name}.ts`, import.meta.url);
  if (!existsSync(url)) return undefined;
  const cmd = ((await import(url.href)) as { command?: Command }).command;
  return cmd?.name === name ? cmd : undefined;
}

function help(commands: Command[]): string {
  const w = Math.max(...commands.map((c) => c.name.length));
  return [
    'ipcspec: property-based conformance suite for Unix IPC (pipes, FIFOs, stream and datagram sockets, listen backlogs)',
    '',
    'usage: ipcspec <command> [options]     (ipcspec <command> --help for its options; ipcspec --version)',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    'exit codes: 0 all conform, 1 a violation (or a surviving mutant), 2 usage or infrastructure error',
    '(one line on stderr says which), 3 (run, diff) inconclusive: nothing failed, but a clause was reached by no',
    'scenario in the runs given, 130 / 143 interrupted by SIGINT / SIGTERM (the partial report is written)',
    `limits: --runs 1..${LIMITS.runs}, --seed 0..${LIMITS.seed}, diff --jobs 1..${LIMITS.jobs}, bench --seconds 1..${LIMITS.seconds};`,
    'no option takes an empty value; --out must be a writable place (it is checked before anything runs)',
  ].join('\n');
}

/** One line, whatever the message: the contract is one line on stderr. */
const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, ' ').trim();

export async function main(argv: string[]): Promise<number> {
  const code = await mainUnchecked(argv);
  // stdout that could not be written (a full disk, /dev/full): the output is lost, so say it
  const lost = stdoutFailure() ?? (await flushStdout());
  if (lost) {
    process.stderr.write(`ipcspec: cannot write to standard output: ${lost}\n`);
    return 2;
  }
  return code;
}

/** Resolves once stdout has taken everything written, with the error code if writing failed. */
function flushStdout(): Promise<string | undefined> {
  return new Promise((resolve) => {
    // (a write's error event comes a tick after its callback)
    process.stdout.write('', () => setImmediate(() => resolve(stdoutFailure())));
  });
}

let fatalInstalled = false;

async function mainUnchecked(argv: string[]): Promise<number> {
  guardClosedOutput();
  installSignalHandlers();
  // What runs killed before their cleanup (kill -9) left in the temp dir; live runs' dirs stay.
  sweepStaleTempDirs();
  // Whatever escapes a command (a rejected promise in a driver, a bug) is still one line and exit 2.
  const fatal = (e: unknown) => {
    process.stderr.write(`ipcspec: internal error: ${oneLine((e as Error)?.message ?? String(e))}${process.env.IPCSPEC_DEBUG ? `\n${(e as Error)?.stack}` : ' (IPCSPEC_DEBUG=1 shows the stack)'}\n`);
    process.exit(2);
  };
  if (!fatalInstalled) {
    fatalInstalled = true;
    process.on('uncaughtException', fatal);
    process.on('unhandledRejection', fatal);
  }
  if (argv[0] === '--version' || argv[0] === '-V') {
    if (argv.length > 1) { console.error(`ipcspec: --version takes no arguments (got "${argv[1]}")`); return 2; }
    console.log(`ipcspec ${await packageVersion()}`);
    return 0;
  }
  const [name, ...rest] = argv;
  const cmd = name ? await loadCommand(name) : undefined;
  if (!cmd) {
    const commands = await loadCommands();
    if (name === '--help' || name === '-h' || name === 'help') {
      console.log(help(commands));
      return 0;
    }
    if (!name) {
      console.error(`ipcspec: no command given (known: ${commands.map((c) => c.name).join(', ')}; see ipcspec --help)`);
      return 2;
    }
    console.error(`ipcspec: unknown command "${oneLine(name)}" (known: ${commands.map((c) => c.name).join(', ')})`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(cmd.usage);
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`ipcspec ${name}: ${oneLine(e.message)} (see ipcspec ${name} --help)`);
      return 2;
    }
    if (e instanceof InfraError || e instanceof OutputError) {
      console.error(`ipcspec ${name}: ${oneLine(e.message)}`);
      return 2;
    }
    console.error(`ipcspec ${name}: ${oneLine((e as Error)?.message ?? String(e))}`);
    return 2;
  }
}
