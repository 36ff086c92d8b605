// Write a report directory: report.json, report.md, report.html, junit.xml and the counterexamples.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toJson } from '../spec/codec.ts';
import type { Counterexample, Report } from '../spec/report.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';

export const REPORT_FILES = ['report.json', 'report.md', 'report.html', 'junit.xml'] as const;

export function writeReportDir(out: string, report: Report, counterexamples: Map<string, Counterexample>): void {
  mkdirSync(join(out, 'counterexamples'), { recursive: true });
  for (const [file, c] of counterexamples) writeFileSync(join(out, file), toJson(c));
  writeFileSync(join(out, 'report.json'), toJson(report));
  writeFileSync(join(out, 'report.md'), renderMarkdown(report, counterexamples));
  writeFileSync(join(out, 'report.html'), renderHtml(report, counterexamples));
  writeFileSync(join(out, 'junit.xml'), renderJunit(report, counterexamples));
}
