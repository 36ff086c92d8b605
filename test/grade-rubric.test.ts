// The rubric loader: defaults, glob expansion in catalogue order, and one error per mistake naming
// exactly the line of the offending key or value.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLAUSES, matchClauses } from '../spec/catalogue.ts';
import { VISIBILITIES } from '../spec/grade.ts';
import { loadRubric, parseRubric, RubricError } from '../engine/grade/rubric.ts';
import { tempDir } from './support/tmp.ts';

const F = 'lab3.yaml';

/** The RubricError a rubric text raises (fails the test when it parses). */
function errorOf(text: string): RubricError {
  try {
    parseRubric(text, F);
  } catch (e) {
    expect(e).toBeInstanceOf(RubricError);
    expect((e as Error).message).not.toContain('\n');
    return e as RubricError;
  }
  throw new Error(`rubric parsed but should not:\n${text}`);
}

const BASE = `seeds:
  fixed: 7
clauses:
  - match: pipe.order-and-content
    points: 2
`;

describe('rubric: valid', () => {
  it('loads a minimal rubric with every default', () => {
    const dir = tempDir('ipcspec-rubric-');
    const file = join(dir, 'rubric.yaml');
    writeFileSync(file, BASE);
    const r = loadRubric(file);
    expect(r).toEqual({
      file, profile: 'posix', runs: 100, fixedSeed: 7, hiddenSeeds: [], hiddenFeedback: 'counterexample',
      limits: { cpuSeconds: 60, memoryMb: 1024, processes: 64, fileSizeMb: 16 }, clauseSeconds: 120, replySeconds: 10, startSeconds: 30,
      visibility: 'visible', stdoutVisibility: 'hidden',
      clauses: [{ clause: 'pipe.order-and-content', points: 2, visibility: 'visible', line: 4 }],
      items: [{ match: 'pipe.order-and-content', points: 2, visibility: 'visible', line: 4 }],
    });
    expect(r.assignment).toBeUndefined();
  });

  it('reads every key, and expands globs and areas in catalogue order', () => {
    const r = parseRubric(`assignment: Lab 3 — pipes and FIFOs   # a comment
profile: linux
runs: 25
seeds:
  fixed: 20261125
  hidden: [31, 47]
  hidden_feedback: clause-only
limits:
  cpu_seconds: 30
  memory_mb: 2048
  processes: 32
  file_size_mb: 4
  clause_seconds: 90
  reply_seconds: 5
visibility: after_due_date
clauses:
  - match: pipe-blocking
    points: 1.5
  - match: pipe.capacity-*
    points: 1
    visibility: hidden
  - match: pipe.order-and-content
    points: 3
    visibility: visible
`, F);
    expect(r).toMatchObject({
      assignment: 'Lab 3 — pipes and FIFOs', profile: 'linux', runs: 25, fixedSeed: 20261125, hiddenSeeds: [31, 47], hiddenFeedback: 'clause-only',
      limits: { cpuSeconds: 30, memoryMb: 2048, processes: 32, fileSizeMb: 4 }, clauseSeconds: 90, replySeconds: 5, startSeconds: 30, visibility: 'after_due_date',
    });
    const blocking = CLAUSES.filter((c) => c.area === 'pipe-blocking').map((c) => c.id);
    const capacity = matchClauses('pipe.capacity-*').clauses.map((c) => c.id);
    expect(blocking.length).toBeGreaterThan(1);
    expect(capacity.length).toBeGreaterThan(1);
    const want = CLAUSES.map((c) => c.id).filter((id) => [...blocking, ...capacity, 'pipe.order-and-content'].includes(id));
    expect(r.clauses.map((c) => c.clause)).toEqual(want);
    const of = (id: string) => r.clauses.find((c) => c.clause === id)!;
    expect(of(blocking[0])).toEqual({ clause: blocking[0], points: 1.5, visibility: 'after_due_date', line: 17 });
    expect(of(capacity[0])).toEqual({ clause: capacity[0], points: 1, visibility: 'hidden', line: 19 });
    expect(of('pipe.order-and-content')).toEqual({ clause: 'pipe.order-and-content', points: 3, visibility: 'visible', line: 22 });
    expect(r.items.map((i) => i.line)).toEqual([17, 19, 22]);
  });

  it('reads the start deadline (start_seconds) apart from the reply deadline', () => {
    const r = parseRubric(`limits: { reply_seconds: 5, start_seconds: 120 }\n${BASE}`, F);
    expect(r).toMatchObject({ replySeconds: 5, startSeconds: 120 });
  });

  it('skips the clauses of a glob that are outside the profile when others are in it', () => {
    const linuxOnly = CLAUSES.filter((c) => c.area === 'pipe-capacity' && !c.profiles.includes('posix')).map((c) => c.id);
    const all = CLAUSES.filter((c) => c.area === 'pipe-capacity');
    const r = parseRubric(BASE.replace('pipe.order-and-content', 'pipe-capacity'), F);
    expect(r.clauses.map((c) => c.clause)).toEqual(all.filter((c) => c.profiles.includes('posix')).map((c) => c.id));
    expect(r.clauses.some((c) => linuxOnly.includes(c.clause))).toBe(false);
  });
});

