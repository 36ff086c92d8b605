// Write a report directory: report.json, report.md, report.html, junit.xml and the counterexamples.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toJson } from '../spec/codec.ts';
import type { Counterexample, Report } from '../spec/report.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';

export const REPORT_FILES = ['report.json', 'report.md', 'report.html', 'junit.xml'] as const;

export function writeReportDir(out: string, report: Report, counterexamples: Map<string, Counterexample>): void {
  mkdirSync(join(out, 'counterexamples'), { recursive: true });
  // A reused --out: counterexamples of an earlier run would read as this run's, so they go.
  const current = new Set([...counterexamples.keys()].map((f) => f.replace(/^counterexamples\//, '')));
  for (const f of readdirSync(join(out, 'counterexamples'))) if (f.endsWith('.json') && !current.has(f)) rmSync(join(out, 'counterexamples', f), { force: true });
  for (const [file, c] of counterexamples) writeFileSync(join(out, file), toJson(c));
  writeFileSync(join(out, 'report.json'), toJson(report));
  writeFileSync(join(out, 'report.md'), renderMarkdown(report, counterexamples));
  writeFileSync(join(out, 'report.html'), renderHtml(report, counterexamples));
  writeFileSync(join(out, 'junit.xml'), renderJunit(report, counterexamples));
}
