// `--target model`: the reference model itself as a target, choosing a canonical allowed outcome for
// every step (reference-model/canonical.ts). Every trace it produces must pass the checker, so running
// the suites against it tests the model: a failure is a gap between the rules and their own choices.
import type { Profile } from '../spec/profile.ts';
import type { Step } from '../spec/scenario.ts';
import { canonicalStep } from '../reference-model/canonical.ts';
import { Ctx } from '../reference-model/context.ts';
import { initialState, type ModelState } from '../reference-model/state.ts';
import type { Session, StepResult, Target, TargetInfo } from '../spec/target.ts';

export class ModelTarget implements Target {
  readonly info: TargetInfo;

  constructor(readonly profile: Profile) {
    this.info = {
      name: 'model',
      description: `the ipcspec reference model (profile ${profile.name}) choosing a canonical allowed outcome for every call`,
      // The model knows exactly which calls are blocked, and it never has CAP_SYS_RESOURCE.
      settled: true,
      privileged: false,
    };
  }

  async open(): Promise<Session> {
    return new ModelSession(new Ctx(this.profile, this.info.settled, this.info.privileged));
  }

  async dispose(): Promise<void> {}
}

class ModelSession implements Session {
  private state: ModelState = initialState();

  constructor(private readonly ctx: Ctx) {}

  async step(index: number, step: Step): Promise<StepResult> {
    const r = canonicalStep(this.state, index, step, this.ctx);
    this.state = r.state;
    return { outcome: r.outcome, completed: r.completed };
  }

  async teardown(): Promise<void> {}
}
