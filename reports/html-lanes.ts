// A counterexample as HTML: one lane (column) per actor, rows in the order events happened. A call
// and its later return sit in the same lane, the lane shows the wait between them, and the
// violating row says what was observed and what the specification allows (Netsem's style).
import type { Counterexample } from '../spec/report.ts';
import { laneEvents } from './steps.ts';

export const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** `mark`: highlight one event with a note (a diff report marks where targets' observations differ). */
export function renderLanes(c: Counterexample, mark?: { event: number; note: string }): string {
  const rows = laneEvents(c.scenario, c.trace, c.verdict);
  const actors = [...new Set(c.scenario.steps.map((s) => s.actor))];
  const blocked = new Set<string>();
  const cols = actors.length + 1;
  const out: string[] = [`<table class="lanes"><thead><tr><th class="n">#</th>${actors.map((a) => `<th class="lane-head">${esc(a)}</th>`).join('')}</tr></thead><tbody>`];
  let n = 0;
  const violationRow = (v: NonNullable<(typeof rows)[number]['violation']>, where: string) =>
    `<tr class="violation-note"><td colspan="${cols}"><div class="verdict"><b>${where}violates <code>${esc(v.clause ?? '')}</code></b>` +
    `<dl><dt>observed</dt><dd class="observed">${esc(v.observed ?? '')}</dd><dt>allowed</dt><dd class="allowed">${esc(v.allowed ?? '')}</dd></dl></div></td></tr>`;
  for (const r of rows) {
    if (r.kind === 'quiescent') { if (r.violation) out.push(violationRow(r.violation, 'at quiescence: ')); continue; }
    const cells = actors.map((a) => {
      if (a !== r.actor) return `<td class="lane${blocked.has(a) ? ' waiting' : ''}"></td>`;
      if (r.kind === 'never') return `<td class="lane ev never"><span class="call">${esc(r.call)}</span><span class="note">never issued: ${esc(r.why ?? '')}</span></td>`;
      if (r.kind === 'call') {
        const cls = r.pending ? ' pending' : r.harnessError ? ' harness-error' : '';
        return `<td class="lane ev call${cls}${r.violation ? ' bad' : ''}"><span class="arrow">→</span> <span class="call">${esc(r.call)}</span> <span class="outcome">${r.pending ? 'blocks' : `= ${esc(r.outcome)}`}</span></td>`;
      }
      return `<td class="lane ev return${r.violation ? ' bad' : ''}"><span class="arrow">←</span> <span class="call">${esc(r.call)}</span> <span class="outcome">returns ${esc(r.outcome)}</span></td>`;
    });
    const marked = mark !== undefined && r.event === mark.event;
    out.push(`<tr class="row-${r.kind}${r.violation ? ' violating' : ''}${marked ? ' marked' : ''}"><td class="n">${r.kind === 'never' ? '–' : ++n}</td>${cells.join('')}</tr>`);
    if (marked) out.push(`<tr class="mark-note"><td colspan="${cols}"><div class="observed-here">${esc(mark.note)}</div></td></tr>`);
    if (r.kind === 'call' && r.pending) blocked.add(r.actor);
    if (r.kind === 'return') blocked.delete(r.actor);
    if (r.violation) out.push(violationRow(r.violation, ''));
  }
  out.push('</tbody></table>');
  return out.join('\n');
}
