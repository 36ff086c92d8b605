// The rubric a teacher writes (YAML) -> spec/grade.ts Rubric. Every mistake is one RubricError
// line, `FILE:LINE: what is wrong`, naming the line of the offending key or value, so a typo in a
// rubric never becomes a silently different grade.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { ProfileName } from '../../spec/clause.ts';
import { CLAUSES, matchClauses } from '../../spec/catalogue.ts';
import { PROFILE_NAMES } from '../../spec/profile.ts';
import { VISIBILITIES, type Rubric, type RubricItem, type SandboxLimits, type Visibility } from '../../spec/grade.ts';
import { describeUtf8Error, InvalidInput, readBoundedFile, utf8Error } from '../../spec/read-input.ts';

export class RubricError extends Error {
  constructor(readonly file: string, readonly line: number | undefined, readonly what: string) {
    super(line === undefined ? `${file}: ${what}` : `${file}:${line}: ${what}`);
    this.name = 'RubricError';
  }
}

const TOP_KEYS = ['assignment', 'profile', 'runs', 'seeds', 'limits', 'visibility', 'stdout_visibility', 'clauses'];
const SEED_KEYS = ['fixed', 'hidden', 'hidden_feedback'];
const LIMIT_KEYS = ['cpu_seconds', 'memory_mb', 'processes', 'file_size_mb', 'clause_seconds', 'reply_seconds', 'start_seconds'];
const ITEM_KEYS = ['match', 'points', 'visibility'];
const HIDDEN_FEEDBACK = ['counterexample', 'clause-only'] as const;
const MAX_SEED = 2 ** 31 - 1;
const MAX_RUNS = 10_000;
/** A rubric is a page of YAML; a larger file is not one (and is never read whole). */
export const MAX_RUBRIC_BYTES = 1 << 20;
const MAX_HIDDEN_SEEDS = 16;
/** Scenarios per property over all seeds: runs × (1 + hidden seeds). */
const MAX_SCENARIOS = 20_000;
const MAX_POINTS = 10_000;
const MAX_TEXT = 200;
/** Upper limits per key of `limits`: beyond these a limit limits nothing. */
const LIMIT_MAX: Record<string, number> = { cpu_seconds: 3600, memory_mb: 65_536, processes: 4096, file_size_mb: 4096, clause_seconds: 3600, reply_seconds: 600, start_seconds: 600 };

/** Defaults: node needs about 1 GiB of address space, so memory_mb below that breaks module submissions. */
export const DEFAULT_LIMITS: SandboxLimits & { clauseSeconds: number; replySeconds: number; startSeconds: number } = {
  cpuSeconds: 60, memoryMb: 1024, processes: 64, fileSizeMb: 16, clauseSeconds: 120, replySeconds: 10, startSeconds: 30,
};

/** Stat first: a FIFO, a device or a huge file is refused before anything reads (or waits on) it. */
export function loadRubric(file: string): Rubric {
  let bytes: Buffer;
  try {
    bytes = readBoundedFile(file, MAX_RUBRIC_BYTES);
  } catch (e) {
    if (!(e instanceof InvalidInput)) throw e;
    throw new RubricError(file, undefined, e.message.startsWith('cannot read') ? `cannot read the rubric: ${e.message.replace(/^cannot read .*: /, '')}` : e.message.replace(`${file}: `, ''));
  }
  const bad = utf8Error(bytes);
  if (bad) throw new RubricError(file, bad.line, describeUtf8Error(bad));
  return parseRubric(bytes.toString('utf8'), file);
}

