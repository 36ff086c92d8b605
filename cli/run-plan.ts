// What a run covers: the profile, the clauses (profile ∩ --only), the properties that aim at them.
import { clausesIn, matchClauses, type ClauseId } from '../spec/catalogue.ts';
import { hostProfileName, loadProfile, type Profile } from '../spec/profile.ts';
import { PROPERTIES } from '../suites/properties/index.ts';
import type { Property } from '../suites/property.ts';
import { UsageError } from './command.ts';

export interface Plan {
  profile: Profile;
  clauses: ClauseId[];
  properties: Property[];
  outOfProfile: string[];
}

export function plan(profileFlag: string | undefined, only: string | undefined): Plan {
  let profile: Profile;
  try {
    profile = loadProfile(profileFlag ?? hostProfileName());
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  let wanted = clausesIn(profile.name).map((c) => c.id);
  const outOfProfile: string[] = [];
  if (only) {
    const m = matchClauses(only);
    if (m.unmatched.length) throw new UsageError(`--only: no clause or area matches ${m.unmatched.map((g) => `"${g}"`).join(', ')}`);
    const ids = m.clauses.map((c) => c.id);
    outOfProfile.push(...ids.filter((id) => !wanted.includes(id)));
    wanted = wanted.filter((id) => ids.includes(id));
    if (!wanted.length) throw new UsageError(`--only ${only}: those clauses are not in profile ${profile.name}`);
  }
  const properties = PROPERTIES.filter((p) => p.clauses.some((c) => wanted.includes(c)));
  return { profile, clauses: wanted, properties, outOfProfile };
}

export const packageVersion = async (): Promise<string> => {
  const { readFile } = await import('node:fs/promises');
  return (JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
};
