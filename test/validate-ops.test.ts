// spec/validate.ts knows the ops by STEP_SHAPES (`satisfies Record<Op, Shape>`): a name that is not an op is
// refused, including the names every object inherits, which a plain index lookup would have found.
import { describe, expect, it } from 'vitest';
import { InvalidInput, validateScenario } from '../spec/validate.ts';

const scenario = (op: string, rest: object = {}) => ({ property: 'x', steps: [{ actor: 'main', op, ...rest }] });

describe('validateScenario: the op of a step', () => {
  it('accepts an op of the vocabulary with its fields', () => {
    expect(validateScenario(scenario('close', { fd: 'r' })).steps).toHaveLength(1);
  });

  it.each(['teleport', 'constructor', 'toString', '__proto__', 'hasOwnProperty'])('refuses %s as an unknown operation', (op) => {
    expect(() => validateScenario(scenario(op))).toThrow(InvalidInput);
    expect(() => validateScenario(scenario(op))).toThrow(/steps\[0\]\.op: unknown operation/);
  });
});