export function parseRubric(text: string, file: string): Rubric {
  if (text.length > MAX_RUBRIC_BYTES) throw new RubricError(file, undefined, `${text.length} characters is larger than a rubric may be (${MAX_RUBRIC_BYTES})`);
  const lc = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: true });
  } catch (e) {
    // The YAML parser recurses: "[[[[..." thousands deep overflows its stack.
    throw new RubricError(file, undefined, e instanceof RangeError ? 'YAML syntax: nested too deeply' : `YAML syntax: ${(e as Error).message.split('\n')[0]}`);
  }
  const r = new Reader(file, lc, doc);
  if (doc.errors.length) {
    const e = doc.errors[0];
    const what = e.code === 'MULTIPLE_DOCS' ? 'a rubric is one YAML document: remove the second "---"' : /call stack/.test(e.message) ? 'nested too deeply' : e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new RubricError(file, e.linePos?.[0]?.line, `YAML syntax: ${what}`);
  }
  const root = r.resolve(doc.contents);
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) {
    throw new RubricError(file, undefined, `empty rubric: expected a mapping with at least seeds.fixed and clauses (keys: ${TOP_KEYS.join(', ')})`);
  }
  if (!isMap(root)) throw r.err(root, `the rubric must be a mapping of keys (${TOP_KEYS.join(', ')}), not ${r.kind(root)}`);
  const top = r.fields(root, TOP_KEYS, 'the rubric');

  const assignment = top.has('assignment') ? r.text(top.get('assignment')!, 'assignment', 1000) : undefined;
  const profile = top.has('profile') ? r.oneOf(top.get('profile')!, 'profile', PROFILE_NAMES, 'unknown profile') as ProfileName : 'posix';
  const runs = top.has('runs') ? r.int(top.get('runs')!, 'runs', 1, MAX_RUNS) : 100;
  const visibility = top.has('visibility') ? r.visibility(top.get('visibility')!, 'visibility') : 'visible';
  // What a submission prints is its own text (it could be anything it read): shown only when the teacher says so.
  const stdoutVisibility = top.has('stdout_visibility') ? r.visibility(top.get('stdout_visibility')!, 'stdout_visibility') : 'hidden';

  if (!top.has('seeds')) throw new RubricError(file, undefined, 'missing required key "seeds" (with seeds.fixed, the assignment\'s seed)');
  const seedsPair = top.get('seeds')!;
  const seedsMap = r.map(seedsPair, 'seeds');
  const seeds = r.fields(seedsMap, SEED_KEYS, 'seeds');
  if (!seeds.has('fixed')) throw r.errAt(seedsPair, 'missing required key "seeds.fixed" (the assignment\'s seed, an integer 0..2147483647)');
  const fixedSeed = r.int(seeds.get('fixed')!, 'seeds.fixed', 0, MAX_SEED);
  const hiddenSeeds: number[] = [];
  if (seeds.has('hidden')) {
    const list = r.seq(seeds.get('hidden')!, 'seeds.hidden', 'a list of integers, e.g. [31, 47]');
    const seenAt = new Map<number, Node>();
    if (list.items.length > MAX_HIDDEN_SEEDS) throw r.errAt(seeds.get('hidden')!, `seeds.hidden lists ${list.items.length} seeds: at most ${MAX_HIDDEN_SEEDS}`);
    for (const item of list.items) {
      const n = r.intNode(item as Node, 'seeds.hidden item', 0, MAX_SEED);
      if (n === fixedSeed) throw r.err(item as Node, `hidden seed ${n} equals seeds.fixed: a hidden seed must differ from the fixed one`);
      const prev = seenAt.get(n);
      if (prev) throw r.err(item as Node, `hidden seed ${n} is listed twice (also on line ${r.line(prev)})`);
      seenAt.set(n, item as Node);
      hiddenSeeds.push(n);
    }
  }
  if (runs * (1 + hiddenSeeds.length) > MAX_SCENARIOS) {
    throw r.errAt(top.get('runs') ?? seeds.get('hidden')!, `runs ${runs} × ${1 + hiddenSeeds.length} seeds is ${runs * (1 + hiddenSeeds.length)} scenarios per property, over the limit of ${MAX_SCENARIOS}`);
  }
  const hiddenFeedback = seeds.has('hidden_feedback') ? r.oneOf(seeds.get('hidden_feedback')!, 'seeds.hidden_feedback', HIDDEN_FEEDBACK, 'unknown hidden_feedback') as Rubric['hiddenFeedback'] : 'counterexample';

  const lim = { ...DEFAULT_LIMITS };
  if (top.has('limits')) {
    const limits = r.fields(r.map(top.get('limits')!, 'limits'), LIMIT_KEYS, 'limits');
    const set = (key: string, field: keyof typeof lim) => { if (limits.has(key)) lim[field] = r.int(limits.get(key)!, `limits.${key}`, 1, LIMIT_MAX[key]); };
    set('cpu_seconds', 'cpuSeconds');
    set('memory_mb', 'memoryMb');
    set('processes', 'processes');
    set('file_size_mb', 'fileSizeMb');
    set('clause_seconds', 'clauseSeconds');
    set('reply_seconds', 'replySeconds');
    set('start_seconds', 'startSeconds');
  }

  if (!top.has('clauses')) throw new RubricError(file, undefined, 'missing required key "clauses" (a list of {match, points} items)');
  const clausesPair = top.get('clauses')!;
  const list = r.seq(clausesPair, 'clauses', 'a list of items like "- match: pipe.order-and-content\\n    points: 2"');
  if (list.items.length === 0) throw r.errAt(clausesPair, 'clauses is empty: list at least one {match, points} item');
  const items: RubricItem[] = [];
  const owner = new Map<string, RubricItem>();
  for (const raw of list.items) {
    const node = r.resolve(raw as Node);
    if (!isMap(node)) throw r.err(node, `each clauses item must be a mapping with match and points (keys: ${ITEM_KEYS.join(', ')}), not ${r.kind(node)}`);
    const f = r.fields(node, ITEM_KEYS, 'a clauses item');
    const line = r.line(node) ?? 0;
    if (!f.has('match')) throw new RubricError(file, line, 'clauses item without "match" (a clause id, area or glob)');
    if (!f.has('points')) throw new RubricError(file, line, 'clauses item without "points" (a number > 0)');
    const matchPair = f.get('match')!;
    const match = r.text(matchPair, 'match', MAX_TEXT).trim();
    if (match.includes(',')) throw r.errAt(matchPair, `match "${match}" holds a comma: write one glob per item`);
    const points = r.number(f.get('points')!, 'points', MAX_POINTS);
    const item: RubricItem = { match, points, visibility: f.has('visibility') ? r.visibility(f.get('visibility')!, 'visibility') : visibility, line };
    const { clauses } = matchClauses(match);
    if (clauses.length === 0) throw r.errAt(matchPair, `match "${match}" matches no clause (see \`ipcspec clauses\` for ids and areas)`);
    const inProfile = clauses.filter((c) => c.profiles.includes(profile));
    if (inProfile.length === 0) throw r.errAt(matchPair, `match "${match}" matches only clauses outside profile ${profile}: ${clauses.map((c) => `${c.id} (${c.profiles.join('/')})`).join(', ')}`);
    for (const c of inProfile) {
      const prev = owner.get(c.id);
      if (prev) throw r.errAt(matchPair, `clause ${c.id} is matched by two items: line ${prev.line} (match: ${prev.match}) and line ${line} (match: ${match}); each clause may be graded once`);
      owner.set(c.id, item);
    }
    items.push(item);
  }
  // Catalogue order, one entry per clause.
  const clauses = CLAUSES.filter((c) => owner.has(c.id)).map((c) => {
    const it = owner.get(c.id)!;
    return { clause: c.id, points: it.points, visibility: it.visibility, line: it.line };
  });

  return {
    file, ...(assignment !== undefined ? { assignment } : {}), profile, runs, fixedSeed, hiddenSeeds, hiddenFeedback,
    limits: { cpuSeconds: lim.cpuSeconds, memoryMb: lim.memoryMb, processes: lim.processes, fileSizeMb: lim.fileSizeMb },
    clauseSeconds: lim.clauseSeconds, replySeconds: lim.replySeconds, startSeconds: lim.startSeconds, visibility, stdoutVisibility, clauses, items,
  };
}

