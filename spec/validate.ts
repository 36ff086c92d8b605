// Strict validation of scenario and counterexample files: a bad file gets one clear line naming
// the place and the problem, never a crash deep in the harness.
import { jsonReviver } from './codec.ts';
import { InvalidInput, parseJsonText, readTextFile } from './read-input.ts';
import { type Op, PIPE_VARIANTS, type Scenario, type Step } from './scenario.ts';
import { isScenarioProperty, SCENARIO_PROPERTIES } from './scenario-properties.ts';
import { stepCost, WORK_BUDGET } from './work-budget.ts';
import { validateTrace } from './validate-trace.ts';
import { SOCKET_FAMILIES, TEST_HOSTS } from './socket-scenario.ts';
import { SCHEMA_VERSION, type Counterexample } from './report.ts';

export { InvalidInput };

type Shape = Record<string, (v: unknown) => boolean>;
/** A C int: listen's backlog. */
const int = (v: unknown) => Number.isInteger(v) && (v as number) >= -(2 ** 31) && (v as number) < 2 ** 31;
const nat = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const str = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length < 200;
const bool = (v: unknown) => typeof v === 'boolean';
const natList = (v: unknown) => Array.isArray(v) && v.length > 0 && v.length <= 64 && v.every(nat);
const oneOf = (...xs: unknown[]) => (v: unknown) => xs.includes(v);
const relPath = (v: unknown) => str(v) && !(v as string).startsWith('/') && !(v as string).split('/').includes('..');
const keysAre = (v: object, ...ks: string[]) => Object.keys(v).length === ks.length && ks.every((k) => Object.hasOwn(v, k));
const producer = (v: unknown) => !!v && typeof v === 'object' && ((v as { kind: string }).kind === 'yes' ? keysAre(v, 'kind') : (v as { kind: string }).kind === 'bytes' && keysAre(v, 'kind', 'size', 'chunk') && nat((v as { size: number }).size) && nat((v as { chunk: number }).chunk) && (v as { chunk: number }).chunk > 0);
const testHostAddr = (v: unknown) => !!v && typeof v === 'object' && Object.keys(v).length === 2 && TEST_HOSTS.includes((v as { host?: never }).host as never) && (v as { port?: unknown }).port === 0;
const sockAddr = (v: unknown): boolean => testHostAddr(v) || !!v && typeof v === 'object' && Object.keys(v).length === 1 && (relPath((v as { path?: unknown }).path) || (v as { port?: unknown }).port === 0 || str((v as { of?: unknown }).of) || unixName(v));
const unixName = (v: unknown) => (nat((v as { pathLength?: unknown }).pathLength) && (v as { pathLength: number }).pathLength <= 4096) || (str((v as { abstract?: unknown }).abstract) && !(v as { abstract: string }).abstract.includes('\0'));
const port = (v: unknown) => nat(v) && (v as number) <= 65535;
/** A socket buffer size: positive, and at most 1 GiB (the kernel doubles it into an int). */
const bufSize = (v: unknown) => nat(v) && (v as number) >= 1 && (v as number) <= 1 << 30;
const consumer = (v: unknown) => !!v && typeof v === 'object' && ((v as { kind: string }).kind === 'cat' ? keysAre(v, 'kind') : (v as { kind: string }).kind === 'head-lines' && keysAre(v, 'kind', 'lines') && nat((v as { lines: number }).lines));

