// `ipcspec report merge`: the fan-in of a CI matrix, on reports from real runs.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromJson, toJson } from '../spec/codec.ts';
import type { Report } from '../spec/report.ts';
import { tempDir } from './support/tmp.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'ipcspec.mjs');
const ipcspec = (...args: string[]) => spawnSync('node', [BIN, ...args], { encoding: 'utf8', timeout: 240_000 });
const read = (f: string) => fromJson<Report>(readFileSync(f, 'utf8'));
const CLAUSE = 'pipe.eof-after-last-writer';

describe.skipIf(process.platform !== 'linux')('ipcspec report merge', () => {
  const dir = tempDir('ipcspec-merge-');
  const at = (...p: string[]) => join(dir, ...p);

  beforeAll(() => {
    const runs = [
      ['run', '--only', `${CLAUSE},fifo.mkfifo-eexist`, '--runs', '10', '--seed', '3', '--out', at('host')],
      ['run', '--target', `mutant:${CLAUSE}`, '--only', CLAUSE, '--seed', '3', '--out', at('mutant')],
      ['run', '--profile', 'posix', '--only', 'fifo.mkfifo-eexist', '--runs', '5', '--seed', '3', '--out', at('posix')],
    ];
    for (const r of runs) expect(ipcspec(...r).status, r.join(' ')).toBeLessThan(2);
    // A second machine whose host failed the clause: the mutant's real report, its target named "host".
    cpSync(at('mutant'), at('other'), { recursive: true });
    const text = readFileSync(at('mutant', 'report.json'), 'utf8').replaceAll(`host+mutant:${CLAUSE}`, 'host');
    writeFileSync(at('other', 'report.json'), text);
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the worse status of the same clause on the same target, says so, and copies the counterexample', () => {
    for (const order of [[at('host'), at('other')], [at('other', 'report.json'), at('host', 'report.json')]]) {
      const out = at(`m-${order[0].includes('host') ? 1 : 2}`);
      const r = ipcspec('report', 'merge', ...order, '--out', out);
      expect(r.status, r.stderr).toBe(1);
      expect(r.stdout).toContain(`${CLAUSE} on host: kept fail`);
      const m = read(join(out, 'report.json'));
      const host = read(at('host', 'report.json'));
      const other = read(at('other', 'report.json'));
      expect(m.targets.map((t) => t.name)).toEqual(['host']);
      const x = m.results.find((y) => y.clause === CLAUSE)!;
      expect(x.status).toBe('fail');
      expect(x.runs).toBe(host.results.find((y) => y.clause === CLAUSE)!.runs + other.results.find((y) => y.clause === CLAUSE)!.runs);
      expect(x.reason).toMatch(/^merged: kept fail \(.*pass in .*fail in .*\)|^merged: kept fail \(.*fail in .*pass in .*\)/);
      expect(m.merged!.conflicts).toEqual([{ clause: CLAUSE, target: 'host', kept: 'fail', seen: expect.any(Array) }]);
      expect(m.results.find((y) => y.clause === 'fifo.mkfifo-eexist')!.status).toBe('pass');
      expect(m.summary).toEqual({ pass: 1, fail: 1, unsupported: 0, error: 0 });
      const cx = JSON.parse(readFileSync(join(out, x.counterexample!), 'utf8'));
      expect(cx.kind).toBe('ipcspec-counterexample');
      expect(cx.replay).toBe(`npx ipcspec replay ${join(out, x.counterexample!)} --target mutant:${CLAUSE} --profile linux`);
      for (const f of ['report.md', 'report.html', 'junit.xml']) expect(existsSync(join(out, f)), f).toBe(true);
      // the copied counterexample replays from the merged directory
      const rep = ipcspec('replay', join(out, x.counterexample!), '--target', `mutant:${CLAUSE}`);
      expect(rep.status, rep.stderr).toBe(1);
    }
  });

  it('keeps targets of the same name apart when the inputs are labelled', () => {
    const out = at('labelled');
    const r = ipcspec('report', 'merge', `a=${at('host', 'report.json')}`, `b=${at('host')}`, at('mutant'), '--out', out);
    expect(r.status, r.stderr).toBe(1);
    const m = read(join(out, 'report.json'));
    expect(m.targets.map((t) => t.name)).toEqual(['host@a', 'host@b', `host+mutant:${CLAUSE}`]);
    expect(m.results.filter((x) => x.target === 'host@a').length).toBe(2);
    expect(m.merged!.conflicts).toEqual([]);
    expect(m.merged!.inputs.map((i) => i.label)).toEqual(['a', 'b', undefined]);
    expect(m.summary).toEqual({ pass: 4, fail: 1, unsupported: 0, error: 0 });
    expect(m.properties.map((p) => p.target)).toEqual(expect.arrayContaining(['host@a', 'host@b']));
  });

  it('merges a passing run into exit 0', () => {
    const r = ipcspec('report', 'merge', at('host'), '--out', at('alone'));
    expect(r.status, r.stderr).toBe(0);
  });

  it('rejects bad input with one line and exit 2', () => {
    writeFileSync(at('bad.json'), '{not json');
    const v99 = at('v99.json');
    writeFileSync(v99, toJson({ ...read(at('host', 'report.json')), schemaVersion: 99 }));
    const unknown = at('unknown.json');
    const h = read(at('host', 'report.json'));
    writeFileSync(unknown, toJson({ ...h, results: h.results.map((r) => ({ ...r, clause: 'pipe.teleports' })) }));
    const noCx = at('nocx');
    cpSync(at('mutant'), noCx, { recursive: true });
    rmSync(join(noCx, 'counterexamples'), { recursive: true });
    const cases: Array<[string[], RegExp]> = [
      [['report', 'merge', at('missing.json')], /cannot read .*missing\.json: ENOENT/],
      [['report', 'merge', at('bad.json')], /not valid JSON/],
      [['report', 'merge', v99], /schemaVersion 99/],
      [['report', 'merge', at('host'), at('posix')], /different profiles/],
      [['report', 'merge', unknown], /"pipe.teleports" is not in this ipcspec's catalogue/],
      [['report', 'merge', noCx], /cannot read .*counterexamples.*ENOENT/],
      [['report', 'merge', `x=${at('host')}`, `x=${at('other')}`], /a label is given twice/],
      [['report', 'merge'], /needs at least one report/],
      [['report', 'frob'], /unknown subcommand "frob"/],
      [['report'], /missing subcommand/],
    ];
    for (const [args, msg] of cases) {
      const r = ipcspec(...args, '--out', at('never'));
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trim().split('\n').length, r.stderr).toBe(1);
    }
    expect(existsSync(at('never'))).toBe(false);
  });
});
