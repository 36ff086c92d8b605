// The grade renderers: Gradescope results.json (checked against the fields Gradescope documents),
// student feedback, JUnit, text and JSON, over hand-built grades whose failing clause carries a real
// counterexample (a mutant host run through the property aimed at its clause, shrunk).
import { beforeAll, describe, expect, it } from 'vitest';
import { clause as clauseById, type ClauseId } from '../spec/catalogue.ts';
import { fromJson } from '../spec/codec.ts';
import type { ClauseGrade, Grade, GradedCounterexample } from '../spec/grade.ts';
import { VISIBILITIES } from '../spec/grade.ts';
import { loadProfile } from '../spec/profile.ts';
import { makeTarget } from '../engine/targets.ts';
import { PROPERTIES } from '../suites/properties/index.ts';
import { runProperty } from '../engine/run-property.ts';
import { boundLines, HIDDEN_ONLY, testOutput } from '../reports/grade-feedback.ts';
import { gradescopeResults } from '../reports/grade-gradescope.ts';
import { gradeJunit } from '../reports/grade-junit.ts';
import { gradeText } from '../reports/grade-text.ts';
import { gradeJson } from '../reports/grade-json.ts';

// --- Gradescope's documented results.json (https://gradescope-autograders.readthedocs.io/en/latest/specs/,
// "Output format"; also gradescope/autograder_samples docs/specs.md). Only documented keys are allowed.
type Schema =
  | { type: 'number' | 'string' | 'object'; enum?: readonly string[] }
  | { type: 'array'; items: Schema }
  | { type: 'record'; required?: string[]; properties: Record<string, Schema> };
const visibility = { type: 'string', enum: VISIBILITIES } as const;
// The documented example shows "simple_format" (top level) and "text" (tests).
const format = { type: 'string', enum: ['text', 'simple_format'] } as const;
const GRADESCOPE_TEST: Schema = {
  type: 'record',
  properties: {
    score: { type: 'number' }, max_score: { type: 'number' }, status: { type: 'string', enum: ['passed', 'failed'] },
    name: { type: 'string' }, name_format: format, number: { type: 'string' }, output: { type: 'string' }, output_format: format,
    tags: { type: 'array', items: { type: 'string' } }, visibility, extra_data: { type: 'object' },
  },
};
const GRADESCOPE_RESULTS: Schema = {
  type: 'record',
  // "score: optional, but required if not on each test case"; the issue asks for all four.
  required: ['score', 'execution_time', 'output', 'tests'],
  properties: {
    score: { type: 'number' }, execution_time: { type: 'number' }, output: { type: 'string' }, output_format: format,
    test_output_format: format, test_name_format: format, visibility, stdout_visibility: visibility, extra_data: { type: 'object' },
    tests: { type: 'array', items: GRADESCOPE_TEST },
    leaderboard: { type: 'array', items: { type: 'object' } },
  },
};

function validate(v: unknown, s: Schema, at = '$'): string[] {
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  switch (s.type) {
    case 'number': return typeof v === 'number' && Number.isFinite(v) ? [] : [`${at}: not a number`];
    case 'string': return typeof v !== 'string' ? [`${at}: not a string`] : s.enum && !s.enum.includes(v) ? [`${at}: "${v}" not one of ${s.enum.join(', ')}`] : [];
    case 'object': return isObj(v) ? [] : [`${at}: not an object`];
    case 'array': return Array.isArray(v) ? v.flatMap((x, i) => validate(x, s.items, `${at}[${i}]`)) : [`${at}: not an array`];
    case 'record': {
      if (!isObj(v)) return [`${at}: not an object`];
      return [
        ...(s.required ?? []).filter((k) => !(k in v)).map((k) => `${at}.${k}: missing`),
        ...Object.keys(v).flatMap((k) => (s.properties[k] ? validate(v[k], s.properties[k], `${at}.${k}`) : [`${at}.${k}: not a documented field`])),
      ];
    }
  }
}

