// ipcspec: the command line. Subcommands live in ./commands/, one module each exporting `command`.
import { readdirSync } from 'node:fs';
import type { Command } from './command.ts';
import { UsageError } from './command.ts';
import { sweepStaleTempDirs } from '../temp-dirs.ts';

async function loadCommands(): Promise<Command[]> {
  const dir = new URL('./commands/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts')).sort();
  const mods = await Promise.all(files.map((f) => import(new URL(f, dir).href) as Promise<{ command?: Command }>));
  return mods.map((m) => m.command).filter((c): c is Command => !!c);
}

function help(commands: Command[]): string {
  const w = Math.max(...commands.map((c) => c.name.length));
  return [
    'ipcspec: property-based conformance suite for Unix IPC (pipes, FIFOs, stream and datagram sockets, listen backlogs)',
    '',
    'usage: ipcspec <command> [options]     (ipcspec <command> --help for its options)',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    'exit codes: 0 all conform, 1 a violation (or a surviving mutant), 2 usage or infrastructure error',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  // What runs killed before their cleanup (kill -9) left in the temp dir; live runs' dirs stay.
  sweepStaleTempDirs();
  const commands = await loadCommands();
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help(commands));
    return name ? 0 : 2;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    console.error(`ipcspec: unknown command "${name}" (known: ${commands.map((c) => c.name).join(', ')})`);
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
      console.error(`ipcspec ${name}: ${e.message.replace(/\s*\n\s*/g, " ")} (see ipcspec ${name} --help)`);
      return 2;
    }
    console.error(`ipcspec ${name}: ${(e as Error).message}`);
    return 2;
  }
}
