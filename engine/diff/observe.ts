// Trace events -> comparable observations, for `ipcspec diff`. Two targets that both conform can
// still behave differently (a partial write's size, an errno choice, how many connections a backlog
// admitted, whether a call blocked); this file says what of a trace is behaviour and what is noise.
//
// Not behaviour (normalised away): descriptor numbers (the value of dup/accept/socket...), ephemeral
// ports, concrete IP addresses (numbered per trace by first appearance), the scratch directory a target binds its AF_UNIX paths in, uids a child ran as, and how
// concurrent writers' records interleaved (only the byte count is kept).
// Behaviour: return values, errno names, data lengths and content (as a hash), poll revents, stat
// results, child exit statuses, msg_flags, whether a call blocked, and which step woke it.
//
// Timing rule: on a target whose traces are not settled (trace.settled false: it cannot prove that a
// pending call is asleep, e.g. runtime drivers), "pending" only means "had not returned yet". So
// pending-vs-returned, the step that woke a call, "still blocked at the end" and "never issued" are
// compared only when every compared target is settled; what a call finally returned is compared always.
import type { Scenario, Step } from '../../spec/scenario.ts';
import type { Detail, Outcome, Trace } from '../../spec/trace.ts';

/** What a step showed: its final result, whether its call blocked, and what woke it. */
export type Aspect = 'result' | 'blocks' | 'wakes';

export interface Observation {
  step: number;
  op: Step['op'];
  aspect: Aspect;
  value: string;
  /** Index into trace.events of the event that shows it (the return, or the call if it never returned). */
  event?: number;
  /** Meaningful only when every compared target is settled (see the timing rule above). */
  timing: boolean;
  /** A returned result's parts: `value` is made of these. */
  parts?: { base: string; fields: Array<[string, string]> };
}

/** Ops whose value is a descriptor number (or a count of them): the number is not behaviour. */
const HANDLE_OPS = new Set<Step['op']>(['make-pipe', 'open', 'dup', 'socket', 'socketpair', 'accept']);

