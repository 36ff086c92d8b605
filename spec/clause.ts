// A clause is one named behaviour. Its id is the single name used by the spec entry, the model
// rule, the property, the mutant and every report line (docs/design.md, principle 1).

export type ProfileName = 'posix' | 'linux';

/** One catalogue entry as an area file writes it; `Clause` (spec/catalogue.ts) is the same with its id typed as a `ClauseId`. */
export interface ClauseSpec {
  id: string;
  /** The area (one property file per area). */
  area: string;
  /** One sentence. */
  title: string;
  /** The behaviour in prose, including what each profile allows where they differ. */
  behaviour: string;
  citation: { posix?: string; man?: string; linux?: string };
  /** Profiles that contain this clause; a clause outside a profile is not run under it. */
  profiles: ProfileName[];
}

export const BOTH: ProfileName[] = ['posix', 'linux'];
export const LINUX_ONLY: ProfileName[] = ['linux'];
