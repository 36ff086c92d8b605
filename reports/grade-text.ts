// A plain-text grade for a terminal or an e-mail: the summary, one row per clause (points,
// PASS/FAIL, why), and the total.
import type { ClauseGrade, Grade } from '../spec/grade.ts';
import { gradeScore, gradeSummary } from './grade-gradescope.ts';

const STATUS: Record<ClauseGrade['outcome'], string> = { pass: 'PASS', fail: 'FAIL', error: 'ERROR', unsupported: 'UNSUPPORTED', 'not-reached': 'NOT REACHED', 'not-run': 'NOT RUN' };
const pts = (n: number) => String(Math.round(n * 1000) / 1000);

export function gradeText(g: Grade): string {
  const voided = g.message !== undefined;
  const rows = g.tests.map((t) => [t.clause, `${pts(voided ? 0 : t.score)}/${pts(t.maxScore)}`, STATUS[t.outcome], t.outcome === 'pass' ? `${t.runs} scenarios` : t.reason]);
  const head = ['clause', 'points', 'result', 'reason'];
  const w = [0, 1, 2].map((i) => Math.max(head[i].length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i < 3 ? c.padEnd(w[i]) : c)).join('  ').trimEnd();
  return [
    ...gradeSummary(g),
    '',
    line(head),
    line(w.map((n) => '-'.repeat(n)).concat('------')),
    ...rows.map(line),
    '',
    `total  ${pts(gradeScore(g))}/${pts(g.maxScore)}`,
    '',
  ].join('\n');
}
