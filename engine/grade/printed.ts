// What a submission prints (its stderr) is its own text, not the grader's: it reaches the feedback
// only under the rubric's stdout_visibility, and never with a hidden seed's value in it. The lines of
// the sandbox launcher (`ipcspec-sandbox: cannot execute ...`) are the grader's and shown: only as the
// one short line the launcher dies with, since a submission can print that prefix too.
import type { Visibility } from '../../spec/grade.ts';

const MAX_CHARS = 4_000;
/** The launcher's last words: `ipcspec-sandbox: WHAT: STRERROR`, alone in the tail (it dies before the submission runs). */
const LAUNCHER_LINE = /^ipcspec-sandbox: [^\n]{1,300}$/;

/**
 * `text` with every hidden seed's digits replaced, wherever they stand (inside a longer number too:
 * stripping a digit would give the seed back). The longest first, so that one seed inside another goes too.
 */
export function redactSeeds(text: string, seeds: readonly number[]): string {
  if (!seeds.length) return text;
  const digits = [...new Set(seeds.map(String))].sort((a, b) => b.length - a.length);
  return text.replace(new RegExp(digits.join('|'), 'g'), '[hidden seed]');
}

/** One clause's (or one start's) collector: the ExecTarget `stderr` option, then take(). */
export class Printed {
  private tails: string[] = [];

  constructor(private readonly visibility: Visibility, private readonly hiddenSeeds: readonly number[]) {}

  /** What a message about the submission carries of its stderr tail. */
  readonly shown = (tail: string): string => {
    if (!tail) return '';
    const clean = redactSeeds(tail, this.hiddenSeeds);
    if (!this.tails.includes(clean)) this.tails.push(clean);
    if (this.visibility === 'visible') return clean;
    const launcher = LAUNCHER_LINE.test(clean.trim()) ? [clean.trim()] : [];
    const withheld = `(what the submission printed is withheld from the feedback: the rubric's stdout_visibility is ${this.visibility})`;
    return [...launcher, withheld].join('; ');
  };

  /** Everything collected since the last take (distinct tails, bounded), or undefined. */
  take(): string | undefined {
    const text = this.tails.join('\n---\n');
    this.tails = [];
    if (!text) return undefined;
    return text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS)} ... (${text.length - MAX_CHARS} characters cut)` : text;
  }
}
