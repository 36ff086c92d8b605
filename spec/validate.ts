// Strict validation of scenario and counterexample files: a bad file gets one clear line naming
// the place and the problem, never a crash deep in the harness.
import { fromJson } from './codec.ts';
import { type Op, PIPE_VARIANTS, type Scenario } from './scenario.ts';
import { SOCKET_FAMILIES, TEST_HOSTS } from './socket-scenario.ts';
import { SCHEMA_VERSION, type Counterexample } from './report.ts';

export class InvalidInput extends Error {}

type Shape = Record<string, (v: unknown) => boolean>;
const int = (v: unknown) => Number.isInteger(v);
const nat = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
const str = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length < 200;
const bool = (v: unknown) => typeof v === 'boolean';
const natList = (v: unknown) => Array.isArray(v) && v.length > 0 && v.length <= 64 && v.every(nat);
const oneOf = (...xs: unknown[]) => (v: unknown) => xs.includes(v);
const relPath = (v: unknown) => str(v) && !(v as string).startsWith('/') && !(v as string).split('/').includes('..');
const producer = (v: unknown) => !!v && typeof v === 'object' && ((v as { kind: string }).kind === 'yes' || ((v as { kind: string }).kind === 'bytes' && nat((v as { size: number }).size) && nat((v as { chunk: number }).chunk) && (v as { chunk: number }).chunk > 0));
const testHostAddr = (v: unknown) => !!v && typeof v === 'object' && Object.keys(v).length === 2 && TEST_HOSTS.includes((v as { host?: never }).host as never) && (v as { port?: unknown }).port === 0;
const sockAddr = (v: unknown): boolean => testHostAddr(v) || !!v && typeof v === 'object' && Object.keys(v).length === 1 && (relPath((v as { path?: unknown }).path) || (v as { port?: unknown }).port === 0 || str((v as { of?: unknown }).of) || unixName(v));
const unixName = (v: unknown) => (nat((v as { pathLength?: unknown }).pathLength) && (v as { pathLength: number }).pathLength <= 4096) || (str((v as { abstract?: unknown }).abstract) && !(v as { abstract: string }).abstract.includes('\0'));
const port = (v: unknown) => nat(v) && (v as number) <= 65535;
/** A socket buffer size: positive, and at most 1 GiB (the kernel doubles it into an int). */
const bufSize = (v: unknown) => nat(v) && (v as number) >= 1 && (v as number) <= 1 << 30;
const consumer = (v: unknown) => !!v && typeof v === 'object' && ((v as { kind: string }).kind === 'cat' || ((v as { kind: string }).kind === 'head-lines' && nat((v as { lines: number }).lines)));

// One shape per op: `satisfies` makes a missing or misspelt op a compile error, as CALL_RULES does for the model.
const STEP_SHAPES = {
  'make-pipe': { variant: oneOf(...PIPE_VARIANTS), read: str, write: str },
  write: { fd: str, size: nat }, writev: { fd: str, sizes: natList },
  read: { fd: str, size: nat }, readv: { fd: str, sizes: natList },
  close: { fd: str }, dup: { fd: str, as: str }, 'set-nonblock': { fd: str, on: bool }, poll: { fd: str },
  'get-pipe-size': { fd: str }, 'set-pipe-size': { fd: str, size: int },
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

const MAX_BYTES = 8 << 20; // spec/payload.ts: payloads are views into a 16 MiB pool

export function validateScenario(x: unknown, where = 'scenario'): Scenario {
  if (!x || typeof x !== 'object') throw new InvalidInput(`${where}: expected an object`);
  const s = x as { property?: unknown; steps?: unknown };
  if (typeof s.property !== 'string') throw new InvalidInput(`${where}.property: expected a string`);
  if (!Array.isArray(s.steps)) throw new InvalidInput(`${where}.steps: expected an array`);
  s.steps.forEach((st, i) => {
    const at = `${where}.steps[${i}]`;
    if (!st || typeof st !== 'object') throw new InvalidInput(`${at}: expected an object`);
    const { op, actor } = st as { op?: unknown; actor?: unknown };
    if (!str(actor)) throw new InvalidInput(`${at}.actor: expected a non-empty string`);
    const shape = Object.hasOwn(STEP_SHAPES, op as string) ? STEP_SHAPES[op as Op] as Shape : undefined; // not "constructor" or another Object.prototype name
    if (!shape) throw new InvalidInput(`${at}.op: unknown operation ${JSON.stringify(op)} (known: ${Object.keys(STEP_SHAPES).join(', ')})`);
    for (const [k, ok] of Object.entries(shape)) {
      if (!ok((st as Record<string, unknown>)[k])) throw new InvalidInput(`${at}.${k}: invalid value ${JSON.stringify((st as Record<string, unknown>)[k])} for ${op}`);
    }
    const bytes = ['size', 'sizes'].map((k) => (st as Record<string, unknown>)[k]).flat().filter(nat) as number[];
    if (bytes.reduce((a, b) => a + b, 0) > MAX_BYTES) throw new InvalidInput(`${at}: sizes above ${MAX_BYTES} bytes`);
  });
  return x as Scenario;
}

/** Parse a counterexample (or a bare scenario) file's text. */
export function parseReplayFile(text: string, name: string): { scenario: Scenario; counterexample?: Counterexample } {
  let x: unknown;
  try {
    x = fromJson(text);
  } catch (e) {
    throw new InvalidInput(`${name}: not valid JSON (${(e as Error).message})`);
  }
  if (x && typeof x === 'object' && (x as { kind?: unknown }).kind === 'ipcspec-counterexample') {
    const c = x as Counterexample;
    if (c.schemaVersion !== SCHEMA_VERSION) throw new InvalidInput(`${name}: schemaVersion ${JSON.stringify(c.schemaVersion)} is not supported (expected ${SCHEMA_VERSION})`);
    return { scenario: validateScenario(c.scenario, `${name}: scenario`), counterexample: c };
  }
  if (x && typeof x === 'object' && 'steps' in x) return { scenario: validateScenario(x, name) };
  throw new InvalidInput(`${name}: neither an ipcspec counterexample (kind "ipcspec-counterexample") nor a scenario (with "steps")`);
}
