// A CLI subcommand. Exit codes: 0 conforms / ok, 1 a violation (or a surviving mutant), 2 usage or
// infrastructure error (with a one-line message on stderr).
export interface Command {
  name: string;
  summary: string;
  /** Full usage text for `ipcspec NAME --help`. */
  usage: string;
  run(argv: string[]): Promise<number>;
}

export class UsageError extends Error {}

/** Minimal flag parser: --flag value, --flag=value, repeated flags collect, booleans listed in `bools`. */
export function parseFlags(argv: string[], known: string[], bools: string[] = []): { flags: Map<string, string[]>; positional: string[] } {
  const flags = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) { positional.push(a); continue; }
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2);
    if (!known.includes(name) && !bools.includes(name)) throw new UsageError(`unknown option --${name}`);
    let value: string;
    if (bools.includes(name)) value = inline ?? 'true';
    else if (inline !== undefined) value = inline;
    else {
      if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value`);
      value = argv[++i];
    }
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { flags, positional };
}

export function intFlag(flags: Map<string, string[]>, name: string, fallback: number, min = 0): number {
  const v = flags.get(name)?.at(-1);
  if (v === undefined) return fallback;
  if (!/^-?\d+$/.test(v) || Number(v) < min) throw new UsageError(`--${name} takes a whole number >= ${min}, got "${v}"`);
  return Number(v);
}
