import { readFileSync } from 'node:fs';
import { clause as clauseById, isClauseId } from '../../../spec/catalogue.ts';
import { hostProfileName, loadProfile } from '../../../spec/profile.ts';
import { InvalidInput, parseReplayFile } from '../../../spec/validate.ts';
import { check } from '../../../reference-model/check.ts';
import { renderSteps } from '../../../reports/steps.ts';
import { runScenario } from '../../runner.ts';
import { makeTarget, TARGET_NAMES, UnknownTarget } from '../../targets.ts';
import { parseFlags, UsageError, type Command } from '../command.ts';

export const command: Command = {
  name: 'replay',
  summary: 're-run a counterexample (or scenario) file on a target and print the verdict',
  usage: `usage: ipcspec replay FILE [--target ${TARGET_NAMES.join('|')}] [--wrap PREFIX] [--profile linux|posix]

Re-runs the steps saved in FILE (a counterexample written by ipcspec run, or a bare scenario
{"property": ..., "steps": [...]}) on the target, checks the new trace with the model, and prints
the steps and the verdict. Defaults: the target and profile saved in the file, else host and the
host's profile. --wrap PREFIX runs the target's driver process under the command PREFIX (as in
ipcspec run); a file saved from a wrapped target ('NAME (wrapped: PREFIX)') replays under its wrap.

exit: 0 conforms, 1 violation, 2 bad file, unknown target or harness error`,
  async run(argv) {
    const { flags, positional } = parseFlags(argv, ['target', 'wrap', 'profile']);
    if (positional.length !== 1) throw new UsageError('replay takes exactly one FILE');
    const file = positional[0];
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    let parsed;
    try {
      parsed = parseReplayFile(text, file);
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
    const saved = cx?.target.name;
    const targetName = flags.get('target')?.at(-1) ?? (saved?.includes('+mutant:') ? saved.slice(saved.indexOf('mutant:')) : saved) ?? 'host';
    let target;
    try {
      target = await makeTarget(targetName, profile, { wrap: flags.get('wrap')?.at(-1) });
    } catch (e) {
      if (e instanceof UnknownTarget) throw new UsageError(e.message);
      throw e;
    }
    try {
      const trace = await runScenario(target, scenario);
      const verdict = check(scenario, trace, profile);
      const v = verdict.status === 'fail' ? verdict.violation : undefined;
      console.log(`replay of ${file} on ${target.info.name} (profile ${profile.name}):\n`);
      console.log(renderSteps(scenario, trace, v && { ...v }));
      if (cx?.clause && isClauseId(cx.clause)) console.log(`\nrecorded: ${cx.clause} — ${clauseById(cx.clause).title}`);
      if (verdict.status === 'pass') console.log('\nverdict: PASS (the trace conforms)');
      else if (verdict.status === 'fail') console.log(`\nverdict: FAIL ${verdict.violation.clause}: observed ${verdict.violation.observed}; allowed ${verdict.violation.allowed}\n  ${clauseById(verdict.violation.clause).citation.posix ?? ''}`);
      else console.log(`\nverdict: ${verdict.status.toUpperCase()}: ${verdict.reason}`);
      return verdict.status === 'pass' ? 0 : verdict.status === 'fail' ? 1 : 2;
    } finally {
      await target.dispose();
    }
  },
};