describe('rubric: each mistake names its line', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['unknown top-level key', `seeds:\n  fixed: 7\nrun: 5\nclauses:\n  - match: pipe-data\n    points: 1\n`, /^lab3\.yaml:3: unknown key "run" in the rubric \(allowed: assignment, profile, runs, seeds, limits, visibility, stdout_visibility, clauses\)$/],
    ['typo in an item key', `seeds:\n  fixed: 7\nclauses:\n  - match: pipe-data\n    point: 1\n`, /^lab3\.yaml:5: unknown key "point" in a clauses item \(allowed: match, points, visibility\)$/],
    ['unknown limits key', `seeds:\n  fixed: 7\nlimits:\n  cpu: 5\nclauses:\n  - match: pipe-data\n    points: 1\n`, /^lab3\.yaml:4: unknown key "cpu" in limits \(allowed: cpu_seconds,/],
    ['wrong type: runs as text', `runs: many\nseeds:\n  fixed: 7\nclauses:\n  - match: pipe-data\n    points: 1\n`, /^lab3\.yaml:1: runs must be an integer 1\.\.10000, not text "many"$/],
    ['wrong type: decimal seed', `seeds:\n  fixed: 7.5\nclauses:\n  - match: pipe-data\n    points: 1\n`, /^lab3\.yaml:2: seeds\.fixed must be an integer 0\.\.2147483647, not 7\.5$/],
    ['wrong type: points as text', `seeds:\n  fixed: 7\nclauses:\n  - match: pipe-data\n    points: two\n`, /^lab3\.yaml:5: points must be a number > 0, not text "two"$/],
    ['wrong type: seeds not a mapping', `seeds: 7\nclauses:\n  - match: pipe-data\n    points: 1\n`, /^lab3\.yaml:1: seeds must be a mapping, not 7$/],
    ['wrong type: empty value', `seeds:\n  fixed: 7\nruns:\nclauses:\n  - match: pipe-data\n    points: 1\n`, /^lab3\.yaml:3: runs must be an integer 1\.\.10000, not nothing$/],
    ['wrong type: clauses item not a mapping', `seeds:\n  fixed: 7\nclauses:\n  - pipe-data\n`, /^lab3\.yaml:4: each clauses item must be a mapping/],
    ['out of range: runs', `seeds:\n  fixed: 7\nruns: 0\nclauses:\n  - match: pipe-data\n    points: 1\n`, /^lab3\.yaml:3: runs 0 is out of range 1\.\.10000$/],
    ['out of range: seed', `seeds:\n  fixed: 2147483648\nclauses:\n  - match: pipe-data\n    points: 1\n`, /^lab3\.yaml:2: seeds\.fixed 2147483648 is out of range 0\.\.2147483647$/],
    ['out of range: points', `seeds:\n  fixed: 7\nclauses:\n  - match: pipe-data\n    points: 0\n`, /^lab3\.yaml:5: points 0 is out of range: it must be > 0$/],
    ['out of range: limit', `seeds:\n  fixed: 7\nlimits:\n  processes: -1\nclauses:\n  - match: pipe-data\n    points: 1\n`, /^lab3\.yaml:4: limits\.processes -1 is out of range/],
    ['hidden seed equal to fixed', `seeds:\n  fixed: 7\n  hidden:\n    - 8\n    - 7\nclauses:\n  - match: pipe-data\n    points: 1\n`, /^lab3\.yaml:5: hidden seed 7 equals seeds\.fixed/],
    ['duplicate hidden seed', `seeds:\n  fixed: 7\n  hidden: [8, 9,\n    8]\nclauses:\n  - match: pipe-data\n    points: 1\n`, /^lab3\.yaml:4: hidden seed 8 is listed twice \(also on line 3\)$/],
    ['bad hidden_feedback', `seeds:\n  fixed: 7\n  hidden_feedback: none\nclauses:\n  - match: pipe-data\n    points: 1\n`, /^lab3\.yaml:3: unknown hidden_feedback "none" for seeds\.hidden_feedback \(allowed: counterexample, clause-only\)$/],
    ['bad top visibility', `seeds:\n  fixed: 7\nvisibility: public\nclauses:\n  - match: pipe-data\n    points: 1\n`, new RegExp(`^lab3\\.yaml:3: bad visibility "public" for visibility \\(allowed: ${VISIBILITIES.join(', ')}\\)$`)],
    ['bad item visibility', `seeds:\n  fixed: 7\nclauses:\n  - match: pipe-data\n    points: 1\n    visibility: after-due-date\n`, /^lab3\.yaml:6: bad visibility "after-due-date" for visibility \(allowed: visible, hidden, after_due_date, after_published\)$/],
    ['unknown profile', `profile: linx\nseeds:\n  fixed: 7\nclauses:\n  - match: pipe-data\n    points: 1\n`, /^lab3\.yaml:1: unknown profile "linx" for profile \(allowed: posix, linux\)$/],
    ['glob matching no clause', `seeds:\n  fixed: 7\nclauses:\n  - match: pipe-data\n    points: 1\n  - match: pipes.*\n    points: 1\n`, /^lab3\.yaml:6: match "pipes\.\*" matches no clause/],
    ['comma in a glob', `seeds:\n  fixed: 7\nclauses:\n  - match: pipe-data,fifo-open\n    points: 1\n`, /^lab3\.yaml:4: match "pipe-data,fifo-open" holds a comma: write one glob per item$/],
    ['glob all outside the profile', `seeds:\n  fixed: 7\nclauses:\n  - match: pipe-data\n    points: 1\n  - match: pipe.capacity-*\n    points: 1\n`, /^lab3\.yaml:6: match "pipe\.capacity-\*" matches only clauses outside profile posix: pipe\.capacity-query \(linux\), pipe\.capacity-resize \(linux\)/],
    ['clause matched twice', `seeds:\n  fixed: 7\nclauses:\n  - match: pipe-blocking\n    points: 1\n  - match: pipe-data\n    points: 1\n  - match: pipe.eof-*\n    points: 2\n`, /^lab3\.yaml:8: clause pipe\.eof-after-last-writer is matched by two items: line 4 \(match: pipe-blocking\) and line 8 \(match: pipe\.eof-\*\)/],
    ['missing seeds.fixed', `seeds:\n  hidden: [1]\nclauses:\n  - match: pipe-data\n    points: 1\n`, /^lab3\.yaml:2: missing required key "seeds\.fixed"/],
    ['missing seeds', `clauses:\n  - match: pipe-data\n    points: 1\n`, /^lab3\.yaml: missing required key "seeds"/],
    ['missing clauses', `seeds:\n  fixed: 7\n`, /^lab3\.yaml: missing required key "clauses"/],
    ['empty clauses', `seeds:\n  fixed: 7\nclauses: []\n`, /^lab3\.yaml:3: clauses is empty/],
    ['item without points', `seeds:\n  fixed: 7\nclauses:\n  - match: pipe-data\n  - match: fifo-open\n    points: 1\n`, /^lab3\.yaml:4: clauses item without "points"/],
    ['item without match', `seeds:\n  fixed: 7\nclauses:\n  - match: pipe-data\n    points: 1\n  - points: 1\n`, /^lab3\.yaml:6: clauses item without "match"/],
    ['empty document', `# nothing but a comment\n\n`, /^lab3\.yaml: empty rubric/],
    ['non-mapping document', `- match: pipe-data\n  points: 1\n`, /^lab3\.yaml:1: the rubric must be a mapping of keys .*, not a list$/],
    ['scalar document', `\n\njust some words\n`, /^lab3\.yaml:3: the rubric must be a mapping of keys .*, not text "just some words"$/],
    ['YAML syntax error', `seeds:\n  fixed: 7\nclauses:\n  - match: [pipe-data\n    points: 1\n`, /^lab3\.yaml:\d+: YAML syntax: /],
    ['YAML duplicate key', `seeds:\n  fixed: 7\nruns: 5\nruns: 6\nclauses:\n  - match: pipe-data\n    points: 1\n`, /^lab3\.yaml:4: YAML syntax: Map keys must be unique/],
  ];
  for (const [what, text, want] of cases) {
    it(what, () => {
      expect(errorOf(text).message).toMatch(want);
    });
  }

  it('a syntax error names the line where the parser stopped', () => {
    const e = errorOf(`seeds:\n  fixed: 7\nclauses:\n  - match: pipe-data\n    points: 1\n\tbad: tab\n`);
    expect(e.line).toBe(6);
    expect(e.message).toMatch(/^lab3\.yaml:6: YAML syntax: /);
  });

  it('a missing file is an error without a line', () => {
    expect(() => loadRubric('/nonexistent/rubric.yaml')).toThrow(/^\/nonexistent\/rubric\.yaml: cannot read the rubric: ENOENT/);
  });
});
