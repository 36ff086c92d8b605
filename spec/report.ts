// The report.json and counterexample file formats (documented in spec/report-schema.md).
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
  clause: string;
  area: string;
  target: string;
  status: Status;
  /** Scenarios that exercised this clause and were judged (passing ones, plus the failing one). */
  runs: number;
  /** Why: the violation, the error, or what was unsupported. */
  reason?: string;
  /** Path of the counterexample file, relative to the report directory. */
  counterexample?: string;
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
}

export interface MergeInfo {
  inputs: Array<{ file: string; label?: string; createdAt: string; seed: number; profile: ProfileName; runs?: number; only?: string; interrupted: boolean; targets: string[] }>;
  /** The same clause on the same target with different statuses in several inputs: the worst is kept (fail > error > unsupported > pass). */
  conflicts: Array<{ clause: string; target: string; kept: Status; seen: Array<{ file: string; status: Status }> }>;
}

export interface Counterexample {
  schemaVersion: number;
  kind: 'ipcspec-counterexample';
  clause: string;
  property: string;
  profile: ProfileName;
  target: TargetDescription;
  seed: number;
  /** fast-check's path to the shrunk case (with the seed, regenerates it). */
  path?: string;
  scenario: Scenario;
  trace: Trace;
  verdict: { status: Status; clause?: string; step?: number; event?: number; observed?: string; allowed?: string; reason?: string };
  replay: string;
}
