// Targets that did not start (a driver that crashed or never said hello): each failure is printed once,
// at the start of the run, and the lines for its properties and clauses refer to it instead of
// repeating it (a driver's stack trace once per property was thousands of lines).
import type { Target } from '../spec/target.ts';

export class StartFailures {
  private readonly failures = new Map<string, string>();

  constructor(targets: Target[]) {
    for (const t of targets) if (t.startError) this.failures.set(t.info.name, t.startError);
  }

  /** One block per target that did not start: the failure, with the driver's stderr indented. */
  print(log: (line: string) => void = console.log): void {
    for (const [name, why] of this.failures) {
      const [first, ...rest] = why.trimEnd().split('\n');
      log(`${name} did not start: ${first}`);
      for (const l of rest) log(`    ${l}`);
      log(`  (every scenario on ${name} is an error for that reason; the report has it in full)`);
    }
  }

  /** Why `target` did not start, if it did not. */
  reason(target: string): string | undefined {
    return this.failures.get(target);
  }

  /** Whether `text` (a result's reason on `target`) is that target's start failure. */
  isStartFailure(text: string | undefined, target: string): boolean {
    const why = this.failures.get(target);
    return why !== undefined && !!text?.includes(why);
  }

  /** `text` with the target's start failure replaced by a reference to where it was printed. */
  shorten(text: string, target: string): string {
    const why = this.failures.get(target);
    return why === undefined ? text : text.split(why).join("the target did not start (printed above)");
  }
}
