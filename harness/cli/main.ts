// ipcspec: the command line. Subcommands live in ./commands/, one module each exporting `command`.
import { existsSync, readdirSync } from 'node:fs';
import type { Command } from './command.ts';
import { UsageError } from './command.ts';

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
    'usage: ipcspec <command> [options]     (ipcspec <command> --help for its options)',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    'exit codes: 0 all conform, 1 a violation (or a surviving mutant), 2 usage or infrastructure error',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const cmd = name ? await loadCommand(name) : undefined;
  if (!cmd) {
    const commands = await loadCommands();
    if (!name || name === '--help' || name === '-h' || name === 'help') {
      console.log(help(commands));
      return name ? 0 : 2;
    }
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
