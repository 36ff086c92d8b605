// The differences of a diff report in report.html: which cells they mark, and the panel a marked
// cell opens (the minimal scenario drawn per target, side by side, with what each target observed).
import type { ClauseId } from '../spec/catalogue.ts';
import type { Counterexample, Difference, Report } from '../spec/report.ts';
import { esc, renderLanes } from './html-lanes.ts';

/** The differences shown on a clause × target cell: those filed under the clause that ran on the target. */
export const cellDifferences = (r: Report, clause: ClauseId, target: string): Difference[] =>
  (r.differences ?? []).filter((d) => d.clauses.includes(clause) && d.sides.some((s) => s.target === target));

export function renderDifferences(ds: Difference[], cx: Map<string, Counterexample>): string {
  if (!ds.length) return '';
  const parts = [`<h3 class="diff-head">Differences between targets (${ds.length})</h3>`];
  for (const d of ds) {
    const label = d.stable && d.unsettledOnly ? `<span class="badge s-unsupported">verdicts differ only in what an unsettled target can prove</span>` : d.stable ? `<span class="badge s-differs">differs</span>` : `<span class="badge s-unsupported">nondeterministic on ${esc(d.nondeterministic!.join(', '))}</span>`;
    parts.push(`<section class="difference" data-difference="${esc(d.id)}" data-kind="${d.kind}" data-stable="${d.stable}"${d.unsettledOnly ? ' data-unsettled-only="true"' : ''}><h4>${esc(d.id)}: ${d.kind} <code>${esc(d.key)}</code> ${label}</h4>`,
      `<p>${esc(d.summary)}</p><p class="muted">property “${esc(d.property)}”${d.alsoSeenIn?.length ? ` (also seen in ${d.alsoSeenIn.map((x) => `“${esc(x)}”`).join(', ')})` : ''} · seed ${d.seed}${d.path ? ` · path ${esc(d.path)}` : ''} · clauses ${esc(d.clauses.join(', '))}${d.stable ? ` · reproduced ${d.reruns} more times on each of the two targets that show it` : ''}${d.nondeterministic?.length ? ` · nondeterministic on ${esc(d.nondeterministic.join(', '))}` : ''}</p>`,
      `<table class="diff-observed"><thead><tr><th>target</th><th>verdict</th><th>observed${d.step !== undefined ? ` at step ${d.step + 1}` : ''}</th></tr></thead><tbody>` +
      d.sides.map((s) => `<tr data-target="${esc(s.target)}"><td><code>${esc(s.target)}</code></td><td><span class="badge s-${s.status}">${s.status}</span></td><td class="observed-value">${esc(s.observed)}</td></tr>`).join('') + '</tbody></table>',
      `<div class="diff-sides">${d.sides.map((s) => {
        const c = cx.get(s.counterexample);
        const lanes = c ? renderLanes(c, s.event !== undefined ? { event: s.event, note: `${s.target}: ${s.observed}` } : undefined) : `<p class="muted">${esc(s.counterexample)} is missing from this report.</p>`;
        return `<div class="diff-side" data-target="${esc(s.target)}"><h5><code>${esc(s.target)}</code></h5>${lanes}<div class="replay-box"><pre class="replay">${esc(s.replay)}</pre><button class="copy" type="button">copy</button></div></div>`;
      }).join('')}</div></section>`);
  }
  return parts.join('\n');
}

export const DIFF_CSS = `
.badge.s-differs, .chip.s-differs { background: #8250df; }
td.cell.differs { box-shadow: inset 0 0 0 2px #8250df; }
td.cell.differs button::after { content: " ≠"; color: #8250df; }
td.cell.noisy { box-shadow: inset 0 0 0 2px #afb8c1; }
td.cell.noisy button::after { content: " ~"; color: var(--muted); }
.difference { border-top: 1px solid var(--line); margin-top: 12px; padding-top: 6px; }
.difference h4 { margin: 6px 0; font-size: 14px; }
table.diff-observed { border-collapse: collapse; margin: 6px 0; }
table.diff-observed td, table.diff-observed th { border: 1px solid var(--line); padding: 2px 8px; text-align: left; vertical-align: top; }
td.observed-value { font-family: ui-monospace, monospace; font-size: 12px; }
.diff-sides { display: flex; gap: 12px; align-items: flex-start; }
.diff-side { flex: 1 1 0; min-width: 0; }
.diff-side h5 { margin: 6px 0; font-size: 13px; }
.lanes tr.marked td.ev { background: #fbefff; box-shadow: inset 3px 0 0 #8250df; }
.observed-here { border: 1px solid #8250df; background: #fbefff; padding: 3px 8px; font-family: ui-monospace, monospace; font-size: 12px; }
`;
