// report.html: a self-contained behaviour-diff report. A matrix of clauses × targets grouped by
// area; every cell opens its details (the clause's text and citation, and for a failure the
// counterexample drawn as lanes with the replay command). Inline CSS and JS, no network resources.
import { clause as clauseById, CLAUSES, isClauseId } from '../spec/catalogue.ts';
import { isBehaviourDifference, type ClauseResult, type Counterexample, type Report, type Status } from '../spec/report.ts';
import { CSS, JS } from './html-assets.ts';
import { esc, renderLanes } from './html-lanes.ts';
import { cellDifferences, DIFF_CSS, renderDifferences } from './diff-html.ts';

/** Cell statuses in filter order; "none": this clause was not run on this target (e.g. merged --only
 *  subsets): shown, but it never keeps a row visible and has no filter of its own. */
const CELL_STATUSES = ['fail', 'error', 'unsupported', 'pass', 'none'] as const;
type CellStatus = (typeof CELL_STATUSES)[number];
const LABEL: Record<CellStatus, string> = { pass: 'pass', fail: 'fail', error: 'error', unsupported: 'unsupported', none: 'not run' };

const countText = (rs: ClauseResult[]) => (['pass', 'fail', 'unsupported', 'error'] as Status[]).map((s) => [s, rs.filter((r) => r.status === s).length] as const).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(' · ');

function clauseInfo(id: string, html: string[], key: string): void {
  if (!isClauseId(id)) { html.push(`<template id="${key}"><h3>Clause</h3><p class="muted">${esc(id)} is not in this version's catalogue.</p></template>`); return; }
  const c = clauseById(id);
  const cite = ([['POSIX', c.citation.posix], ['man page', c.citation.man], ['measured Linux', c.citation.linux]] as const).filter(([, t]) => t);
  html.push(`<template id="${key}"><h3>Clause</h3><p class="rule"><b>${esc(c.title)}</b></p><p class="rule">${esc(c.behaviour)}</p>` +
    `<p class="muted">area ${esc(c.area)} · profiles ${esc(c.profiles.join(', '))}</p>` +
    `<h3>Citation</h3><ul class="citation">${cite.map(([k, t]) => `<li><b>${k}:</b> ${esc(t!)}</li>`).join('')}</ul></template>`);
}

function cellDetail(r: ClauseResult, cx: Map<string, Counterexample>, key: string, extra = ''): string {
  const c = r.counterexample ? cx.get(r.counterexample) : undefined;
  const parts = [`<h2><code>${esc(r.clause)}</code> on <code>${esc(r.target)}</code> <span class="badge s-${r.status}">${r.status}</span></h2>`,
    `<p>${r.runs} judged scenario${r.runs === 1 ? '' : 's'} exercised this clause.${r.selected === false ? ' Not selected by --only: a scenario of a selected clause\'s property broke it.' : ''}${r.reason ? ` ${r.status === 'fail' ? 'Violation' : 'Reason'}: ${esc(r.reason)}` : ''}</p>`];
  if (c) {
    parts.push(`<h3>${r.status === 'fail' ? 'Counterexample' : 'The scenario that erred (not shrunk)'}</h3><p class="muted">property “${esc(c.property)}” · profile ${esc(c.profile)} · seed ${c.seed}${c.path ? ` · path ${esc(c.path)}` : ''} · target ${esc(c.target.name)}: ${esc(c.target.description)}${c.trace.settled ? ' (settled: a reported block is a fact)' : ''}</p>`);
    parts.push(renderLanes(c));
    parts.push(`<h3>Replay</h3><div class="replay-box"><pre class="replay">${esc(c.replay)}</pre><button class="copy" type="button">copy</button></div>`,
      `<p class="muted">file: ${esc(r.counterexample!)}</p>`);
  } else if (r.counterexample) {
    parts.push(`<p class="muted">counterexample ${esc(r.counterexample)} is missing from this report.</p>`);
  }
  return `<template id="${key}">${parts.join('\n')}${extra}</template>`;
}

