import { clause as clauseById, isClauseId } from '../../spec/catalogue.ts';
import { hostProfileName, loadProfile } from '../../spec/profile.ts';
import { InvalidInput, readReplayFile } from '../../spec/validate.ts';
import { makeTarget, TARGET_NAMES, UnknownTarget } from '../../engine/targets.ts';
import { parseFlags, UsageError, type Command } from '../command.ts';
import { cliName, shellWord, targetFlags, unwrapName } from '../../spec/replay-command.ts';

/** Targets that run only ipcspec's own code (or a runtime by its usual name): a file may pick one. */
const IN_PROCESS = new Set(['host', 'host-process', 'c', 'node', 'bun', 'deno', 'model']);
/** `report merge` labels a target `NAME@LABEL`. */
const MERGE_LABEL = /@[\w.+-]+$/;

/**
 * The target a file's recorded name may choose on its own, or a UsageError naming the flags to pass:
 * a program (exec:, runtime:, module:) or a wrapper that only the file names is never started.
 */
function savedTarget(file: string, saved: string | undefined, wrap: string | undefined): string {
  if (saved === undefined) return 'host';
  const { target, wrap: savedWrap } = unwrapName(saved);
  const name = cliName(target);
  const plain = name.replace(MERGE_LABEL, '');
  const safe = IN_PROCESS.has(name) ? name : IN_PROCESS.has(plain) ? plain : name.startsWith('mutant:') ? name : undefined;
  if (safe !== undefined && (savedWrap === undefined || wrap !== undefined)) return safe;
  const flags = wrap === undefined ? targetFlags(saved) : `${targetFlags(target)} --wrap ${shellWord(wrap)}`;
  const what = safe === undefined ? 'a program' : 'a wrapper command';
  throw new UsageError(`${file} was recorded on a target that runs ${what} named only by the file; ipcspec runs what the command line names: to replay there, pass ${flags}`);
}

export const command: Command = {
  name: 'replay',
  summary: 're-run a counterexample (or scenario) file on a target and print the verdict',
  usage: `usage: ipcspec replay FILE [--target ${TARGET_NAMES.join('|')}] [--wrap PREFIX] [--profile linux|posix]

Re-runs the steps saved in FILE (a counterexample written by ipcspec run, or a bare scenario
{"property": ..., "steps": [...]}) on the target, checks the new trace with the model, and prints
the steps and the verdict. Defaults: the target and profile saved in the file, else host and the
host's profile. --wrap PREFIX runs the target's driver process under the command PREFIX (as in
ipcspec run). A file is data: it never chooses a program to run. Without --target, a file saved
from host, host-process, c, node, bun, deno, model or mutant:CLAUSE replays there; one saved from
exec:CMD, runtime:CMD, module:PATH or a wrapped target ('NAME (wrapped: PREFIX)') is refused with
the --target and --wrap to pass, which run that program only once the command line names it.
FILE is checked before anything runs: a regular UTF-8 JSON file of at most 32 MiB, known keys and
property, each handle made once before use, and a work budget over all steps (README: 10,000
steps, 8 MiB per step, 64 MiB produced, 1,000,000 calls, 256 child processes, 300 s of waits).

exit: 0 conforms, 1 violation, 2 bad file, unknown target or harness error`,
  async run(argv) {
    const { flags, positional } = parseFlags(argv, ['target', 'wrap', 'profile']);
    if (positional.length !== 1) throw new UsageError('replay takes exactly one FILE');
    const file = positional[0];
    let parsed;
    try {
      parsed = readReplayFile(file);
    } catch (e) {
      if (e instanceof InvalidInput) throw new UsageError(e.message);
      throw e;
    }
    const { scenario, counterexample: cx } = parsed;
    let profile;
    try {
      profile = loadProfile(flags.get('profile')?.at(-1) ?? cx?.profile ?? hostProfileName());
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const recorded: unknown = cx ? (cx as { target?: { name?: unknown } }).target?.name : undefined;
    if (cx && typeof recorded !== 'string') throw new UsageError(`${file}: target.name must be a target's name (text)`);
    const wrap = flags.get('wrap')?.at(-1);
    const targetName = flags.get('target')?.at(-1) ?? savedTarget(file, recorded as string | undefined, wrap);
    let target;
    try {
      target = await makeTarget(targetName, profile, { wrap });
    } catch (e) {
      if (e instanceof UnknownTarget) throw new UsageError(e.message);
      throw e;
    }
    try {
      // Loaded only for a file that passed validation: a rejection stays quick.
      const [{ runScenario }, { check }, { renderSteps }] = await Promise.all([import('../../engine/run-scenario.ts'), import('../../reference-model/check.ts'), import('../../reports/steps.ts')]);
      const trace = await runScenario(target, scenario);
      const verdict = check(scenario, trace, profile);
      const v = verdict.status === 'fail' ? verdict.violation : undefined;
      console.log(`replay of ${file} on ${target.info.name} (profile ${profile.name}):\n`);
      console.log(renderSteps(scenario, trace, v && { ...v }));
      if (cx?.clause && isClauseId(cx.clause)) console.log(`\nrecorded: ${cx.clause} — ${clauseById(cx.clause).title}`);
      if (verdict.status === 'pass') console.log('\nverdict: PASS (the trace conforms)');
      else if (verdict.status === 'fail') console.log(`\nverdict: FAIL ${verdict.violation.clause}: observed ${verdict.violation.observed}; allowed ${verdict.violation.allowed}\n  ${isClauseId(verdict.violation.clause) ? (clauseById(verdict.violation.clause).citation.posix ?? '') : ''}`);
      else console.log(`\nverdict: ${verdict.status.toUpperCase()}: ${verdict.reason}`);
      return verdict.status === 'pass' ? 0 : verdict.status === 'fail' ? 1 : 2;
    } finally {
      await target.dispose();
    }
  },
};
