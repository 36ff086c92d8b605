// The autograder's vocabulary: a rubric (what a teacher writes) and a grade (what `ipcspec grade`
// produces, rendered as Gradescope results.json, JUnit, JSON or text by reports/grade-*.ts).
import type { Blame, ClauseId } from './catalogue.ts';
import type { ProfileName } from './clause.ts';
import type { Scenario } from './scenario.ts';
import type { Trace } from './trace.ts';

/** Gradescope's visibility values (per test and top level). */
export const VISIBILITIES = ['visible', 'hidden', 'after_due_date', 'after_published'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

/** Limits every submission process runs under (harness/sandbox). */
export interface SandboxLimits {
  /** RLIMIT_CPU of each submission process, seconds. */
  cpuSeconds: number;
  /** RLIMIT_AS, MiB. */
  memoryMb: number;
  /** RLIMIT_NPROC: processes the submission's user may have. */
  processes: number;
  /** RLIMIT_FSIZE, MiB: the largest file it may write. */
  fileSizeMb: number;
}

export interface RubricItem {
  /** The clause glob as written (matches ids or areas, `*` wildcards, as --only). */
  match: string;
  /** Points for each clause the glob matches. */
  points: number;
  visibility: Visibility;
  /** 1-based line of the item in the rubric file, for messages. */
  line: number;
}

export interface Rubric {
  /** Path of the rubric file. */
  file: string;
  assignment?: string;
  profile: ProfileName;
  /** Scenarios per property per seed, for every clause. */
  runs: number;
  /** The assignment's fixed seed: reproducible, and the scenarios a student can replay. */
  fixedSeed: number;
  /** More seeds, run after the fixed one; a failure only they find is reported as found by a hidden seed. */
  hiddenSeeds: number[];
  /** What a failure found only by a hidden seed shows: the whole counterexample, or only the clause. */
  hiddenFeedback: 'counterexample' | 'clause-only';
  limits: SandboxLimits;
  /** Wall-clock deadline for each clause (all its properties and seeds), seconds. */
  clauseSeconds: number;
  /** Deadline for each reply of the submission (a hang costs this much), seconds. */
  replySeconds: number;
  /** Deadline for its hello when it starts (a teaching kernel booting under an emulator may take long), seconds. */
  startSeconds: number;
  /** Gradescope top-level visibility. */
  visibility: Visibility;
  /** Where what the submission prints (its stderr) may be shown: in the feedback only when `visible`; default hidden. */
  stdoutVisibility: Visibility;
  /** One entry per graded clause, in catalogue order (a clause matched by two items is an error in the rubric). */
  clauses: Array<{ clause: ClauseId; points: number; visibility: Visibility; line: number }>;
  items: RubricItem[];
}

/** How one clause went. `passed` only when every run that reached the clause passed, and some did. */
export type ClauseOutcome =
  | 'pass'
  /** A scenario broke this clause (counterexample attached). */
  | 'fail'
  /** The submission crashed, hung, spoke nonsense, or overran the clause deadline. */
  | 'error'
  /** The submission said it cannot express the scenarios that reach this clause. */
  | 'unsupported'
  /** No scenario reached the clause: each stopped earlier, at a failure of another clause. */
  | 'not-reached'
  /** Grading stopped (interrupted) before this clause. */
  | 'not-run';

export interface GradedCounterexample {
  seed: number;
  /** True when only a hidden seed found it. */
  hidden: boolean;
  property: string;
  scenario: Scenario;
  trace: Trace;
  /** The violated clause's verdict (or the error). */
  verdict: { status: 'fail' | 'error'; clause?: Blame; step?: number; event?: number; observed?: string; allowed?: string; reason?: string };
  /** A shell command that replays the scenario locally (writes the scenario file, then `ipcspec replay`). */
  replay: string;
}

export interface ClauseGrade {
  clause: ClauseId;
  area: string;
  /** One sentence (spec/clauses). */
  title: string;
  /** The behaviour in prose. */
  behaviour: string;
  /** Citation lines (POSIX, man page, Linux). */
  citation: string[];
  maxScore: number;
  /** maxScore or 0: per clause, never per run. */
  score: number;
  outcome: ClauseOutcome;
  visibility: Visibility;
  /** Scenarios that reached this clause and were judged, over all seeds. */
  runs: number;
  /** One line: why it did not pass (or how many runs passed). */
  reason: string;
  counterexample?: GradedCounterexample;
  /** What the submission printed (its stderr) while this clause ran, hidden seeds' values redacted: for staff. */
  output?: string;
  /** Rubric line that gave the points. */
  rubricLine: number;
}

export interface Grade {
  schemaVersion: 1;
  kind: 'ipcspec-grade';
  version: string;
  assignment?: string;
  /** The submission as given (`exec:CMD` or `module:PATH`). */
  submission: string;
  rubric: string;
  profile: ProfileName;
  runs: number;
  fixedSeed: number;
  hiddenSeeds: number;
  /** What the submission ran under (uid, namespaces, Landlock, limits, deadlines). */
  sandbox: string;
  score: number;
  maxScore: number;
  executionTimeS: number;
  /** A problem with the whole grading (could not start, interrupted): shown at the top, and the score is 0. */
  message?: string;
  interrupted: boolean;
  /** `--only`: the globs that picked the rubric clauses graded (a partial grade, for trying a fix), and how many the rubric has. */
  only?: { globs: string; of: number };
  /** The grader itself failed (its sandbox could not be set up): the message says so, the score is 0, and the CLI exits 2. */
  graderError?: boolean;
  visibility: Visibility;
  /** The rubric's stdout_visibility: Gradescope shows the grader's stdout (what the submissions printed) under it. */
  stdoutVisibility?: Visibility;
  /** What the submission printed while it failed to start (hidden seeds redacted): for staff. */
  output?: string;
  tests: ClauseGrade[];
}
