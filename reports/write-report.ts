// Write a report directory: report.json, report.md, report.html, junit.xml and the counterexamples.
// Every file is written atomically (reports/atomic-files.ts): a full disk leaves no truncated file,
// and the OutputError it throws names the file that could not be written.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { toJson } from '../spec/codec.ts';
import type { Counterexample, Report } from '../spec/report.ts';
import { makeDirs, writeFileAtomic } from './atomic-files.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';

export const REPORT_FILES = ['report.json', 'report.md', 'report.html', 'junit.xml'] as const;

export function writeReportDir(out: string, report: Report, counterexamples: Map<string, Counterexample>): void {
  makeDirs(join(out, 'counterexamples'));
  // A reused --out: counterexamples of an earlier run would read as this run's, so they go.
  const current = new Set([...counterexamples.keys()].map((f) => f.replace(/^counterexamples\//, '')));
  for (const f of readdirSync(join(out, 'counterexamples'))) if (f.endsWith('.json') && !current.has(f)) rmSync(join(out, 'counterexamples', f), { force: true });
  for (const [file, c] of counterexamples) writeFileAtomic(join(out, file), toJson(c));
  writeFileAtomic(join(out, 'report.json'), toJson(report));
  writeFileAtomic(join(out, 'report.md'), renderMarkdown(report, counterexamples));
  writeFileAtomic(join(out, 'report.html'), renderHtml(report, counterexamples));
  writeFileAtomic(join(out, 'junit.xml'), renderJunit(report, counterexamples));
}
