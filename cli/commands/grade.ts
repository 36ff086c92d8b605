import { dirname } from 'node:path';
import { makeDirs, writeFileAtomic } from '../../reports/atomic-files.ts';
import { prepareOutFile } from '../out-path.ts';
import type { Grade } from '../../spec/grade.ts';
import { gradeJson } from '../../reports/grade-json.ts';
import { gradeJunit } from '../../reports/grade-junit.ts';
import { gradescopeResults } from '../../reports/grade-gradescope.ts';
import { gradeText } from '../../reports/grade-text.ts';
import { clauseGrade } from '../../engine/grade/grade-clause.ts';
import { loadRubric, RubricError } from '../../engine/grade/rubric.ts';
import { BadSubmission, parseSubmission } from '../../engine/grade/submission.ts';
import { onInterrupt, wasInterrupted } from '../../harness/scope.ts';
import { matchClauses } from '../../spec/catalogue.ts';
import { parseFlags, UsageError, type Command } from '../command.ts';
import { packageVersion } from '../run-plan.ts';

const FORMATS = ['gradescope', 'junit', 'json', 'text'] as const;
type Format = (typeof FORMATS)[number];

const usage = `usage: ipcspec grade --submission exec:CMD|module:PATH --rubric RUBRIC.yaml [--format ${FORMATS.join('|')}] [--out FILE] [--only GLOB[,GLOB]]

Grades a submission per specification clause: each clause in the rubric scores its points when every
scenario that reached it (under the rubric's fixed seed and its hidden seeds) conformed, and 0
otherwise, with the shrunk counterexample, what was observed, what the specification allows, and a
command that replays it locally. The same submission and rubric always get the same grade.

  --submission S  exec:CMD     a program that speaks the driver protocol (spec/driver-protocol.md);
                               words of CMD naming existing files (./driver, driver.py) are taken
                               from this directory: the submission itself runs in a fresh temp dir
                  module:PATH  a JS or TS module whose default export is a Target or a function
                               returning one (spec/target.ts; examples/course/starter)
  --rubric FILE   YAML: clause globs and points, profile (default posix), runs, seeds, limits,
                  visibility (examples/course/rubric.yaml; errors name the line)
  --format F      gradescope (Gradescope's results.json) | junit | text (the default) | json (the
                  whole record: the only one that names hidden seeds, for staff)
  --out FILE      write the result there (default: standard output); its directory is made if
                  missing and checked writable first, and the file is written whole (temp, rename)
  --only GLOBS    grade only the rubric's clauses that match (ids or areas, * wildcards): a partial
                  grade, marked PARTIAL, for trying a fix on one clause

Submissions are untrusted: each clause runs a fresh child process in a fresh temp dir, never in
ipcspec's own process; as root it runs as uid 65534 in its own network namespace (loopback only) and
PID namespace; Landlock (where the kernel has it) confines its writes to its temp dir; CPU, memory,
process and file-size limits and a deadline per reply and per clause apply (the rubric's limits).
A submission that cannot start, or a run that is interrupted (Ctrl-C), still gets its result file,
with a top-level message and a score of 0.

exit: 0 graded (whatever the score, also 0 for a submission that cannot start), 2 usage error (bad
rubric or flags) or the grader's own failure (its sandbox cannot be set up here; a result file with
the message is still written), 130 interrupted (the result file is written)`;

function render(g: Grade, format: Format, hiddenFeedback: 'counterexample' | 'clause-only'): string {
  // The real time of the whole job (bundling and the sandbox's set-up included), on every path.
  g.executionTimeS = Math.max(g.executionTimeS, Math.round(performance.now() / 100) / 10);
  switch (format) {
    case 'gradescope': return `${JSON.stringify(gradescopeResults(g, { hiddenFeedback }), null, 2)}\n`;
    case 'junit': return gradeJunit(g, { hiddenFeedback });
    case 'json': return gradeJson(g);
    case 'text': return `${gradeText(g)}\n`;
  }
}

/**
 * What the submission printed (hidden seeds redacted), on the grader's stdout when the result goes to
 * a file: Gradescope shows that stdout under results.json's stdout_visibility, the rubric's.
 */
function printSubmissionOutput(g: Grade): void {
  const parts = [...(g.output ? [['starting', g.output]] : []), ...g.tests.filter((t) => t.output).map((t) => [t.clause, t.output!])];
  for (const [what, text] of parts) process.stdout.write(`--- what the submission printed (stderr), ${what}:\n${text}\n`);
}

/** Written beside, then renamed: a reader (Gradescope) never sees half a file. */
function emit(text: string, out: string | undefined): void {
  if (!out) { process.stdout.write(text); return; }
  makeDirs(dirname(out));
  writeFileAtomic(out, text);
}

/** A grade with no clauses graded: the configuration was refused. */
function refused(submission: string, rubric: string, message: string, version: string): Grade {
  return {
    schemaVersion: 1, kind: 'ipcspec-grade', version, submission, rubric, profile: 'posix', runs: 0, fixedSeed: 0, hiddenSeeds: 0,
    sandbox: 'not started', score: 0, maxScore: 0, executionTimeS: 0, message, interrupted: false, visibility: 'visible', tests: [],
  };
}

