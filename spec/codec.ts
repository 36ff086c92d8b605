// JSON with bytes: Uint8Array values are written as {"$base64": "..."} and read back.

export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (v instanceof Uint8Array ? { $base64: Buffer.from(v).toString('base64') } : v), 2);
}

/** JSON.parse's reviver for {"$base64": ...} values. */
export const jsonReviver = (_k: string, v: unknown): unknown =>
  v && typeof v === 'object' && typeof (v as { $base64?: unknown }).$base64 === 'string' && Object.keys(v).length === 1 ? new Uint8Array(Buffer.from((v as { $base64: string }).$base64, 'base64')) : v;

export function fromJson<T = unknown>(text: string): T {
  return JSON.parse(text, jsonReviver) as T;
}
