// The HTML report's inline stylesheet and script: the page loads nothing from anywhere.

export const CSS = `
:root { --pass: #1a7f37; --fail: #cf222e; --error: #bc4c00; --unsupported: #57606a; --none: #afb8c1; --bg: #fff; --fg: #1f2328; --muted: #656d76; --line: #d0d7de; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header, main { padding: 12px 20px; }
header { border-bottom: 1px solid var(--line); }
h1 { font-size: 20px; margin: 0 0 4px; }
.meta, .muted { color: var(--muted); }
code, pre { font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.banner { background: #fff8c5; border: 1px solid #d4a72c; padding: 6px 10px; margin: 8px 0; }
.chips { display: flex; gap: 8px; flex-wrap: wrap; margin: 8px 0; }
.chip { border-radius: 12px; padding: 2px 10px; color: #fff; font-weight: 600; }
.chip.s-pass, .badge.s-pass { background: var(--pass); } .chip.s-fail, .badge.s-fail { background: var(--fail); }
.chip.s-error, .badge.s-error { background: var(--error); } .chip.s-unsupported, .badge.s-unsupported { background: var(--unsupported); }
.badge { border-radius: 4px; padding: 1px 6px; color: #fff; font-size: 12px; font-weight: 600; text-transform: uppercase; }
#filters { display: flex; gap: 16px; align-items: center; flex-wrap: wrap; border: 0; padding: 8px 0; margin: 0; }
#filters label { white-space: nowrap; }
table.matrix { border-collapse: collapse; margin-top: 8px; }
.matrix th, .matrix td { border: 1px solid var(--line); padding: 3px 8px; text-align: left; }
.matrix thead th { position: sticky; top: 0; background: #f6f8fa; z-index: 1; font-size: 12.5px; max-width: 220px; overflow-wrap: anywhere; }
.matrix tr.area-head th { background: #eaeef2; font-size: 13px; }
.matrix tr.area-head .counts { font-weight: normal; color: var(--muted); margin-left: 8px; }
.matrix tr.area-head td.counts { background: #eaeef2; font-size: 12px; color: var(--muted); }
.matrix tr.differs th.clause { box-shadow: inset 3px 0 0 #8250df; }
.differs-mark { color: #8250df; font-weight: 700; margin-left: 6px; }
.matrix th.clause { font-weight: normal; }
.matrix th.clause code { font-size: 12.5px; }
.matrix th.clause .title { display: block; color: var(--muted); font-size: 12px; max-width: 520px; }
td.cell { padding: 0; text-align: center; min-width: 96px; }
td.cell button { all: unset; display: block; width: 100%; padding: 4px 8px; cursor: pointer; font-size: 12px; font-weight: 600; text-transform: uppercase; box-sizing: border-box; }
td.cell button:focus-visible { outline: 2px solid #0969da; outline-offset: -2px; }
td.s-pass { background: #dafbe1; color: var(--pass); } td.s-fail { background: #ffebe9; color: var(--fail); }
td.s-error { background: #fff1e5; color: var(--error); } td.s-unsupported { background: #eaeef2; color: var(--unsupported); }
td.s-none { color: var(--none); font-size: 12px; }
td.cell.selected { outline: 3px solid #0969da; outline-offset: -3px; }
td.cell.dim { opacity: .25; }
tfoot td { font-size: 12px; color: var(--muted); }
#detail { position: fixed; top: 0; right: 0; bottom: 0; width: min(900px, 62vw); background: #fff; border-left: 1px solid var(--line); box-shadow: -8px 0 24px rgba(0,0,0,.12); overflow: auto; padding: 12px 20px 40px; z-index: 5; }
#detail[hidden] { display: none; }
#detail-close { float: right; font-size: 18px; }
#detail h2 { font-size: 17px; margin: 4px 0 8px; }
#detail h3 { font-size: 14px; margin: 16px 0 6px; }
.rule { margin: 4px 0; }
.citation li { margin: 2px 0; }
pre.replay { background: #f6f8fa; border: 1px solid var(--line); padding: 8px; white-space: pre-wrap; word-break: break-all; }
table.lanes { border-collapse: collapse; width: 100%; table-layout: fixed; }
.lanes th, .lanes td { border-bottom: 1px solid #eaeef2; padding: 3px 6px; vertical-align: top; font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.lanes th.n, .lanes td.n { width: 32px; color: var(--muted); text-align: right; }
.lanes th.lane-head { background: #f6f8fa; text-align: left; border-left: 1px solid var(--line); }
.lanes td.lane { border-left: 1px solid var(--line); }
.lanes td.waiting { background: repeating-linear-gradient(180deg, #d4a72c 0 5px, transparent 5px 9px) no-repeat 14px 0 / 3px 100%; }
.lanes td.ev.pending .outcome { color: #9a6700; font-weight: 600; }
.lanes td.ev.harness-error { background: #fff1e5; box-shadow: inset 3px 0 0 var(--error); }
.lanes td.ev.harness-error .outcome { color: var(--error); font-weight: 700; }
.lanes td.ev.return { background: #f6f8fa; }
.lanes td.ev .outcome { color: #0550ae; }
.lanes td.ev.never { color: var(--muted); font-style: italic; }
.lanes td.ev.never .note { display: block; }
.lanes tr.violating td.ev.bad { background: #ffebe9; box-shadow: inset 3px 0 0 var(--fail); }
.lanes tr.violating td.ev.bad .outcome { color: var(--fail); font-weight: 700; }
.verdict { border: 1px solid var(--fail); background: #fff5f5; padding: 6px 10px; margin: 2px 0 6px; font-family: system-ui, sans-serif; }
.verdict dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 4px 0 0; }
.verdict dt { font-weight: 600; } .verdict dd { margin: 0; font-family: ui-monospace, monospace; }
.verdict dd.observed { color: var(--fail); } .verdict dd.allowed { color: var(--pass); }
details.props { margin-top: 24px; }
details.props table { border-collapse: collapse; font-size: 12.5px; }
details.props td, details.props th { border: 1px solid var(--line); padding: 2px 6px; }
`;

