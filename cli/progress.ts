// Progress while a run goes, and the per-clause summary after it.
import { clause as clauseById } from '../spec/catalogue.ts';
import type { Counterexample, Report } from '../spec/report.ts';
import { renderSteps } from '../reports/steps.ts';
import type { StartFailures } from './start-failures.ts';

export class Progress {
  private i = 0;
  private label = '';
  private total = 0;
  private readonly tty = !!process.stdout.isTTY;

  constructor(private readonly count: number) {}

  start(label: string, runs: number): void {
    this.i++;
    this.label = label;
    this.total = runs;
    if (this.tty) process.stdout.write(`[${this.i}/${this.count}] ${label} 0/${runs}`);
  }

  tick(k: number): void {
    if (this.tty) process.stdout.write(`\r\x1b[K[${this.i}/${this.count}] ${this.label} ${k}/${this.total}`);
  }

  done(result: string): void {
    const line = `[${this.i}/${this.count}] ${this.label}: ${result}`;
    if (this.tty) process.stdout.write(`\r\x1b[K${line}\n`);
    else console.log(line);
  }
}

/** The results and every counterexample's steps; `written` false: the report could not be written (said on stderr). */
export function printSummary(r: Report, out: string, cx: Map<string, Counterexample>, starts?: StartFailures, written = true): void {
  console.log('');
  const w = Math.max(...r.results.map((x) => x.clause.length));
  const shorten = (text: string, target: string) => (starts ? starts.shorten(text, target) : text);
  for (const x of r.results) {
    const note = (x.selected === false ? '  (not selected by --only; found by a selected clause\'s scenario)' : '') + (x.status === 'pass' ? '' : `  ${shorten(x.reason ?? '', x.target)}`);
    console.log(`  ${x.status.toUpperCase().padEnd(11)} ${x.clause.padEnd(w)}  ${x.target}  ${String(x.runs).padStart(5)} runs${note}`);
  }
  const s = r.summary;
  console.log(`\n${s.pass} pass, ${s.fail} fail, ${s.unsupported} unsupported, ${s.error} error — ${written ? `report: ${out}/report.html, ${out}/report.md, ${out}/report.json, ${out}/junit.xml` : `the report could NOT be written to ${out}: the failures are shown here only`}`);
  const unreached = r.results.filter((x) => x.notReachedIn !== undefined);
  if (unreached.length) console.log(`${unreached.length} clause${unreached.length === 1 ? ' was' : 's were'} reached by no scenario in the runs given (${[...new Set(unreached.map((x) => x.clause))].join(', ')}): raise --runs (they were never judged: not a pass)`);
  // A target that did not start has no scenario worth drawing: its failure was printed once, above.
  for (const x of r.results.filter((y) => y.counterexample && !starts?.isStartFailure(y.reason, y.target))) {
    const c = cx.get(x.counterexample!);
    console.log(`\n${x.status.toUpperCase()} ${x.clause} on ${x.target}: ${clauseById(x.clause).title}${x.status === 'fail' ? '' : ` (${x.reason ?? ''})`}`);
    if (c) console.log(renderSteps(c.scenario, c.trace, c.verdict));
    if (written) console.log(`replay: ${c?.replay ?? `npx ipcspec replay ${out}/${x.counterexample}`}`);
  }
}
