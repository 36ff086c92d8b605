// A property: a named scenario generator aimed at some clauses. The same property runs against
// every target and profile; the model decides.
import type fc from 'fast-check';
import type { ClauseId } from '../spec/catalogue.ts';
import type { Profile } from '../spec/profile.ts';
import type { Scenario } from '../spec/scenario.ts';

export interface Property {
  name: string;
  area: string;
  /** Clauses this property is written to exercise (the run reports exactly these). */
  clauses: ClauseId[];
  scenario(profile: Profile): fc.Arbitrary<Scenario>;
  /** Runs per property in the default run (expensive properties run fewer). */
  defaultRuns?: number;
}

/** Scenarios per property unless the property or --runs says otherwise. */
export const DEFAULT_RUNS = 200;

export const runsOf = (p: Property, override?: number): number => override ?? p.defaultRuns ?? DEFAULT_RUNS;
