// Exit codes of run and diff, from the report. 3 is "inconclusive": nothing failed and nothing broke,
// but some clause was reached by no generated scenario within the run count (raise --runs). It is
// neither a pass (0: that clause was never judged) nor an infrastructure error (2: nothing went wrong).
import type { Report } from '../spec/report.ts';

export const EXIT_NOT_REACHED = 3;

/** 2 when an error other than "not reached in N runs" is present, 3 when only those are, else 0. */
export function errorExitCode(report: Report): number {
  const errors = report.results.filter((r) => r.status === 'error');
  if (errors.some((r) => r.notReachedIn === undefined)) return 2;
  return errors.length ? EXIT_NOT_REACHED : 0;
}

/** `ipcspec run`: 1 a clause failed, then errorExitCode. */
export const runExitCode = (report: Report): number => (report.summary.fail > 0 ? 1 : errorExitCode(report));
