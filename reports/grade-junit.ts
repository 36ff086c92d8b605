// junit.xml of a grade for CI: one testsuite for the assignment, one testcase per graded clause.
// Only a pass passes: unsupported, not-reached and not-run are failures worth 0 (never <skipped>),
// an error outcome is an <error>. A grading problem (could not start) is an extra <error> testcase.
import type { ClauseGrade, Grade } from '../spec/grade.ts';
import { testOutput, type FeedbackOptions } from './grade-feedback.ts';
import { gradeScore, gradeSummary } from './grade-gradescope.ts';

/** XML 1.0 allows no C0 control characters but tab, LF and CR. */
const clean = (s: string) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd');
const attr = (s: string) => clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\n/g, '&#10;');
const text = (s: string) => clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const kind = (t: ClauseGrade): 'pass' | 'failure' | 'error' => (t.outcome === 'pass' ? 'pass' : t.outcome === 'error' ? 'error' : 'failure');

export function gradeJunit(g: Grade, o: Pick<FeedbackOptions, 'hiddenFeedback' | 'maxStepLines'>): string {
  const voided = g.message !== undefined;
  const cases = g.tests.map((t) => {
    const out = testOutput(t, { ...o, profile: g.profile, fixedSeed: g.fixedSeed });
    const k = voided && t.outcome === 'pass' ? 'failure' : kind(t);
    const open = `    <testcase classname="ipcspec.grade.${attr(t.area)}" name="${attr(`${t.clause} — ${t.title}`)}" time="0">`;
    const props = `      <properties><property name="points" value="${voided ? 0 : t.score}"/><property name="max_points" value="${t.maxScore}"/><property name="outcome" value="${attr(t.outcome)}"/></properties>`;
    if (k === 'pass') return { k, xml: [open, props, `      <system-out>${text(out)}</system-out>`, '    </testcase>'].join('\n') };
    const message = voided ? `not counted: ${g.message}` : `${t.outcome}: ${t.reason}`;
    return { k, xml: [open, props, `      <${k} message="${attr(message)}" type="${attr(t.outcome)}">${text(out)}</${k}>`, '    </testcase>'].join('\n') };
  });
  if (voided) cases.unshift({ k: 'error', xml: [`    <testcase classname="ipcspec.grade" name="grading" time="0">`, `      <error message="${attr(g.message!)}" type="grading">${text(g.message!)}</error>`, '    </testcase>'].join('\n') });
  const n = (k: string) => cases.filter((c) => c.k === k).length;
  const totals = `tests="${cases.length}" failures="${n('failure')}" errors="${n('error')}" skipped="0" time="${g.executionTimeS.toFixed(3)}"`;
  const name = g.assignment ?? g.rubric;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="ipcspec grade" ${totals}>`,
    `  <testsuite name="${attr(name)}" ${totals}>`,
    `    <properties><property name="submission" value="${attr(g.submission)}"/><property name="profile" value="${g.profile}"/><property name="score" value="${gradeScore(g)}"/><property name="max_score" value="${g.maxScore}"/><property name="fixed_seed" value="${g.fixedSeed}"/><property name="hidden_seeds" value="${g.hiddenSeeds}"/></properties>`,
    ...cases.map((c) => c.xml),
    `    <system-out>${text(gradeSummary(g).join('\n'))}</system-out>`,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
