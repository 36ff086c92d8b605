// Where a diff report keeps each difference's per-target counterexample (relative to the report directory).
export const differenceFile = (id: string, target: string): string => `counterexamples/${id}--${target.replace(/[^\w.+-]+/g, '_')}.json`;
