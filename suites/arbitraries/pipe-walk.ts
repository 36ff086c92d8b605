// A random walk over one pipe-like object, made in any of the ways a pipe can be made.
// Areas reuse it with their own menu of operations and weights.
// Scope rules that keep every trace judgeable: writes run on actor W (so at most one writer is
// ever blocked per pipe), reads on R1/R2, descriptor bookkeeping on main.
import fc from 'fast-check';
import type { Profile } from '../../spec/profile.ts';
import { PIPE_VARIANTS, type Call, type PipeVariant, type Scenario, type Step } from '../../spec/scenario.ts';
import { iovec, ioSize } from './sizes.ts';

export type MenuItem =
  | 'write' | 'writev' | 'read' | 'readv' | 'close-read' | 'close-write' | 'dup-read' | 'dup-write'
  | 'set-nonblock' | 'poll' | 'get-pipe-size' | 'set-pipe-size' | 'zero-read' | 'zero-write'
  | 'wrong-end' | 'child-write' | 'child-read';

export interface WalkOptions {
  property: string;
  menu: Partial<Record<MenuItem, number>>;
  variants?: readonly PipeVariant[];
  minSteps?: number;
  maxSteps?: number;
  /** Largest single write/read. */
  maxSize?: number;
}

/** Abstract choice for one step; handles are bound when the walk is laid out. */
type Choice = { item: MenuItem; size: number; sizes: number[]; pick: number; on: boolean; sigpipe: 'default' | 'ignore'; reader: 0 | 1 };

export function pipeWalk(profile: Profile, o: WalkOptions): fc.Arbitrary<Scenario> {
  const entries = Object.entries(o.menu).filter(([item, w]) => w && allowed(profile, item as MenuItem)) as Array<[MenuItem, number]>;
  const size = ioSize(profile, { max: o.maxSize });
  const choice: fc.Arbitrary<Choice> = fc.record({
    item: fc.oneof(...entries.map(([item, weight]) => ({ weight, arbitrary: fc.constant(item) }))),
    size,
    sizes: iovec(size),
    pick: fc.nat(),
    on: fc.boolean(),
    sigpipe: fc.constantFrom('default' as const, 'ignore' as const),
    reader: fc.constantFrom(0 as const, 1 as const),
  });
  return fc
    .tuple(fc.constantFrom(...(o.variants ?? PIPE_VARIANTS)), fc.array(choice, { minLength: o.minSteps ?? 1, maxLength: o.maxSteps ?? 12 }))
    .map(([variant, choices]) => ({ property: o.property, steps: layout(profile, variant, choices) }));
}

const allowed = (p: Profile, item: MenuItem): boolean => (item !== 'get-pipe-size' && item !== 'set-pipe-size') || !!p.setPipeSize;

/** Bind abstract choices to handles, tracking which ends exist so every step names a real handle. */
function layout(profile: Profile, variant: PipeVariant, choices: Choice[]): Step[] {
  const steps: Step[] = [{ actor: 'main', op: 'make-pipe', variant, read: 'r0', write: 'w0' }];
  const reads = ['r0'];
  const writes = ['w0'];
  const closed: string[] = [];
  let draining = false;
  // O_NONBLOCK lives on the open file description, which every dup of an end shares.
  const nonblock = { r: variant.endsWith('nonblock'), w: variant.endsWith('nonblock') };
  let dups = 0;
  const live = (xs: string[]) => xs.filter((h) => !closed.includes(h));
  const pickOf = (xs: string[], n: number) => xs[n % xs.length];
  const anyHandle = (n: number) => pickOf([...reads, ...writes], n);
  const push = (actor: string, call: Call) => steps.push({ actor, ...call } as Step);
  for (const c of choices) {
    const rd = live(reads).length ? pickOf(live(reads), c.pick) : pickOf(reads, c.pick);
    const wr = live(writes).length ? pickOf(live(writes), c.pick) : pickOf(writes, c.pick);
    const readerActor = c.reader ? 'R2' : 'R1';
    switch (c.item) {
      case 'write': push('W', { op: 'write', fd: wr, size: c.size }); break;
      case 'writev': push('W', { op: 'writev', fd: wr, sizes: c.sizes }); break;
      case 'read': if (!draining) push(readerActor, { op: 'read', fd: rd, size: c.size }); break;
      case 'readv': if (!draining) push(readerActor, { op: 'readv', fd: rd, sizes: c.sizes }); break;
      case 'zero-read': push(readerActor, { op: 'read', fd: rd, size: 0 }); break;
      case 'zero-write': push('W', { op: 'write', fd: wr, size: 0 }); break;
      case 'close-read': push('main', { op: 'close', fd: rd }); if (!closed.includes(rd)) closed.push(rd); break;
      case 'close-write': push('main', { op: 'close', fd: wr }); if (!closed.includes(wr)) closed.push(wr); break;
      case 'dup-read': case 'dup-write': {
        const src = c.item === 'dup-read' ? rd : wr;
        const as = `${src[0]}${++dups}d`;
        push('main', { op: 'dup', fd: src, as });
        if (!closed.includes(src)) (c.item === 'dup-read' ? reads : writes).push(as);
        break;
      }
      case 'set-nonblock': {
        // Children share the end's O_NONBLOCK, and a child-write queued behind a blocked write may run
        // after this step: once a child has the write end (or drains the read end), leave that end alone.
        const hasChildWriter = steps.some((st) => st.op === 'child-write');
        const h = hasChildWriter && draining ? undefined : hasChildWriter ? rd : draining ? wr : anyHandle(c.pick);
        if (!h) break;
        push('main', { op: 'set-nonblock', fd: h, on: c.on });
        if (!closed.includes(h)) nonblock[reads.includes(h) ? 'r' : 'w'] = c.on;
        break;
      }
      case 'poll': push('main', { op: 'poll', fd: anyHandle(c.pick) }); break;
      case 'get-pipe-size': push('main', { op: 'get-pipe-size', fd: anyHandle(c.pick) }); break;
      case 'set-pipe-size': push('main', { op: 'set-pipe-size', fd: anyHandle(c.pick), size: pipeSizeArg(profile, c.pick, c.size) }); break;
      case 'wrong-end':
        if (c.on) push('W', { op: 'write', fd: rd, size: Math.max(1, c.size % 100) });
        else push(readerActor, { op: 'read', fd: wr, size: Math.max(1, c.size % 100) });
        break;
      case 'child-write':
        // a child inherits the end's O_NONBLOCK; keep it blocking, and one drainer/writer pair at most
        if (nonblock.w || draining || closed.includes(wr)) push('W', { op: 'write', fd: wr, size: c.size });
        else push('W', { op: 'child-write', fd: wr, size: Math.max(1, Math.min(c.size, 200_000)), sigpipe: c.sigpipe });
        break;
      case 'child-read':
        // the child must be the pipe's only reader: no parent read before it, none after it
        if (!draining && !nonblock.r && !closed.includes(rd) && !steps.some((st) => st.op === 'child-write' || st.op === 'read' || st.op === 'readv')) { push('C', { op: 'child-read', fd: rd }); draining = true; }
        break;
    }
  }
  return steps;
}

/** F_SETPIPE_SZ arguments: small, exact powers, between powers, above the limit, negative. */
function pipeSizeArg(p: Profile, pick: number, size: number): number {
  const max = p.setPipeSize?.pipeMaxSize ?? 1 << 20;
  const options = [0, 1, size, 4096, 8192, 16384, 65536, 65537, 200_000, max, max + 1, -1, 2 ** 31 + 1];
  return options[pick % options.length];
}