export function renderHtml(r: Report, cx: Map<string, Counterexample>): string {
  const targets = r.targets.map((t) => t.name);
  const byKey = new Map(r.results.map((x) => [`${x.target}\0${x.clause}`, x]));
  const order = new Map(CLAUSES.map((c, i) => [c.id, i]));
  const clauses = [...new Set(r.results.map((x) => x.clause))].sort((a, b) => (order.get(a) ?? 1e9) - (order.get(b) ?? 1e9) || a.localeCompare(b));
  const areaOf = new Map(r.results.map((x) => [x.clause, x.area]));
  const areas = [...new Set(clauses.map((c) => areaOf.get(c)!))];
  const templates: string[] = [];
  const clauseKey = new Map(clauses.map((c, i) => [c, `c${i}`]));
  for (const c of clauses) clauseInfo(c, templates, clauseKey.get(c)!);
  let cellN = 0;
  const body: string[] = [];
  for (const area of areas) {
    const rs = r.results.filter((x) => x.area === area);
    const n = new Set(rs.map((x) => x.clause)).size;
    body.push(`<tbody class="area" data-area="${esc(area)}"><tr class="area-head"><th>${esc(area)}<span class="counts">${n} clause${n === 1 ? '' : 's'}</span></th>` +
      `${targets.map((t) => `<td class="counts" data-target="${esc(t)}">${countText(rs.filter((x) => x.target === t)) || 'not run'}</td>`).join('')}</tr>`);
    for (const c of clauses.filter((x) => areaOf.get(x) === area)) {
      const title = isClauseId(c) ? clauseById(c).title : '';
      const cells = targets.map((t) => {
        const x = byKey.get(`${t}\0${c}`);
        if (!x) return `<td class="cell s-none" data-clause="${esc(c)}" data-target="${esc(t)}" data-status="none" title="not run on this target">—</td>`;
        const key = `d${cellN++}`;
        // ipcspec diff: this clause behaved differently here than on another target (marked), or a target disagreed with itself (noisy).
        const ds = cellDifferences(r, c, t);
        const differs = ds.some(isBehaviourDifference);
        templates.push(cellDetail(x, cx, key, renderDifferences(ds, cx)));
        const tip = `${x.status}, ${x.runs} runs${x.reason ? `: ${x.reason}` : ''}${differs ? '; behaves differently on another target' : ''}`;
        return `<td class="cell s-${x.status}${differs ? ' differs' : ds.length ? ' noisy' : ''}"${differs ? ' data-differs="true"' : ''} data-clause="${esc(c)}" data-target="${esc(t)}" data-status="${x.status}" data-cell="${key}" data-clause-info="${clauseKey.get(c)}" title="${esc(tip)}"><button type="button">${LABEL[x.status]}</button></td>`;
      });
      // Targets that ran this clause and disagree: the rows a behaviour diff is about.
      // (not where the statuses differ only in what an unsettled target can prove)
      const filed = (r.differences ?? []).filter((d) => d.clauses.includes(c));
      const onlyUnsettled = filed.length > 0 && filed.every((d) => d.unsettledOnly);
      const differs = (!onlyUnsettled && new Set(targets.map((t) => byKey.get(`${t}\0${c}`)?.status).filter(Boolean)).size > 1) || filed.some(isBehaviourDifference);
      body.push(`<tr class="clause-row${differs ? ' differs' : ''}" data-clause="${esc(c)}" data-differs="${differs}"><th class="clause" scope="row"><code>${esc(c)}</code>${differs ? '<span class="differs-mark" title="the targets disagree">≠</span>' : ''}<span class="title">${esc(title)}</span></th>${cells.join('')}</tr>`);
    }
    body.push('</tbody>');
  }
  const foot = `<tfoot><tr><td>counts</td>${targets.map((t) => `<td data-target="${esc(t)}">${countText(r.results.filter((x) => x.target === t))}</td>`).join('')}</tr></tfoot>`;
  const s = r.summary;
  const m = r.merged;
  const mergeNote = m ? `<details><summary>merged from ${m.inputs.length} report${m.inputs.length === 1 ? '' : 's'}${m.conflicts.length ? `, ${m.conflicts.length} disagreement${m.conflicts.length === 1 ? '' : 's'} (worse status kept)` : ''}</summary><ul>` +
    m.inputs.map((i) => `<li><code>${esc(i.file)}</code>${i.label ? ` as “${esc(i.label)}”` : ''}: ${esc(i.targets.join(', '))}; seed ${i.seed}, ${esc(i.createdAt)}${i.only ? `, only ${esc(i.only)}` : ''}${i.interrupted ? ', <b>interrupted</b>' : ''}</li>`).join('') + '</ul>' +
    (m.conflicts.length ? `<ul class="conflicts">${m.conflicts.map((k) => `<li><code>${esc(k.clause)}</code> on ${esc(k.target)}: kept ${k.kept} (${k.seen.map((x) => `${x.status} in ${esc(x.file)}`).join(', ')})</li>`).join('')}</ul>` : '') + '</details>' : '';
  const props = `<details class="props"><summary>${r.properties.length} property runs</summary><table><thead><tr><th>target</th><th>area</th><th>property</th><th>status</th><th>runs</th><th>unsupported</th><th>seed</th><th>ms</th></tr></thead><tbody>` +
    r.properties.map((p) => `<tr><td>${esc(p.target)}</td><td>${esc(p.area)}</td><td>${esc(p.property)}</td><td>${p.status}</td><td>${p.runs}</td><td>${p.unsupported}</td><td>${p.seed}</td><td>${p.durationMs}</td></tr>`).join('') + '</tbody></table></details>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>ipcspec report: ${s.pass} pass, ${s.fail} fail, ${s.unsupported} unsupported, ${s.error} error</title><style>${CSS}${r.differences ? DIFF_CSS : ''}</style></head>
<body><header><h1>ipcspec behaviour report</h1>
<div class="meta">profile <b>${esc(r.profile)}</b> · seed ${r.seed}${r.only ? ` · only <code>${esc(r.only)}</code>` : ''} · ${esc(r.createdAt)} · ipcspec ${esc(r.tool.version)}</div>
${r.interrupted ? '<div class="banner">Interrupted: these results are partial.</div>' : ''}
<div class="chips" id="summary">${(['pass', 'fail', 'unsupported', 'error'] as Status[]).map((k) => `<span class="chip s-${k}" data-status="${k}">${s[k]} ${k}</span>`).join('')}${r.differences ? `<span class="chip s-differs" data-status="differs">${r.differences.filter(isBehaviourDifference).length} differ</span>` : ''}<span class="muted">${r.results.length} clause results</span></div>
<ul class="targets">${r.targets.map((t) => `<li><code>${esc(t.name)}</code>: ${esc(t.description)}</li>`).join('')}</ul>${mergeNote}</header>
<main><form id="filters" onsubmit="return false"><span>status:</span>${CELL_STATUSES.filter((k) => k !== 'none').map((k) => `<label><input type="checkbox" name="status" value="${k}" checked> ${LABEL[k]}</label>`).join('')}
${r.differences ? '<label><input type="checkbox" name="status" value="differs" checked> differs</label>' : ''}
<label><input type="checkbox" id="differs"> only where targets differ</label>
<label>area: <select id="area"><option value="">all areas</option>${areas.map((a) => `<option value="${esc(a)}">${esc(a)}</option>`).join('')}</select></label>
<label>clause: <input id="search" type="search" placeholder="filter by id"></label><span id="shown" class="muted"></span></form>
<table class="matrix" id="matrix"><thead><tr><th>clause</th>${targets.map((t) => `<th scope="col" data-target="${esc(t)}">${esc(t)}</th>`).join('')}</tr></thead>
${body.join('\n')}
${foot}</table>
${r.differences ? `<details class="differences" id="differences"${r.differences.length ? '' : ' hidden'}><summary>${r.differences.filter(isBehaviourDifference).length} behaviour difference(s), ${r.differences.filter((d) => !d.stable).length} nondeterministic${r.differences.some((d) => d.stable && d.unsettledOnly) ? `, ${r.differences.filter((d) => d.stable && d.unsettledOnly).length} only in what an unsettled target can prove` : ''}</summary>${renderDifferences(r.differences, cx)}</details>` : ''}
${props}</main>
<aside id="detail" hidden aria-label="details"><button id="detail-close" type="button" aria-label="close">×</button><div id="detail-body"></div></aside>
${templates.join('\n')}
<script>${JS}</script></body></html>
`;
}
