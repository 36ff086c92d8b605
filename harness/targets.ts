// Target names on the command line -> targets.
import type { Profile } from '../spec/profile.ts';
import type { Target } from './target.ts';

export const TARGET_NAMES = ['host', 'model'] as const;

export async function makeTarget(name: string, profile: Profile): Promise<Target> {
  if (name === 'host') {
    const { HostTarget } = await import('./host/target.ts');
    return new HostTarget();
  }
  if (name === 'model') {
    const { ModelTarget } = await import('./model-target.ts');
    return new ModelTarget(profile);
  }
  throw new UnknownTarget(`unknown target "${name}" (known: ${TARGET_NAMES.join(', ')})`);
}

export class UnknownTarget extends Error {}
