// standardize: Keras' steps in Keras' order (docs/keras-semantics.md, "Scaling"), against the float64
// reference in reference.ts, to float32 precision; on both backends; the caller's data untouched.
import { afterEach, describe, expect, it } from 'vitest';
import ndarray from 'ndarray';
import { ImageDataGenerator, setBackend, toNdarray } from '../../src/index.js';
import { availableBackends, type Backend } from '../../src/internal.js';
import { f32Tolerance, kerasFit, kerasStandardize, type KerasOptions } from './reference.js';
import { randomBytes } from '../helpers.js';

const COMBINATIONS: KerasOptions[] = [
  {},
  { rescale: 1 / 255 },
  { featurewiseCenter: true },
  { rescale: 1 / 255, featurewiseCenter: true, featurewiseStdNormalization: true },
  { featurewiseStdNormalization: true },
  { samplewiseCenter: true },
  { samplewiseStdNormalization: true },
  { rescale: 1 / 255, samplewiseCenter: true, samplewiseStdNormalization: true },
  { rescale: -2, samplewiseCenter: true, samplewiseStdNormalization: true, featurewiseCenter: true, featurewiseStdNormalization: true },
];

function expectKeras(actual: Float32Array, x: ArrayLike<number>, imageSize: number, channels: number, o: KerasOptions, train: ArrayLike<number>) {
  const fitted = kerasFit(train, channels, o.rescale ?? 1);
  const { out, magnitude } = kerasStandardize(x, imageSize, channels, o, fitted);
  expect(actual.length).toBe(out.length);
  let worst = 0;
  for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(actual[i] - out[i]) / f32Tolerance(magnitude[i]));
  expect(worst).toBeLessThanOrEqual(1);
}

const BACKENDS = availableBackends();
afterEach(() => setBackend('wasm-simd'));

/**
 * Runs `run` with every kernel of `b` wrapped to count its calls (and restored afterwards): proof that work done
 * after setBackend(name) really runs on that backend's kernels, not that setBackend stored a name.
 */
function kernelCalls<T>(b: Backend, run: () => T): { calls: number; result: T } {
  const table = b.kernels as unknown as Record<string, unknown>;
  const saved = { ...table };
  let calls = 0;
  for (const [name, f] of Object.entries(saved)) {
    if (typeof f === 'function') table[name] = (...args: unknown[]) => { calls++; return f(...args); };
  }
  try {
    const result = run();
    return { calls, result };
  } finally {
    Object.assign(table, saved);
  }
}

for (const name of ['wasm-simd', 'js'] as const) {
  describe(`standardize (${name} backend)`, () => {
    for (const o of COMBINATIONS) {
      for (const channels of [1, 3]) {
        it(`${JSON.stringify(o)} C=${channels} equals Keras' float64 steps to float32 precision`, () => {
          setBackend(name);
          const train = { data: randomBytes(23 * 5 * 6 * channels, channels), shape: [23, 5, 6, channels] };
          const x = { data: randomBytes(7 * 5 * 6 * channels, 100 + channels), shape: [7, 5, 6, channels] };
          const gen = new ImageDataGenerator(o).fit(train);
          const before = x.data.slice();
          // The scaling runs on the chosen backend's kernels, and on no other's.
          const [chosen, other] = [BACKENDS.find((b) => b.name === name)!, BACKENDS.find((b) => b.name !== name)!];
          const onOther = kernelCalls(other, () => kernelCalls(chosen, () => gen.standardize(x)));
          expect(onOther.calls).toBe(0);
          expect(onOther.result.calls).toBeGreaterThan(0);
          const u8 = onOther.result.result;
          expect(u8.shape).toEqual([7, 5, 6, channels]);
          expectKeras(u8.data, x.data, 30 * channels, channels, o, train.data);
          const f32 = gen.standardize({ data: Float32Array.from(x.data), shape: x.shape });
          expectKeras(f32.data, x.data, 30 * channels, channels, o, train.data);
          expect(x.data).toEqual(before);
        });
      }
    }
  });
}

