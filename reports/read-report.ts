// Read a report directory written by `ipcspec run` (or merge): report.json and the counterexample
// files it references. A bad file is one clear line naming it, never a crash in a renderer.
import { dirname, join } from 'node:path';
import { isClauseId } from '../spec/catalogue.ts';
import { jsonReviver } from '../spec/codec.ts';
import { parseJsonText, readTextFile } from '../spec/read-input.ts';
import { SCHEMA_VERSION, type Counterexample, type Report, type Status } from '../spec/report.ts';
import { InvalidInput, parseReplayFile } from '../spec/validate.ts';

export interface ReportDir {
  file: string;
  report: Report;
  counterexamples: Map<string, Counterexample>;
}

const STATUSES: Status[] = ['pass', 'fail', 'unsupported', 'error'];
const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Stat before reading: a FIFO or a device among the inputs is refused, never waited on. */
const readText = (file: string): string => readTextFile(file);

/** Check the fields the renderers and merge rely on. */
export function validateReport(x: unknown, file: string): Report {
  if (!isObj(x)) throw new InvalidInput(`${file}: expected a report.json object`);
  if (x.schemaVersion !== SCHEMA_VERSION) throw new InvalidInput(`${file}: schemaVersion ${JSON.stringify(x.schemaVersion)} is not supported (expected ${SCHEMA_VERSION})`);
  if (!isObj(x.tool) || x.tool.name !== 'ipcspec') throw new InvalidInput(`${file}: not an ipcspec report (tool.name)`);
  if (x.profile !== 'linux' && x.profile !== 'posix') throw new InvalidInput(`${file}.profile: expected "linux" or "posix"`);
  for (const k of ['targets', 'results', 'properties'] as const) if (!Array.isArray(x[k])) throw new InvalidInput(`${file}.${k}: expected an array`);
  (x.targets as unknown[]).forEach((t, i) => {
    if (!isObj(t) || typeof t.name !== 'string' || !t.name) throw new InvalidInput(`${file}.targets[${i}].name: expected a non-empty string`);
  });
  (x.properties as unknown[]).forEach((p, i) => {
    if (!isObj(p) || !['property', 'area', 'target'].every((k) => typeof p[k] === 'string') || !['seed', 'runs', 'unsupported', 'durationMs'].every((k) => Number.isFinite(p[k]))) {
      throw new InvalidInput(`${file}.properties[${i}]: expected {property, area, target, seed, runs, unsupported, status, durationMs}`);
    }
  });
  (x.targets as Array<Record<string, unknown>>).forEach((t, i) => {
    if (typeof t.description !== 'string') throw new InvalidInput(`${file}.targets[${i}].description: expected a string`);
  });
  if (typeof x.createdAt !== 'string' || !Number.isInteger(x.seed) || typeof x.interrupted !== 'boolean') throw new InvalidInput(`${file}: expected createdAt (string), seed (integer) and interrupted (boolean)`);
  const names = new Set((x.targets as Array<{ name: string }>).map((t) => t.name));
  (x.results as unknown[]).forEach((r, i) => {
    const at = `${file}.results[${i}]`;
    if (!isObj(r)) throw new InvalidInput(`${at}: expected an object`);
    for (const k of ['clause', 'area', 'target']) if (typeof r[k] !== 'string' || !r[k]) throw new InvalidInput(`${at}.${k}: expected a non-empty string`);
    if (!STATUSES.includes(r.status as Status)) throw new InvalidInput(`${at}.status: expected one of ${STATUSES.join(', ')}, got ${JSON.stringify(r.status)}`);
    if (!Number.isInteger(r.runs)) throw new InvalidInput(`${at}.runs: expected an integer`);
    if (!names.has(r.target as string)) throw new InvalidInput(`${at}.target: "${r.target}" is not in targets[]`);
    if (!isClauseId(r.clause as string)) throw new InvalidInput(`${at}.clause: "${r.clause}" is not in this ipcspec's catalogue (a report from another version?)`);
    if (r.counterexample !== undefined && (typeof r.counterexample !== 'string' || r.counterexample.startsWith('/') || r.counterexample.split('/').includes('..'))) {
      throw new InvalidInput(`${at}.counterexample: expected a path relative to the report directory`);
    }
  });
  return x as unknown as Report;
}

export function readReportDir(file: string): ReportDir {
  const x = parseJsonText(readText(file), file, jsonReviver);
  const report = validateReport(x, file);
  const counterexamples = new Map<string, Counterexample>();
  for (const r of report.results) {
    if (!r.counterexample || counterexamples.has(r.counterexample)) continue;
    const path = join(dirname(file), r.counterexample);
    const { counterexample } = parseReplayFile(readText(path), path);
    if (!counterexample) throw new InvalidInput(`${path}: not an ipcspec counterexample`);
    counterexamples.set(r.counterexample, counterexample);
  }
  // ipcspec diff: each difference's per-target files.
  if (report.differences !== undefined) {
    if (!Array.isArray(report.differences)) throw new InvalidInput(`${file}.differences: expected an array`);
    report.differences.forEach((d, i) => {
      if (!isObj(d) || !Array.isArray(d.sides) || !Array.isArray(d.clauses) || typeof d.id !== 'string') throw new InvalidInput(`${file}.differences[${i}]: expected {id, kind, key, clauses[], sides[], ...}`);
      for (const s of d.sides) {
        if (!isObj(s) || typeof s.counterexample !== 'string' || s.counterexample.startsWith('/') || s.counterexample.split('/').includes('..')) throw new InvalidInput(`${file}.differences[${i}].sides: expected {target, counterexample (relative path), ...}`);
        if (counterexamples.has(s.counterexample)) continue;
        const path = join(dirname(file), s.counterexample);
        const { counterexample } = parseReplayFile(readText(path), path);
        if (!counterexample) throw new InvalidInput(`${path}: not an ipcspec counterexample`);
        counterexamples.set(s.counterexample, counterexample);
      }
    });
  }
  return { file, report, counterexamples };
}
