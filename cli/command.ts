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

/**
 * An infrastructure failure the command has already explained on stdout (the report, the results):
 * main prints `message` as the one line on stderr and exits 2.
 */
export class InfraError extends Error {}

/** Upper limits of the numeric flags: a larger value is a typo or a run that would never end. */
export const LIMITS = {
  /** Scenarios per property. */
  runs: 1_000_000,
  /** fast-check seeds are 32-bit: a larger seed would silently stand for a smaller one. */
  seed: 2 ** 32 - 1,
  /** diff --jobs. */
  jobs: 16,
  /** bench --seconds. */
  seconds: 3600,
} as const;

/**
 * Minimal flag parser: --flag value, --flag=value, repeated flags collect, booleans listed in `bools`.
 * A value is never empty (an empty --out or --only used to mean "here" or "everything"), and a
 * separate value never starts with "--" (`--out --runs 5` is a forgotten value, not a directory).
 */
export function parseFlags(argv: string[], known: string[], bools: string[] = []): { flags: Map<string, string[]>; positional: string[] } {
  const flags = new Map<string, string[]>();
  const positional: string[] = [];
  let onlyPositional = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (onlyPositional || !a.startsWith('-') || a === '-') { positional.push(a); continue; }
    if (a === '--') { onlyPositional = true; continue; }
    if (!a.startsWith('--')) throw new UsageError(`unknown option ${a}${known.length + bools.length ? ` (options: ${[...known, ...bools].map((k) => `--${k}`).join(', ')})` : ' (this command takes no short options)'}`);
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2);
    if (!known.includes(name) && !bools.includes(name)) {
      const all = [...known, ...bools];
      throw new UsageError(`unknown option --${name}${all.length ? ` (known: ${all.map((k) => `--${k}`).join(', ')})` : ' (this command takes no options)'}`);
    }
    let value: string;
    if (bools.includes(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value (got "--${name}=${inline}")`);
      value = 'true';
    } else if (inline !== undefined) value = inline;
    else {
      if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value`);
      value = argv[++i];
      if (value.startsWith('--')) throw new UsageError(`--${name} needs a value (got the option ${value})`);
    }
    if (!bools.includes(name) && value.trim() === '') throw new UsageError(`--${name} needs a non-empty value`);
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { flags, positional };
}

/** A whole-number flag in [min, max]; exact (a number past 2^53 is refused, never rounded). */
export function intFlag(flags: Map<string, string[]>, name: string, fallback: number, min = 0, max: number = Number.MAX_SAFE_INTEGER): number {
  const v = flags.get(name)?.at(-1);
  if (v === undefined) return fallback;
  if (!/^-?\d+$/.test(v)) throw new UsageError(`--${name} takes a whole number from ${min} to ${max}, got "${v}"`);
  const n = BigInt(v);
  if (n < BigInt(min) || n > BigInt(max)) throw new UsageError(`--${name} takes a whole number from ${min} to ${max}, got ${v}`);
  return Number(n);
}
