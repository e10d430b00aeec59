// ZCA whitening through the generator (issue 8): fit → W → standardize/flow, against an independent float64
// computation of Keras' formulas (docs/keras-semantics.md: sigma of the per-channel-centred flat images, W from its
// eigendecomposition), and the statistical property that whitened training data has covariance ≈ identity.
import { describe, expect, it } from 'vitest';
import { ImageDataGenerator } from '../../src/index.js';
import { jacobiEigen } from '../linalg/jacobi.js';
import { Random } from '../helpers.js';

const [H, W, C] = [2, 2, 3];
const D = H * W * C;

/** n correlated images: a random mixing of D independent sources, as bytes. */
function correlated(n: number, seed: number): Uint8Array {
  const rng = new Random(seed);
  const mix = Array.from({ length: D * D }, () => rng.uniform(-1, 1));
  const data = new Uint8Array(n * D);
  for (let i = 0; i < n; i++) {
    const s = Array.from({ length: D }, () => rng.normal() * 6);
    for (let j = 0; j < D; j++) {
      let v = 100;
      for (let k = 0; k < D; k++) v += mix[j * D + k] * s[k];
      data[i * D + j] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return data;
}

/** Keras' ZCA in float64: centre by channel means, sigma = flatᵀflat/n, W = U diag(1/sqrt(S+eps)) Uᵀ. */
function kerasZca(x: Uint8Array, n: number, rescale: number, eps: number) {
  const mean = new Float64Array(C);
  for (let i = 0; i < n * D; i++) mean[i % C] += (x[i] * rescale) / (n * H * W);
  const flat = Float64Array.from(x, (v, i) => v * rescale - mean[i % C]);
  const sigma = new Float64Array(D * D);
  for (let r = 0; r < n; r++) for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) sigma[i * D + j] += (flat[r * D + i] * flat[r * D + j]) / n;
  const { values, vectors } = jacobiEigen(sigma, D);
  const w = new Float64Array(D * D);
  for (let k = 0; k < D; k++) {
    const g = 1 / Math.sqrt(values[k] + eps);
    for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) w[i * D + j] += g * vectors[i * D + k] * vectors[j * D + k];
  }
  return { mean, w, values, vectors, whiten: (img: Uint8Array) => Array.from({ length: D }, (_, j) => {
    let s = 0;
    for (let i = 0; i < D; i++) s += (img[i] * rescale - mean[i % C]) * w[i * D + j];
    return s;
  }) };
}

