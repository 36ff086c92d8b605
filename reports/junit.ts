// junit.xml for CI systems: one testsuite per area, one testcase per clause × target. A failure
// carries the violation, the counterexample's steps and the replay command; an error is an
// <error>; unsupported is <skipped> (never a pass: CI shows it as skipped with the reason).
import { clause as clauseById, isClauseId } from '../spec/catalogue.ts';
import { isBehaviourDifference, type ClauseResult, type Counterexample, type Report, type Status } from '../spec/report.ts';
import { renderSteps } from './steps.ts';

/** XML 1.0 allows no C0 control characters but tab, LF and CR. */
const clean = (s: string) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd');
const attr = (s: string) => clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\n/g, '&#10;');
const text = (s: string) => clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const count = (rs: ClauseResult[], s: Status) => rs.filter((r) => r.status === s).length;
const seconds = (ms: number) => (ms / 1000).toFixed(3);

function testcase(r: ClauseResult, cx: Map<string, Counterexample>): string {
  const title = isClauseId(r.clause) ? clauseById(r.clause).title : '';
  const open = `    <testcase classname="ipcspec.${attr(r.area)}" name="${attr(`${r.clause} [${r.target}]`)}">`;
  const props = `      <system-out>${text(`${title}\n${r.runs} judged scenarios exercised this clause`)}</system-out>`;
  if (r.status === 'pass') return [open, props, '    </testcase>'].join('\n');
  if (r.status === 'unsupported') return [open, `      <skipped message="${attr(`unsupported: ${r.reason ?? ''}`)}"/>`, props, '    </testcase>'].join('\n');
  const c = r.counterexample ? cx.get(r.counterexample) : undefined;
  const body = [
    r.reason ?? '',
    c ? `\n${renderSteps(c.scenario, c.trace, c.verdict)}\n\nreplay: ${c.replay}` : '',
    r.counterexample ? `counterexample: ${r.counterexample}` : '',
  ].filter(Boolean).join('\n');
  const tag = r.status === 'fail' ? 'failure' : 'error';
  return [open, `      <${tag} message="${attr(r.reason ?? r.status)}" type="${r.status === 'fail' ? attr(`violation of ${r.clause}`) : 'harness error'}">${text(body)}</${tag}>`, props, '    </testcase>'].join('\n');
}

export function renderJunit(r: Report, cx: Map<string, Counterexample>): string {
  const areas = [...new Set(r.results.map((x) => x.area))];
  const time = (area?: string) => seconds(r.properties.filter((p) => !area || p.area === area).reduce((a, p) => a + p.durationMs, 0));
  const totals = (rs: ClauseResult[]) => `tests="${rs.length}" failures="${count(rs, 'fail')}" errors="${count(rs, 'error')}" skipped="${count(rs, 'unsupported')}"`;
  // The top-level totals count the differences suite too (a stable difference is a failure, a nondeterministic one skipped).
  const ds = r.differences ?? [];
  const n = (k: Status) => count(r.results, k);
  // No `skipped` here: the strictest common schema (Jenkins xUnit junit-10.xsd) allows it on <testsuite> only.
  const top = `tests="${r.results.length + ds.length}" failures="${n('fail') + ds.filter(isBehaviourDifference).length}" errors="${n('error')}"`;
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="ipcspec" ${top} time="${time()}">`];
  for (const area of areas) {
    const rs = r.results.filter((x) => x.area === area);
    out.push(`  <testsuite name="${attr(area)}" ${totals(rs)} time="${time(area)}" timestamp="${attr(r.createdAt)}">`);
    out.push(`    <properties><property name="profile" value="${attr(r.profile)}"/><property name="seed" value="${r.seed}"/><property name="targets" value="${attr(r.targets.map((t) => t.name).join(', '))}"/></properties>`);
    for (const x of rs) out.push(testcase(x, cx));
    out.push('  </testsuite>');
  }
  // ipcspec diff: one testcase per difference; a behaviour difference fails, a nondeterministic or unsettled-only one is skipped with the reason.
  if (r.differences?.length) {
    const ds = r.differences;
    out.push(`  <testsuite name="differences" tests="${ds.length}" failures="${ds.filter(isBehaviourDifference).length}" errors="0" skipped="${ds.filter((d) => !isBehaviourDifference(d)).length}" time="0" timestamp="${attr(r.createdAt)}">`);
    for (const d of ds) {
      const body = [d.summary, '', ...d.sides.map((s) => `${s.target}: ${s.observed}\n  replay: ${s.replay}`)].join('\n');
      out.push(`    <testcase classname="ipcspec.differences" name="${attr(`${d.id} ${d.kind} ${d.key} [${d.sides.map((s) => s.target).join(' vs ')}]`)}">`,
        isBehaviourDifference(d) ? `      <failure message="${attr(d.summary)}" type="behaviour difference">${text(body)}</failure>` : `      <skipped message="${attr(d.stable ? d.summary : `nondeterministic on ${(d.nondeterministic ?? []).join(', ')}: ${d.summary}`)}"/>`,
        '    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}
