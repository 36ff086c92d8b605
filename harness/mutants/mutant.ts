// A mutant: a fault-injecting wrapper around a target that breaks exactly one clause
// (docs/design.md, principle 6). The suites must kill every mutant within the default run count.
import type { ClauseId } from '../../spec/catalogue.ts';
import type { Step } from '../../spec/scenario.ts';
import type { Session, StepResult, Target } from '../../spec/target.ts';

export interface Mutant<C extends ClauseId = ClauseId> {
  /** The one clause it breaks; the killing violation must name it. */
  clause: C;
  /** What the fault is, in one sentence. */
  fault: string;
  wrap(target: Target): Target;
  /**
   * Set when the fault shows only as a call that stays blocked (or blocks where it must not): then only
   * a settled target, one that proves a pending call asleep, can show it. An unsettled target's
   * `pending` means "has not returned yet" (docs/design.md, principle 10), so there it may survive: this says why.
   */
  needsSettledTarget?: string;
}

export type Intercept = (inner: Session, index: number, step: Step) => Promise<StepResult>;

/** Build a target whose sessions pass every step through an interceptor made fresh per session (so it may keep state). */
export function wrapTarget(target: Target, name: string, makeIntercept: () => Intercept): Target {
  return {
    info: { ...target.info, name: `${target.info.name}+mutant:${name}` },
    async open() {
      const inner = await target.open();
      const intercept = makeIntercept();
      return {
        // a step the target cannot express stays unsupported: a fault never answers for the target
        step: async (i, s) => {
          const reason = target.cannotExpress?.(s);
          return reason ? { outcome: { kind: 'unsupported', reason }, completed: [] } : intercept(inner, i, s);
        },
        teardown: () => inner.teardown(),
      };
    },
    dispose: () => target.dispose(),
  };
}
