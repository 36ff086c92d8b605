// Gradescope's results.json (https://gradescope-autograders.readthedocs.io/en/latest/specs/): the
// top-level score, execution_time, output, visibility and stdout_visibility, and one test per
// graded clause. Hidden seed values are never printed: only how many there were.
import type { ClauseGrade, Grade, Visibility } from '../spec/grade.ts';
import { testOutput, type FeedbackOptions } from './grade-feedback.ts';

export interface GradescopeTest {
  name: string;
  number: string;
  score: number;
  max_score: number;
  status: 'passed' | 'failed';
  output: string;
  output_format: 'text';
  tags: string[];
  visibility: Visibility;
  extra_data: { clause: string; outcome: ClauseGrade['outcome']; runs: number; rubric_line: number };
}

export interface GradescopeResults {
  score: number;
  execution_time: number;
  output: string;
  visibility: Visibility;
  stdout_visibility: Visibility;
  tests: GradescopeTest[];
}

export type GradescopeOptions = Omit<FeedbackOptions, 'profile' | 'fixedSeed'>;

/** Points as Gradescope shows them: no float noise from adding decimals. */
const pts = (n: number) => Math.round(n * 1000) / 1000;

/** The points a grade awards: the sum over clauses, or 0 when grading itself failed. */
export const gradeScore = (g: Grade): number => (g.message !== undefined ? 0 : pts(g.tests.reduce((a, t) => a + t.score, 0)));

export function gradeSummary(g: Grade): string[] {
  const passed = g.tests.filter((t) => t.outcome === 'pass').length;
  return [
    ...(g.message ? [g.message, ''] : []),
    ...(g.assignment ? [`Assignment: ${g.assignment}`] : []),
    `Submission: ${g.submission}`,
    `Profile: ${g.profile}; ${g.runs} scenarios per property per seed`,
    `Seeds: fixed ${g.fixedSeed}${g.hiddenSeeds ? ` plus ${g.hiddenSeeds} hidden seed${g.hiddenSeeds === 1 ? '' : 's'}` : ''}`,
    `Sandbox: ${g.sandbox}`,
    `Score: ${gradeScore(g)} / ${pts(g.maxScore)} (${passed} of ${g.tests.length} clauses pass; a clause scores its points only when every scenario passes)`,
    ...(g.only ? [`PARTIAL: only the ${g.tests.length} of ${g.only.of} rubric clauses matching --only ${g.only.globs} were graded`] : []),
    ...(g.interrupted ? ['Grading was interrupted: clauses marked NOT RUN score 0.'] : []),
    `Graded by ipcspec ${g.version}`,
  ];
}

export function gradescopeResults(g: Grade, o: GradescopeOptions): GradescopeResults {
  // A grading problem (could not start, interrupted) makes the whole grade 0, each test included,
  // so the tests always add up to the top-level score.
  const voided = g.message !== undefined;
  const tests = g.tests.map((t, i): GradescopeTest => {
    const text = testOutput(t, { ...o, profile: g.profile, fixedSeed: g.fixedSeed });
    return {
      name: `${t.clause} — ${t.title}`,
      number: String(i + 1),
      score: voided ? 0 : pts(t.score),
      max_score: pts(t.maxScore),
      status: !voided && t.outcome === 'pass' ? 'passed' : 'failed',
      output: voided ? `Not counted: ${g.message}\n\n${text}` : text,
      output_format: 'text',
      tags: [t.area],
      visibility: t.visibility,
      extra_data: { clause: t.clause, outcome: t.outcome, runs: t.runs, rubric_line: t.rubricLine },
    };
  });
  return {
    score: gradeScore(g),
    execution_time: Number.isFinite(g.executionTimeS) ? Math.max(0, Math.round(g.executionTimeS * 10) / 10) : 0,
    output: gradeSummary(g).join('\n'),
    visibility: g.visibility,
    // The grader's stdout carries what the submission printed (hidden seeds redacted): the rubric's stdout_visibility.
    stdout_visibility: g.stdoutVisibility ?? 'hidden',
    tests,
  };
}