describe('standardize', () => {
  it('gives bit-identical batches on the wasm and js backends from the same statistics', () => {
    // The scale kernels do identical f32 operations on both backends: from one fit, the batches are equal bit for bit.
    const o = { rescale: 1 / 255, featurewiseCenter: true, featurewiseStdNormalization: true };
    const x = { data: randomBytes(9 * 8 * 8 * 3, 3), shape: [9, 8, 8, 3] };
    setBackend('wasm-simd');
    const gen = new ImageDataGenerator(o).fit(x);
    const a = gen.standardize(x).data;
    setBackend('js');
    const b = gen.standardize(x).data;
    setBackend('wasm-simd');
    expect(a.length).toBe(9 * 8 * 8 * 3);
    let differing = 0;
    for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) differing++;
    expect(differing).toBe(0);
  });

  it('fits the same statistics on the wasm and js backends, to float64 rounding (the sums run in other orders)', () => {
    const x = { data: randomBytes(9 * 8 * 8 * 3, 3), shape: [9, 8, 8, 3] };
    const fit = (name: 'wasm-simd' | 'js') => {
      setBackend(name);
      return new ImageDataGenerator({ rescale: 1 / 255 }).fit(x).statistics!;
    };
    const [a, b] = [fit('wasm-simd'), fit('js')];
    setBackend('wasm-simd');
    expect(a.count).toBe(b.count);
    expect(a.min).toEqual(b.min);
    expect(a.max).toEqual(b.max);
    for (let c = 0; c < 3; c++) {
      expect(Math.abs(a.mean[c] - b.mean[c])).toBeLessThanOrEqual(1e-14 * Math.abs(b.mean[c]));
      expect(Math.abs(a.std[c] - b.std[c])).toBeLessThanOrEqual(1e-14 * b.std[c]);
    }
  });

  it('writes into a caller\'s array when given one, equal to a fresh result, and refuses a short or overlapping one', () => {
    const gen = new ImageDataGenerator({ rescale: 1 / 255, samplewiseCenter: true });
    const x = { data: randomBytes(5 * 12, 6), shape: [5, 2, 2, 3] };
    const fresh = gen.standardize(x).data;
    const out = new Float32Array(70).fill(9);
    const result = gen.standardize(x, out);
    expect(result.data).toEqual(fresh);
    expect(result.data.buffer).toBe(out.buffer);
    expect(Array.from(out.subarray(60))).toEqual(Array(10).fill(9)); // past x's length: untouched
    expect(() => gen.standardize(x, new Float32Array(59))).toThrow('standardize: out holds 59 floats but x needs 60');
    const floats = new Float32Array(120);
    expect(() => gen.standardize({ data: floats.subarray(0, 60), shape: x.shape }, floats.subarray(30))).toThrow('standardize: out must not overlap x.data');
    expect(gen.standardize({ data: floats.subarray(0, 60), shape: x.shape }, floats.subarray(60)).data.length).toBe(60);
    expect(() => gen.standardize(x, [] as never)).toThrow('standardize: out must be a Float32Array. Received: []');
  });

  it('accepts one image of rank 3 and returns rank 3', () => {
    const gen = new ImageDataGenerator({ rescale: 0.5 });
    const out = gen.standardize({ data: new Uint8Array([2, 4, 6, 8]), shape: [2, 2, 1] });
    expect(out.shape).toEqual([2, 2, 1]);
    expect(Array.from(out.data)).toEqual([1, 2, 3, 4]);
  });

  it('runs preprocessingFunction first, on a float32 copy of each image', () => {
    const seen: number[][] = [];
    const gen = new ImageDataGenerator({
      rescale: 0.5,
      samplewiseCenter: true,
      preprocessingFunction: (img) => {
        seen.push([...img.shape]);
        return img.data.map((v) => v * v);
      },
    });
    const x = { data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), shape: [2, 2, 2, 1] };
    const out = gen.standardize(x);
    expect(seen).toEqual([[2, 2, 1], [2, 2, 1]]);
    // image 0: squares 1,4,9,16 → ×0.5 → 0.5,2,4.5,8, mean 3.75
    expect(Array.from(out.data.subarray(0, 4))).toEqual([-3.25, -1.75, 0.75, 4.25]);
    expect(Array.from(x.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('rejects a preprocessingFunction result of the wrong size', () => {
    const gen = new ImageDataGenerator({ preprocessingFunction: () => new Float32Array(3) });
    expect(() => gen.standardize({ data: new Uint8Array(4), shape: [1, 2, 2, 1] })).toThrow(
      'preprocessingFunction must return a Float32Array or { data: Float32Array } of 4 values (shape [2, 2, 1]). Received: 3 values',
    );
  });

  it('channelsFirst batches are the channelsLast result transposed', () => {
    const [n, h, w, c] = [4, 3, 5, 3];
    const last = { data: randomBytes(n * h * w * c, 8), shape: [n, h, w, c] };
    const first = new Uint8Array(last.data.length);
    const at = (i: number, y: number, x: number, k: number) => ((i * c + k) * h + y) * w + x;
    for (let i = 0; i < n; i++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) {
      first[at(i, y, x, k)] = last.data[((i * h + y) * w + x) * c + k];
    }
    const o = { rescale: 1 / 255, featurewiseCenter: true, featurewiseStdNormalization: true, samplewiseCenter: true };
    const a = new ImageDataGenerator(o).fit(last).standardize(last).data;
    const b = new ImageDataGenerator({ ...o, dataFormat: 'channelsFirst' }).fit({ data: first, shape: [n, c, h, w] })
      .standardize({ data: first, shape: [n, c, h, w] }).data;
    for (let i = 0; i < n; i++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) {
      expect(Math.abs(b[at(i, y, x, k)] - a[((i * h + y) * w + x) * c + k])).toBeLessThan(1e-6);
    }
  });

  it('throws when a featurewise option is used before fit (Keras only warns and returns unscaled data)', () => {
    const x = { data: new Uint8Array(4), shape: [1, 2, 2, 1] };
    expect(() => new ImageDataGenerator({ featurewiseCenter: true }).standardize(x)).toThrow(
      'standardize: this ImageDataGenerator specifies `featurewiseCenter`, but it has not been fit on any training data. Call `.fit(x)` or `.partialFit(x)` first.',
    );
    expect(() => new ImageDataGenerator({ featurewiseStdNormalization: true }).flow(x)).toThrow(
      'flow: this ImageDataGenerator specifies `featurewiseStdNormalization`, but it has not been fit',
    );
  });

  it('throws when standardizing other channels than were fit', () => {
    const gen = new ImageDataGenerator({ featurewiseCenter: true }).fit({ data: new Uint8Array(3), shape: [1, 1, 1, 3] });
    expect(() => gen.standardize({ data: new Uint8Array(1), shape: [1, 1, 1, 1] })).toThrow('standardize: x has 1 channels but the generator was fit on 3');
  });

  it('hands results back as an ndarray sharing the data', () => {
    const out = new ImageDataGenerator({ rescale: 2 }).standardize({ data: new Uint8Array([1, 2, 3, 4, 5, 6]), shape: [1, 1, 2, 3] });
    const nd = toNdarray(out, ndarray);
    expect(nd.shape).toEqual([1, 1, 2, 3]);
    expect(nd.get(0, 0, 1, 2)).toBe(12);
    expect(nd.data).toBe(out.data);
  });
});

describe('options', () => {
  it('reject unknown names, suggesting the close one', () => {
    expect(() => new ImageDataGenerator({ featurewiseCentre: true } as never)).toThrow(
      'ImageDataGenerator: unknown option `featurewiseCentre`. Did you mean `featurewiseCenter`?',
    );
    expect(() => new ImageDataGenerator({ rotationRang: 10 } as never)).toThrow(
      'ImageDataGenerator: unknown option `rotationRang`. Did you mean `rotationRange`?',
    );
  });
  it('reject bad values naming the option and the value', () => {
    expect(() => new ImageDataGenerator({ validationSplit: 1 })).toThrow('`validationSplit` must be a number in [0, 1). Received: validationSplit=1');
    expect(() => new ImageDataGenerator({ validationSplit: -0.1 })).toThrow('Received: validationSplit=-0.1');
    expect(() => new ImageDataGenerator({ rescale: NaN })).toThrow('`rescale` must be a finite, non-zero number (omit it for no rescaling). Received: rescale=NaN');
    expect(() => new ImageDataGenerator({ featurewiseCenter: 1 as never })).toThrow('`featurewiseCenter` must be true or false. Received: featurewiseCenter=1');
    expect(() => new ImageDataGenerator({ dataFormat: 'nhwc' as never })).toThrow("`dataFormat` must be 'channelsLast' or 'channelsFirst'");
  });
});
