// A counterexample's trace is read by the renderers (reports/steps.ts) when `report merge` writes
// its HTML and Markdown: each event is checked for what they rely on, so a doctored trace is one
// line naming the event, not a TypeError after half the output was written.
import { InvalidInput } from './read-input.ts';

const KINDS = ['ok', 'err', 'pending', 'unsupported', 'error'];
const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const strings = (v: unknown) => v === undefined || (Array.isArray(v) && v.length <= 64 && v.every((x) => typeof x === 'string'));

function checkOutcome(o: unknown, at: string): void {
  if (!isObj(o) || !KINDS.includes(o.kind as string)) throw new InvalidInput(`${at}.outcome: expected {kind: ${KINDS.join('|')}, ...}`);
  const need: Record<string, [string, string]> = { ok: ['value', 'number'], err: ['errno', 'string'], unsupported: ['reason', 'string'], error: ['message', 'string'] };
  const n = need[o.kind as string];
  if (n && typeof o[n[0]] !== n[1]) throw new InvalidInput(`${at}.outcome.${n[0]}: expected a ${n[1]} for kind ${o.kind}`);
  if (o.detail === undefined) return;
  if (!isObj(o.detail)) throw new InvalidInput(`${at}.outcome.detail: expected an object`);
  for (const k of ['revents', 'msgFlags']) if (!strings(o.detail[k])) throw new InvalidInput(`${at}.outcome.detail.${k}: expected a list of names`);
}

/** The events of a trace over a scenario of `steps` steps (a loop: long traces cost no stack). */
export function validateTrace(trace: { events: unknown[] }, steps: number, where: string): void {
  // Each step is issued once, completes at most once, and is followed by one quiescent event.
  const max = 3 * steps + 1;
  if (trace.events.length > max) throw new InvalidInput(`${where}.events: ${trace.events.length} events for ${steps} steps (at most ${max})`);
  for (let i = 0; i < trace.events.length; i++) {
    const e = trace.events[i];
    const at = `${where}.events[${i}]`;
    if (!isObj(e) || !['call', 'complete', 'quiescent'].includes(e.type as string)) throw new InvalidInput(`${at}: expected an event {type: call|complete|quiescent, ...}`);
    if (e.type === 'quiescent') continue;
    if (!Number.isSafeInteger(e.step) || (e.step as number) < 0 || (e.step as number) >= steps) throw new InvalidInput(`${at}.step: expected a step index 0..${steps - 1}, got ${JSON.stringify(e.step)}`);
    if (typeof e.actor !== 'string') throw new InvalidInput(`${at}.actor: expected a string`);
    checkOutcome(e.outcome, at);
  }
}