/** Typed reads of YAML nodes; each failure names the node's line. */
class Reader {
  constructor(private file: string, private lc: LineCounter, private doc: Document) {}

  resolve(n: unknown): Node | null {
    if (isAlias(n) && n.resolve(this.doc) === undefined) throw this.err(n, `alias *${n.source} refers to no anchor`);
    const x = isAlias(n) ? n.resolve(this.doc) : n;
    return (x ?? null) as Node | null;
  }

  line(n: Node | null | undefined): number | undefined {
    return n?.range ? this.lc.linePos(n.range[0]).line : undefined;
  }

  err(n: Node | null | undefined, what: string): RubricError {
    return new RubricError(this.file, this.line(n), what);
  }

  /** An error about a key's value: the value's line, or the key's when the value is empty. */
  errAt(p: Pair, what: string): RubricError {
    // The value as written (an alias's own line, not its anchor's), else the key's.
    return new RubricError(this.file, this.line(p.value as Node | null) ?? this.line(p.key as Node | null), what);
  }

  kind(n: Node | null): string {
    if (n === null) return 'nothing';
    if (isMap(n)) return 'a mapping';
    if (isSeq(n)) return 'a list';
    if (isScalar(n)) {
      const v = n.value;
      if (v === null || v === undefined) return 'nothing';
      if (typeof v === 'string') return `text "${v.length > 40 ? v.slice(0, 40) + '...' : v}"`;
      if (typeof v === 'boolean') return `${v}`;
      if (typeof v === 'number') return `${v}`;
    }
    return 'an unexpected value';
  }