export const JS = `
(() => {
  const $ = (s, r = document) => r.querySelector(s);
  const $$ = (s, r = document) => [...r.querySelectorAll(s)];
  const panel = $('#detail'), body = $('#detail-body');
  function open(cell) {
    body.replaceChildren($('#' + cell.dataset.cell).content.cloneNode(true), $('#' + cell.dataset.clauseInfo).content.cloneNode(true));
    $$('td.cell.selected').forEach((c) => c.classList.remove('selected'));
    cell.classList.add('selected');
    panel.hidden = false;
    panel.scrollTop = 0;
    $('#detail-close').focus();
    // A link to this cell: report.html#CLAUSE@TARGET opens it.
    history.replaceState(null, '', '#' + encodeURIComponent(cell.dataset.clause + '@' + cell.dataset.target));
  }
  function close() {
    panel.hidden = true;
    history.replaceState(null, '', location.pathname + location.search);
    const sel = $('td.cell.selected button');
    if (sel) sel.focus();
  }
  document.addEventListener('click', (e) => {
    const cell = e.target.closest('td.cell[data-cell]');
    if (cell) return open(cell);
    const copy = e.target.closest('button.copy');
    if (copy) {
      const text = copy.parentElement.querySelector('pre').textContent;
      (navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.reject()).then(() => { copy.textContent = 'copied'; }, () => { copy.textContent = 'select and copy'; });
    }
  });
  $('#detail-close').addEventListener('click', close);
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && !panel.hidden) close(); });
  function apply() {
    const statuses = new Set($$('#filters input[name=status]:checked').map((i) => i.value));
    const area = $('#area').value;
    const q = $('#search').value.trim().toLowerCase();
    const differs = $('#differs').checked;
    let shown = 0;
    for (const tb of $$('tbody.area')) {
      let any = false;
      for (const row of $$('tr.clause-row', tb)) {
        const cells = $$('td.cell', row);
        // A cell matches its status, or "differs" (ipcspec diff) when its behaviour differs from another target's.
        const match = (c) => statuses.has(c.dataset.status) || (statuses.has('differs') && c.dataset.differs === 'true');
        for (const c of cells) c.classList.toggle('dim', c.dataset.status !== 'none' && !match(c));
        const ok = (!area || tb.dataset.area === area) && (!q || row.dataset.clause.toLowerCase().includes(q)) && (!differs || row.dataset.differs === 'true') && cells.some(match);
        row.hidden = !ok;
        if (ok) { any = true; shown++; }
      }
      tb.hidden = !any;
    }
    $('#shown').textContent = shown + ' of ' + $$('tr.clause-row').length + ' clauses shown';
  }
  $('#filters').addEventListener('input', apply);
  apply();
  const linked = decodeURIComponent(location.hash.slice(1));
  const at = linked.indexOf('@');
  const cell = at > 0 && $$('td.cell[data-cell]').find((c) => c.dataset.clause === linked.slice(0, at) && c.dataset.target === linked.slice(at + 1));
  if (cell) { open(cell); cell.scrollIntoView({ block: 'center' }); }
})();
`;
