// The report.json and counterexample file formats (documented in spec/report-schema.md).
import type { Blame, ClauseId } from './catalogue.ts';
import type { ProfileName } from './clause.ts';
import type { Scenario } from './scenario.ts';
import type { Trace } from './trace.ts';

export const SCHEMA_VERSION = 1;

export type Status = 'pass' | 'fail' | 'unsupported' | 'error';

export interface TargetDescription {
  name: string;
  description: string;
  settled: boolean;
  privileged: boolean;
}

export interface ClauseResult {
  clause: ClauseId;
  area: string;
  target: string;
  status: Status;
  /** Scenarios that exercised this clause and were judged (passing ones, plus the failing one). */
  runs: number;
  /** Why: the violation, the error, or what was unsupported. */
  reason?: string;
  /** Path of the counterexample file, relative to the report directory. */
  counterexample?: string;
  /**
   * false: a clause `--only` did not select, failed by a scenario of a selected clause's property.
   * Reported, never hidden; the selected clauses were judged with such scenarios set aside.
   */
  selected?: false;
  /** `error` only: no scenario reached the clause in this many runs of its properties, and nothing else explains it (raise --runs). */
  notReachedIn?: number;
}

export interface PropertyRun {
  property: string;
  area: string;
  target: string;
  seed: number;
  runs: number;
  unsupported: number;
  status: Status;
  durationMs: number;
  /** The clauses this property failed, in the order found: one failure never hides another. */
  failed?: string[];
  /** Unsettled targets: passing scenarios the model could judge only in part (docs/unsettled-targets.md). */
  undecided?: number;
}

export interface Report {
  schemaVersion: number;
  tool: { name: 'ipcspec'; version: string };
  createdAt: string;
  profile: ProfileName;
  seed: number;
  /** Runs per property requested (undefined: each property's default). */
  runs?: number;
  only?: string;
  interrupted: boolean;
  targets: TargetDescription[];
  results: ClauseResult[];
  properties: PropertyRun[];
  summary: Record<Status, number>;
  /** Set by `ipcspec report merge`: the inputs, and where two of them disagreed on a clause × target. */
  merged?: MergeInfo;
  /** Set by `ipcspec diff` (and kept by merge): where targets ran the same scenarios and behaved differently. */
  differences?: Difference[];
}

/**
 * One behaviour difference found by `ipcspec diff`, shrunk to a minimal scenario that still shows it.
 * `verdict`: the model judged the targets differently (a clause fails on some, not on others).
 * `observation`: every target conforms, but they were seen doing different things the model allows
 * (a partial write's size, an errno choice, a call that blocks on one and returns on another).
 */
export interface Difference {
  id: string;
  kind: 'verdict' | 'observation';
  /** What differs, stable under shrinking: "fail:CLAUSE" (verdict) or "OP/ASPECT" (observation: ASPECT is value, errno, outcome, blocks or wakes). */
  key: string;
  /** The clause that fails (verdict), or the clauses whose rules judged the differing step (observation). */
  clauses: Blame[];
  area: string;
  property: string;
  /** Property seed and fast-check path of the shrunk case. */
  seed: number;
  path?: string;
  /** 0-based step of the minimal scenario where it shows (absent: at quiescence). */
  step?: number;
  summary: string;
  sides: DifferenceSide[];
  /** False when a target disagreed with itself when the minimal scenario was re-run: not a behaviour difference. */
  stable: boolean;
  /** Targets whose re-runs of the minimal scenario did not reproduce their own result. */
  nondeterministic?: string[];
  /** Re-runs per target behind `stable`. */
  reruns: number;
  /** Other properties whose scenarios showed the same difference (same key, targets and observed values). */
  alsoSeenIn?: string[];
  /**
   * Verdict only: the targets observed the same values, and the verdicts differ only in what an
   * unsettled target can prove (a settled one proved a call asleep; the other cannot): not a behaviour difference.
   */
  unsettledOnly?: true;
}

/** A difference that counts: reproduced, and more than what an unsettled target cannot prove. */
export const isBehaviourDifference = (d: Difference): boolean => d.stable && !d.unsettledOnly;

export interface DifferenceSide {
  target: string;
  status: Status;
  /** What this target did at the differing step (normalised: no descriptor numbers, ports or scratch paths). */
  observed: string;
  /** This target's run of the minimal scenario, relative to the report directory (a counterexample file `ipcspec replay` reads). */
  counterexample: string;
  replay: string;
  /** Index into that counterexample's trace.events of the event that shows `observed` (observation differences). */
  event?: number;
}

export interface MergeInfo {
  inputs: Array<{ file: string; label?: string; createdAt: string; seed: number; profile: ProfileName; runs?: number; only?: string; interrupted: boolean; targets: string[] }>;
  /** The same clause on the same target with different statuses in several inputs: the worst is kept (fail > error > unsupported > pass). */
  conflicts: Array<{ clause: ClauseId; target: string; kept: Status; seen: Array<{ file: string; status: Status }> }>;
}

export interface Counterexample {
  schemaVersion: number;
  kind: 'ipcspec-counterexample';
  /** The clause the counterexample breaks; '' for a behaviour difference that no clause judges (an observation). */
  clause: Blame | '';
  property: string;
  profile: ProfileName;
  target: TargetDescription;
  seed: number;
  /** fast-check's path to the shrunk case (with the seed, regenerates it). */
  path?: string;
  scenario: Scenario;
  trace: Trace;
  verdict: { status: Status; clause?: Blame; step?: number; event?: number; observed?: string; allowed?: string; reason?: string };
  replay: string;
}
