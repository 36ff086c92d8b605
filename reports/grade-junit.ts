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
    // junit-10.xsd allows no <properties> in a <testcase>: each clause's points are the suite's properties.
    const points = `<property name="${attr(`${t.clause}.points`)}" value="${voided ? 0 : t.score}"/><property name="${attr(`${t.clause}.max_points`)}" value="${t.maxScore}"/><property name="${attr(`${t.clause}.outcome`)}" value="${attr(t.outcome)}"/>`;
    if (k === 'pass') return { k, points, xml: [open, `      <system-out>${text(out)}</system-out>`, '    </testcase>'].join('\n') };
    const message = voided ? `not counted: ${g.message}` : `${t.outcome}: ${t.reason}`;
    return { k, points, xml: [open, `      <${k} message="${attr(message)}" type="${attr(t.outcome)}">${text(out)}</${k}>`, '    </testcase>'].join('\n') };
  });
  if (voided) cases.unshift({ k: 'error', points: '', xml: [`    <testcase classname="ipcspec.grade" name="grading" time="0">`, `      <error message="${attr(g.message!)}" type="grading">${text(g.message!)}</error>`, '    </testcase>'].join('\n') });
  const n = (k: string) => cases.filter((c) => c.k === k).length;
  const counts = `tests="${cases.length}" failures="${n('failure')}" errors="${n('error')}"`;
  const time = `time="${g.executionTimeS.toFixed(3)}"`;
  const name = g.assignment ?? g.rubric;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="ipcspec grade" ${counts} ${time}>`,
    `  <testsuite name="${attr(name)}" ${counts} skipped="0" ${time}>`,
    `    <properties><property name="submission" value="${attr(g.submission)}"/><property name="profile" value="${g.profile}"/><property name="score" value="${gradeScore(g)}"/><property name="max_score" value="${g.maxScore}"/><property name="fixed_seed" value="${g.fixedSeed}"/><property name="hidden_seeds" value="${g.hiddenSeeds}"/>${cases.map((c) => c.points).join('')}</properties>`,
    ...cases.map((c) => c.xml),
    `    <system-out>${text(gradeSummary(g).join('\n'))}</system-out>`,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
