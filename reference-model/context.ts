// The context every rule gets: the profile, what the trace proves about time, and the clause log.
import type { Capacity, Profile } from '../spec/profile.ts';

export class RuleViolation extends Error {
  constructor(readonly clause: string, readonly observed: string, readonly allowed: string) {
    super(`${clause}: observed ${observed}; allowed ${allowed}`);
  }
}

/** The trace lies outside what the model can judge (never counted as pass). */
export class OutOfScope extends Error {}

export class Ctx {
  readonly exercised = new Set<string>();
  /** Exact capacity accounting needs a settled trace: otherwise a blocked writer's progress is unknown. */
  readonly capacity: Capacity;
  readonly exact: boolean;

  constructor(readonly profile: Profile, readonly settled: boolean, readonly privileged: boolean) {
    this.exact = profile.capacity.accounting === 'page-slots' && settled;
    this.capacity = this.exact ? profile.capacity : { accounting: 'unspecified', minimumBytes: profile.pipeBuf };
  }

  exercise(clause: string): void {
    this.exercised.add(clause);
  }

  /** Record that `clause` is exercised and fail it unless `ok`. */
  require(clause: string, ok: boolean, observed: () => string, allowed: () => string): void {
    this.exercised.add(clause);
    if (!ok) throw new RuleViolation(clause, observed(), allowed());
  }

  violate(clause: string, observed: string, allowed: string): never {
    this.exercised.add(clause);
    throw new RuleViolation(clause, observed, allowed);
  }

  get pageSize(): number {
    return this.profile.capacity.accounting === 'page-slots' ? this.profile.capacity.pageSize : 4096;
  }
}
