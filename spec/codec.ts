// JSON with bytes: Uint8Array values are written as {"$base64": "..."} and read back.

export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (v instanceof Uint8Array ? { $base64: Buffer.from(v).toString('base64') } : v), 2);
}

export function fromJson<T = unknown>(text: string): T {
  return JSON.parse(text, (_k, v) =>
    v && typeof v === 'object' && typeof v.$base64 === 'string' && Object.keys(v).length === 1 ? new Uint8Array(Buffer.from(v.$base64, 'base64')) : v,
  ) as T;
}
