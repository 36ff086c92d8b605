// Target names on the command line -> targets.
import { parseClauseId, UnknownClauseId } from '../spec/catalogue.ts';
import type { Profile } from '../spec/profile.ts';
import { TargetStartError, type Target } from '../spec/target.ts';

export const TARGET_NAMES = ['host', 'host-process', 'c', 'model', 'mutant:CLAUSE[,CLAUSE][@TARGET]', 'exec:CMD', 'node', 'bun', 'deno', 'runtime:CMD', 'module:PATH'] as const;

/** A target's name as --target takes it ("host+mutant:X" was made from "mutant:X", "c+mutant:X" from "mutant:X@c"). */
export function cliName(target: string): string {
  const at = target.indexOf('+mutant:');
  if (at < 0) return target;
  const base = target.slice(0, at);
  return `${target.slice(at + 1)}${base === 'host' ? '' : `@${base}`}`;
}

export interface TargetOptions {
  /** `--wrap PREFIX`: run a process-based target under this command prefix (e.g. `runsc --rootless --network=none do`). */
  wrap?: string;
}

export async function makeTarget(name: string, profile: Profile, opts: TargetOptions = {}): Promise<Target> {
  {
    // A report's name for a wrapped target, `NAME (wrapped: PREFIX)`, names it on the command line too.
    const { unwrapName } = await import('../harness/wrap.ts');
    const u = unwrapName(name);
    if (u.wrap !== undefined) {
      if (opts.wrap !== undefined && opts.wrap !== u.wrap) throw new UnknownTarget(`target "${name}" has its own wrap; --wrap ${opts.wrap} differs`);
      return makeTarget(u.target, profile, { ...opts, wrap: u.wrap });
    }
  }
  if (name === 'host' && !opts.wrap) {
    const { HostTarget } = await import('../harness/host/target.ts');
    return new HostTarget();
  }
  if (name === 'host' || name === 'host-process') {
    // The host target as a driver process (harness/drivers/host-driver.ts): --wrap runs it under the prefix.
    const { hostDriverTarget } = await import('../harness/wrap.ts');
    try {
      return await hostDriverTarget(name, opts.wrap);
    } catch (e) {
      throw startOrUsage(e);
    }
  }
  if (name === 'c') {
    // harness/drivers/c/*.c, built with cc into a cache dir (harness/c-driver.ts).
    const { cDriverTarget } = await import('../harness/c-driver.ts');
    try {
      return await cDriverTarget(opts.wrap);
    } catch (e) {
      throw startOrUsage(e);
    }
  }
  if (name === 'node' || name === 'bun' || name === 'deno' || name.startsWith('runtime:')) {
    // The runtime driver (harness/drivers/runtime, node: APIs only) under that runtime (harness/runtime-target.ts).
    const { startRuntimeTarget } = await import('../harness/runtime-target.ts');
    try {
      return await startRuntimeTarget(name, opts.wrap);
    } catch (e) {
      throw startOrUsage(e);
    }
  }
  if (opts.wrap && (name === 'model' || (name.startsWith('mutant:') && !name.includes('@')))) {
    throw new UnknownTarget(`--wrap applies to process targets (host, exec:CMD, ...), not to ${name}`);
  }
  if (name === 'model') {
    const { ModelTarget } = await import('./model-target.ts');
    return new ModelTarget(profile);
  }
  if (name.startsWith('mutant:')) {
    // The host with one clause's fault injected (or several: mutant:A,B; on another target: mutant:A@BASE): what a failing run looks like, end to end.
    const { MUTANT_OF } = await import('../harness/mutants/index.ts');
    const [spec, baseName] = name.slice('mutant:'.length).split(/@(.*)/s);
    // the text becomes clause ids here, at the command-line boundary: every clause has its mutant (the compiler checks MUTANT_OF)
    const ms = spec.split(',').map((c) => {
      try {
        return MUTANT_OF[parseClauseId(c)];
      } catch (e) {
        if (e instanceof UnknownClauseId) throw new UnknownTarget(`mutant:${spec}: ${e.message}`);
        throw e;
      }
    });
    if (baseName !== undefined && (!baseName || baseName === 'model' || baseName.startsWith('mutant:'))) throw new UnknownTarget(`${name}: a mutant wraps a real target (mutant:CLAUSE@host-process, @c, @exec:CMD, ...)`);
    let t: Target;
    if (baseName === undefined) {
      const { HostTarget } = await import('../harness/host/target.ts');
      t = new HostTarget();
    } else t = await makeTarget(baseName, profile, opts);
    const base = t.info.name;
    for (const m of ms) t = m.wrap(t);
    t.info.name = `${base}+mutant:${spec}`;
    return t;
  }
  if (name.startsWith('exec:')) {
    // Any program that speaks the driver protocol (spec/driver-protocol.md), e.g. the C driver (harness/drivers/c/).
    const { ExecTarget } = await import('../harness/exec-target.ts');
    try {
      const { wrappedName } = await import('../harness/wrap.ts');
      return await ExecTarget.start(name.slice('exec:'.length), { wrap: opts.wrap, name: wrappedName(name, opts.wrap) });
    } catch (e) {
      throw startOrUsage(e);
    }
  }
  if (name.startsWith('module:')) {
    // A JS/TS module exporting a Target (e.g. a student's model), run in a child process (harness/module-target.ts).
    const { moduleTarget } = await import('../harness/module-target.ts');
    const path = name.slice('module:'.length);
    if (!path) throw new UnknownTarget('module: needs a path, e.g. --target module:./pipes.ts');
    try {
      const { wrappedName } = await import('../harness/wrap.ts');
      return await moduleTarget(path, { wrap: opts.wrap, name: wrappedName(name, opts.wrap) });
    } catch (e) {
      throw startOrUsage(e);
    }
  }
  throw new UnknownTarget(`unknown target "${name}" (known: ${TARGET_NAMES.join(', ')})`);
}

export class UnknownTarget extends Error {}

/** A target that failed to start keeps its cause (exit 2, no "see --help"); anything else was a bad name. */
const startOrUsage = (e: unknown): Error => (e instanceof TargetStartError ? e : new UnknownTarget((e as Error).message));