// One shape per op: `satisfies` makes a missing or misspelt op a compile error, as CALL_RULES does for the model.
const STEP_SHAPES = {
  'make-pipe': { variant: oneOf(...PIPE_VARIANTS), read: str, write: str },
  write: { fd: str, size: nat }, writev: { fd: str, sizes: natList },
  read: { fd: str, size: nat }, readv: { fd: str, sizes: natList },
  close: { fd: str }, dup: { fd: str, as: str }, 'set-nonblock': { fd: str, on: bool }, poll: { fd: str },
  'get-pipe-size': { fd: str }, 'set-pipe-size': { fd: str, size: Number.isSafeInteger },
  mkfifo: { path: relPath }, open: { path: relPath, as: str, mode: oneOf('read', 'write'), nonblock: bool },
  unlink: { path: relPath }, stat: { path: relPath },
  'child-write': { fd: str, size: nat, sigpipe: oneOf('default', 'ignore') }, 'child-read': { fd: str },
  pipeline: { producer, consumer },
  'concurrent-writes': { fd: str, reader: str, writers: (v) => nat(v) && (v as number) >= 1 && (v as number) <= 8, records: nat, size: nat },
  socketpair: { a: str, b: str, nonblock: bool }, socket: { family: oneOf(...SOCKET_FAMILIES), as: str, nonblock: bool, host: (v) => v === undefined || oneOf(...TEST_HOSTS)(v) },
  bind: { fd: str, addr: sockAddr }, listen: { fd: str, backlog: int }, connect: { fd: str, to: sockAddr }, accept: { fd: str, as: str },
  send: { fd: str, size: nat, to: (v) => v === undefined || sockAddr(v), dontwait: (v) => v === undefined || bool(v) }, recv: { fd: str, size: nat, waitall: bool, dontwait: bool, peek: (v) => v === undefined || bool(v) },
  shutdown: { fd: str, how: oneOf('wr', 'rd', 'rdwr') }, sockname: { fd: str, peer: bool }, 'connect-status': { fd: str }, 'connect-wait': { fd: str },
  'connect-fill': { family: oneOf(...SOCKET_FAMILIES), to: sockAddr, count: nat, as: str },
  'bind-unprivileged': { family: oneOf('inet', 'inet6'), port },
  'set-buffers': { fd: str, snd: (v) => v === undefined || bufSize(v), rcv: (v) => v === undefined || bufSize(v) },
} satisfies Record<Op, Shape>;

/** Keys a step may carry besides those its shape checks (optional flags). */
const OPTIONAL_KEYS: Record<string, string[]> = { socketpair: ['dgram'], socket: ['dgram'], recv: ['trunc'] };
const optBool = (v: unknown) => v === undefined || bool(v);
const OPTIONAL_SHAPES: Record<string, (v: unknown) => boolean> = { dgram: optBool, trunc: optBool };
const SCENARIO_KEYS = ['property', 'steps'];
const COUNTEREXAMPLE_KEYS = ['schemaVersion', 'kind', 'clause', 'property', 'profile', 'target', 'seed', 'path', 'scenario', 'trace', 'verdict', 'replay'];

/** Keys of `x` not in `known`, as a rejection naming the known ones. */
function unknownKeys(x: object, known: string[], at: string, what: string): void {
  for (const k of Object.keys(x)) if (!known.includes(k)) throw new InvalidInput(`${at}: unknown key ${JSON.stringify(k)} in ${what} (known: ${known.join(', ')})`);
}

/** The handles a step makes and uses, by the field that names them. */
function handlesOf(st: Record<string, unknown>): { made: Array<[string, string]>; used: Array<[string, string]> } {
  const made: Array<[string, string]> = [];
  const used: Array<[string, string]> = [];
  const addr = (field: string, a: unknown) => { if (a && typeof a === 'object' && typeof (a as { of?: unknown }).of === 'string') used.push([`${field}.of`, (a as { of: string }).of]); };
  for (const k of ['fd', 'reader']) if (typeof st[k] === 'string') used.push([k, st[k] as string]);
  addr('to', st.to);
  addr('addr', st.addr);
  switch (st.op) {
    case 'make-pipe': made.push(['read', st.read as string], ['write', st.write as string]); break;
    case 'socketpair': made.push(['a', st.a as string], ['b', st.b as string]); break;
    case 'dup': case 'open': case 'socket': case 'accept': made.push(['as', st.as as string]); break;
    case 'connect-fill': for (let n = 1; n <= (st.count as number); n++) made.push(['as', `${st.as}${n}`]); break;
  }
  return { made, used };
}

/**
 * A scenario's steps, checked one by one (a loop, never recursion: 200,000 steps cost no stack):
 * shape, keys, handles made once and before use, and the work they add up to (spec/work-budget.ts).
 */
