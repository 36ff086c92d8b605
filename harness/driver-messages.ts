// The driver protocol's messages (spec/driver-protocol.md) and the validation of every line a driver sends.
import { fromJson } from '../spec/codec.ts';
import type { Outcome } from '../spec/trace.ts';

export const PROTOCOL_VERSION = 1;

export interface DriverHello {
  type: 'hello';
  protocol: number;
  driver: string;
  description: string;
  ops: string[];
  features: string[];
  settle: 'proven' | 'unknown';
  privileged: boolean;
  /** Why the ops and features it does not list are missing, one entry per probe that left some out. */
  lacks?: Lack[];
}

/** Ops and features one start-time probe left out of the hello, and why. */
export interface Lack {
  ops?: string[];
  features?: string[];
  reason: string;
}

export type DriverMessage =
  | DriverHello
  | { type: 'begun'; scenario: number }
  | { type: 'result'; step: number; outcome: Outcome }
  | { type: 'complete'; step: number; outcome: Outcome }
  | { type: 'settled'; proven: boolean }
  | { type: 'ended'; error?: string }
  | { type: 'bye' }
  /** The driver cannot go on (e.g. its runtime's event loop is blocked): the harness reports the message and stops it. */
  | { type: 'fatal'; message: string };

/** A line that is not a valid message: the reason, for the error outcome. */
export class ProtocolError extends Error {}

const FIELDS: Record<DriverMessage['type'], Record<string, string>> = {
  hello: { protocol: 'number', driver: 'string', description: 'string', ops: 'string[]', features: 'string[]', settle: 'settle', privileged: 'boolean', lacks: 'lacks?' },
  begun: { scenario: 'number' },
  result: { step: 'number', outcome: 'outcome' },
  complete: { step: 'number', outcome: 'outcome' },
  settled: { proven: 'boolean' },
  ended: { error: 'string?' },
  bye: {},
  fatal: { message: 'string' },
};

/** Parse and check one line from a driver; throws ProtocolError saying what is wrong. */
export function parseDriverLine(line: string): DriverMessage {
  let m: unknown;
  try {
    m = fromJson(line);
  } catch {
    throw new ProtocolError(`not JSON: ${clip(line)}`);
  }
  if (!isObject(m) || typeof m.type !== 'string' || !(m.type in FIELDS)) throw new ProtocolError(`not a driver message: ${clip(line)}`);
  const spec = FIELDS[m.type as DriverMessage['type']];
  for (const k of Object.keys(m)) if (k !== 'type' && !(k in spec)) throw new ProtocolError(`${m.type}: unknown field "${k}": ${clip(line)}`);
  for (const [k, kind] of Object.entries(spec)) {
    const why = fieldProblem(m[k], kind);
    if (why) throw new ProtocolError(`${m.type}: field "${k}" ${why}: ${clip(line)}`);
  }
  return m as unknown as DriverMessage;
}

function fieldProblem(v: unknown, kind: string): string | undefined {
  switch (kind) {
    case 'number': return Number.isInteger(v) ? undefined : 'must be an integer';
    case 'string': return typeof v === 'string' ? undefined : 'must be a string';
    case 'string?': return v === undefined || typeof v === 'string' ? undefined : 'must be a string';
    case 'boolean': return typeof v === 'boolean' ? undefined : 'must be true or false';
    case 'string[]': return Array.isArray(v) && v.every((x) => typeof x === 'string') ? undefined : 'must be an array of strings';
    case 'settle': return v === 'proven' || v === 'unknown' ? undefined : 'must be "proven" or "unknown"';
    case 'outcome': return outcomeProblem(v);
    case 'lacks?': return v === undefined || (Array.isArray(v) && v.every(isLack)) ? undefined : 'must be an array of {"ops"?: [...], "features"?: [...], "reason": "..."}';
    default: return `has unknown kind ${kind}`;
  }
}

function outcomeProblem(o: unknown): string | undefined {
  if (!isObject(o)) return 'must be an object';
  const keys = (allowed: string[]) => Object.keys(o).find((k) => !allowed.includes(k));
  switch (o.kind) {
    case 'ok': {
      const extra = keys(['kind', 'value', 'data', 'detail']);
      if (extra) return `has unknown field "${extra}"`;
      if (!Number.isInteger(o.value)) return 'needs an integer value';
      if (o.data !== undefined && !(o.data instanceof Uint8Array)) return 'has data that is not {"$base64": ...}';
      if (o.detail !== undefined && !isObject(o.detail)) return 'has a detail that is not an object';
      return undefined;
    }
    case 'err':
      if (keys(['kind', 'errno', 'detail'])) return `has unknown field "${keys(['kind', 'errno', 'detail'])}"`;
      return typeof o.errno === 'string' && /^(?:[A-Z][A-Z0-9_]*|E#\d+)$/.test(o.errno) ? undefined : 'needs an errno name like "EAGAIN"';
    case 'pending':
      return keys(['kind']) ? 'pending takes no other fields' : undefined;
    case 'unsupported':
      return typeof o.reason === 'string' && !keys(['kind', 'reason']) ? undefined : 'unsupported needs just a reason';
    case 'error':
      return typeof o.message === 'string' && !keys(['kind', 'message']) ? undefined : 'error needs just a message';
    default:
      return 'has no valid kind (ok, err, pending, unsupported, error)';
  }
}

const isStrings = (v: unknown): boolean => v === undefined || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
const isLack = (v: unknown): boolean =>
  isObject(v) && typeof v.reason === 'string' && isStrings(v.ops) && isStrings(v.features) && Object.keys(v).every((k) => ['ops', 'features', 'reason'].includes(k));

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
const clip = (s: string): string => JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}...` : s);
