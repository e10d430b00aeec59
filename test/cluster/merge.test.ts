// ImageDataGenerator.merge (issue 20): generators fit on shards of a data set merge into the statistics of one fit
// on all of it. Checked against one fit and against float64 statistics computed here, for uneven shards (one of a
// single image, one empty), 1 and 3 channels, channels-first, through JSON text, in any order and grouping; ZCA's
// covariance sums against a float64 covariance computed here. Shown to fail: dropping the δ²·na·nb/n term of
// Moments.mergeChannel, or the mean correction in CovarianceAccumulator.fold, fails the first and the ZCA test.
import { describe, expect, it } from 'vitest';
import { ImageDataGenerator } from '../../src/index.js';
import { base64ToFloat64 } from '../../src/base64.js';
import { randomBytes, referenceChannelStats, relativeError } from '../helpers.js';

const SHARDS = [1, 0, 17, 300, 82]; // images per shard: uneven, one image, one empty

function shardsOf(data: Uint8Array, imageSize: number, sizes: readonly number[], shape: readonly number[]) {
  let at = 0;
  return sizes.map((n) => {
    const part = { data: data.subarray(at * imageSize, (at + n) * imageSize), shape: [n, ...shape] };
    at += n;
    return part;
  });
}

function fitShard(options: object, x: { data: Uint8Array; shape: number[] }): ImageDataGenerator {
  // An empty shard is an unfit generator (fit refuses an empty set): merge treats it as adding nothing.
  return x.shape[0] === 0 ? new ImageDataGenerator(options) : new ImageDataGenerator(options).fit(x);
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(relativeError(actual[i], expected[i])).toBeLessThanOrEqual(tolerance);
}

