// Target names on the command line -> targets.
import type { Profile } from '../spec/profile.ts';
import type { Target } from './target.ts';

export const TARGET_NAMES = ['host', 'model', 'mutant:CLAUSE', 'exec:CMD'] as const;

export interface TargetOptions {
  /** `--wrap PREFIX`: run a process-based target under this command prefix (e.g. `runsc --rootless --network=none do`). */
  wrap?: string;
}

export async function makeTarget(name: string, profile: Profile, opts: TargetOptions = {}): Promise<Target> {
  if (name === 'host' && !opts.wrap) {
    const { HostTarget } = await import('./host/target.ts');
    return new HostTarget();
  }
  if (opts.wrap && (name === 'model' || name.startsWith('mutant:'))) {
    throw new UnknownTarget(`--wrap applies to process targets (host, exec:CMD, ...), not to ${name}`);
  }
  if (name === 'model') {
    const { ModelTarget } = await import('./model-target.ts');
    return new ModelTarget(profile);
  }
  if (name.startsWith('mutant:')) {
    // The host with one clause's fault injected: what a failing run looks like, end to end.
    const { MUTANTS } = await import('./mutants/index.ts');
    const m = MUTANTS.find((x) => x.clause === name.slice('mutant:'.length));
    if (!m) throw new UnknownTarget(`no mutant for clause "${name.slice(7)}" (see ipcspec clauses)`);
    const { HostTarget } = await import('./host/target.ts');
    return m.wrap(new HostTarget());
  }
  if (name.startsWith('exec:')) {
    // Any program that speaks the driver protocol (spec/driver-protocol.md), e.g. harness/drivers/ipcspec-driver.c.
    const { ExecTarget } = await import('./exec-target.ts');
    try {
      return await ExecTarget.start(name.slice('exec:'.length));
    } catch (e) {
      throw new UnknownTarget((e as Error).message);
    }
  }
  throw new UnknownTarget(`unknown target "${name}" (known: ${TARGET_NAMES.join(', ')})`);
}

export class UnknownTarget extends Error {}
