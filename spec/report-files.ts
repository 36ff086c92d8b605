// Where a report directory keeps each counterexample (relative to the directory): part of the report
// format (spec/report-schema.md), so the engine that writes them and the reports that link them agree.
const safe = (target: string): string => target.replace(/[^\w.+-]+/g, '_');

/** A run's counterexample for one clause on one target. */
export const counterexampleFile = (clause: string, target: string): string => `counterexamples/${clause}--${safe(target)}.json`;

/** A diff report's per-target counterexample of one difference. */
export const differenceFile = (id: string, target: string): string => `counterexamples/${id}--${safe(target)}.json`;
