// spec/validate.ts knows the ops by STEP_SHAPES (`satisfies Record<Op, Shape>`): a name that is not an op is
// refused, including the names every object inherits, which a plain index lookup would have found.
import { describe, expect, it } from 'vitest';
import { InvalidInput, validateScenario } from '../spec/validate.ts';

const scenario = (op: string, rest: object = {}) => ({ property: 'pipe-data', steps: [{ actor: 'main', op, ...rest }] });

describe('validateScenario: the op of a step', () => {
  it('accepts an op of the vocabulary with its fields', () => {
    const s = { property: 'pipe-data', steps: [{ actor: 'main', op: 'make-pipe', variant: 'pipe', read: 'r', write: 'w' }, { actor: 'main', op: 'close', fd: 'r' }] };
    expect(validateScenario(s).steps).toHaveLength(2);
  });

  it.each(['teleport', 'constructor', 'toString', '__proto__', 'hasOwnProperty'])('refuses %s as an unknown operation', (op) => {
    expect(() => validateScenario(scenario(op))).toThrow(InvalidInput);
    expect(() => validateScenario(scenario(op))).toThrow(/steps\[0\]\.op: unknown operation/);
  });
});
