import { CLAUSES, matchClauses } from '../../spec/catalogue.ts';
import { parseFlags, UsageError, type Command } from '../command.ts';

export const command: Command = {
  name: 'clauses',
  summary: 'list the clause catalogue (id, profiles, title, citation)',
  usage: `usage: ipcspec clauses [--json] [--only GLOB[,GLOB]] [--profile linux|posix]

Lists every clause: its id, area, the profiles that contain it, a one-sentence title, the
behaviour and the citation. --json prints the catalogue as JSON for machines.`,
  async run(argv) {
    const { flags, positional } = parseFlags(argv, ['only', 'profile'], ['json']);
    if (positional.length) throw new UsageError(`unexpected argument "${positional[0]}"`);
    let list = [...CLAUSES];
    const only = flags.get('only')?.at(-1);
    if (only) {
      const m = matchClauses(only);
      if (m.unmatched.length) throw new UsageError(`--only: no clause or area matches ${m.unmatched.join(', ')}`);
      list = m.clauses;
    }
    const profile = flags.get('profile')?.at(-1);
    if (profile && profile !== 'linux' && profile !== 'posix') throw new UsageError(`unknown profile "${profile}" (known: posix, linux)`);
    if (profile) list = list.filter((c) => c.profiles.includes(profile as 'linux' | 'posix'));
    if (flags.has('json')) {
      console.log(JSON.stringify(list, null, 2));
      return 0;
    }
    let area = '';
    for (const c of list) {
      if (c.area !== area) { area = c.area; console.log(`\n${area}`); }
      console.log(`  ${c.id}  [${c.profiles.join(', ')}]\n    ${c.title}\n    ${c.citation.posix ?? c.citation.man ?? ''}${c.citation.linux ? `\n    linux: ${c.citation.linux}` : ''}`);
    }
    console.log(`\n${list.length} clauses`);
    return 0;
  },
};
