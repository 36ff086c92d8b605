// A corpus of bad command lines, across every subcommand (issue 12): each is exit 2 with exactly one
// clear line on stderr, never a stack trace, never a hang. Every case fails before a real run starts,
// so the corpus stays fast; cases run in two batch processes, each case in a scratch working directory.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, isOneCleanLine, runCli } from './helpers/cli-child.ts';
import { runBatch } from './fixtures/bad-input/run-cases.ts';

const ROOT = join(import.meta.dirname, '..');
const RUBRIC = join(ROOT, 'examples/course/rubric.yaml');
const scratch = mkdtempSync(join(tmpdir(), 'cli-bad-flags-'));
const SCENARIO = join(scratch, 'scenario.json');
const A_DIR = join(scratch, 'a-dir');
const A_REPORT = join(scratch, 'a-report');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

type Case = [name: string, args: string[], stderr: RegExp];
const G = ['--submission', 'exec:true', '--rubric', RUBRIC];
const D = ['--target', 'host', '--target', 'model'];
const CASES: Case[] = [
  // the command itself
  ['no command', [], /no command given/],
  ['unknown command', ['frobnicate'], /unknown command "frobnicate"/],
  ['an option for a command', ['--frob'], /unknown command "--frob"/],
  ['--version with an argument', ['--version', 'extra'], /--version takes no arguments/],
  // run
  ['run: unknown target', ['run', '--target', 'nosuch'], /unknown target "nosuch"/],
  ['run: empty target', ['run', '--target', ''], /--target needs a non-empty value/],
  ['run: exec: without a command', ['run', '--target', 'exec:'], /exec/],
  ['run: module: without a path', ['run', '--target', 'module:'], /module: needs a path/],
  ['run: mutant of no clause', ['run', '--target', 'mutant:no.such-clause'], /mutant:no\.such-clause: unknown clause id "no\.such-clause"/],
  ['run: mutant on the model', ['run', '--target', 'mutant:pipe.zero-length-io@model'], /a mutant wraps a real target/],
  ['run: empty --wrap', ['run', '--wrap', ''], /--wrap needs a non-empty value/],
  ['run: blank --wrap', ['run', '--wrap', '   '], /--wrap needs a non-empty value/],
  ['run: --wrap on the model', ['run', '--target', 'model', '--wrap', 'env'], /--wrap applies to process targets/],
  ['run: empty --only', ['run', '--only', ''], /--only needs a non-empty value/],
  ['run: empty --only=', ['run', '--only='], /--only needs a non-empty value/],
  ['run: --only of commas', ['run', '--only', ',,'], /--only/],
  ['run: --only matching nothing', ['run', '--only', 'nosuch.*'], /no clause or area matches "nosuch\.\*"/],
  ['run: --only outside the profile', ['run', '--only', 'pipe.capacity-query', '--profile', 'posix'], /not in profile posix/],
  ['run: unknown profile', ['run', '--profile', 'bsd'], /unknown profile "bsd"/],
  ['run: empty profile', ['run', '--profile', ''], /--profile needs a non-empty value/],
  ['run: --runs 0', ['run', '--runs', '0'], /--runs takes a whole number from 1 to 1000000/],
  ['run: negative --runs', ['run', '--runs', '-5'], /--runs takes a whole number/],
  ['run: fractional --runs', ['run', '--runs', '1.5'], /--runs takes a whole number/],
  ['run: --runs in e-notation', ['run', '--runs', '1e3'], /--runs takes a whole number/],
  ['run: --runs past the limit', ['run', '--runs', '1000000000000'], /--runs takes a whole number from 1 to 1000000, got 1000000000000/],
  ['run: --runs in words', ['run', '--runs', 'many'], /--runs takes a whole number/],
  ['run: --runs without a value', ['run', '--runs'], /--runs needs a value/],
  ['run: --seed past 2^53', ['run', '--seed', '9007199254740993'], /--seed takes a whole number from 0 to 4294967295, got 9007199254740993/],
  ['run: --seed past 32 bits', ['run', '--seed', '4294967296'], /--seed takes a whole number from 0 to 4294967295/],
  ['run: negative --seed', ['run', '--seed', '-1'], /--seed takes a whole number/],
  ['run: --seed in hex', ['run', '--seed', '0x10'], /--seed takes a whole number/],
  ['run: empty --out', ['run', '--out', ''], /--out needs a non-empty value/],
  ['run: --out under /proc', ['run', '--out', '/proc/ipcspec-none/out'], /\/proc\/ipcspec-none.*ENOENT/],
  ['run: --out is a file', ['run', '--out', join(ROOT, 'package.json')], /package\.json.*ENOTDIR/],
  ['run: --out under a file', ['run', '--out', join(ROOT, 'package.json', 'x')], /package\.json.*ENOTDIR/],
  ['run: --out under /dev/null', ['run', '--out', '/dev/null/report'], /\/dev\/null.*ENOTDIR/],
  ['run: --out followed by an option', ['run', '--out', '--runs', '5'], /--out needs a value \(got the option --runs\)/],
  ['run: unknown option', ['run', '--bogus'], /unknown option --bogus/],
  ['run: boolean-looking option', ['run', '--json'], /unknown option --json/],
  ['run: short option', ['run', '-r', '5'], /unknown option -r/],
  ['run: a positional argument', ['run', 'pipes'], /unexpected argument "pipes"/],
  // diff
  ['diff: no target', ['diff'], /at least two --target flags \(got 0\)/],
  ['diff: one target', ['diff', '--target', 'host'], /at least two --target flags \(got 1\)/],
  ['diff: the same target twice', ['diff', '--target', 'host', '--target', 'host'], /target "host" is given twice/],
  ['diff: an unknown target', ['diff', '--target', 'host', '--target', 'nosuch'], /unknown target "nosuch"/],
  ['diff: --jobs 0', ['diff', ...D, '--jobs', '0'], /--jobs takes a whole number from 1 to 16/],
  ['diff: --jobs past the limit', ['diff', ...D, '--jobs', '17'], /--jobs takes a whole number from 1 to 16/],
  ['diff: --serial with a value', ['diff', ...D, '--serial=yes'], /--serial takes no value/],
  ['diff: --runs 0', ['diff', ...D, '--runs', '0'], /--runs takes a whole number/],
  ['diff: --seed past 2^53', ['diff', ...D, '--seed', '9007199254740993'], /--seed takes a whole number/],
  ['diff: empty --out', ['diff', ...D, '--out', ''], /--out needs a non-empty value/],
  ['diff: --out under /proc', ['diff', ...D, '--out', '/proc/ipcspec-none'], /\/proc\/ipcspec-none.*ENOENT/],
  ['diff: empty --wrap', ['diff', ...D, '--wrap', ''], /--wrap needs a non-empty value/],
  ['diff: unknown profile', ['diff', ...D, '--profile', 'bsd'], /unknown profile "bsd"/],
  // replay
  ['replay: no file', ['replay'], /replay takes exactly one FILE/],
  ['replay: two files', ['replay', SCENARIO, SCENARIO], /replay takes exactly one FILE/],
  ['replay: a missing file', ['replay', join(scratch, 'missing.json')], /cannot read .*missing\.json: ENOENT/],
  ['replay: a directory', ['replay', A_DIR], /a-dir/],
  ['replay: unknown target', ['replay', SCENARIO, '--target', 'nosuch'], /unknown target "nosuch"/],
  ['replay: unknown profile', ['replay', SCENARIO, '--profile', 'bsd'], /unknown profile "bsd"/],
  ['replay: empty --wrap', ['replay', SCENARIO, '--wrap', ''], /--wrap needs a non-empty value/],
  ['replay: --target without a value', ['replay', SCENARIO, '--target'], /--target needs a value/],
  ['replay: unknown option', ['replay', SCENARIO, '--runs', '5'], /unknown option --runs/],
  // grade
  ['grade: nothing', ['grade'], /--submission is required/],
  ['grade: no rubric', ['grade', '--submission', 'exec:true'], /--rubric is required/],
  ['grade: empty submission', ['grade', '--submission', '', '--rubric', RUBRIC], /--submission needs a non-empty value/],
  ['grade: unknown submission kind', ['grade', '--submission', 'docker:x', '--rubric', RUBRIC], /submission/i],
  ['grade: a missing rubric', ['grade', '--submission', 'exec:true', '--rubric', join(scratch, 'none.yaml')], /none\.yaml/],
  ['grade: unknown format', ['grade', ...G, '--format', 'pdf'], /--format pdf/],
  ['grade: --out under /proc', ['grade', ...G, '--out', '/proc/ipcspec-none/r.json'], /\/proc\/ipcspec-none.*ENOENT/],
  ['grade: --out is a directory', ['grade', ...G, '--out', A_DIR], /a-dir: EISDIR/],
  ['grade: --only matching nothing', ['grade', ...G, '--only', 'nosuch.*'], /no clause or area matches/],
  ['grade: a positional argument', ['grade', ...G, 'extra'], /unexpected argument "extra"/],
  // mutants
  ['mutants: a mutant as the target', ['mutants', '--target', 'mutant:pipe.zero-length-io'], /a mutant already/],
  ['mutants: unknown profile', ['mutants', '--profile', 'bsd'], /unknown profile "bsd"/],
  ['mutants: --runs 0', ['mutants', '--runs', '0'], /--runs takes a whole number/],
  ['mutants: --seed past 2^53', ['mutants', '--seed', '9007199254740993'], /--seed takes a whole number/],
  ['mutants: --only matching nothing', ['mutants', '--only', 'nosuch.*'], /no clause or area matches|no mutant/],
  ['mutants: unknown target', ['mutants', '--target', 'nosuch'], /unknown target "nosuch"/],
  ['mutants: a positional argument', ['mutants', 'all'], /unexpected argument "all"/],
  // report
  ['report: no subcommand', ['report'], /missing subcommand/],
  ['report: unknown subcommand', ['report', 'split'], /unknown subcommand "split"/],
  ['report merge: no input', ['report', 'merge'], /at least one report/],
  ['report merge: a missing input', ['report', 'merge', join(scratch, 'none.json')], /none\.json/],
  ['report merge: empty --out', ['report', 'merge', A_REPORT, '--out', ''], /--out needs a non-empty value/],
  ['report merge: --out is an input', ['report', 'merge', A_REPORT, '--out', A_REPORT], /would overwrite it/],
  ['report merge: --out under /proc', ['report', 'merge', A_REPORT, '--out', '/proc/ipcspec-none'], /ENOENT/],
  // clauses
  ['clauses: unknown profile', ['clauses', '--profile', 'bsd'], /unknown profile "bsd"/],
  ['clauses: --only matching nothing', ['clauses', '--only', 'nosuch'], /no clause or area matches/],
  ['clauses: empty --only', ['clauses', '--only', ''], /--only needs a non-empty value/],
  ['clauses: --json with a value', ['clauses', '--json=yes'], /--json takes no value/],
  ['clauses: a positional argument', ['clauses', 'pipe'], /unexpected argument "pipe"/],
  // measure-profile
  ['measure-profile: --write with a value', ['measure-profile', '--write=no'], /--write takes no value/],
  ['measure-profile: unknown option', ['measure-profile', '--out', 'x'], /unknown option --out/],
  ['measure-profile: a positional argument', ['measure-profile', 'linux'], /unexpected argument "linux"/],
  // bench
  ['bench: --seconds 0', ['bench', '--seconds', '0'], /--seconds takes a whole number from 1 to 3600/],
  ['bench: --seconds past the limit', ['bench', '--seconds', '3601'], /--seconds takes a whole number from 1 to 3600/],
  ['bench: unknown group', ['bench', '--only', 'disks'], /--only takes pipes, sockets or targets/],
  ['bench: empty --targets', ['bench', '--targets', ''], /--targets needs a non-empty value/],
  ['bench: an empty name in --targets', ['bench', '--targets', 'host,,c'], /an empty target name/],
  ['bench: --targets without the targets group', ['bench', '--only', 'pipes', '--targets', 'c'], /--targets is for the targets group/],
  ['bench: unknown target', ['bench', '--targets', 'nosuch'], /unknown target "nosuch"/],
  ['bench: --json with a value', ['bench', '--json=1'], /--json takes no value/],
];