describe('ImageDataGenerator with zcaWhitening', () => {
  const n = 400;
  const data = correlated(n, 7);
  const x = { data, shape: [n, H, W, C] };
  const options = { rescale: 1 / 255, zcaWhitening: true, zcaEpsilon: 1e-6 };

  it('matches Keras\' float64 ZCA on small images (D = 12)', () => {
    const gen = new ImageDataGenerator(options).fit(x);
    expect(gen.options.featurewiseCenter).toBe(true);
    const ref = kerasZca(data, n, 1 / 255, 1e-6);
    const out = gen.standardize({ data: data.subarray(0, 20 * D), shape: [20, H, W, C] }).data;
    let worst = 0;
    for (let i = 0; i < 20; i++) {
      const expected = ref.whiten(data.subarray(i * D, (i + 1) * D));
      for (let j = 0; j < D; j++) worst = Math.max(worst, Math.abs(out[i * D + j] - expected[j]) / (1 + Math.abs(expected[j])));
    }
    expect(worst).toBeLessThan(2e-4);
  });

  it('whitened training data has second moments U·diag(s/(s+eps))·Uᵀ, and ≈ identity when eps << s', () => {
    for (const eps of [1e-4, 1e-9]) {
      const out = new ImageDataGenerator({ ...options, zcaEpsilon: eps }).fit(x).standardize(x).data;
      const ref = kerasZca(data, n, 1 / 255, eps);
      // Whitening maps sigma to W·sigma·W = U·diag(s/(s+eps))·Uᵀ (the data is centred by channel means, as sigma is).
      let worst = 0;
      let worstIdentity = 0;
      for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) {
        let m = 0;
        for (let r = 0; r < n; r++) m += (out[r * D + i] * out[r * D + j]) / n;
        let expected = 0;
        for (let k = 0; k < D; k++) expected += (ref.values[k] / (ref.values[k] + eps)) * ref.vectors[i * D + k] * ref.vectors[j * D + k];
        worst = Math.max(worst, Math.abs(m - expected));
        worstIdentity = Math.max(worstIdentity, Math.abs(m - (i === j ? 1 : 0)));
      }
      expect(worst).toBeLessThan(1e-3);
      if (eps === 1e-9) expect(worstIdentity).toBeLessThan(1e-3);
      else expect(worstIdentity).toBeGreaterThan(0.1); // the smallest eigenvalue (~5e-6) is damped by eps = 1e-4
    }
  });

  it('partialFit over chunks gives the same W as one fit', () => {
    const whole = new ImageDataGenerator(options).fit(x);
    const chunks = new ImageDataGenerator(options);
    for (const [a, b] of [[0, 37], [37, 250], [250, 400]]) chunks.partialFit({ data: data.subarray(a * D, b * D), shape: [b - a, H, W, C] });
    const p = whole.standardize(x).data;
    const q = chunks.standardize(x).data;
    let worst = 0;
    for (let i = 0; i < p.length; i++) worst = Math.max(worst, Math.abs(p[i] - q[i]));
    expect(worst).toBeLessThan(1e-3);
  });

  it('flow batches equal standardize of the same images; toJSON/fromJSON carries W', () => {
    const gen = new ImageDataGenerator(options).fit(x);
    const it = gen.flow(x, null, { batchSize: 32, shuffle: false });
    expect(it.at(1).x.data).toEqual(gen.standardize({ data: data.subarray(32 * D, 64 * D), shape: [32, H, W, C] }).data);
    const json = JSON.parse(JSON.stringify(gen));
    expect(typeof json.zca.matrix).toBe('string');
    const restored = ImageDataGenerator.fromJSON(json);
    expect(restored.standardize(x).data).toEqual(gen.standardize(x).data);
    expect(() => restored.partialFit(x)).toThrow('partialFit: this generator was restored by fromJSON with a ZCA matrix but without its covariance');
  });

  it('rejects inconsistent options, other image sizes and images too large for a D×D matrix', () => {
    expect(() => new ImageDataGenerator({ zcaWhitening: true, zcaEpsilon: 0 })).toThrow('`zcaEpsilon` must be a positive finite number. Received: zcaEpsilon=0');
    expect(() => new ImageDataGenerator({ zcaWhitening: true, featurewiseStdNormalization: true })).toThrow('remove featurewiseStdNormalization');
    expect(() => new ImageDataGenerator({ zcaWhitening: true, featurewiseCenter: false })).toThrow('cannot be combined with featurewiseCenter=false');
    expect(() => new ImageDataGenerator({ zcaWhitening: true, dataFormat: 'channelsFirst' })).toThrow("supports dataFormat 'channelsLast' only");
    expect(() => new ImageDataGenerator({ zcaWhitening: true }).standardize(x)).toThrow('has not been fit');
    const gen = new ImageDataGenerator(options).fit(x);
    expect(() => gen.standardize({ data: new Uint8Array(27), shape: [1, 3, 3, 3] })).toThrow(
      'standardize: ZCA whitening was fit on images of 2×2×3; x has images of 3×3×3',
    );
    const big = { data: new Uint8Array(256 * 256 * 3), shape: [1, 256, 256, 3] };
    expect(() => new ImageDataGenerator({ zcaWhitening: true }).fit(big)).toThrow(/ZCA whitening needs about \d+ bytes .* D = h·w·c = 256·256·3 = 196608 features/);
  });
});
