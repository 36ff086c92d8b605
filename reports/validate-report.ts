// A report.json handed to `report merge` (or read back by a renderer) is checked field by field:
// the types merge and the renderers rely on, counts bounded (a million results would only make the
// merge slow), and no control characters in names printed on one line. One InvalidInput, naming the place.
import { isClauseId } from '../spec/catalogue.ts';
import { InvalidInput } from '../spec/read-input.ts';
import { SCHEMA_VERSION, type Report, type Status } from '../spec/report.ts';

const STATUSES: Status[] = ['pass', 'fail', 'unsupported', 'error'];
/** Far above a real report: about 100 clauses × a CI matrix of targets. */
export const REPORT_LIMITS = { targets: 256, results: 50_000, properties: 50_000, differences: 10_000, text: 4096 } as const;

export const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const count = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const preview = (v: unknown) => { const t = JSON.stringify(v) ?? String(v); return t.length > 60 ? `${t.slice(0, 57)}...` : t; };

/** A relative path inside the report directory. */
export const isRelativeInside = (p: unknown): p is string => typeof p === 'string' && p.length > 0 && p.length < REPORT_LIMITS.text && !p.startsWith('/') && !p.split('/').includes('..') && !p.includes('\0');

function list(x: Record<string, unknown>, key: keyof typeof REPORT_LIMITS, file: string, optional = false): unknown[] {
  const v = x[key];
  if (v === undefined && optional) return [];
  if (!Array.isArray(v)) throw new InvalidInput(`${file}.${key}: expected an array`);
  if (v.length > REPORT_LIMITS[key]) throw new InvalidInput(`${file}.${key}: ${v.length} entries exceed the limit of ${REPORT_LIMITS[key]}`);
  return v;
}

/** A name printed in the merge's one-line output and in every renderer. */
function name(v: unknown, at: string): string {
  if (typeof v !== 'string' || v === '') throw new InvalidInput(`${at}: expected a non-empty string`);
  if (v.length > REPORT_LIMITS.text) throw new InvalidInput(`${at}: ${v.length} characters exceed the limit of ${REPORT_LIMITS.text}`);
  if (CONTROL.test(v)) throw new InvalidInput(`${at}: ${preview(v)} holds a control character`);
  return v;
}

/** Check the fields the renderers and merge rely on. */
export function validateReport(x: unknown, file: string): Report {
  if (!isObj(x)) throw new InvalidInput(`${file}: expected a report.json object`);
  if (x.schemaVersion !== SCHEMA_VERSION) throw new InvalidInput(`${file}: schemaVersion ${preview(x.schemaVersion)} is not supported (expected ${SCHEMA_VERSION})`);
  if (!isObj(x.tool) || x.tool.name !== 'ipcspec') throw new InvalidInput(`${file}: not an ipcspec report (tool.name)`);
  if (typeof x.tool.version !== 'string') throw new InvalidInput(`${file}.tool.version: expected a string`);
  if (x.profile !== 'linux' && x.profile !== 'posix') throw new InvalidInput(`${file}.profile: expected "linux" or "posix"`);
  if (typeof x.createdAt !== 'string' || !Number.isSafeInteger(x.seed) || typeof x.interrupted !== 'boolean') throw new InvalidInput(`${file}: expected createdAt (string), seed (integer) and interrupted (boolean)`);
  if (x.runs !== undefined && !(count(x.runs) && (x.runs as number) > 0)) throw new InvalidInput(`${file}.runs: expected a whole number > 0, got ${preview(x.runs)}`);
  if (x.only !== undefined && typeof x.only !== 'string') throw new InvalidInput(`${file}.only: expected a string`);
  if (x.merged !== undefined && !isObj(x.merged)) throw new InvalidInput(`${file}.merged: expected an object`);
  const targets = list(x, 'targets', file);
  const names = new Set<string>();
  targets.forEach((t, i) => {
    const at = `${file}.targets[${i}]`;
    if (!isObj(t)) throw new InvalidInput(`${at}: expected {name, description, settled, privileged}`);
    const n = name(t.name, `${at}.name`);
    if (names.has(n)) throw new InvalidInput(`${at}.name: target "${n}" is listed twice`);
    names.add(n);
    if (typeof t.description !== 'string') throw new InvalidInput(`${at}.description: expected a string`);
    for (const k of ['settled', 'privileged']) if (t[k] !== undefined && typeof t[k] !== 'boolean') throw new InvalidInput(`${at}.${k}: expected true or false`);
  });
  list(x, 'properties', file).forEach((p, i) => {
    if (!isObj(p) || !['property', 'area', 'target'].every((k) => typeof p[k] === 'string') || !['seed', 'runs', 'unsupported'].every((k) => Number.isSafeInteger(p[k])) || !(Number.isFinite(p.durationMs) && (p.durationMs as number) >= 0)) {
      throw new InvalidInput(`${file}.properties[${i}]: expected {property, area, target, seed, runs, unsupported, status, durationMs}`);
    }
    if (p.status !== undefined && !STATUSES.includes(p.status as Status)) throw new InvalidInput(`${file}.properties[${i}].status: expected one of ${STATUSES.join(', ')}, got ${preview(p.status)}`);
  });
  list(x, 'results', file).forEach((r, i) => {
    const at = `${file}.results[${i}]`;
    if (!isObj(r)) throw new InvalidInput(`${at}: expected an object`);
    for (const k of ['clause', 'area', 'target']) if (typeof r[k] !== 'string' || !r[k]) throw new InvalidInput(`${at}.${k}: expected a non-empty string`);
    if (!STATUSES.includes(r.status as Status)) throw new InvalidInput(`${at}.status: expected one of ${STATUSES.join(', ')}, got ${preview(r.status)}`);
    if (!count(r.runs)) throw new InvalidInput(`${at}.runs: expected a whole number >= 0, got ${preview(r.runs)}`);
    if (!names.has(r.target as string)) throw new InvalidInput(`${at}.target: ${preview(r.target)} is not in targets[]`);
    if (!isClauseId(r.clause as string)) throw new InvalidInput(`${at}.clause: ${preview(r.clause)} is not in this ipcspec's catalogue (a report from another version?)`);
    if (r.reason !== undefined && typeof r.reason !== 'string') throw new InvalidInput(`${at}.reason: expected a string`);
    if (r.counterexample !== undefined && !isRelativeInside(r.counterexample)) throw new InvalidInput(`${at}.counterexample: expected a path relative to the report directory`);
  });
  list(x, 'differences', file, true).forEach((d, i) => {
    if (!isObj(d) || !Array.isArray(d.sides) || !Array.isArray(d.clauses) || typeof d.id !== 'string') throw new InvalidInput(`${file}.differences[${i}]: expected {id, kind, key, clauses[], sides[], ...}`);
    if (d.sides.length > REPORT_LIMITS.targets) throw new InvalidInput(`${file}.differences[${i}].sides: more than ${REPORT_LIMITS.targets} sides`);
    d.sides.forEach((s: unknown, j: number) => {
      if (!isObj(s) || !isRelativeInside(s.counterexample)) throw new InvalidInput(`${file}.differences[${i}].sides[${j}]: expected {target, counterexample (relative path), ...}`);
      name(s.target, `${file}.differences[${i}].sides[${j}].target`);
    });
  });
  return x as unknown as Report;
}
