// `ipcspec grade`: every rubric clause graded on a fresh, sandboxed instance of the submission.
// The grade always comes back: a submission that cannot start, or a run that is interrupted, gives a
// grade with a top-level message and a score of 0, never an exception that loses what was gathered.
import type { ClauseGrade, Grade, Rubric } from '../../spec/grade.ts';
import { loadProfile } from '../../spec/profile.ts';
import type { Scenario } from '../../spec/scenario.ts';
import { shellWord } from '../../harness/wrap.ts';
import { clauseGrade, gradeClause } from './grade-clause.ts';
import { Printed } from './printed.ts';
import { localTarget, prepare, SandboxUnavailable, startSubmission, type Prepared, type Submission } from './submission.ts';

export interface GradeOptions {
  rubric: Rubric;
  submission: Submission;
  version: string;
  interrupted: () => boolean;
  /** Called as each clause starts and ends (progress on stderr). */
  onClause?: (i: number, total: number, clause: string, done?: ClauseGrade) => void;
  /** The grade so far, after each clause: the CLI keeps it so that Ctrl-C can still write results. */
  onPartial?: (g: Grade) => void;
}

/** A command a student can paste: write the scenario to a file, then replay it on their own submission. */
export function replayCommand(clause: string, scenario: Scenario, submission: Submission, profile: string): string {
  const file = `${clause}.json`;
  return [
    `cat > ${file} <<'EOF'`,
    JSON.stringify({ property: scenario.property, steps: scenario.steps }),
    'EOF',
    `npx ipcspec replay ${file} --target ${shellWord(localTarget(submission))} --profile ${profile}`,
  ].join('\n');
}

/** The top-level message of an interrupted grade (the engine's own, and the CLI's Ctrl-C handler's). */
export const interruptedMessage = (graded: number, total: number): string =>
  `Grading was interrupted after ${graded} of ${total} clauses (${total - graded} not run); no score is given for an interrupted run. Grade the submission again.`;

export async function grade(o: GradeOptions): Promise<Grade> {
  const t0 = performance.now();
  const { rubric } = o;
  const profile = loadProfile(rubric.profile);
  const g: Grade = {
    schemaVersion: 1, kind: 'ipcspec-grade', version: o.version, assignment: rubric.assignment,
    submission: o.submission.spec, rubric: rubric.file, profile: rubric.profile, runs: rubric.runs,
    fixedSeed: rubric.fixedSeed, hiddenSeeds: rubric.hiddenSeeds.length, sandbox: '',
    score: 0, maxScore: rubric.clauses.reduce((s, c) => s + c.points, 0), executionTimeS: 0,
    interrupted: false, visibility: rubric.visibility, stdoutVisibility: rubric.stdoutVisibility, tests: [],
  };
  const printed = new Printed(rubric.stdoutVisibility, rubric.hiddenSeeds);
  const finish = (message?: string): Grade => {
    g.executionTimeS = Math.round((performance.now() - t0) / 100) / 10;
    g.interrupted = o.interrupted();
    if (g.interrupted) message ??= interruptedMessage(g.tests.filter((t) => t.outcome !== 'not-run').length, rubric.clauses.length);
    g.message = message;
    g.score = message ? 0 : g.tests.reduce((s, t) => s + t.score, 0);
    return g;
  };
  const notRun = (why: string) => {
    for (const e of rubric.clauses.slice(g.tests.length)) g.tests.push(clauseGrade(e, 'not-run', 0, why));
  };
  let prepared: Prepared;
  try {
    prepared = prepare(o.submission, rubric);
  } catch (e) {
    if (e instanceof SandboxUnavailable) {
      notRun('the autograder could not run it');
      g.graderError = true;
      return finish(`${e.message}. Please tell the course staff.`);
    }
    notRun('the submission could not start');
    return finish(`The submission could not start: ${(e as Error).message}`);
  }
  g.sandbox = prepared.sandbox;
  try {
    // One start up front: a submission that cannot start is one clear message, not an error per clause.
    const first = await startSubmission(prepared, rubric, printed.shown);
    const startError = first.target.startError;
    await first.release();
    const startOutput = printed.take();
    if (startError) {
      if (startOutput) g.output = startOutput;
      notRun('the submission could not start');
      return finish(`The submission could not start: ${startError}`);
    }
    const run = {
      start: () => startSubmission(prepared, rubric, printed.shown),
      replay: (clause: string, sc: Scenario) => replayCommand(clause, sc, o.submission, rubric.profile),
      interrupted: o.interrupted,
    };
    for (const [i, entry] of rubric.clauses.entries()) {
      if (o.interrupted()) break;
      o.onClause?.(i, rubric.clauses.length, entry.clause);
      let cg: ClauseGrade;
      try {
        cg = await gradeClause(entry, rubric, profile, run);
      } catch (e) {
        // the grader's own failure on this clause (its sandbox dir, a probe): the clause costs, the rest go on
        cg = clauseGrade(entry, 'error', 0, `the grader could not run this clause (not the submission's fault): ${(e as Error).message}`);
      }
      const output = printed.take();
      if (output) cg.output = output;
      g.tests.push(cg);
      o.onClause?.(i, rubric.clauses.length, entry.clause, cg);
      o.onPartial?.(finish());
    }
    notRun('grading was interrupted before this clause');
    return finish();
  } finally {
    prepared.release();
  }
}
