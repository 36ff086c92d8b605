// The `ipcspec replay` command line that re-runs a counterexample on the target a report names. Built
// from data (the file's path, the target's name, the profile), never copied from a file's text, so a
// report read from elsewhere cannot hand the user a command of its choosing.
import type { ProfileName } from './clause.ts';

const WRAPPED = /^(.*) \(wrapped: (.*)\)$/s;

/** A report name taken apart again: the --target and --wrap that made it (`NAME (wrapped: PREFIX)`). */
export function unwrapName(name: string): { target: string; wrap?: string } {
  const m = WRAPPED.exec(name);
  return m ? { target: m[1], wrap: m[2] } : { target: name };
}

/** A word the shell reads back unchanged; control characters are written as $'\n' escapes, so it stays one line. */
export function shellWord(w: string): string {
  if (/^[\w@%+=:,./-]+$/.test(w)) return w;
  // eslint-disable-next-line no-control-regex
  if (!/[\x00-\x1f\x7f]/.test(w)) return `'${w.replace(/'/g, `'\\''`)}'`;
  // eslint-disable-next-line no-control-regex
  return `$'${w.replace(/[\\']/g, '\\$&').replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}'`;
}

/** A target's name as --target takes it ("host+mutant:X" was made from "mutant:X"). */
export const cliName = (target: string): string => (target.includes('+mutant:') ? target.slice(target.indexOf('mutant:')) : target);

/** The --target (and --wrap) flags that make the target a report calls `name`. */
export function targetFlags(name: string): string {
  const { target, wrap } = unwrapName(name);
  return `--target ${shellWord(cliName(target))}${wrap !== undefined ? ` --wrap ${shellWord(wrap)}` : ''}`;
}

export const replayCommand = (file: string, target: string, profile: ProfileName): string =>
  `npx ipcspec replay ${shellWord(file)} ${targetFlags(target)} --profile ${profile}`;