// --- A tiny XML well-formedness check: balanced tags, quoted attributes, escaped text.
function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const body = xml.replace(/^<\?xml [^?]*\?>\n/, '');
  const stack: string[] = [];
  const re = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/g;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    if (m[6]) { problems.push(`stray "<" at ${m.index}`); continue; }
    if (m[5] !== undefined) {
      if (/&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(m[5])) problems.push(`unescaped & in text at ${m.index}`);
      if (stack.length === 0 && m[5].trim()) problems.push('text outside the root');
      continue;
    }
    if (/&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(m[3])) problems.push(`unescaped & in attribute at ${m.index}`);
    if (m[1]) { if (stack.pop() !== m[2]) problems.push(`mismatched </${m[2]}>`); }
    else if (!m[4]) stack.push(m[2]);
  }
  if (stack.length) problems.push(`unclosed ${stack.join(', ')}`);
  return problems;
}
const count = (xml: string, re: RegExp) => (xml.match(re) ?? []).length;

// --- Fixtures.
const MUTANT = 'pipe.eof-after-last-writer';
// The engine's shape: a here-document with the scenario, then `ipcspec replay`.
const REPLAY = `cat > ${MUTANT}.json <<'EOF'\n{"property":"pipe-blocking","steps":[]}\nEOF\nnpx ipcspec replay ${MUTANT}.json --target exec:./my-driver --profile posix`;

function grade(id: ClauseId, over: Partial<ClauseGrade>): ClauseGrade {
  const c = clauseById(id);
  return {
    clause: id, area: c.area, title: c.title, behaviour: c.behaviour,
    citation: Object.entries(c.citation).map(([k, v]) => `${k}: ${v}`),
    maxScore: 2, score: 2, outcome: 'pass', visibility: 'visible', runs: 100, reason: '100 scenarios passed', rubricLine: 7, ...over,
  };
}

function wholeGrade(tests: ClauseGrade[], over: Partial<Grade> = {}): Grade {
  return {
    schemaVersion: 1, kind: 'ipcspec-grade', version: '0.1.0', assignment: 'Lab 3 — pipes & FIFOs', submission: 'exec:./my-driver',
    rubric: 'rubric.yaml', profile: 'posix', runs: 100, fixedSeed: 20261125, hiddenSeeds: 2,
    sandbox: 'uid 65534, own network namespace, limits cpu 60 s, memory 1024 MiB, 64 processes, files 16 MiB',
    score: tests.reduce((a, t) => a + t.score, 0), maxScore: tests.reduce((a, t) => a + t.maxScore, 0), executionTimeS: 12.6,
    interrupted: false, visibility: 'after_due_date', tests, ...over,
  };
}

let cx: GradedCounterexample;
let g: Grade;

beforeAll(async () => {
  const profile = loadProfile('posix');
  const target = await makeTarget(`mutant:${MUTANT}`, profile);
  const prop = PROPERTIES.find((p) => p.clauses.includes(MUTANT))!;
  try {
    const out = await runProperty(prop, target, profile, { runs: 200, seed: 20261125 });
    const f = out.failure;
    if (!f || f.verdict.status !== 'fail') throw new Error(`the mutant was not caught: ${JSON.stringify(f?.verdict)}`);
    const v = f.verdict.violation;
    expect(v.clause).toBe(MUTANT);
    cx = { seed: 20261125, hidden: false, property: prop.name, scenario: f.scenario, trace: f.trace, verdict: { status: 'fail', ...v }, replay: REPLAY };
  } finally {
    await target.dispose();
  }
  g = wholeGrade([
    grade('pipe.order-and-content', { maxScore: 2, score: 2, runs: 240 }),
    grade(MUTANT, { maxScore: 3, score: 0, outcome: 'fail', reason: `violation of ${MUTANT}: observed ${cx.verdict.observed}`, counterexample: cx, visibility: 'after_published' }),
    grade('pipe.epipe-when-no-reader', { maxScore: 1.5, score: 0, outcome: 'error', runs: 3, reason: 'the submission was killed by SIGSEGV during a scenario' }),
    grade('pipe.nonblocking-read-eagain', { maxScore: 1, score: 0, outcome: 'fail', reason: 'violation found by hidden seed 31', counterexample: { ...cx, seed: 31, hidden: true }, visibility: 'hidden' }),
    grade('fifo.nonblocking-write-open-enxio', { maxScore: 1, score: 0, outcome: 'unsupported', runs: 0, reason: 'the driver does not declare op "mkfifo"' }),
    grade('pipe.last-writer-close-wakes-readers', { maxScore: 0.1, score: 0.1, runs: 40 }),
    grade('pipe.read-blocks-while-writer-open', { maxScore: 0.2, score: 0.2, runs: 40 }),
  ]);
});

