// The actor threads of a host target: one per actor name, started on first use, kept across
// scenarios (a thread costs more to start than a scenario to run), terminated at dispose.
import { setHardExit } from '../scope.ts';
import { ActorThread } from './actor.ts';
import { hardExit } from './libc.mjs';

export class ActorPool {
  private actors = new Map<string, ActorThread>();

  async get(name: string): Promise<ActorThread> {
    let a = this.actors.get(name);
    if (!a) {
      setHardExit((code) => hardExit(code)); // an interrupt must not wait on an actor asleep in a call
      a = new ActorThread();
      this.actors.set(name, a);
    }
    await a.start();
    return a;
  }

  async terminate(): Promise<void> {
    await Promise.all([...this.actors.values()].map((a) => a.terminate()));
    this.actors.clear();
  }
}
