// fit and partialFit: per-channel statistics after rescale, against float64 math (test/generator/reference.ts),
// for every pixel type and layout, any chunking, MNIST size; and the errors that protect them.
import ndarray from 'ndarray';
import { describe, expect, it } from 'vitest';
import { ImageDataGenerator } from '../../src/index.js';
import { kerasFit } from './reference.js';
import { Random, randomBytes, referenceChannelStats, relativeError } from '../helpers.js';

function images(n: number, h: number, w: number, c: number, seed: number) {
  return { data: randomBytes(n * h * w * c, seed), shape: [n, h, w, c] };
}

function expectStats(gen: ImageDataGenerator, x: ArrayLike<number>, channels: number, rescale: number, tolerance: number) {
  const ref = kerasFit(x, channels, rescale);
  const stats = gen.statistics!;
  for (let c = 0; c < channels; c++) {
    expect(relativeError(stats.mean[c], ref.mean[c])).toBeLessThan(tolerance);
    expect(relativeError(stats.std[c], ref.std[c])).toBeLessThan(tolerance);
    expect(relativeError(gen.mean![c], ref.mean[c])).toBeLessThan(1e-7); // float32 rounding
  }
}

describe('ImageDataGenerator.fit', () => {
  for (const channels of [1, 3, 4]) {
    it(`matches float64 statistics after rescale for u8, clamped u8, f32 and f64 pixels, C=${channels}`, () => {
      const x = images(37, 5, 7, channels, channels);
      for (const data of [x.data, new Uint8ClampedArray(x.data), Float32Array.from(x.data), Float64Array.from(x.data)]) {
        const gen = new ImageDataGenerator({ rescale: 1 / 255, featurewiseCenter: true }).fit({ data, shape: x.shape });
        expectStats(gen, x.data, channels, 1 / 255, 1e-12);
      }
    });
  }

  for (const rescale of [undefined, 1 / 255, -2, -1 / 255]) {
    it(`statistics gives every field (count, mean, std, min, max) of the rescaled pixels, rescale=${rescale}`, () => {
      // A negative rescale flips the order: the smallest rescaled value comes from the largest pixel.
      const channels = 3;
      const x = images(19, 4, 5, channels, 77);
      const gen = new ImageDataGenerator(rescale === undefined ? {} : { rescale });
      expect(gen.statistics).toBeNull();
      gen.fit(x);
      const r = rescale ?? 1;
      const ref = referenceChannelStats(Float64Array.from(x.data, (v) => v * r), channels);
      const stats = gen.statistics!;
      expect(Object.keys(stats).sort()).toEqual(['count', 'max', 'mean', 'min', 'std']);
      expect(stats.count).toBe(19 * 20);
      for (let c = 0; c < channels; c++) {
        expect(ref[c].n).toBe(19 * 20);
        expect(Math.abs(stats.mean[c] - ref[c].mean)).toBeLessThanOrEqual(1e-12 * Math.abs(ref[c].mean));
        expect(Math.abs(stats.std[c] - ref[c].std)).toBeLessThanOrEqual(1e-12 * ref[c].std);
        expect(stats.min[c]).toBe(ref[c].min);
        expect(stats.max[c]).toBe(ref[c].max);
        expect(stats.min[c]).toBeLessThan(stats.max[c]);
      }
      // The pixels include 0 and 255 (randomBytes), so for r = -2 the range is [-510, 0] in every channel holding both.
      if (r === -2) expect(Math.min(...stats.min)).toBe(-510);
      // The returned arrays are copies: changing them changes nothing in the generator.
      stats.min.fill(123);
      stats.mean.fill(123);
      expect(gen.statistics!.min[0]).toBe(ref[0].min);
      expect(gen.statistics!.mean[0]).not.toBe(123);
    });
  }

  it('knows the statistics of data built to have them', () => {
    // Channel c alternates c*10 ± (c+1): mean c*10, std c+1 exactly.
    const n = 8;
    const data = new Float32Array(n * 4 * 4 * 3);
    for (let i = 0; i < data.length; i++) {
      const c = i % 3;
      data[i] = c * 10 + ((Math.floor(i / 3) % 2 === 0 ? 1 : -1) * (c + 1));
    }
    const gen = new ImageDataGenerator().fit({ data, shape: [n, 4, 4, 3] });
    expect(Array.from(gen.mean!)).toEqual([0, 10, 20]);
    expect(Array.from(gen.std!)).toEqual([1, 2, 3]);
    expect(Array.from(gen.statistics!.min)).toEqual([-1, 8, 17]);
    expect(gen.statistics!.count).toBe(n * 16);
  });

  it('channelsFirst data gives the same statistics as its channelsLast transpose', () => {
    const [n, h, w, c] = [6, 5, 3, 3];
    const last = images(n, h, w, c, 77);
    const first = new Uint8Array(last.data.length);
    for (let i = 0; i < n; i++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) {
      first[((i * c + k) * h + y) * w + x] = last.data[((i * h + y) * w + x) * c + k];
    }
    const a = new ImageDataGenerator().fit(last);
    const b = new ImageDataGenerator({ dataFormat: 'channelsFirst' }).fit({ data: first, shape: [n, c, h, w] });
    for (let k = 0; k < c; k++) {
      expect(relativeError(b.statistics!.mean[k], a.statistics!.mean[k])).toBeLessThan(1e-13);
      expect(relativeError(b.statistics!.std[k], a.statistics!.std[k])).toBeLessThan(1e-12);
    }
  });

  it('accepts a non-contiguous ndarray view and reads exactly the viewed elements', () => {
    const base = images(10, 6, 6, 3, 5);
    const whole = ndarray(base.data, [10, 6, 6, 3]);
    const view = whole.step(2, 1, -1, 1).hi(5, 4, 6, 3); // every other image, mirrored rows... columns, 4 rows
    const dense: number[] = [];
    for (let i = 0; i < 5; i++) for (let y = 0; y < 4; y++) for (let x = 0; x < 6; x++) for (let k = 0; k < 3; k++) dense.push(view.get(i, y, x, k));
    const gen = new ImageDataGenerator().fit(view);
    expectStats(gen, dense, 3, 1, 1e-12);
  });

  it('partialFit over any chunking equals one fit', () => {
    const x = images(101, 4, 4, 3, 9);
    const whole = new ImageDataGenerator({ rescale: 0.5 }).fit(x);
    const rng = new Random(4);
    for (let trial = 0; trial < 5; trial++) {
      const gen = new ImageDataGenerator({ rescale: 0.5 });
      let at = 0;
      while (at < 101) {
        const k = Math.min(101 - at, 1 + rng.int(30));
        gen.partialFit({ data: x.data.subarray(at * 48, (at + k) * 48), shape: [k, 4, 4, 3] });
        at += k;
      }
      for (let c = 0; c < 3; c++) {
        expect(relativeError(gen.statistics!.mean[c], whole.statistics!.mean[c])).toBeLessThan(1e-13);
        expect(relativeError(gen.statistics!.std[c], whole.statistics!.std[c])).toBeLessThan(1e-12);
        expect(gen.statistics!.max[c]).toBe(whole.statistics!.max[c]);
      }
      expect(gen.statistics!.count).toBe(101 * 16);
    }
  });

  // Left out of mutation runs (vitest.mutate.config.ts sets PIXPREP_MUTATION_RUN): it covers the same code as the
  // small fits above, at seconds per run, and would run for nearly every mutant of src/generator.
  it.skipIf(process.env.PIXPREP_MUTATION_RUN === '1')('60,000 MNIST-sized images give the float64 mean and std to 1e-9 relative (u8 and f32)', () => {
    const n = 60_000;
    const data = new Uint8Array(n * 784);
    const rng = new Random(60_000);
    for (let i = 0; i < data.length; i++) if (rng.next() < 0.19) data[i] = 1 + rng.int(255);
    const ref = kerasFit(data, 1, 1 / 255);
    const gen = new ImageDataGenerator({ rescale: 1 / 255 }).fit({ data, shape: [n, 28, 28, 1] });
    expect(relativeError(gen.statistics!.mean[0], ref.mean[0])).toBeLessThan(1e-9);
    expect(relativeError(gen.statistics!.std[0], ref.std[0])).toBeLessThan(1e-9);
    const asFloat = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) asFloat[i] = data[i] / 255; // (Float32Array.from with a map function is 100x slower)
    const refF = kerasFit(asFloat, 1);
    const genF = new ImageDataGenerator().fit({ data: asFloat, shape: [n, 28, 28, 1] });
    expect(relativeError(genF.statistics!.mean[0], refF.mean[0])).toBeLessThan(1e-9);
    expect(relativeError(genF.statistics!.std[0], refF.std[0])).toBeLessThan(1e-9);
  });

  it('does not modify the caller\'s data', () => {
    const x = { data: Float32Array.from(randomBytes(2 * 9 * 3, 1)), shape: [2, 3, 3, 3] };
    const before = x.data.slice();
    new ImageDataGenerator({ rescale: 1 / 255, featurewiseCenter: true, featurewiseStdNormalization: true }).fit(x).standardize(x);
    expect(x.data).toEqual(before);
  });

  describe('bad input gets a specific error', () => {
    const gen = () => new ImageDataGenerator({ featurewiseCenter: true });
    it('rank not 4', () => {
      expect(() => gen().fit({ data: new Uint8Array(784), shape: [28, 28] })).toThrow(
        'fit: x should have rank 4 [n, height, width, channels]. Got array with shape: [28, 28]',
      );
    });
    it('channels not 1, 3 or 4', () => {
      expect(() => gen().fit({ data: new Uint8Array(8), shape: [1, 2, 2, 2] })).toThrow(
        'fit: expected 1, 3 or 4 channels on the last axis (grayscale, RGB or RGBA). Received: 2 channels in shape [1, 2, 2, 2]',
      );
    });
    it('empty set', () => {
      expect(() => gen().fit({ data: new Uint8Array(0), shape: [0, 28, 28, 1] })).toThrow('fit: x is empty (shape [0, 28, 28, 1])');
    });
    it('data length not matching shape', () => {
      expect(() => gen().fit({ data: new Uint8Array(100), shape: [2, 28, 28, 1] })).toThrow(
        'fit: x.data has 100 elements but shape [2, 28, 28, 1] needs 1568',
      );
    });
    it('wrong data type', () => {
      expect(() => gen().fit({ data: new Int16Array(4) as never, shape: [1, 2, 2, 1] })).toThrow(
        'fit: x.data must be a Uint8Array, Uint8ClampedArray, Float32Array or Float64Array. Received: Int16Array',
      );
      expect(() => gen().fit([1, 2, 3] as never)).toThrow('fit: x must be an image set { data, shape } or an ndarray. Received: a plain Array');
    });
    it('NaN or Infinity in data, and the statistics stay as they were', () => {
      const g = gen().fit({ data: new Float32Array([1, 2, 3, 4]), shape: [1, 2, 2, 1] });
      const data = new Float32Array(3 * 4 * 4).fill(0.5);
      data[17] = NaN;
      data[40] = -Infinity;
      expect(() => g.partialFit({ data, shape: [3, 4, 4, 1] })).toThrow(
        'partialFit: x contains 2 NaN or Infinity values in channel 0; statistics would be meaningless',
      );
      expect(Array.from(g.mean!)).toEqual([2.5]);
    });
    it('partialFit with another channel count', () => {
      const g = gen().partialFit({ data: new Uint8Array(3), shape: [1, 1, 1, 3] });
      expect(() => g.partialFit({ data: new Uint8Array(1), shape: [1, 1, 1, 1] })).toThrow(
        'partialFit: x has 1 channels but the generator was fit on 3',
      );
    });
  });
});