/**
 * Run every case through the CLI's main() in batch processes (fixtures/bad-input/batch.mjs), the
 * cases dealt into `lanes` batches that run at once: Node and tsx start once per lane, not per case.
 * A case that hangs or ends its process is reported as such and the batch goes on without it.
 */
async function runAll(lanes: number): Promise<Map<string, CliResult>> {
  const jobs = CASES.map(([name, args], id) => {
    const cwd = join(scratch, `cwd-${name.replace(/\W+/g, '-')}`);
    mkdirSync(cwd);
    return { id, args, cwd };
  });
  const dealt = Array.from({ length: lanes }, (_, k) => jobs.filter((j) => j.id % lanes === k));
  const runs = await Promise.all(dealt.map((js, k) => runBatch(js, join(scratch, `batch-${k}`), 20_000)));
  const results = new Map<string, CliResult>();
  for (const [id, run] of runs.flatMap((m) => [...m])) {
    results.set(CASES[id][0], { code: run.status, signal: null, stdout: run.stdout, stderr: run.exited ? `${run.stderr}(${run.exited})\n` : run.stderr, hung: run.hung });
  }
  return results;
}

let results: Map<string, CliResult>;
beforeAll(async () => {
  mkdirSync(A_DIR);
  writeFileSync(SCENARIO, JSON.stringify({ property: 'pipe-data', steps: [{ actor: 'main', op: 'make-pipe', variant: 'pipe', read: 'r', write: 'w' }] }));
  const made = await runCli(['run', '--only', 'pipe.zero-length-io', '--runs', '5', '--seed', '1', '--out', A_REPORT]);
  if (made.code !== 0) throw new Error(`could not make the report the merge cases read: ${made.stderr}`);
  results = await runAll(2);
}, 300_000);

describe.skipIf(process.platform !== 'linux')(`bad command lines (${CASES.length} cases)`, () => {
  it('has a corpus of at least 60 cases with distinct names', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CASES.map((c) => c[0])).size).toBe(CASES.length);
  });

  it.each(CASES)('%s: exit 2, one clear line on stderr, no stack trace', (name, args, msg) => {
    const r = results.get(name)!;
    const shown = `ipcspec ${args.join(' ')}\n--- stderr:\n${r.stderr}--- stdout:\n${r.stdout.slice(0, 500)}`;
    expect(r.hung, shown).toBe(false);
    expect(r.code, shown).toBe(2);
    expect(isOneCleanLine(r.stderr), shown).toBe(true);
    expect(r.stderr, shown).toMatch(/^ipcspec\b/);
    expect(r.stderr, shown).toMatch(msg);
  });
});
