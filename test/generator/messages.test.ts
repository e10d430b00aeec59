// The generator's messages and label handling that issue 13 asked for, each pinned: labels checked and copied once,
// float64 values beyond float32 named as such, fromJSON naming the field it could not read (never echoing a huge
// value whole), batchInto's argument types, and float data detached after flow().
import { describe, expect, it } from 'vitest';
import { ImageDataGenerator } from '../../src/index.js';
import { VALUE_TEXT_LIMIT } from '../../src/errors.js';

/** n images of 1×1×1 whose pixel is the image's index, with shuffle off so batch k holds images k·b.. */
function ids(n: number, bytes = false) {
  const data = bytes ? Uint8Array.from({ length: n }, (_, i) => i) : Float32Array.from({ length: n }, (_, i) => i);
  return { data, shape: [n, 1, 1, 1] };
}

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a throw');
}

describe('labels are checked and copied when the flow is made', () => {
  it('a later change to the caller\'s labels does not reach the batches', () => {
    for (const y of [Int32Array.from([0, 1, 2, 3]), [0, 1, 2, 3], Uint8Array.from([0, 1, 2, 3])]) {
      const flow = new ImageDataGenerator().flow(ids(4), y, { batchSize: 4, shuffle: false });
      y[0] = -7;
      y[3] = 99;
      expect(Array.from(flow.at(0).y as Int32Array)).toEqual([0, 1, 2, 3]);
      const into = new Float32Array(4);
      flow.batchInto(0, new Float32Array(4), into);
      expect(Array.from(into)).toEqual([0, 1, 2, 3]);
    }
    const oneHot = { data: Float32Array.from([1, 0, 0, 1]), shape: [2, 2] };
    const flow = new ImageDataGenerator().flow(ids(2), oneHot, { batchSize: 2, shuffle: false });
    oneHot.data.fill(NaN);
    expect(Array.from((flow.at(0).y as { data: Float32Array }).data)).toEqual([1, 0, 0, 1]);
  });

  it('rejects Uint32 labels of 2^31 or more (they would wrap negative in the Int32Array batches)', () => {
    const y = Uint32Array.from([0, 2 ** 31 - 1, 2 ** 31]);
    expect(() => new ImageDataGenerator().flow(ids(3), y)).toThrow(
      'flow: class labels must be below 2^31 (2147483648). Received: 2147483648 at index 2');
    const flow = new ImageDataGenerator().flow(ids(2), y.subarray(0, 2), { batchSize: 2, shuffle: false });
    expect(Array.from(flow.at(0).y as Int32Array)).toEqual([0, 2 ** 31 - 1]);
  });

  it('reports a string label as a string, not as the number it looks like', () => {
    expect(() => new ImageDataGenerator().flow(ids(2), ['0', 1] as never)).toThrow(
      'flow: class labels must be non-negative integers. Received: "0" (a string) at index 0');
    expect(() => new ImageDataGenerator().flow(ids(2), [0, null] as never)).toThrow('Received: null (null) at index 1');
    expect(() => new ImageDataGenerator().flow(ids(2), 'ab' as never)).toThrow(
      'flow: y must be class indices (an integer typed array or number[]) or one-hot { data, shape: [n, k] }. Received: "ab"');
  });

  it('checks every label before the first batch', () => {
    const y = Array.from({ length: 1000 }, (_, i) => i % 10);
    y[999] = -1;
    expect(() => new ImageDataGenerator().flow(ids(1000), y, { batchSize: 10 })).toThrow('Received: -1 at index 999');
  });
});

describe('float64 values beyond the float32 range', () => {
  it('fit names the value and where it is, rather than calling it NaN or Infinity', () => {
    const x = { data: Float64Array.from([1, 2, 3, -1e39]), shape: [2, 2, 1, 1] };
    expect(() => new ImageDataGenerator().fit(x)).toThrow(
      'fit: x contains -1e+39 (image 1, value 1), beyond the float32 range (±3.4028234663852886e+38)');
    expect(() => new ImageDataGenerator().partialFit(x)).toThrow('partialFit: x contains -1e+39');
    // Real NaN and Infinity are still reported as such; the largest float32 itself is fine.
    expect(() => new ImageDataGenerator().fit({ data: Float64Array.from([1, Infinity]), shape: [2, 1, 1, 1] })).toThrow(
      'fit: x contains 1 NaN or Infinity values in channel 0');
    expect(new ImageDataGenerator().fit({ data: Float64Array.from([3.4028234663852886e38, 0]), shape: [2, 1, 1, 1] }).mean![0])
      .toBeCloseTo(1.7014117331926443e38, -32);
  });

  it('flow names a sample weight beyond float32 and a non-numeric one', () => {
    expect(() => new ImageDataGenerator().flow(ids(2), null, { sampleWeight: [1, 1e39] })).toThrow(
      'flow: `sampleWeight` must be finite numbers. Received: 1e+39 (beyond the float32 range) at index 1');
    expect(() => new ImageDataGenerator().flow(ids(2), null, { sampleWeight: ['1', 1] as never })).toThrow(
      'Received: "1" (a string) at index 0');
    expect(() => new ImageDataGenerator().flow(ids(2), null, { sampleWeight: 'ab' as never })).toThrow(
      'flow: `sampleWeight` must be an array of numbers, one per sample. Received: "ab"');
  });
});

