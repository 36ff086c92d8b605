// The context every rule gets: the profile, what the trace proves about time, and the clause log.
import type { ClauseId } from '../spec/catalogue.ts';
import type { Capacity, Profile } from '../spec/profile.ts';
import type { Blame } from './verdict.ts';

export class RuleViolation extends Error {
  constructor(readonly clause: Blame, readonly observed: string, readonly allowed: string) {
    super(`${clause}: observed ${observed}; allowed ${allowed}`);
  }
}

/** The trace lies outside what the model can judge (never counted as pass). */
export class OutOfScope extends Error {}

/**
 * A call that only sets a scenario up (make-pipe, socketpair, socket) failed on the target (EMFILE,
 * ENFILE, an unsupported family): the target's failure, with nothing for the model to judge after it.
 */
export class SetupFailed extends OutOfScope {}

/** The reason an error verdict gives for a trace the model could not go on with. */
export const outOfScopeReason = (e: OutOfScope): string =>
  e instanceof SetupFailed ? `the target failed a setup call: ${e.message}` : `outside the model: ${e.message}`;

export class Ctx {
  /** The clauses judged so far; the checker of unsettled traces gives each explanation its own set. */
  exercised = new Set<ClauseId>();
  readonly capacity: Capacity;
  /** The profile counts capacity exactly (linux page slots). Settled or not: an unsettled trace is judged by every state it allows (unsettled.ts), never by looser accounting. */
  readonly exact: boolean;

  /** `settled`: the target proves what has happened (a blocked call is asleep, a datagram has arrived); rules read it only where an arrival or a peer's answer may lag, never for a call's own progress. */
  constructor(readonly profile: Profile, readonly settled: boolean, readonly privileged: boolean) {
    this.exact = profile.capacity.accounting === 'page-slots';
    this.capacity = this.exact ? profile.capacity : { accounting: 'unspecified', minimumBytes: profile.pipeBuf };
  }

  exercise(clause: ClauseId): void {
    this.exercised.add(clause);
  }

  /** Record that `clause` is exercised and fail it unless `ok`. */
  require(clause: ClauseId, ok: boolean, observed: () => string, allowed: () => string): void {
    this.exercised.add(clause);
    if (!ok) throw new RuleViolation(clause, observed(), allowed());
  }

  violate(clause: ClauseId, observed: string, allowed: string): never {
    this.exercised.add(clause);
    throw new RuleViolation(clause, observed, allowed);
  }

  get pageSize(): number {
    return this.profile.capacity.accounting === 'page-slots' ? this.profile.capacity.pageSize : 4096;
  }
}
