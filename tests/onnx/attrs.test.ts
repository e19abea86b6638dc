import { describe, expect, it } from 'vitest';
import { constantNodeValue } from '../../src/onnx/attrs.js';
import { node } from '../helpers/models.js';

describe('constantNodeValue', () => {
  it('reads every numeric value attribute of a Constant node', () => {
    const tensor = { dataType: 'float32' as const, dims: [2], data: Float32Array.of(1.5, -2) };
    expect(constantNodeValue(node('Constant', [], ['a'], { value: { type: 'tensor', value: tensor } }))).toBe(tensor);
    expect(constantNodeValue(node('Constant', [], ['b'], { value_float: { type: 'float', value: 0.25 } }))).toEqual({ dataType: 'float32', dims: [], data: Float32Array.of(0.25) });
    expect(constantNodeValue(node('Constant', [], ['c'], { value_floats: { type: 'floats', value: [1, 2, 3] } }))).toEqual({ dataType: 'float32', dims: [3], data: Float32Array.of(1, 2, 3) });
    expect(constantNodeValue(node('Constant', [], ['d'], { value_int: { type: 'int', value: -7 } }))).toEqual({ dataType: 'int64', dims: [], data: BigInt64Array.of(-7n) });
    expect(constantNodeValue(node('Constant', [], ['e'], { value_ints: { type: 'ints', value: [0, 17, -1] } }))).toEqual({ dataType: 'int64', dims: [3], data: BigInt64Array.of(0n, 17n, -1n) });
  });

  it('gives undefined for the kinds it does not decode (strings)', () => {
    expect(constantNodeValue(node('Constant', [], ['s'], { value_strings: { type: 'strings', value: ['x'] } }))).toBeUndefined();
  });
});