/** FNV-1a, 32 bits: a short, stable name for data content. */
export function hash(b: Uint8Array): string {
  let h = 0x811c9dc5;
  for (const x of b) h = Math.imul(h ^ x, 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

const bytes = (b: Uint8Array) => `${b.length} bytes${b.length ? ` #${hash(b)}` : ''}`;

/** Names the IP addresses of one trace: the wildcard addresses stay (unbound is behaviour); any other
 *  (loopback, or a test host's address, which each target assigns itself) becomes "v4#1", "v6#2", ...
 *  by first appearance, so that which socket has which address, and its family, still compare. */
export class AddrNamer {
  private readonly names = new Map<string, string>();
  ip(host: string): string {
    if (['0.0.0.0', '[::]', '::'].includes(host)) return host;
    let n = this.names.get(host);
    if (!n) this.names.set(host, (n = `${host.includes(':') ? 'v6' : 'v4'}#${this.names.size + 1}`));
    return n;
  }
}

/** "unix:/tmp/ipcspec-XYZ/s0" -> "unix:…/s0"; "unix:/tmp/…/len64-xxx" -> "unix:a 64-byte path"; "127.0.0.1:43123" -> "v4#1:*" (port 0 stays 0: unbound). */
export function normAddr(a: string, namer = new AddrNamer()): string {
  if (a.startsWith('unix:/')) {
    const base = a.slice(a.lastIndexOf('/') + 1);
    // A pathLength name ("DIR/lenN-xxx…", padded to N bytes): its reported length is behaviour, the padding is the scratch dir's.
    if (/^(len\d+-x*|x{8,})$/.test(base)) return `unix:a ${Buffer.byteLength(a) - 5}-byte path`;
    return `unix:…/${base}`;
  }
  const m = /^(.*):(\d+)$/.exec(a);
  if (m && !a.startsWith('unix:')) return `${namer.ip(m[1])}:${m[2] === '0' ? '0' : '*'}`;
  return a;
}

const exit = (x?: { code: number | null; signal: string | null }) => (!x ? '?' : x.signal ? x.signal : `exit ${x.code}`);

/** Detail fields by name: a field one target does not report (it cannot observe it) is not compared. */
function detailFields(d: Detail, namer: AddrNamer): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (d.revents) out.push(['revents', `revents ${[...d.revents].sort().join('|') || '0'}`]);
  if (d.type !== undefined) out.push(['type', `type ${d.type}`]);
  if (d.size !== undefined) out.push(['size', `st_size ${d.size}`]);
  if (d.exit) out.push(['exit', exit(d.exit)]);
  if (d.errnoSeen) out.push(['errnoSeen', `child saw ${d.errnoSeen}`]);
  if (d.producerExit) out.push(['producerExit', `producer ${exit(d.producerExit)}`]);
  if (d.consumerExit) out.push(['consumerExit', `consumer ${exit(d.consumerExit)}`]);
  if (d.output) out.push(['output', `output ${bytes(d.output)}`]);
  if (d.records) out.push(['records', `drained ${d.records.length} bytes`]); // interleaving of concurrent writers is scheduling
  if (d.addr !== undefined) out.push(['addr', `name ${d.addr ? normAddr(d.addr, namer) : '(unnamed)'}`]);
  if (d.msgFlags) out.push(['msgFlags', `msg_flags ${[...d.msgFlags].sort().join('|') || '0'}`]);
  if (d.ranAs) out.push(['ranAs', d.ranAs.netBindService ? 'with CAP_NET_BIND_SERVICE' : 'without CAP_NET_BIND_SERVICE']);
  return out;
}

/** One outcome as comparable parts: the result, then named fields (data and details). */
export function normParts(op: Step['op'], o: Outcome, namer = new AddrNamer()): { base: string; fields: Array<[string, string]> } {
  switch (o.kind) {
    case 'ok': {
      const fields: Array<[string, string]> = [];
      if (o.data?.length) fields.push(['data', `data ${bytes(o.data)}`]); // no bytes and an empty buffer are the same observation
      if (o.detail) fields.push(...detailFields(o.detail, namer));
      return { base: HANDLE_OPS.has(op) ? 'ok' : String(o.value), fields };
    }
    case 'err': return { base: `-1 ${o.errno}`, fields: [] };
    case 'pending': return { base: 'blocks', fields: [] };
    case 'unsupported': return { base: 'unsupported', fields: [] };
    case 'error': return { base: 'harness error', fields: [] };
  }
}

const joinParts = (p: { base: string; fields: Array<[string, string]> }, only?: Set<string>) =>
  [p.base, ...p.fields.filter(([k]) => k === 'data' || !only || only.has(k)).map(([, v]) => v)].join(', ');

/** One outcome as comparable text. */
export const normOutcome = (op: Step['op'], o: Outcome, namer = new AddrNamer()): string => joinParts(normParts(op, o, namer));

/** Every observation of a trace (a conforming one: traces cut by unsupported or error are not compared). */
export function observe(scenario: Scenario, trace: Trace): Observation[] {
  const out: Observation[] = [];
  const namer = new AddrNamer();
  const callAt = new Map<number, number>(); // step -> event index of its call
  const doneAt = new Map<number, number>(); // step -> event index of its completion
  const wokenBy = new Map<number, number>(); // step -> step whose call it completed behind
  let lastCall = -1;
  trace.events.forEach((e, i) => {
    if (e.type === 'call') { callAt.set(e.step, i); lastCall = e.step; }
    if (e.type === 'complete') { doneAt.set(e.step, i); wokenBy.set(e.step, lastCall); }
  });
  scenario.steps.forEach((s, step) => {
    const c = callAt.get(step);
    if (c === undefined) {
      out.push({ step, op: s.op, aspect: 'result', value: 'never issued (its actor stayed blocked)', timing: true });
      return;
    }
    const call = trace.events[c] as { outcome: Outcome };
    const blocked = call.outcome.kind === 'pending';
    out.push({ step, op: s.op, aspect: 'blocks', value: blocked ? 'blocked' : 'returned at once', event: c, timing: true });
    if (!blocked) { const parts = normParts(s.op, call.outcome, namer); out.push({ step, op: s.op, aspect: 'result', value: joinParts(parts), parts, event: c, timing: false }); return; }
    const d = doneAt.get(step);
    if (d === undefined) { out.push({ step, op: s.op, aspect: 'result', value: 'still blocked at the end', event: c, timing: true }); return; }
    const parts = normParts(s.op, (trace.events[d] as { outcome: Outcome }).outcome, namer);
    out.push({ step, op: s.op, aspect: 'result', value: joinParts(parts), parts, event: d, timing: false });
    out.push({ step, op: s.op, aspect: 'wakes', value: `returned after step ${wokenBy.get(step)! + 1} was issued`, event: d, timing: true });
  });
  return out;
}

/**
 * The kind of a difference in one observation across targets, stable under shrinking (step numbers
 * change as fast-check removes steps; the op and what differs do not): "write/value" (both returned,
 * different values), "recv/errno" (both failed, different errnos), "connect/outcome" (returned vs
 * failed vs never returned), "accept/blocks", "read/wakes".
 */
export function differenceKey(op: string, aspect: Aspect, values: string[]): string {
  if (aspect !== 'result') return `${op}/${aspect}`;
  if (values.every((v) => v.startsWith('-1 '))) return `${op}/errno`;
  if (values.every((v) => !v.startsWith('-1 ') && !/^(never issued|still blocked)/.test(v))) return `${op}/value`;
  return `${op}/outcome`;
}

export interface ObservedDifference {
  key: string;
  step: number;
  /** Per compared target (same order as the input): the value and the event that shows it. */
  values: Array<{ value: string; event?: number }>;
}

/**
 * Where conforming traces of the same scenario on several targets differ. `settled[i]` is trace i's
 * settledness: timing observations count only when all are settled.
 */
export function compareObservations(scenario: Scenario, traces: Trace[]): ObservedDifference[] {
  const allSettled = traces.every((t) => t.settled);
  const obs = traces.map((t) => observe(scenario, t));
  const index = obs.map((list) => new Map(list.map((o) => [`${o.step}/${o.aspect}`, o])));
  const out: ObservedDifference[] = [];
  const keys = [...new Set(obs.flatMap((list) => list.map((o) => `${o.step}/${o.aspect}`)))];
  // A call that blocks on one target only: that is the difference; its result ("still blocked at the end"),
  // the steps its actor never issued and what woke it are consequences, not further differences.
  const blocksDiffer = new Set<number>();
  for (const k of keys.filter((x) => x.endsWith('/blocks'))) {
    const per = index.map((m) => m.get(k)?.value);
    if (new Set(per).size > 1 && allSettled) blocksDiffer.add(Number(k.split('/')[0]));
  }
  // Calls completed in one settle batch happened in an order no one can observe, but the runner issues
  // the freed actors' queued steps in the order the target listed them: two targets can then run the
  // same scenario under different schedules. From the first call issued in a different order on, the
  // runs are different experiments: what came after is not compared.
  const diverged = divergence(traces);
  const late = (o: Observation | undefined, t: number) => diverged !== undefined && (o?.event === undefined || o.event >= diverged[t]);
  const consequence = (o: Observation | undefined) => !!o && (o.value.startsWith('never issued') || (blocksDiffer.has(o.step) && (o.aspect === 'wakes' || o.value === 'still blocked at the end')));
  for (const k of keys) {
    const per = index.map((m) => m.get(k));
    if (per.some(consequence) || per.some((o, t) => late(o, t))) continue;
    const any = per.find(Boolean)!;
    if (!allSettled && per.some((o) => !o || o.timing)) continue; // see the timing rule at the top
    if (any.aspect === 'wakes' && per.some((o) => !o)) continue; // blocked on one only: that is the "blocks" difference
    // Detail fields are compared where every target reports them (data is always compared: its absence is 0 bytes).
    const common = per.every((o) => o?.parts) ? new Set(per.map((o) => o!.parts!.fields.map(([f]) => f)).reduce((a, b) => a.filter((f) => b.includes(f)))) : undefined;
    const shown = (o: Observation | undefined) => (!o ? '(not observed)' : o.parts && common ? joinParts(o.parts, common) : o.value);
    const values = per.map(shown);
    if (new Set(values).size < 2) continue;
    out.push({ key: differenceKey(any.op, any.aspect, values), step: any.step, values: per.map((o, i) => ({ value: values[i], event: o?.event })) });
  }
  return out.sort((a, b) => a.step - b.step);
}

/** Where the traces' issue orders part: per trace, the index of its first call event out of the common order. */
function divergence(traces: Trace[]): number[] | undefined {
  const calls = traces.map((t) => t.events.flatMap((e, i) => (e.type === 'call' ? [{ step: e.step, i }] : [])));
  const n = Math.min(...calls.map((c) => c.length));
  for (let k = 0; k < n; k++) {
    if (new Set(calls.map((c) => c[k].step)).size > 1) return calls.map((c) => c[k].i);
  }
  // One trace issued fewer steps (an actor stayed blocked): the rest were never issued, compared as such.
  return undefined;
}

/** A target's observations for one difference key, to compare a target with itself on re-runs. */
export function observationsFor(scenario: Scenario, trace: Trace, key: string): string {
  const [op, kind] = key.split('/');
  const aspect: Aspect = kind === 'blocks' || kind === 'wakes' ? kind : 'result';
  return observe(scenario, trace).filter((o) => o.op === op && o.aspect === aspect && (trace.settled || !o.timing)).map((o) => `${o.step}:${o.value}`).join('; ');
}
