// report.md: a summary sized for a pull-request comment.
import { clause as clauseById } from '../spec/catalogue.ts';
import type { Counterexample, Report } from '../spec/report.ts';
import { renderSteps } from './steps.ts';
import { renderDifferencesMd } from './diff-markdown.ts';

const ICON: Record<string, string> = { pass: 'pass', fail: '**FAIL**', unsupported: 'unsupported', error: '**error**' };

export function renderMarkdown(r: Report, cx: Map<string, Counterexample>): string {
  const out: string[] = [];
  out.push(`# ipcspec report`, '');
  out.push(`Profile \`${r.profile}\`, seed \`${r.seed}\`, ${r.createdAt}${r.interrupted ? ' — **interrupted: partial results**' : ''}.`, '');
  for (const t of r.targets) out.push(`- target \`${t.name}\`: ${t.description}`);
  if (r.merged) {
    const k = r.merged.conflicts.length;
    out.push('', `Merged from ${r.merged.inputs.length} reports (${r.merged.inputs.map((i) => `\`${i.file}\``).join(', ')})${k ? `; ${k} clause result${k === 1 ? '' : 's'} disagreed between inputs, the worse status is kept` : ''}.`);
  }
  out.push('', `**${r.summary.pass} pass, ${r.summary.fail} fail, ${r.summary.unsupported} unsupported, ${r.summary.error} error** (${r.results.length} clause results)`, '');
  out.push(...renderDifferencesMd(r));
  const areas = [...new Set(r.results.map((x) => x.area))];
  for (const area of areas) {
    out.push(`## ${area}`, '', '| clause | target | status | runs | note |', '|---|---|---|---:|---|');
    for (const x of r.results.filter((y) => y.area === area)) {
      out.push(`| \`${x.clause}\` | ${x.target} | ${ICON[x.status]} | ${x.runs} | ${x.selected === false ? 'not selected by --only (a selected clause\'s scenario broke it): ' : ''}${(x.reason ?? '').replace(/\|/g, '\\|')} |`);
    }
    out.push('');
  }
  const failed = r.results.filter((x) => x.counterexample);
  if (failed.length) out.push('## Counterexamples', '');
  for (const x of failed) {
    const c = cx.get(x.counterexample!);
    if (!c) continue;
    const cl = clauseById(x.clause);
    const cite = [cl.citation.posix, cl.citation.man, cl.citation.linux && `linux: ${cl.citation.linux}`].filter(Boolean).join('; ');
    out.push(`### \`${x.clause}\` on ${x.target}`, '', `> ${cl.title}`, '', `Rule: ${cl.behaviour}`, '', `Citation: ${cite}`, '', '```', renderSteps(c.scenario, c.trace, c.verdict), '```', '', `Replay: \`${c.replay}\``, '');
  }
  return out.join('\n');
}