  /** The pairs of a mapping by key, rejecting keys not in `allowed` (typos like `point:`). */
  fields(m: YAMLMap, allowed: string[], where: string): Map<string, Pair> {
    const out = new Map<string, Pair>();
    for (const p of m.items as Pair[]) {
      const k = this.resolve(p.key);
      const key = k && isScalar(k) ? String(k.value) : undefined;
      if (key === undefined || !allowed.includes(key)) {
        throw this.err(k ?? this.resolve(p.value), `unknown key ${key === undefined ? `(${this.kind(k)})` : `"${key}"`} in ${where} (allowed: ${allowed.join(', ')})`);
      }
      out.set(key, p);
    }
    return out;
  }

  map(p: Pair, key: string): YAMLMap {
    const v = this.resolve(p.value);
    if (!v || !isMap(v)) throw this.errAt(p, `${key} must be a mapping, not ${this.kind(v)}`);
    return v;
  }

  seq(p: Pair, key: string, expected: string) {
    const v = this.resolve(p.value);
    if (!v || !isSeq(v)) throw this.errAt(p, `${key} must be ${expected}, not ${this.kind(v)}`);
    return v;
  }

  private scalar(p: Pair): unknown {
    const v = this.resolve(p.value);
    return v && isScalar(v) ? v.value : v === null ? null : undefined;
  }

  text(p: Pair, key: string, max: number): string {
    const v = this.scalar(p);
    if (typeof v === 'number') return String(v);
    if (typeof v !== 'string' || v.trim() === '') throw this.errAt(p, `${key} must be text, not ${this.kind(this.resolve(p.value))}`);
    if (v.length > max) throw this.errAt(p, `${key} is ${v.length} characters long: at most ${max}`);
    return v;
  }

  int(p: Pair, key: string, min: number, max: number): number {
    const v = this.resolve(p.value);
    if (!v) throw this.errAt(p, `${key} must be an integer ${min}..${max}, not nothing`);
    return this.intNode(v, key, min, max, p);
  }

  intNode(n: Node, key: string, min: number, max: number, p?: Pair): number {
    const node = this.resolve(n);
    const v = node && isScalar(node) ? node.value : undefined;
    const fail = (what: string) => (p ? this.errAt(p, what) : this.err(node, what));
    if (typeof v !== 'number' || !Number.isInteger(v)) throw fail(`${key} must be an integer ${min}..${max}, not ${this.kind(node)}`);
    if (v < min || v > max) throw fail(`${key} ${v} is out of range ${min}..${max}`);
    return v;
  }

  number(p: Pair, key: string, max: number): number {
    const v = this.scalar(p);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw this.errAt(p, `${key} must be a number > 0, not ${this.kind(this.resolve(p.value))}`);
    if (v <= 0) throw this.errAt(p, `${key} ${v} is out of range: it must be > 0`);
    if (v > max) throw this.errAt(p, `${key} ${v} is out of range: at most ${max}`);
    return v;
  }

  oneOf<T extends string>(p: Pair, key: string, allowed: readonly T[], what: string): T {
    const v = this.scalar(p);
    if (typeof v !== 'string' || !allowed.includes(v as T)) throw this.errAt(p, `${what} ${typeof v === 'string' ? `"${v}"` : this.kind(this.resolve(p.value))} for ${key} (allowed: ${allowed.join(', ')})`);
    return v as T;
  }

  visibility(p: Pair, key: string): Visibility {
    return this.oneOf(p, key, VISIBILITIES, 'bad visibility');
  }
}
