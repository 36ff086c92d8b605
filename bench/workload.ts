// What the bench runs: a suite property with its pipe variant pinned, so that every scenario is
// nonblocking (inline syscalls, no actor threads) and the same calls can be replayed from C.
import fc from 'fast-check';
import type { Profile } from '../spec/profile.ts';
import type { PipeVariant, Scenario } from '../spec/scenario.ts';
import { PROPERTIES } from '../suites/properties/index.ts';
import type { Property } from '../suites/property.ts';

export interface Workload {
  /** Short name used in the output: "pipe", "fifo". */
  key: string;
  label: string;
  variant: PipeVariant;
  /** The suite property, unchanged except for the pinned variant. */
  property: Property;
}

/** The data property: writes, writev, reads, readv and polls on one object. */
const DATA_AREA = 'pipe-data';

/**
 * Pin the variant of a pipe-walk property. pipe-data's layout consults the variant only for
 * child-write steps, which its menu never generates, so pinning equals filtering (without the
 * 3 in 4 rejections a filter would add to the generation cost).
 */
export function pinVariant(prop: Property, variant: PipeVariant): Property {
  const pin = (sc: Scenario): Scenario => ({
    ...sc,
    steps: sc.steps.map((s) => (s.op === 'make-pipe' ? { ...s, variant } : s)),
  });
  return { ...prop, name: `${prop.name} [${variant}]`, scenario: (p: Profile) => prop.scenario(p).map(pin) };
}

export function workloads(): Workload[] {
  const prop = PROPERTIES.find((p) => p.area === DATA_AREA);
  if (!prop) throw new Error(`no property in area ${DATA_AREA}`);
  return [
    { key: 'pipe', label: 'pipe2(O_NONBLOCK) pipe', variant: 'pipe2-nonblock', property: pinVariant(prop, 'pipe2-nonblock') },
    { key: 'fifo', label: 'FIFO opened O_NONBLOCK', variant: 'fifo-nonblock', property: pinVariant(prop, 'fifo-nonblock') },
  ];
}

/** Arbitrary that also remembers every scenario it hands out (cheap: one push per scenario). */
export function recording(arb: fc.Arbitrary<Scenario>, into: Scenario[]): fc.Arbitrary<Scenario> {
  return arb.map((sc) => { into.push(sc); return sc; });
}
