// What a student reads for one graded clause: on a pass, how much was tried; otherwise the clause,
// the shrunk counterexample as numbered steps (what was observed, what the specification allows),
// and the command that replays it. Every format (Gradescope, JUnit, text) shows this same text.
import type { ClauseGrade, Rubric } from '../spec/grade.ts';
import { renderSteps } from './steps.ts';

export interface FeedbackOptions {
  /** What a failure found only by a hidden seed shows (Rubric.hiddenFeedback). */
  hiddenFeedback: Rubric['hiddenFeedback'];
  /** Step lines shown at most (default 80); the rest are cut around the violating step. */
  maxStepLines?: number;
  /** The grade's profile and fixed seed, for the local command when no scenario is attached. */
  profile?: string;
  fixedSeed?: number;
}

export const HIDDEN_ONLY = 'a hidden test scenario breaks this clause; the fixed-seed scenarios pass';

const MAX_LINE = 400;
const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;

function clauseText(g: ClauseGrade): string[] {
  return [`Clause ${g.clause}: ${g.title}`, g.behaviour, ...g.citation.map((c) => `  ${c}`)];
}

/** At most `max` lines: the head, the tail, and every line near a violation; gaps say how much was cut. */
export function boundLines(lines: string[], max: number): string[] {
  const clip = (l: string) => (l.length > MAX_LINE ? `${l.slice(0, MAX_LINE)} ... (${l.length - MAX_LINE} characters cut)` : l);
  if (lines.length <= max) return lines.map(clip);
  const keep = new Set<number>();
  const hot = lines.flatMap((l, i) => (/violates /.test(l) ? [i] : []));
  const around = Math.max(2, Math.floor(max / 4));
  for (const h of hot) for (let i = h - around; i <= h + 2; i++) if (i >= 0 && i < lines.length) keep.add(i);
  const tail = Math.min(5, Math.floor(max / 8));
  for (let i = lines.length - tail; i < lines.length; i++) keep.add(i);
  for (let i = 0; keep.size < max && i < lines.length; i++) keep.add(i);
  const out: string[] = [];
  let cut = 0;
  lines.forEach((l, i) => {
    if (!keep.has(i)) { cut++; return; }
    if (cut) out.push(`     ... (${plural(cut, 'step line')} cut) ...`);
    cut = 0;
    out.push(clip(l));
  });
  if (cut) out.push(`     ... (${plural(cut, 'step line')} cut) ...`);
  return out;
}

function counterexampleText(g: ClauseGrade, o: FeedbackOptions): string[] {
  const cx = g.counterexample!;
  const v = cx.verdict;
  const steps = boundLines(renderSteps(cx.scenario, cx.trace, v).split('\n').filter((l) => l !== ''), o.maxStepLines ?? 80);
  const out = [
    '',
    `Counterexample (${cx.hidden ? 'a hidden seed' : `seed ${cx.seed}`}, property "${cx.property}"):`, // a hidden seed's value is never shown
    ...(steps.length ? steps : ['  (no step was issued)']),
  ];
  // Said once: the engine's reason usually says it already.
  if (v.status === 'fail' && v.observed !== undefined && !(v.allowed && g.reason.includes(v.allowed))) {
    out.push('', `At the step marked "<-- violates": observed ${v.observed}; the specification allows ${v.allowed ?? '(see the clause)'}.`);
  } else if (v.status === 'error' && v.reason) {
    out.push('', `The run stopped: ${v.reason}`);
  }
  // As is, not indented: the command may hold a here-document whose terminator must start its line.
  out.push('', 'Replay it locally:', cx.replay);
  return out;
}

export function testOutput(g: ClauseGrade, o: FeedbackOptions): string {
  const hiddenOnly = g.counterexample?.hidden === true && o.hiddenFeedback === 'clause-only';
  switch (g.outcome) {
    case 'pass':
      return [`PASS: ${plural(g.runs, 'generated scenario')} reached this clause, and every one conformed.`, `Clause ${g.clause}: ${g.title}`].join('\n');
    case 'fail':
      if (hiddenOnly) return [`FAIL: ${HIDDEN_ONLY}.`, '', ...clauseText(g)].join('\n');
      return [`FAIL: ${g.reason}`, '', ...clauseText(g), ...(g.counterexample ? counterexampleText(g, o) : [])].join('\n');
    case 'error': {
      const what = 'The submission crashed, hung, spoke nonsense on the driver protocol, or overran the time limit while this clause was tested, so it scores 0.';
      const todo = g.counterexample
        ? 'What to do: replay the scenario below locally and watch your submission\'s stderr; fix the crash or hang.'
        : `What to do: run it locally and watch its stderr: npx ipcspec run --target exec:YOUR-PROGRAM (or module:YOUR-MODULE) --only ${g.clause}${o.profile ? ` --profile ${o.profile}` : ''}${o.fixedSeed !== undefined ? ` --seed ${o.fixedSeed}` : ''}`;
      if (hiddenOnly) return [`ERROR: a hidden test scenario makes the submission fail while testing this clause; the fixed-seed scenarios run.`, what, '', ...clauseText(g)].join('\n');
      return [`ERROR: ${g.reason}`, what, todo, '', ...clauseText(g), ...(g.counterexample ? counterexampleText(g, o) : [])].join('\n');
    }
    case 'unsupported':
      return [`UNSUPPORTED (0 points): ${g.reason}`,
        'Your submission said it cannot perform a step the scenarios for this clause need, so none of them could be judged.',
        'What to do: implement the operation named above (and declare it in your driver\'s hello `ops`/`features`).', '', ...clauseText(g)].join('\n');
    case 'not-reached':
      return [`NOT REACHED (0 points): ${g.reason}`,
        'Every scenario aimed at this clause stopped earlier, at a failure of another clause, so this clause was never judged.',
        'What to do: fix the failing clauses first; this clause is graded once scenarios get this far.', '', ...clauseText(g)].join('\n');
    case 'not-run':
      return [`NOT RUN (0 points): ${g.reason}`, 'Grading stopped before this clause; submit again to have it graded.', '', ...clauseText(g)].join('\n');
  }
}
