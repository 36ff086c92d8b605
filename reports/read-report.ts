// Read a report directory written by `ipcspec run` (or merge): report.json and the counterexample
// files it references. A bad file is one clear line naming it, never a crash in a renderer.
import { realpathSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { jsonReviver } from '../spec/codec.ts';
import { InvalidInput, parseJsonText, readTextFile } from '../spec/read-input.ts';
import type { Counterexample, Report } from '../spec/report.ts';
import { parseReplayFile } from '../spec/validate.ts';
import { validateReport } from './validate-report.ts';

export { validateReport };

export interface ReportDir {
  file: string;
  report: Report;
  counterexamples: Map<string, Counterexample>;
}

/**
 * A counterexample the report names: inside the report's directory even after symlinks (a link to
 * /etc/shadow or /dev/zero is refused, not read), and a valid counterexample (spec/validate.ts).
 */
function readCounterexample(reportFile: string, rel: string): { counterexample: Counterexample; size: number } {
  const dir = dirname(reportFile);
  const path = join(dir, rel);
  let real: string;
  try {
    real = realpathSync(path);
  } catch (e) {
    throw new InvalidInput(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!real.startsWith(realpathSync(dir) + sep)) throw new InvalidInput(`${path}: leads outside the report directory (to ${real})`);
  const text = readTextFile(path);
  const { counterexample } = parseReplayFile(text, path);
  if (!counterexample) throw new InvalidInput(`${path}: not an ipcspec counterexample`);
  return { counterexample, size: text.length };
}

/** All the counterexample files of one report together: each is capped, and so is their sum. */
export const MAX_COUNTEREXAMPLE_BYTES = 256 << 20;

/** Stat before reading: a FIFO or a device among the inputs is refused, never waited on. */
export function readReportDir(file: string): ReportDir {
  const report = validateReport(parseJsonText(readTextFile(file), file, jsonReviver), file);
  const counterexamples = new Map<string, Counterexample>();
  let bytes = 0;
  const load = (rel: string) => {
    if (counterexamples.has(rel)) return;
    const { counterexample, size } = readCounterexample(file, rel);
    bytes += size;
    if (bytes > MAX_COUNTEREXAMPLE_BYTES) throw new InvalidInput(`${file}: its counterexample files exceed ${MAX_COUNTEREXAMPLE_BYTES} bytes in all (at ${rel})`);
    counterexamples.set(rel, counterexample);
  };
  for (const r of report.results) if (r.counterexample) load(r.counterexample);
  // ipcspec diff: each difference's per-target files.
  for (const d of report.differences ?? []) for (const s of d.sides) load(s.counterexample);
  return { file, report, counterexamples };
}