export function validateScenario(x: unknown, where = 'scenario'): Scenario {
  // "FILE:" names a bare scenario file (its fields as "FILE: steps[3]"), "FILE: scenario" the scenario in a counterexample.
  const head = where.replace(/:$/, '');
  const dot = where.endsWith(':') ? `${where} ` : `${where}.`;
  if (!x || typeof x !== 'object' || Array.isArray(x)) throw new InvalidInput(`${head}: expected an object {property, steps}`);
  const s = x as { property?: unknown; steps?: unknown };
  unknownKeys(s, SCENARIO_KEYS, head, 'a scenario');
  if (!isScenarioProperty(s.property)) throw new InvalidInput(`${dot}property: unknown property ${JSON.stringify(s.property)} (known: ${SCENARIO_PROPERTIES.join(', ')})`);
  if (!Array.isArray(s.steps)) throw new InvalidInput(`${dot}steps: expected an array`);
  const B = WORK_BUDGET;
  if (s.steps.length > B.steps) throw new InvalidInput(`${dot}steps: ${s.steps.length} steps exceed the work budget of ${B.steps} steps`);
  const made = new Map<string, number>();
  const actors = new Set<string>();
  const total = { bytes: 0, calls: 0, processes: 0, waitSeconds: 0 };
  for (let i = 0; i < s.steps.length; i++) {
    const st = s.steps[i] as Record<string, unknown>;
    const at = `${dot}steps[${i}]`;
    if (!st || typeof st !== 'object' || Array.isArray(st)) throw new InvalidInput(`${at}: expected an object`);
    const { op, actor } = st as { op?: unknown; actor?: unknown };
    if (!str(actor)) throw new InvalidInput(`${at}.actor: expected a non-empty string of at most 199 characters`);
    const shape = typeof op === 'string' && Object.hasOwn(STEP_SHAPES, op) ? (STEP_SHAPES[op as Op] as Shape) : undefined; // not "constructor" or another Object.prototype name
    if (!shape) throw new InvalidInput(`${at}.op: unknown operation ${JSON.stringify(op)} (known: ${Object.keys(STEP_SHAPES).join(', ')})`);
    const optional = OPTIONAL_KEYS[op as string] ?? [];
    unknownKeys(st, ['actor', 'op', ...Object.keys(shape), ...optional], at, `a ${op} step`);
    for (const [k, ok] of Object.entries(shape)) {
      if (!ok(st[k])) throw new InvalidInput(`${at}.${k}: invalid value ${preview(st[k])} for ${op}`);
    }
    for (const k of optional) if (!OPTIONAL_SHAPES[k](st[k])) throw new InvalidInput(`${at}.${k}: invalid value ${preview(st[k])} for ${op}`);
    actors.add(actor as string);
    if (actors.size > B.actors) throw new InvalidInput(`${at}.actor: more than ${B.actors} actors exceed the work budget (each actor is a thread)`);

    const cost = stepCost(st as unknown as Step);
    if (cost.unbounded) throw new InvalidInput(`${at}.${cost.field}: ${cost.unbounded}`);
    if (cost.bytes > B.stepBytes) throw new InvalidInput(`${at}.${cost.field}: ${cost.what} exceed the work budget of ${B.stepBytes} bytes per step`);
    total.bytes += cost.produced;
    total.calls += cost.calls;
    total.waitSeconds += cost.waitSeconds;
    total.processes += cost.processes;
    if (total.bytes > B.bytes) throw new InvalidInput(`${at}.${cost.field}: ${cost.what} bring the steps to ${total.bytes} bytes, over the work budget of ${B.bytes} bytes`);
    if (total.calls > B.calls) throw new InvalidInput(`${at}.${cost.field}: ${cost.what} bring the steps to ${total.calls} calls, over the work budget of ${B.calls} calls`);
    if (total.processes > B.processes) throw new InvalidInput(`${at}.op: ${op} brings the steps to ${total.processes} child processes, over the work budget of ${B.processes}`);
    if (total.waitSeconds > B.waitSeconds) throw new InvalidInput(`${at}.${cost.field}: ${cost.what} bring the steps to ${total.waitSeconds} s of waiting, over the work budget of ${B.waitSeconds} s`);

    if (op === 'connect-fill' && made.size + (st.count as number) > B.handles) throw new InvalidInput(`${at}.count: ${st.count} connects bring the steps to over ${B.handles} handles, the work budget`);
    const h = handlesOf(st);
    for (const [field, name] of h.used) {
      if (!made.has(name)) throw new InvalidInput(`${at}.${field}: handle ${JSON.stringify(name)} is used before any step makes it`);
    }
    for (const [field, name] of h.made) {
      const first = made.get(name);
      if (first !== undefined) throw new InvalidInput(`${at}.${field}: handle ${JSON.stringify(name)} is made twice (first by steps[${first}])`);
      made.set(name, i);
    }
    if (made.size > B.handles) throw new InvalidInput(`${at}: more than ${B.handles} handles exceed the work budget`);
  }
  return x as Scenario;
}