describe('ImageDataGenerator.fromJSON', () => {
  const good = new ImageDataGenerator({ featurewiseCenter: true }).fit({ data: new Uint8Array([1, 2, 3]), shape: [1, 1, 1, 3] }).toJSON();

  it('refuses options that are not an object, naming the field', () => {
    for (const [options, shown] of [[[], '[]'], [3, '3'], ['x', '"x"'], [null, 'null']] as const) {
      expect(() => ImageDataGenerator.fromJSON({ ...good, options: options as never })).toThrow(
        `ImageDataGenerator.fromJSON: the field \`options\` must be an object of generator options. Received: ${shown}`);
    }
    expect(() => ImageDataGenerator.fromJSON({ ...good, options: { rescale: 'x' } as never })).toThrow(
      'ImageDataGenerator.fromJSON: the field `options`: `rescale` must be a finite, non-zero number');
    expect(() => ImageDataGenerator.fromJSON(good, 'ab' as never)).toThrow(
      'ImageDataGenerator.fromJSON: the second argument may only give `preprocessingFunction`. Received: "ab"');
  });

  it('echoes at most ~200 characters of a huge value', () => {
    const huge = new Array(1_000_000).fill(7);
    for (const json of [{ ...good, options: huge }, { ...good, statistics: { ...good.statistics!, mean: huge } }, { ...good, format: huge }]) {
      const message = messageOf(() => ImageDataGenerator.fromJSON(json as never));
      expect(message).toContain('Array(1000000) [7, 7, 7, 7, 7, …]');
      expect(message.length).toBeLessThan(VALUE_TEXT_LIMIT + 150);
    }
    const hugeName = messageOf(() => new ImageDataGenerator({ ['z'.repeat(100_000)]: 1 } as never));
    expect(hugeName).toContain(`unknown option \`${'z'.repeat(VALUE_TEXT_LIMIT - 1)}…\`. Known options: rescale, `);
    // The name capped, then the list of the generator's known options (a fixed ~420 characters).
    expect(hugeName.length).toBeLessThan(VALUE_TEXT_LIMIT + 500);
  });

  it('says the text is not JSON', () => {
    expect(() => ImageDataGenerator.fromJSON('{"format":')).toThrow('ImageDataGenerator.fromJSON: the text is not JSON');
    expect(() => ImageDataGenerator.fromJSON('null')).toThrow(
      'ImageDataGenerator.fromJSON: expected an object with format "pixprep.ImageDataGenerator" (or its JSON text). Received: null');
  });

  it('names zca.matrix when its base64 is bad or the wrong size', () => {
    const zca = new ImageDataGenerator({ zcaWhitening: true }).fit({ data: Float32Array.from([0, 1, 2, 5]), shape: [2, 1, 2, 1] }).toJSON();
    expect(ImageDataGenerator.fromJSON(zca).standardize({ data: Float32Array.from([1, 2]), shape: [1, 1, 2, 1] }).data.length).toBe(2);
    expect(() => ImageDataGenerator.fromJSON({ ...zca, zca: { ...zca.zca!, matrix: '@@@@' } })).toThrow(
      'ImageDataGenerator.fromJSON: zca.matrix (W, 2×2 float32 for images of 1×2×1): base64ToFloat32: invalid base64 character "@" at position 0');
    expect(() => ImageDataGenerator.fromJSON({ ...zca, zca: { ...zca.zca!, height: 1000 } })).toThrow(
      'zca.matrix (W, 2000×2000 float32 for images of 1000×2×1): base64ToFloat32: expected 4000000 float32 values. Received: 4');
  });
});

describe('flow arguments read at each batch', () => {
  it('batchInto names the argument and the type it expects', () => {
    const flow = new ImageDataGenerator().flow(ids(4), [0, 1, 2, 3], { batchSize: 2 });
    expect(() => flow.batchInto(0, [] as never, null)).toThrow('batchInto: x must be a Float32Array. Received: []');
    expect(() => flow.batchInto(0, new Float64Array(2) as never, null)).toThrow(
      'batchInto: x must be a Float32Array. Received: Float64Array(2) [0, 0]');
    expect(() => flow.batchInto(0, new Float32Array(2), {} as never)).toThrow('batchInto: y must be a Float32Array or null. Received: {}');
  });

  it('float data detached after flow() is named, not a platform error', () => {
    const x = ids(4);
    const flow = new ImageDataGenerator().flow(x, null, { batchSize: 2, shuffle: false });
    expect(Array.from(flow.at(1).x.data)).toEqual([2, 3]);
    structuredClone(x.data.buffer, { transfer: [x.data.buffer] });
    expect(x.data.length).toBe(0);
    const expected = 'at: x.data (a Float32Array of 4 values when flow() was called) now holds 0: its buffer was transferred (detached) or resized';
    expect(() => flow.at(0)).toThrow(expected);
    expect(() => flow.batchInto(0, new Float32Array(2), null)).toThrow(expected.replace('at:', 'batchInto:'));
  });

  it('byte data is copied when the flow is made, so detaching it afterwards changes nothing', () => {
    const x = ids(4, true);
    const flow = new ImageDataGenerator().flow(x, null, { batchSize: 4, shuffle: false });
    structuredClone(x.data.buffer, { transfer: [x.data.buffer] });
    expect(Array.from(flow.at(0).x.data)).toEqual([0, 1, 2, 3]);
  });
});