describe('student feedback', () => {
  it('a pass says how many scenarios reached the clause', () => {
    expect(testOutput(g.tests[0], { hiddenFeedback: 'counterexample' })).toMatch(/^PASS: 240 generated scenarios reached this clause/);
  });

  it('a failure shows the clause, numbered steps with observed and allowed, and the replay command', () => {
    const out = testOutput(g.tests[1], { hiddenFeedback: 'counterexample' });
    const c = clauseById(MUTANT);
    expect(out).toMatch(/^FAIL: violation of pipe\.eof-after-last-writer/);
    expect(out).toContain(c.title);
    expect(out).toContain(c.behaviour);
    expect(out).toContain(c.citation.posix!);
    expect(out).toContain(`Counterexample (seed 20261125, property "${cx.property}"):`);
    expect(out).toMatch(/^ +1\. \[\w+ *\] make pipe/m);
    expect(out).toMatch(/^ +\d+\. \[.*\] read\(.*<-- violates pipe\.eof-after-last-writer: observed 0; allowed/m);
    expect(out).toContain(`the specification allows ${cx.verdict.allowed}`);
    // Said once when the engine's reason already says it.
    const said = testOutput({ ...g.tests[1], reason: `step 4: observed 0; the specification allows ${cx.verdict.allowed}` }, { hiddenFeedback: 'counterexample' });
    expect(said.split('the specification allows').length).toBe(2);
    expect(out).toContain(`Replay it locally:\n${REPLAY}`);
    expect(out).toMatch(/^EOF$/m);
  });

  it('a hidden-seed failure in counterexample mode says so', () => {
    const out = testOutput(g.tests[3], { hiddenFeedback: 'counterexample' });
    expect(out).toContain(`Counterexample (a hidden seed, property "${cx.property}"):`);
    expect(out).not.toMatch(/Counterexample \(seed 31/); // the counterexample never shows a hidden seed's value
    expect(out).toContain(REPLAY);
  });

  it('a hidden-seed failure in clause-only mode shows the clause and nothing of the scenario', () => {
    const out = testOutput(g.tests[3], { hiddenFeedback: 'clause-only' });
    expect(out).toContain(HIDDEN_ONLY);
    expect(out).toContain(clauseById('pipe.nonblocking-read-eagain').title);
    expect(out).not.toMatch(/^ +1\. /m);
    expect(out).not.toContain('Replay');
    expect(out).not.toContain('31');
    expect(out).not.toContain(g.tests[3].reason);
  });

  it('error, unsupported, not-reached and not-run say why and what to do', () => {
    const err = testOutput(g.tests[2], { hiddenFeedback: 'counterexample', profile: 'posix', fixedSeed: 20261125 });
    expect(err).toMatch(/^ERROR: the submission was killed by SIGSEGV/);
    expect(err).toContain('What to do:');
    expect(err).toContain('--only pipe.epipe-when-no-reader --profile posix --seed 20261125');
    expect(testOutput(g.tests[4], { hiddenFeedback: 'counterexample' })).toMatch(/^UNSUPPORTED \(0 points\): the driver does not declare op "mkfifo"\n.*\nWhat to do: /);
    const nr = testOutput(grade(MUTANT, { outcome: 'not-reached', score: 0, reason: 'every scenario stopped earlier at pipe.order-and-content' }), { hiddenFeedback: 'counterexample' });
    expect(nr).toMatch(/^NOT REACHED \(0 points\): every scenario stopped earlier/);
    expect(nr).toContain('What to do: fix the failing clauses first');
    expect(testOutput(grade(MUTANT, { outcome: 'not-run', score: 0, reason: 'grading was interrupted' }), { hiddenFeedback: 'counterexample' })).toMatch(/^NOT RUN \(0 points\): grading was interrupted/);
  });

  it('bounds long step lists around the violation and says how much was cut', () => {
    const lines = Array.from({ length: 300 }, (_, i) => `${String(i + 1).padStart(3)}. [main] write(w0, 1 bytes) -> 1${i === 200 ? '   <-- violates x: observed a; allowed b' : ''}`);
    const out = boundLines(lines, 80);
    const kept = out.filter((l) => !l.includes('cut)'));
    expect(kept.length).toBe(80);
    expect(out).toContain(lines[0]);
    expect(out).toContain(lines[200]);
    expect(out).toContain(lines[299]);
    const cutTotal = out.filter((l) => l.includes('cut)')).reduce((a, l) => a + Number(/\((\d+) step lines? cut\)/.exec(l)![1]), 0);
    expect(cutTotal).toBe(220);
    expect(boundLines(lines.slice(0, 10), 80)).toEqual(lines.slice(0, 10));
  });
});

describe('Gradescope results.json', () => {
  it('validates against the documented format, and the scores add up', () => {
    const r = JSON.parse(JSON.stringify(gradescopeResults(g, { hiddenFeedback: 'clause-only' })));
    expect(validate(r, GRADESCOPE_RESULTS)).toEqual([]);
    expect(r.tests.map((t: { number: string }) => t.number)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect(r.tests.map((t: { status: string }) => t.status)).toEqual(['passed', 'failed', 'failed', 'failed', 'failed', 'passed', 'passed']);
    expect(r.tests.map((t: { score: number }) => t.score)).toEqual([2, 0, 0, 0, 0, 0.1, 0.2]);
    expect(r.tests.map((t: { max_score: number }) => t.max_score)).toEqual([2, 3, 1.5, 1, 1, 0.1, 0.2]);
    // 2 + 0.1 + 0.2 without float noise.
    expect(r.score).toBe(2.3);
    expect(r.execution_time).toBe(12.6);
    expect(r.visibility).toBe('after_due_date');
    expect(r.tests.map((t: { visibility: string }) => t.visibility)).toEqual(['visible', 'after_published', 'visible', 'hidden', 'visible', 'visible', 'visible']);
    expect(r.tests[1].name).toBe(`${MUTANT} — ${clauseById(MUTANT).title}`);
    expect(r.tests[1].output).toBe(testOutput(g.tests[1], { hiddenFeedback: 'clause-only', profile: 'posix', fixedSeed: 20261125 }));
    expect(r.tests[3].output).toContain(HIDDEN_ONLY);
  });

  it('the summary names the submission, profile, seeds and sandbox, but no hidden seed value', () => {
    const out = gradescopeResults(g, { hiddenFeedback: 'counterexample' }).output;
    for (const s of ['Assignment: Lab 3 — pipes & FIFOs', 'Submission: exec:./my-driver', 'Profile: posix', 'Seeds: fixed 20261125 plus 2 hidden seeds', `Sandbox: ${g.sandbox}`, 'Score: 2.3 / 8.8']) expect(out).toContain(s);
    expect(out).not.toMatch(/\b31\b/);
  });

  it('a grade that could not start scores 0 with the message first, and still validates', () => {
    const msg = 'The submission could not start: exec ./my-driver: No such file or directory. No clause was graded.';
    const failed = wholeGrade(g.tests.map((t) => ({ ...t })), { message: msg, score: 0 });
    const r = JSON.parse(JSON.stringify(gradescopeResults(failed, { hiddenFeedback: 'counterexample' })));
    expect(validate(r, GRADESCOPE_RESULTS)).toEqual([]);
    expect(r.score).toBe(0);
    expect(r.output.startsWith(msg)).toBe(true);
    expect(r.tests.every((t: { score: number; status: string }) => t.score === 0 && t.status === 'failed')).toBe(true);
    const none = JSON.parse(JSON.stringify(gradescopeResults(wholeGrade([], { message: msg, maxScore: 10, score: 0 }), { hiddenFeedback: 'counterexample' })));
    expect(validate(none, GRADESCOPE_RESULTS)).toEqual([]);
    expect(none).toMatchObject({ score: 0, tests: [] });
    expect(none.output.startsWith(msg)).toBe(true);
  });

  it('the validator rejects what Gradescope does not document', () => {
    const r = gradescopeResults(g, { hiddenFeedback: 'counterexample' }) as unknown as Record<string, unknown>;
    expect(validate({ ...r, grade: 1 }, GRADESCOPE_RESULTS)).toEqual(['$.grade: not a documented field']);
    expect(validate({ ...r, tests: [{ score: '2' }] }, GRADESCOPE_RESULTS)).toEqual(['$.tests[0].score: not a number']);
    expect(validate({ ...r, visibility: 'public' }, GRADESCOPE_RESULTS)).toHaveLength(1);
  });
});

describe('JUnit, text and JSON', () => {
  it('JUnit is well-formed and its counts match the grade', () => {
    const xml = gradeJunit(g, { hiddenFeedback: 'clause-only' });
    expect(xmlProblems(xml)).toEqual([]);
    expect(count(xml, /<testcase /g)).toBe(7);
    // fail, fail (hidden), unsupported -> failures; the crash -> error; nothing skipped.
    expect(count(xml, /<failure /g)).toBe(3);
    expect(count(xml, /<error /g)).toBe(1);
    expect(count(xml, /<skipped/g)).toBe(0);
    expect(xml).toContain('<testsuite name="Lab 3 — pipes &amp; FIFOs" tests="7" failures="3" errors="1" skipped="0"');
    expect(xml).toContain('&lt;-- violates pipe.eof-after-last-writer');
    expect(xml).not.toContain('Counterexample (seed 31');
    const failed = gradeJunit(wholeGrade(g.tests, { message: 'could not start' }), { hiddenFeedback: 'counterexample' });
    expect(xmlProblems(failed)).toEqual([]);
    // The grading error, plus every clause (passes included) as not counted.
    expect(failed).toMatch(/<testsuites name="ipcspec grade" tests="8" failures="6" errors="2" time="[0-9.]+">/);
    expect(failed).toContain('<error message="could not start" type="grading">');
  });

  it('the XML check catches what is not well-formed', () => {
    expect(xmlProblems('<a><b></a>')).not.toEqual([]);
    expect(xmlProblems('<a x="1 & 2"/>')).not.toEqual([]);
    expect(xmlProblems('<a>x < y</a>')).not.toEqual([]);
    expect(xmlProblems('<a><b/>')).not.toEqual([]);
    expect(xmlProblems('<a x="&amp;"><b>&lt;</b></a>')).toEqual([]);
  });

  it('the text summary has one row per clause and the total', () => {
    const t = gradeText(g);
    expect(t).toMatch(/^pipe\.order-and-content +2\/2 +PASS +240 scenarios$/m);
    expect(t).toMatch(/^pipe\.eof-after-last-writer +0\/3 +FAIL +violation of pipe\.eof-after-last-writer/m);
    expect(t).toMatch(/^pipe\.epipe-when-no-reader +0\/1\.5 +ERROR +the submission was killed by SIGSEGV/m);
    expect(t).toMatch(/^fifo\.nonblocking-write-open-enxio +0\/1 +UNSUPPORTED/m);
    expect(t).toMatch(/^total +2\.3\/8\.8$/m);
    expect(gradeText(wholeGrade(g.tests, { message: 'interrupted by SIGINT' }))).toMatch(/^interrupted by SIGINT\n[^]*^total +0\/8\.8$/m);
  });

  it('JSON round-trips the grade, byte payloads included', () => {
    const text = gradeJson(g);
    expect(text).toContain('"$base64"');
    expect(fromJson(text)).toEqual(g);
  });
});
