// The "Differences" section of report.md for `ipcspec diff`, sized for a pull-request comment:
// one table row per difference, the replay commands folded away, long lists cut with a pointer to
// report.html.
import { isBehaviourDifference, type Report } from '../spec/report.ts';

const MAX_ROWS = 25;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const clip = (s: string, n = 160) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function renderDifferencesMd(r: Report): string[] {
  const ds = r.differences;
  if (!ds) return [];
  const stable = ds.filter(isBehaviourDifference);
  const noisy = ds.filter((d) => !d.stable);
  const unproven = ds.filter((d) => d.stable && d.unsettledOnly);
  const notCounted = [noisy.length ? `${noisy.length} nondeterministic (a target disagreed with itself)` : '', unproven.length ? `${unproven.length} where the verdicts differ only in what an unsettled target can prove` : ''].filter(Boolean).join(', ');
  const out = ['## Differences', ''];
  out.push(stable.length ? `**${stable.length} behaviour difference${stable.length === 1 ? '' : 's'}** between ${r.targets.map((t) => `\`${t.name}\``).join(', ')}${notCounted ? `; not counted: ${notCounted}` : ''}.` : `No behaviour differs between ${r.targets.map((t) => `\`${t.name}\``).join(', ')}${notCounted ? ` (not counted: ${notCounted})` : ''}.`, '');
  // Unsupported on a target is not a behaviour difference, but the comparison is incomplete there.
  const byClause = new Map<string, string[]>();
  for (const x of r.results) byClause.set(x.clause, [...(byClause.get(x.clause) ?? []), x.status]);
  const partial = [...byClause].filter(([, ss]) => ss.includes('unsupported') && ss.some((s) => s === 'pass' || s === 'fail')).map(([c]) => c);
  if (partial.length) out.push(`Not compared where unsupported (${partial.length} clause${partial.length === 1 ? '' : 's'}): ${partial.slice(0, 12).map((c) => `\`${c}\``).join(', ')}${partial.length > 12 ? ', …' : ''}.`, '');
  if (!ds.length) return out;
  const rows = [...stable, ...unproven, ...noisy];
  out.push(`| # | kind | clause | what differs | ${r.targets.map((t) => cell(t.name)).join(' | ')} |`, `|---|---|---|---|${r.targets.map(() => '---').join('|')}|`);
  for (const d of rows.slice(0, MAX_ROWS)) {
    const per = r.targets.map((t) => { const s = d.sides.find((x) => x.target === t.name); return s ? `\`${cell(clip(s.observed, 80))}\`` : '—'; });
    out.push(`| ${d.id}${!d.stable ? ` (nondeterministic on ${d.nondeterministic!.join(', ')})` : d.unsettledOnly ? ' (unsettled only: not counted)' : ''} | ${d.kind} | ${d.clauses.map((c) => `\`${c}\``).join(' ')} | ${cell(clip(d.key === `fail:${d.clauses[0]}` ? d.summary : `\`${d.key}\` ${d.summary}`))} | ${per.join(' | ')} |`);
  }
  if (rows.length > MAX_ROWS) out.push('', `… and ${rows.length - MAX_ROWS} more: see report.html.`);
  out.push('', '<details><summary>Replay each minimal scenario per target</summary>', '', '```sh');
  for (const d of rows.slice(0, MAX_ROWS)) for (const s of d.sides) out.push(`# ${d.id} on ${s.target}`, s.replay);
  out.push('```', '', '</details>', '');
  return out;
}