export const command: Command = {
  name: 'grade',
  summary: 'grade a submission (exec:CMD or module:PATH) per clause against a rubric; Gradescope output',
  usage,
  async run(argv) {
    const { flags, positional } = parseFlags(argv, ['submission', 'rubric', 'format', 'out', 'only']);
    if (positional.length) throw new UsageError(`unexpected argument "${positional[0]}"`);
    const format = (flags.get('format')?.at(-1) ?? 'text') as Format;
    if (!FORMATS.includes(format)) throw new UsageError(`--format ${format}: say ${FORMATS.join(', ')}`);
    const outFlag = flags.get('out')?.at(-1);
    // checked before anything runs: a result file that cannot be written is refused now
    const out = outFlag ? prepareOutFile('out', outFlag) : undefined;
    const version = await packageVersion();
    const subSpec = flags.get('submission')?.at(-1);
    const rubricFile = flags.get('rubric')?.at(-1);
    // A refused configuration still leaves a result file (a grader such as Gradescope expects one).
    const refuse = (why: string): never => {
      if (out) emit(render(refused(subSpec ?? '', rubricFile ?? '', `The autograder is misconfigured: ${why}`, version), format, 'clause-only'), out);
      throw new UsageError(why);
    };
    if (!subSpec) refuse('--submission is required (exec:CMD or module:PATH)');
    if (!rubricFile) refuse('--rubric is required');
    let submission;
    try { submission = parseSubmission(subSpec!); } catch (e) { if (e instanceof BadSubmission) refuse(e.message); throw e; }
    let rubric;
    try { rubric = loadRubric(rubricFile!); } catch (e) { if (e instanceof RubricError) refuse(e.message); throw e; }

    const only = flags.get('only')?.at(-1);
    let of: number | undefined;
    if (only !== undefined) {
      const m = matchClauses(only);
      if (m.unmatched.length) refuse(`--only: no clause or area matches ${m.unmatched.map((x) => `"${x}"`).join(', ')}`);
      const ids = new Set(m.clauses.map((c) => c.id));
      of = rubric!.clauses.length;
      rubric!.clauses = rubric!.clauses.filter((c) => ids.has(c.clause));
      if (!rubric!.clauses.length) refuse(`--only ${only}: none of the rubric's clauses match`);
    }
    // The engine (and all it loads) only once the rubric and flags are known good: a refusal stays quick.
    const { grade, interruptedMessage } = await import('../../engine/grade/engine.ts');
    const mark = (g: Grade): Grade => (only !== undefined ? Object.assign(g, { only: { globs: only, of: of! } }) : g);

    let partial: Grade | undefined;
    // Ctrl-C: the grade so far, every other clause not run, a message and a score of 0.
    const off = onInterrupt(() => {
      const g = partial ?? refused(subSpec!, rubricFile!, '', version);
      const done = new Set(g.tests.map((t) => t.clause));
      const rest = rubric!.clauses.filter((c) => !done.has(c.clause));
      g.interrupted = true;
      g.message = interruptedMessage(g.tests.length, rubric!.clauses.length);
      g.tests.push(...rest.map((c) => clauseGrade(c, 'not-run', 0, 'grading was interrupted before this clause')));
      g.score = 0;
      emit(render(g, format, rubric!.hiddenFeedback), out);
      if (out) console.error(`ipcspec grade: interrupted; result written to ${out}`);
    }, 'save'); // written before the sandbox's cleanups run: a slow cleanup cannot lose it
    let g: Grade;
    try {
      g = await grade({
        rubric: rubric!, submission: submission!, version, interrupted: wasInterrupted,
        onClause: (i, n, clause, done) => { if (done) console.error(`[${i + 1}/${n}] ${clause}: ${done.outcome.toUpperCase()} ${done.score}/${done.maxScore}${done.outcome === 'pass' ? '' : ` — ${done.reason.split('\n')[0].slice(0, 200)}`}`); },
        onPartial: (p) => { partial = mark(structuredClone(p)); },
      });
    } catch (e) {
      // Whatever went wrong in the grader, the result file still says so (and what was graded before it).
      g = partial ?? refused(subSpec!, rubricFile!, '', version);
      g.message = `The autograder failed (not the submission's fault): ${(e as Error).message}. Please tell the course staff.`;
      g.graderError = true;
      g.score = 0;
      emit(render(g, format, rubric!.hiddenFeedback), out);
      off();
      throw e;
    }
    try {
      if (wasInterrupted()) return new Promise<number>(() => {}); // the handler writes and exits
      mark(g);
      emit(render(g, format, rubric!.hiddenFeedback), out);
      if (out) printSubmissionOutput(g);
      console.error(`ipcspec grade: ${g.message ? `${g.message} ` : ''}score ${g.score} / ${g.maxScore}${out ? `; written to ${out}` : ''}`);
      return g.graderError ? 2 : 0;
    } finally {
      off();
    }
  },
};
