// The one line on stderr for a run that ends in exit 2 because results are errors (a target that did
// not start, clauses no scenario reached): the details are on stdout and in the report.
import type { Report } from '../spec/report.ts';
import type { StartFailures } from './start-failures.ts';

const firstLine = (s: string | undefined, max = 160): string => {
  const l = (s ?? '').trim().split('\n')[0];
  return l.length > max ? `${l.slice(0, max)}...` : l;
};

export function errorsLine(report: Report, where: string, starts?: StartFailures): string {
  const errors = report.results.filter((r) => r.status === 'error');
  const notStarted = [...new Set(errors.filter((r) => starts?.isStartFailure(r.reason, r.target)).map((r) => r.target))];
  const head = `${errors.length} of ${report.results.length} results are errors`;
  if (notStarted.length) return `${head}: ${notStarted.join(', ')} did not start (${firstLine(starts!.reason(notStarted[0]))}); details on stdout and in ${where}`;
  const e = errors[0];
  return `${head} (first: ${e?.clause} on ${e?.target}: ${firstLine(e?.reason)}); details on stdout and in ${where}`;
}

/** The one line on stderr for exit 3: nothing failed or broke, but some clauses were never judged. */
export function notReachedLine(report: Report): string {
  const unreached = report.results.filter((r) => r.notReachedIn !== undefined);
  const first = unreached[0];
  return `inconclusive: ${unreached.length} of ${report.results.length} results were reached by no scenario in ${first?.notReachedIn} runs (first: ${first?.clause} on ${first?.target}); raise --runs`;
}
