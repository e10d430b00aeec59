// describeValue: what every message echoes of the caller's input, capped so that a message stays one readable line
// whatever it was given (a 60,000-image array, a megabyte string, a cyclic object).
import { describe, expect, it } from 'vitest';
import { VALUE_TEXT_LIMIT, capText, describeValue, kindOf } from '../src/errors.js';

describe('describeValue', () => {
  it('writes scalars as JavaScript does, strings quoted', () => {
    expect(describeValue(3)).toBe('3');
    expect(describeValue(-0)).toBe('-0');
    expect(describeValue(NaN)).toBe('NaN');
    expect(describeValue(-Infinity)).toBe('-Infinity');
    expect(describeValue(1e39)).toBe('1e+39');
    expect(describeValue(12n)).toBe('12n');
    expect(describeValue('a"b')).toBe('"a\\"b"');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(true)).toBe('true');
    expect(describeValue(Symbol('s'))).toBe('Symbol(s)');
    expect(describeValue(() => 1)).toBe('a function');
  });

  it('shows short arrays whole and summarises long and typed arrays by type, length and first values', () => {
    expect(describeValue([3, 0])).toBe('[3, 0]');
    expect(describeValue([])).toBe('[]');
    expect(describeValue([1, 'a', null, [2, [3]]])).toBe('[1, "a", null, [2, Array(1)]]');
    expect(describeValue(Array.from({ length: 1000 }, (_, i) => i))).toBe('Array(1000) [0, 1, 2, 3, 4, …]');
    expect(describeValue(new Float32Array([0.5, 1]))).toBe('Float32Array(2) [0.5, 1]');
    expect(describeValue(new Uint8Array(60_000 * 784))).toBe('Uint8Array(47040000) [0, 0, 0, 0, 0, …]');
    expect(describeValue(new BigInt64Array(2))).toBe('BigInt64Array(2) [0n, 0n]');
    expect(describeValue(new ArrayBuffer(8))).toBe('ArrayBuffer(8 bytes)');
    expect(describeValue(new DataView(new ArrayBuffer(3)))).toBe('DataView(3 bytes)');
  });

  it('shows plain objects by their first keys and other objects by their class', () => {
    expect(describeValue({ a: 1, 'b c': [2] })).toBe('{a: 1, "b c": [2]}');
    expect(describeValue({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 })).toBe('{a: 1, b: 2, c: 3, d: 4, e: 5, …}');
    expect(describeValue({ a: { b: { c: 1 } } })).toBe('{a: {b: {…}}}');
    expect(describeValue(Object.create(null))).toBe('{}');
    expect(describeValue(new Map())).toBe('Map');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeValue(cyclic)).toBe('{self: {self: {…}}}');
  });

  it(`never writes more than ${VALUE_TEXT_LIMIT} characters, and never throws`, () => {
    const long = 'x'.repeat(1_000_000);
    expect(describeValue(long).length).toBe(VALUE_TEXT_LIMIT);
    expect(describeValue(long).endsWith('…')).toBe(true);
    const wide = Array.from({ length: 5 }, () => 'y'.repeat(300));
    expect(describeValue(wide).length).toBeLessThanOrEqual(VALUE_TEXT_LIMIT);
    expect(describeValue([1, 2], 4)).toBe('[1,…');
    const hostile = { get a() { throw new Error('boom'); } };
    expect(describeValue(hostile)).toBe('an object');
    const proxy = new Proxy({}, { getPrototypeOf() { throw new Error('trap'); } });
    expect(() => describeValue(proxy)).not.toThrow();
  });

  it('kindOf names what a value is; capText caps a name', () => {
    expect(kindOf('3')).toBe('a string');
    expect(kindOf(new Float64Array(1))).toBe('a Float64Array');
    expect(kindOf([])).toBe('an Array');
    expect(kindOf({})).toBe('an object');
    expect(kindOf(null)).toBe('null');
    expect(capText('abc', 5)).toBe('abc');
    expect(capText('abcdef', 5)).toBe('abcd…');
  });
});