describe('ImageDataGenerator.merge: moments', () => {
  for (const [channels, dataFormat] of [[1, 'channelsLast'], [3, 'channelsLast'], [3, 'channelsFirst']] as const) {
    it(`${channels} channel(s), ${dataFormat}: merge of uneven shards = one fit = float64 statistics`, () => {
      const [h, w] = [5, 7];
      const imageSize = h * w * channels;
      const total = SHARDS.reduce((a, b) => a + b, 0);
      const data = randomBytes(total * imageSize, 20 + channels);
      const shape = dataFormat === 'channelsLast' ? [h, w, channels] : [channels, h, w];
      const options = { featurewiseCenter: true, featurewiseStdNormalization: true, rescale: 1 / 255, dataFormat };
      const shards = shardsOf(data, imageSize, SHARDS, shape).map((x) => fitShard(options, x));
      const merged = ImageDataGenerator.merge(...shards);
      const whole = new ImageDataGenerator(options).fit({ data, shape: [total, ...shape] });

      // Independent float64 statistics of the rescaled pixels, laid out channels last.
      const lastData = dataFormat === 'channelsLast' ? data : Uint8Array.from({ length: data.length }, (_, i) => {
        const [img, rest] = [Math.floor(i / imageSize), i % imageSize];
        const [p, c] = [Math.floor(rest / channels), rest % channels];
        return data[img * imageSize + c * h * w + p];
      });
      const ref = referenceChannelStats(Float64Array.from(lastData, (v) => v / 255), channels);
      const s = merged.statistics!;
      expect(s.count).toBe(total * h * w);
      expectClose(s.mean, ref.map((r) => r.mean), 1e-12);
      expectClose(s.std, ref.map((r) => r.std), 1e-12);
      expectClose(s.min, ref.map((r) => r.min), 0);
      expectClose(s.max, ref.map((r) => r.max), 0);
      const t = whole.statistics!;
      expectClose(s.mean, t.mean, 1e-12);
      expectClose(s.std, t.std, 1e-12);
      // The merged generator scales as the one fit does.
      const batch = { data: data.subarray(0, 3 * imageSize), shape: [3, ...shape] };
      expectClose(merged.standardize(batch).data, whole.standardize(batch).data, 1e-6);
    });
  }

  it('any order and grouping, and through JSON text, gives the same statistics to float64 rounding', () => {
    const imageSize = 4 * 4 * 3;
    const total = SHARDS.reduce((a, b) => a + b, 0);
    const data = randomBytes(total * imageSize, 5);
    const options = { featurewiseCenter: true, featurewiseStdNormalization: true };
    const shards = shardsOf(data, imageSize, SHARDS, [4, 4, 3]).map((x) => fitShard(options, x));
    const texts = shards.map((g) => JSON.stringify(g.toJSON({ mergeable: true })));
    const forward = ImageDataGenerator.merge(...shards).statistics!;
    const variants = [
      ImageDataGenerator.merge(...[...shards].reverse()),
      ImageDataGenerator.merge(ImageDataGenerator.merge(shards[3], shards[0]), ImageDataGenerator.merge(shards[4], shards[1], shards[2])),
      ImageDataGenerator.merge(...texts),
      ImageDataGenerator.merge(...texts.map((t) => JSON.parse(t))),
    ];
    for (const v of variants) {
      const s = v.statistics!;
      expect(s.count).toBe(forward.count);
      expectClose(s.mean, forward.mean, 1e-13);
      expectClose(s.std, forward.std, 1e-13);
      expectClose(s.min, forward.min, 0);
      expectClose(s.max, forward.max, 0);
    }
  });

  it('leaves its arguments as they were, and one argument merges into a copy of itself', () => {
    const x = { data: randomBytes(2 * 12, 9), shape: [2, 2, 2, 3] };
    const a = new ImageDataGenerator({ featurewiseCenter: true }).fit(x);
    const b = new ImageDataGenerator({ featurewiseCenter: true }).fit({ data: randomBytes(12, 10), shape: [1, 2, 2, 3] });
    const before = JSON.stringify([a.toJSON(), b.toJSON()]);
    ImageDataGenerator.merge(a, b);
    expect(JSON.stringify([a.toJSON(), b.toJSON()])).toBe(before);
    expect(() => a.toJSON({ mergable: true } as never)).toThrow('toJSON: unknown option `mergable`. Did you mean `mergeable`? Known options: mergeable');
    const copy = ImageDataGenerator.merge(a);
    expect(copy).not.toBe(a);
    expect(JSON.stringify(copy.toJSON())).toBe(JSON.stringify(a.toJSON()));
  });

  it('unfit parts (empty shards) add nothing; all unfit gives an unfit generator', () => {
    const options = { featurewiseCenter: true };
    const merged = ImageDataGenerator.merge(new ImageDataGenerator(options), new ImageDataGenerator(options));
    expect(merged.statistics).toBeNull();
    expect(() => merged.standardize({ data: new Uint8Array(3), shape: [1, 1, 1, 3] })).toThrow('has not been fit on any training data');
  });

  it('refuses differing options, channels, no argument and bad JSON, naming what differs', () => {
    const x = { data: randomBytes(12, 1), shape: [1, 2, 2, 3] };
    const a = new ImageDataGenerator({ featurewiseCenter: true }).fit(x);
    expect(() => ImageDataGenerator.merge(a, new ImageDataGenerator({ featurewiseCenter: true, rescale: 0.5 }).fit(x))).toThrow(
      'ImageDataGenerator.merge: every generator must have the same options; `rescale` differs: argument 0 has rescale=null, argument 1 has rescale=0.5');
    expect(() => ImageDataGenerator.merge(a, new ImageDataGenerator({ featurewiseCenter: true }).fit({ data: randomBytes(4, 2), shape: [1, 2, 2, 1] }))).toThrow(
      'ImageDataGenerator.merge: argument 1 was fit on 1 channels, an earlier one on 3');
    expect(() => ImageDataGenerator.merge()).toThrow('ImageDataGenerator.merge: needs at least one generator or generator JSON. Received: none');
    expect(() => ImageDataGenerator.merge(a, '{"format":"x"}')).toThrow(
      'ImageDataGenerator.merge: argument 1: ImageDataGenerator.fromJSON: expected an object with format "pixprep.ImageDataGenerator". Received format: "x"');
  });
});