/** A value as shown in a rejection: never a megabyte of it. */
function preview(v: unknown): string {
  const t = JSON.stringify(v) ?? String(v);
  return t.length > 80 ? `${t.slice(0, 77)}...` : t;
}

/** The fields of a counterexample that replay and merge read, checked before the scenario. */
function validateCounterexample(c: Record<string, unknown>, name: string): void {
  unknownKeys(c, COUNTEREXAMPLE_KEYS, name, 'a counterexample');
  if (c.schemaVersion !== SCHEMA_VERSION) throw new InvalidInput(`${name}: schemaVersion ${preview(c.schemaVersion)} is not supported (expected ${SCHEMA_VERSION})`);
  const target = c.target as { name?: unknown } | undefined;
  if (!target || typeof target !== 'object' || Array.isArray(target)) throw new InvalidInput(`${name}: target: expected an object {name, description, ...}`);
  if (typeof target.name !== 'string' || target.name === '' || target.name.length > 4096) throw new InvalidInput(`${name}: target.name must be a target's name (text)`);
  for (const k of ['clause', 'property'] as const) if (typeof c[k] !== 'string') throw new InvalidInput(`${name}: ${k}: expected a string`);
  if (c.profile !== 'linux' && c.profile !== 'posix') throw new InvalidInput(`${name}: profile: expected "linux" or "posix", got ${preview(c.profile)}`);
  if (c.seed !== undefined && !Number.isSafeInteger(c.seed)) throw new InvalidInput(`${name}: seed: expected an integer`);
  const trace = c.trace as { events?: unknown } | undefined;
  if (trace !== undefined && (!trace || typeof trace !== 'object' || !Array.isArray(trace.events))) throw new InvalidInput(`${name}: trace: expected an object with an events array`);
  if (c.verdict !== undefined && (!c.verdict || typeof c.verdict !== 'object')) throw new InvalidInput(`${name}: verdict: expected an object`);
  for (const k of ['path', 'replay'] as const) if (c[k] !== undefined && typeof c[k] !== 'string') throw new InvalidInput(`${name}: ${k}: expected a string`);
}

/** Parse a counterexample (or a bare scenario) file's text. */
export function parseReplayFile(text: string, name: string): { scenario: Scenario; counterexample?: Counterexample } {
  const x = parseJsonText(text, name, jsonReviver);
  if (x && typeof x === 'object' && (x as { kind?: unknown }).kind === 'ipcspec-counterexample') {
    validateCounterexample(x as Record<string, unknown>, name);
    const c = x as Counterexample;
    const scenario = validateScenario(c.scenario, `${name}: scenario`);
    if (c.trace !== undefined) validateTrace(c.trace, scenario.steps.length, `${name}: trace`);
    return { scenario, counterexample: c };
  }
  if (x && typeof x === 'object' && !Array.isArray(x) && 'steps' in x) return { scenario: validateScenario(x, `${name}:`) };
  throw new InvalidInput(`${name}: neither an ipcspec counterexample (kind "ipcspec-counterexample") nor a scenario (with "steps")`);
}

/** Read and parse a replay file: stat before reading, so a FIFO or a device is refused, never waited on. */
export function readReplayFile(file: string): { scenario: Scenario; counterexample?: Counterexample } {
  return parseReplayFile(readTextFile(file), file);
}
