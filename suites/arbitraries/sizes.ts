// Sizes that make capacity and atomicity boundaries likely: tiny, around PIPE_BUF and the page,
// around the capacity, and large.
import fc from 'fast-check';
import type { Profile } from '../../spec/profile.ts';

export const capacityOf = (p: Profile): number =>
  p.capacity.accounting === 'page-slots' ? p.capacity.pageSize * p.capacity.defaultSlots : 65536;

export function ioSize(p: Profile, opts: { zero?: boolean; max?: number } = {}): fc.Arbitrary<number> {
  const cap = capacityOf(p);
  const max = opts.max ?? cap * 2;
  const b = p.pipeBuf;
  const lo = opts.zero ? 0 : 1;
  const ranges: Array<[number, number, number]> = [
    [4, lo, 64], [2, b - 2, b + 2], [2, 65, 8192], [2, cap - 4200, cap + 4200], [1, 8193, max],
  ];
  const usable = ranges.map(([w, a, z]) => [w, Math.max(lo, a), Math.min(z, max)] as const).filter(([, a, z]) => a <= z);
  return fc.oneof(...usable.map(([weight, min, mx]) => ({ weight, arbitrary: fc.integer({ min, max: mx }) })));
}

export const iovec = (size: fc.Arbitrary<number>): fc.Arbitrary<number[]> => fc.array(size, { minLength: 1, maxLength: 4 });