describe('ImageDataGenerator.merge: ZCA', () => {
  const [H, W, C] = [3, 2, 3];
  const D = H * W * C;
  const options = { rescale: 1 / 255, zcaWhitening: true, zcaEpsilon: 1e-3 };

  it('merges the covariance sums with the mean correction: = a float64 covariance, and W = one fit\'s W', () => {
    const total = SHARDS.reduce((a, b) => a + b, 0);
    const data = randomBytes(total * D, 33);
    const shards = shardsOf(data, D, SHARDS, [H, W, C]).map((x) => fitShard(options, x));
    const merged = ImageDataGenerator.merge(...shards.map((g) => JSON.stringify(g.toJSON({ mergeable: true }))));
    const whole = new ImageDataGenerator(options).fit({ data, shape: [total, H, W, C] });

    // float64 per-pixel mean and co-moment Σ(x − mean)(x − mean)ᵀ of the rescaled pixels (rescaled in float32,
    // as ZCA's rows are: x·f32(1/255) rounded to f32).
    const px = Float64Array.from(data, (v) => Math.fround(v * Math.fround(1 / 255)));
    const mean = new Float64Array(D);
    for (let i = 0; i < total * D; i++) mean[i % D] += px[i] / total;
    const comoment = new Float64Array(D * D);
    for (let r = 0; r < total; r++) {
      for (let i = 0; i < D; i++) {
        for (let j = 0; j < D; j++) comoment[i * D + j] += (px[r * D + i] - mean[i]) * (px[r * D + j] - mean[j]);
      }
    }
    const cov = merged.toJSON({ mergeable: true }).zca!.covariance!;
    expect(cov.count).toBe(total);
    expectClose(base64ToFloat64(cov.mean, D), mean, 1e-12);
    // The co-moment's chunk products are f32 sums (zca.ts), so it matches float64 to f32 rounding, not 1e-12.
    const merged64 = base64ToFloat64(cov.comoment, D * D);
    let worst = 0;
    let largest = 0;
    for (let k = 0; k < D * D; k++) {
      worst = Math.max(worst, Math.abs(merged64[k] - comoment[k]));
      largest = Math.max(largest, Math.abs(comoment[k]));
    }
    expect(worst / largest).toBeLessThan(1e-6);

    const batch = { data: data.subarray(0, 4 * D), shape: [4, H, W, C] };
    const a = merged.standardize(batch).data;
    const b = whole.standardize(batch).data;
    let diff = 0;
    for (let k = 0; k < a.length; k++) diff = Math.max(diff, Math.abs(a[k] - b[k]));
    expect(diff).toBeLessThan(1e-4);
  });

  it('a mergeable JSON restores a generator that keeps folding (partialFit) and scaling', () => {
    const data = randomBytes(40 * D, 3);
    const first = new ImageDataGenerator(options).fit({ data: data.subarray(0, 25 * D), shape: [25, H, W, C] });
    const restored = ImageDataGenerator.fromJSON(JSON.stringify(first.toJSON({ mergeable: true })));
    restored.partialFit({ data: data.subarray(25 * D), shape: [15, H, W, C] });
    const whole = new ImageDataGenerator(options).fit({ data, shape: [40, H, W, C] });
    const batch = { data: data.subarray(0, 2 * D), shape: [2, H, W, C] };
    expectClose(restored.statistics!.mean, whole.statistics!.mean, 1e-12);
    const a = restored.standardize(batch).data;
    const b = whole.standardize(batch).data;
    for (let k = 0; k < a.length; k++) expect(Math.abs(a[k] - b[k])).toBeLessThan(1e-4);
  });

  it('refuses a ZCA part without its covariance, and parts of other image sizes', () => {
    const x = { data: randomBytes(5 * D, 4), shape: [5, H, W, C] };
    const withW = new ImageDataGenerator(options).fit(x).toJSON();
    expect(() => ImageDataGenerator.merge(new ImageDataGenerator(options).fit(x), withW)).toThrow(
      'ImageDataGenerator.merge: argument 1 has a ZCA matrix but not its covariance, which merging needs: write shards with toJSON({ mergeable: true }) (pixprep stats --json does)');
    const other = new ImageDataGenerator(options).fit({ data: randomBytes(5 * D, 4), shape: [5, W, H, C] });
    expect(() => ImageDataGenerator.merge(new ImageDataGenerator(options).fit(x), other)).toThrow(
      'ImageDataGenerator.merge: argument 1: ZCA statistics of images of 2×3×3 cannot merge with those of images of 3×2×3');
    expect(() => ImageDataGenerator.fromJSON(withW).toJSON({ mergeable: true })).toThrow('toJSON: { mergeable: true } needs the ZCA covariance');
    const sums = new ImageDataGenerator(options).fit(x).toJSON({ mergeable: true });
    expect(() => ImageDataGenerator.fromJSON({ ...sums, zca: { ...sums.zca!, covariance: { ...sums.zca!.covariance!, count: 4 } } })).toThrow(
      'ImageDataGenerator.fromJSON: zca.covariance.count (4 images of 3×2) disagrees with statistics.count (30 values per channel)');
    const covariance = (patch: object) => ({ ...sums, zca: { ...sums.zca!, covariance: { ...sums.zca!.covariance!, ...patch } } });
    expect(() => ImageDataGenerator.fromJSON(covariance({ count: -1 }))).toThrow('ImageDataGenerator.fromJSON: zca.covariance.count must be a positive integer. Received: -1');
    expect(() => ImageDataGenerator.fromJSON(covariance({ comoment: 5 }))).toThrow('ImageDataGenerator.fromJSON: zca.covariance.comoment must be a base64 string. Received: 5');
    const nan = Buffer.alloc(8 * D * D);
    nan.writeDoubleLE(NaN, 8);
    expect(() => ImageDataGenerator.fromJSON(covariance({ comoment: nan.toString('base64') }))).toThrow('ImageDataGenerator.fromJSON: zca.covariance.comoment must hold finite numbers');
    expect(() => ImageDataGenerator.fromJSON({ ...sums, zca: { ...sums.zca!, covariance: { ...sums.zca!.covariance!, mean: 'AAAA' } } })).toThrow(
      'ImageDataGenerator.fromJSON: zca.covariance.mean (18 float64 for images of 3×2×3): base64ToFloat64: expected 18 float64 values (144 bytes, 192 base64 characters). Received: 4 characters');
  });
});
