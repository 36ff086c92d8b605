// A module target (`module:PATH`, e.g. a student's model of pipes) as a driver process:
// `node module-driver.mjs MODULE.mjs` speaks driver protocol v1 on stdin/stdout with the module's
// Target behind it. harness/module-target.ts bundles this file and the module (esbuild), so that no
// TypeScript loader runs here. Under the grader's sandbox (IPCSPEC_SANDBOX_UID set, we are root) the
// process drops to that uid BEFORE it imports the module: the module's code never runs privileged.
import { pathToFileURL } from 'node:url';
import { ALL_FEATURES, ALL_OPS } from '../exec-capabilities.ts';
import type { Session, StepResult, Target } from '../../spec/target.ts';
import { serveTarget } from './serve-target.ts';

const out = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
console.log = console.info = console.debug = console.error;

const fatal = (why: string): never => {
  process.stderr.write(`module-driver: ${why}\n`);
  process.exit(2);
};

function dropPrivileges(): void {
  const want = process.env.IPCSPEC_SANDBOX_UID;
  if (want === undefined) return;
  const uid = Number(want);
  if (!Number.isInteger(uid) || uid < 0) fatal(`IPCSPEC_SANDBOX_UID=${want} is not a uid`);
  if (process.getuid?.() === 0) {
    process.setgroups?.([]);
    process.setgid?.(uid);
    process.setuid?.(uid);
  }
  if (process.getuid?.() !== uid && process.getuid?.() === 0) fatal(`could not drop to uid ${uid}`);
}

const isTarget = (t: unknown): t is Target =>
  typeof t === 'object' && t !== null && typeof (t as Target).open === 'function' && typeof (t as Target).info === 'object' && (t as Target).info !== null;

/** The module's target: its default export (or `target` export), a Target or a function returning one. */
async function loadTarget(file: string): Promise<Target> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    return fatal(`the module threw while loading: ${(e as Error).stack ?? e}`);
  }
  let t: unknown = mod.default ?? mod.target;
  if (typeof t === 'object' && t !== null && 'default' in t && !isTarget(t)) t = (t as { default: unknown }).default; // CommonJS default
  try {
    if (typeof t === 'function') t = await (t as () => unknown)();
  } catch (e) {
    return fatal(`the module's exported function threw: ${(e as Error).stack ?? e}`);
  }
  if (!isTarget(t)) return fatal('the module must export (default, or as `target`) a Target { info, open(), dispose() } or a function that returns one');
  return t;
}

/** The module's calls with its exceptions turned into error outcomes: a throw costs that scenario, not the driver. */
function guarded(t: Target): Target {
  const threw = (what: string, e: unknown): StepResult => ({ outcome: { kind: 'error', message: `the module's ${what} threw: ${String((e as Error)?.message ?? e).slice(0, 500)}` }, completed: [] });
  return {
    info: {
      name: String(t.info.name ?? 'module'),
      description: String(t.info.description ?? 'a module target'),
      settled: t.info.settled === true,
      privileged: t.info.privileged === true,
    },
    async open(): Promise<Session> {
      let s: Session;
      try {
        s = await t.open();
      } catch (e) {
        return { step: async () => threw('open()', e), teardown: async () => {} };
      }
      return {
        async step(i, step, data) {
          try {
            const r = await s.step(i, step, data);
            return { outcome: r?.outcome, completed: Array.isArray(r?.completed) ? r.completed : [] } as StepResult;
          } catch (e) {
            return threw(`step(${step.op})`, e);
          }
        },
        async teardown() {
          // A student's teardown that throws is the submission's failure for that scenario: reported, never fatal.
          try { await s.teardown?.(); return {}; } catch (e) { return { error: `teardown() threw: ${(e as Error)?.message ?? String(e)}` }; }
        },
      };
    },
    async dispose() {
      try { await t.dispose?.(); } catch { /* exiting anyway */ }
    },
  };
}

const file = process.argv[2] ?? fatal('usage: module-driver MODULE');
dropPrivileges();
const target = guarded(await loadTarget(file));
// A module answers every op itself, with an `unsupported` outcome for what it does not do.
await serveTarget((line) => void out(line), target, {
  driver: `ipcspec module-driver 0.1 (${target.info.name})`,
  description: target.info.description,
  ops: [...ALL_OPS],
  features: [...ALL_FEATURES],
  name: 'module-driver',
  passData: true,
});
