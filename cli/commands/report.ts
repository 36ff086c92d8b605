// ipcspec report merge: the fan-in of a CI matrix. Reads reports (never runs a target) and writes one.
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { MergeInput } from '../../reports/merge.ts';
import { readReportDir } from '../../reports/read-report.ts';
import { InvalidInput } from '../../spec/validate.ts';
import { isBehaviourDifference } from '../../spec/report.ts';
import { parseFlags, UsageError, type Command } from '../command.ts';
import { prepareOutDir } from '../out-path.ts';

const usage = `usage: ipcspec report merge [LABEL=]REPORT... [--out DIR]

Merges reports written by \`ipcspec run\` on different machines, CI jobs or shards into one
report: targets side by side. REPORT is a report.json or the directory holding it; its
counterexamples are copied. The same clause on the same target in two inputs keeps the worse
status (fail > error > unsupported > pass), and the merged report says which input said what.
LABEL= renames that input's targets to TARGET@LABEL, so that "host" from two machines stays two
columns (e.g. ubuntu-24.04=reports/ubuntu-24.04/report.json). All inputs must use one profile.

Writes DIR/report.json, report.md, report.html, junit.xml and counterexamples/ (default
ipcspec-report; checked writable before any input is read, and never the directory of an input).
Every file is written whole (a temp file, then rename).

exit: 0 all clauses conform, 1 a clause failed or an input's behaviour difference (ipcspec diff) is kept,
2 bad input or a result with a harness error`;

/** "[LABEL=]PATH": a path that exists is taken whole, so a file name may contain "=". */
function parseInput(arg: string): { path: string; label?: string } {
  const m = /^([\w.+-]+)=(.+)$/.exec(arg);
  if (!existsSync(arg) && m) return { label: m[1], path: m[2] };
  return { path: arg };
}

export const command: Command = {
  name: 'report',
  summary: 'report merge: merge reports from several machines or CI jobs into one (JSON, Markdown, HTML, JUnit)',
  usage,
  async run(argv) {
    const { flags, positional } = parseFlags(argv, ['out']);
    const [sub, ...args] = positional;
    if (sub !== 'merge') throw new UsageError(sub ? `unknown subcommand "${sub}" (known: merge)` : 'missing subcommand (known: merge)');
    if (args.length === 0) throw new UsageError('report merge needs at least one report.json');
    const out = prepareOutDir('out', flags.get('out')?.at(-1) ?? 'ipcspec-report');
    const inputs: MergeInput[] = [];
    try {
      for (const a of args) {
        const { path, label } = parseInput(a);
        const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'report.json') : path;
        // writing the merge over an input would replace the report it is made from
        if (resolve(dirname(file)) === out) throw new UsageError(`--out ${out} holds the input ${file}: the merge would overwrite it; choose another --out`);
        inputs.push({ dir: readReportDir(file), label });
      }
      const labels = inputs.map((i) => i.label).filter(Boolean);
      if (new Set(labels).size !== labels.length) throw new InvalidInput(`a label is given twice (${labels.join(', ')})`);
      // Loaded once every input has been read and checked: a rejection stays quick.
      const [{ mergeReports }, { REPORT_FILES, writeReportDir }, { packageVersion }] = await Promise.all([import('../../reports/merge.ts'), import('../../reports/write-report.ts'), import('../run-plan.ts')]);
      const { report, counterexamples } = mergeReports(inputs, { outDir: out, version: await packageVersion() });
      writeReportDir(out, report, counterexamples);
      const s = report.summary;
      console.log(`ipcspec report merge: ${inputs.length} reports, targets ${report.targets.map((t) => t.name).join(', ')}`);
      for (const k of report.merged!.conflicts) console.log(`  ${k.clause} on ${k.target}: kept ${k.kept} (${k.seen.map((x) => `${x.status} in ${x.file}`).join(', ')})`);
      console.log(`${s.pass} pass, ${s.fail} fail, ${s.unsupported} unsupported, ${s.error} error — report: ${REPORT_FILES.map((f) => join(out, f)).join(', ')}`);
      const differs = (report.differences ?? []).some(isBehaviourDifference);
      return s.fail > 0 || differs ? 1 : s.error > 0 ? 2 : 0;
    } catch (e) {
      if (e instanceof InvalidInput) throw new UsageError(e.message);
      throw e;
    }
  },
};
