import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  CovarianceAccumulator, applyZca, zcaBytesNeeded,
} from '../../src/generator/zca.js';
import { base64ToFloat32, float32ToBase64 } from '../../src/base64.js';
import { currentBackend, getBackend, setBackend } from '../../src/runtime/backend.js';
import { backends, onHeap, outputOnHeap, Random } from '../helpers.js';
import { jacobiEigen, randomOrthogonal } from '../linalg/jacobi.js';

// 2×2×3 images: D = 12, small enough for an O(D³) Jacobi reference, with three channels so that the per-channel
// centring Keras does (not per-pixel) matters.
const H = 2, W_ = 2, C = 3, D = H * W_ * C;

/**
 * n correlated images: a per-position offset (so per-pixel means differ from per-channel means), plus a random
 * rotation of independent normals whose standard deviations spread the covariance's eigenvalues over [0.06, 5].
 */
function makeImages(n: number, seed: number, offset = 0, spread = 1): Float32Array {
  const rng = new Random(seed);
  const q = randomOrthogonal(D, () => rng.next());
  const stds = Array.from({ length: D }, (_, k) => spread * (0.25 + (2 * k) / (D - 1)));
  const base = Array.from({ length: D }, () => offset + rng.uniform(-1, 1));
  const x = new Float32Array(n * D);
  const z = new Float64Array(D);
  for (let r = 0; r < n; r++) {
    for (let k = 0; k < D; k++) z[k] = stds[k] * rng.normal();
    for (let i = 0; i < D; i++) {
      let v = base[i];
      for (let k = 0; k < D; k++) v += q[i * D + k] * z[k];
      x[r * D + i] = v;
    }
  }
  return x;
}

/** Keras' recipe in float64, straight from the data: channel means, flat = x − mean[c], sigma = flatᵀ·flat / n. */
function kerasSigma(x: Float32Array, n: number) {
  const channelMean = new Float64Array(C);
  for (let i = 0; i < n * D; i++) channelMean[i % C] += x[i];
  for (let c = 0; c < C; c++) channelMean[c] /= n * (D / C);
  const sigma = new Float64Array(D * D);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < D; i++) {
      const fi = x[r * D + i] - channelMean[i % C];
      for (let j = 0; j < D; j++) sigma[i * D + j] += fi * (x[r * D + j] - channelMean[j % C]);
    }
  }
  for (let i = 0; i < D * D; i++) sigma[i] /= n;
  return { channelMean, sigma };
}

/** U·diag(f(s))·Uᵀ from the Jacobi reference. */
function spectralFunction(sigma: Float64Array, f: (s: number) => number): Float64Array {
  const { values, vectors } = jacobiEigen(sigma, D);
  const out = new Float64Array(D * D);
  for (let i = 0; i < D; i++) {
    for (let j = 0; j < D; j++) {
      let s = 0;
      for (let k = 0; k < D; k++) s += vectors[i * D + k] * f(values[k]) * vectors[j * D + k];
      out[i * D + j] = s;
    }
  }
  return out;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** (x − μ_c)·W through applyZca on heap arrays, and the covariance of the result in float64. */
function whitenedCovariance(x: Float32Array, n: number, channelMean: Float64Array, W: Float32Array): Float64Array {
  const backend = currentBackend();
  const centred = new Float32Array(n * D);
  for (let i = 0; i < n * D; i++) centred[i] = x[i] - channelMean[i % C];
  const xs = onHeap(backend, centred, 1);
  const ws = onHeap(backend, W, 3);
  const out = outputOnHeap(backend, 'f32', n * D); // poison (NaN): every element must be written
  applyZca(out.view(), xs.view(), n, ws.view(), D);
  const y = out.view().slice();
  xs.free(); ws.free(); out.free();
  const cov = new Float64Array(D * D);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) cov[i * D + j] += y[r * D + i] * y[r * D + j];
  }
  for (let i = 0; i < D * D; i++) cov[i] /= n;
  return cov;
}

const identity = Float64Array.from({ length: D * D }, (_, k) => (k % (D + 1) === 0 ? 1 : 0));

for (const backend of backends) {
  describe(`ZCA on the ${backend.name} backend`, () => {
    const previous = getBackend();
    beforeAll(() => setBackend(backend.name));
    afterAll(() => setBackend(previous));

    const n = 600;
    const x = makeImages(n, 42);
    const { channelMean, sigma } = kerasSigma(x, n);
    const scale = maxAbs(sigma);

    it('computes Keras\' sigma (per-channel centring) as an independent float64 computation does', () => {
      const acc = new CovarianceAccumulator(H, W_, C).add(x, n);
      expect(acc.count).toBe(n);
      // f32 chunk products: errors of order 1e-7 relative, well inside 1e-5.
      expect(maxDiff(acc.sigma(channelMean, C), sigma)).toBeLessThan(1e-5 * scale);
      // The per-pixel-centred covariance differs from sigma by more than the tolerance, so the test can tell them apart.
      const covariance = acc.comoment.map((v) => v / n);
      expect(maxDiff(covariance, sigma)).toBeGreaterThan(1e-2 * scale);
      acc.dispose();
    });

    it('gives the one-pass statistics for any chunking and any merge order', () => {
      const onePass = new CovarianceAccumulator(H, W_, C, { chunkRows: 1024 }).add(x, n);
      const tolerance = 1e-6 * maxAbs(onePass.comoment);
      const splits = [[0, 37], [37, 38], [38, 38], [38, 200], [200, n]];
      const variants: CovarianceAccumulator[] = [];
      for (const chunkRows of [1, 5, 64, 512]) {
        const acc = new CovarianceAccumulator(H, W_, C, { chunkRows });
        for (const [a, b] of splits) acc.add(x.subarray(a * D, b * D), b - a);
        variants.push(acc);
      }
      const first = new CovarianceAccumulator(H, W_, C).add(x.subarray(0, 123 * D), 123);
      const second = new CovarianceAccumulator(H, W_, C, { chunkRows: 7 }).add(x.subarray(123 * D), n - 123);
      variants.push(first.merge(second));
      const reversed = new CovarianceAccumulator(H, W_, C).add(x.subarray(123 * D), n - 123)
        .merge(new CovarianceAccumulator(H, W_, C).add(x.subarray(0, 123 * D), 123));
      variants.push(reversed);
      for (const acc of variants) {
        expect(acc.count).toBe(n);
        expect(maxDiff(acc.mean, onePass.mean)).toBeLessThan(1e-12 * maxAbs(onePass.mean));
        expect(maxDiff(acc.comoment, onePass.comoment)).toBeLessThan(tolerance);
        acc.dispose();
      }
      // Merging into an empty accumulator copies the statistics exactly (δ·δᵀ weight na·nb/n is 0).
      const copy = new CovarianceAccumulator(H, W_, C).merge(onePass);
      expect(copy.mean).toEqual(onePass.mean);
      expect(copy.comoment).toEqual(onePass.comoment);
      onePass.dispose();
    });

    it('multiplies chunks with the backend\'s gemm kernel, reading heap views without allocating', () => {
      const acc = new CovarianceAccumulator(H, W_, C, { chunkRows: 256 });
      const rows = onHeap(backend, x, 1);
      const grows = backend.heap.growCount;
      const used = backend.heap.usedBytes;
      const gemm = vi.spyOn(backend.kernels, 'gemm');
      try {
        acc.add(rows.view(), n);
        // 600 rows in chunks of 256: 256, 256, 88, each Xcᵀ·Xc (D×D from D×m and m×D).
        expect(gemm.mock.calls.map((call) => call.slice(3))).toEqual([
          [D, D, 256, true, false, false], [D, D, 256, true, false, false], [D, D, 88, true, false, false]]);
      } finally {
        gemm.mockRestore();
      }
      expect(backend.heap.growCount).toBe(grows);
      expect(backend.heap.usedBytes).toBe(used);
      expect(maxDiff(acc.sigma(channelMean, C), sigma)).toBeLessThan(1e-5 * scale);
      rows.free();
      acc.dispose();
    });

    it('stays accurate over many images far from zero (per-chunk centring, float64 merges)', () => {
      // Values near 1000 with std ~0.01–0.2: Σxxᵀ − n·mmᵀ would cancel away every significant digit.
      const m = 20_000;
      const big = makeImages(m, 5, 1000, 0.1);
      const reference = kerasSigma(big, m);
      const acc = new CovarianceAccumulator(H, W_, C).add(big, m);
      expect(maxDiff(acc.sigma(reference.channelMean, C), reference.sigma)).toBeLessThan(1e-5 * maxAbs(reference.sigma));
      acc.dispose();
    });

    it('finds W = U·diag(1/sqrt(S + ε))·Uᵀ as an independent Jacobi reference does, exactly symmetric', () => {
      const epsilon = 1e-6;
      const acc = new CovarianceAccumulator(H, W_, C).add(x, n);
      const W = acc.finish(channelMean, C, epsilon);
      acc.dispose();
      expect(W).toBeInstanceOf(Float32Array);
      for (let i = 0; i < D; i++) for (let j = 0; j < i; j++) expect(W[i * D + j]).toBe(W[j * D + i]);
      const reference = spectralFunction(sigma, (s) => 1 / Math.sqrt(Math.abs(s) + epsilon));
      // Sigma carries ~1e-7 relative error from f32 chunk products; W = sigma^(−1/2) amplifies it by ~ the condition
      // number (~400 here) at most.
      expect(maxDiff(W, reference)).toBeLessThan(1e-4 * maxAbs(reference));
    });

    it('whitens the training data: covariance = U·diag(s/(s+ε))·Uᵀ ≈ I within max ε/(s+ε)', () => {
      const epsilon = 1e-6;
      const acc = new CovarianceAccumulator(H, W_, C).add(x, n);
      const W = acc.finish(channelMean, C, epsilon);
      acc.dispose();
      const cov = whitenedCovariance(x, n, channelMean, W);
      const smallest = jacobiEigen(sigma, D).values[D - 1];
      expect(smallest).toBeGreaterThan(0.01); // the bound below is meaningful only for a well-conditioned sigma
      // Shrinkage of the weakest direction plus f32 rounding of W, x and y (each ~1e-7, amplified by ~sqrt(κ)).
      expect(maxDiff(cov, identity)).toBeLessThan(epsilon / (smallest + epsilon) + 2e-5);
    });

    it('applies ε inside the square root as Keras does: a large ε shrinks each direction to s/(s+ε)', () => {
      const spectrum = jacobiEigen(sigma, D).values;
      const epsilon = spectrum[Math.floor(D / 2)]; // the median eigenvalue: whitened variances from ~1 to ~0.1
      const acc = new CovarianceAccumulator(H, W_, C).add(x, n);
      const cov = whitenedCovariance(x, n, channelMean, acc.finish(channelMean, C, epsilon));
      acc.dispose();
      const expected = spectralFunction(sigma, (s) => s / (s + epsilon));
      expect(maxDiff(cov, identity)).toBeGreaterThan(0.3); // far from white, so the next line tests ε's role
      expect(maxDiff(cov, expected)).toBeLessThan(1e-5);
    });

    it('handles rank-deficient data (fewer images than features): finite W, zero variance in the null space', () => {
      const few = 4;
      const small = makeImages(few, 9);
      const reference = kerasSigma(small, few);
      const acc = new CovarianceAccumulator(H, W_, C).add(small, few);
      const W = acc.finish(reference.channelMean, C, 1e-6);
      acc.dispose();
      for (const v of W) expect(Number.isFinite(v)).toBe(true);
      const cov = whitenedCovariance(small, few, reference.channelMean, W);
      // Rank 4: four directions whitened to variance s/(s+ε) ≈ 1, the other eight left at 0.
      let trace = 0;
      for (let i = 0; i < D; i++) trace += cov[i * D + i];
      expect(Math.abs(trace - few)).toBeLessThan(1e-3);
      const expected = spectralFunction(reference.sigma, (s) => Math.abs(s) / (Math.abs(s) + 1e-6));
      expect(maxDiff(cov, expected)).toBeLessThan(1e-3);
    });

    it('applies W with gemm on awkward batch sizes as float64 x·W does', () => {
      const rng = new Random(77);
      const W = Float32Array.from({ length: D * D }, () => rng.uniform(-2, 2));
      for (const rows of [0, 1, 3, 17]) {
        const xs = Float32Array.from({ length: rows * D }, () => rng.uniform(-1, 1));
        const a = onHeap(backend, xs, 2);
        const w = onHeap(backend, W);
        const out = outputOnHeap(backend, 'f32', rows * D);
        applyZca(out.view(), a.view(), rows, w.view(), D);
        for (let r = 0; r < rows; r++) {
          for (let j = 0; j < D; j++) {
            let s = 0;
            for (let k = 0; k < D; k++) s += xs[r * D + k] * W[k * D + j];
            expect(Math.abs(out.view()[r * D + j] - s)).toBeLessThan(1e-5);
          }
        }
        a.free(); w.free(); out.free();
      }
    });
  });
}

describe('ZCA on awkward image sizes', () => {
  it.each([[1, 1, 1], [1, 7, 1], [3, 1, 3], [2, 3, 1]])('matches the float64 reference for %i×%i×%i images', (h, w, c) => {
    const d = h * w * c;
    const n = 40;
    const rng = new Random(100 + d);
    // Neighbouring features share a component, so sigma is not diagonal; a per-feature offset breaks channel symmetry.
    const x = new Float32Array(n * d);
    for (let r = 0; r < n; r++) {
      let previous = rng.normal();
      for (let i = 0; i < d; i++) {
        const next = rng.normal();
        x[r * d + i] = i * 0.3 + next + 0.5 * previous;
        previous = next;
      }
    }
    const channelMean = new Float64Array(c);
    for (let i = 0; i < n * d; i++) channelMean[i % c] += x[i] / (n * (d / c));
    const sigma = new Float64Array(d * d);
    for (let r = 0; r < n; r++) {
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) {
          sigma[i * d + j] += (x[r * d + i] - channelMean[i % c]) * (x[r * d + j] - channelMean[j % c]) / n;
        }
      }
    }
    const { values, vectors } = jacobiEigen(sigma, d);
    const reference = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        for (let k = 0; k < d; k++) reference[i * d + j] += vectors[i * d + k] * vectors[j * d + k] / Math.sqrt(values[k] + 1e-6);
      }
    }
    const acc = new CovarianceAccumulator(h, w, c, { chunkRows: 16 }).add(x, n);
    const W = acc.finish(channelMean, c, 1e-6);
    acc.dispose();
    expect(maxDiff(W, reference)).toBeLessThan(1e-4 * maxAbs(reference));
  });
});

describe('ZCA input validation', () => {
  const x = makeImages(50, 1);
  const { channelMean } = kerasSigma(x, 50);

  it('refuses zcaEpsilon that is not a positive finite number', () => {
    const acc = new CovarianceAccumulator(H, W_, C).add(x, 50);
    for (const bad of [0, -1e-6, NaN, Infinity, -Infinity]) {
      expect(() => acc.finish(channelMean, C, bad)).toThrow(
        `\`zcaEpsilon\` must be a positive finite number. Received: zcaEpsilon=${bad}`);
    }
    expect(() => acc.finish(channelMean, C, '1e-6' as unknown as number)).toThrow('Received: zcaEpsilon="1e-6"'); // a string, shown as one
    acc.dispose();
  });

  it('refuses NaN and ±Infinity pixels, naming the value, image and position, and keeps earlier statistics', () => {
    const acc = new CovarianceAccumulator(H, W_, C, { chunkRows: 4 }).add(x, 10);
    const mean = acc.mean.slice();
    const comoment = acc.comoment.slice();
    const bad = x.slice(0, 20 * D);
    bad[13 * D + 5] = NaN;
    expect(() => acc.add(bad, 20)).toThrow(
      'ZCA whitening: images must be finite. Received: NaN in image 13 at flattened position 5 (of D = 2·2·3 = 12)');
    bad[13 * D + 5] = 0;
    bad[2 * D + 11] = -Infinity;
    expect(() => acc.add(bad, 20)).toThrow('Received: -Infinity in image 2 at flattened position 11');
    bad[2 * D + 11] = 0;
    bad[7 * D] = -(2 ** 64); // its square (3.4e38) times 4 images overflows f32
    expect(() => acc.add(bad, 20)).toThrow('ZCA whitening: pixel values up to 18446744073709552000 would overflow the ' +
      'float32 covariance (the limit is 4.61e+18 for chunks of 4 images); rescale the images first');
    // Images 0–12 of the rejected batch came before the bad one and in earlier chunks; none of them got in.
    expect(acc.count).toBe(10);
    expect(acc.mean).toEqual(mean);
    expect(acc.comoment).toEqual(comoment);
    acc.dispose();
  });

  it('refuses images whose D×D matrices would not fit, naming D and the bytes needed', () => {
    const d = 128 * 128 * 3;
    expect(zcaBytesNeeded(d)).toBe(32 * d * d + 4 * 512 * d);
    expect(() => new CovarianceAccumulator(128, 128, 3)).toThrow(
      'ZCA whitening needs about 77410074624 bytes (73824 MiB) for images of D = h·w·c = 128·128·3 = 49152 features ' +
      '(its D×D covariance and whitening matrices), more than the limit of 2147483648 bytes.');
    expect(() => new CovarianceAccumulator(2, 2, 3, { maxBytes: 1000 })).toThrow(
      'ZCA whitening needs about 29184 bytes');
    // 32×32×3 (D = 3072) fits: about 300 MB.
    expect(zcaBytesNeeded(3072)).toBeLessThan(2 ** 31);
  });

  it('pins the remaining misuse messages', () => {
    expect(() => new CovarianceAccumulator(0, 2, 3)).toThrow(
      'CovarianceAccumulator: `height` must be a positive integer. Received: height=0');
    expect(() => new CovarianceAccumulator(2, 2, 3, { chunkRows: 0 })).toThrow(
      'CovarianceAccumulator: `chunkRows` must be a positive integer. Received: chunkRows=0');
    const acc = new CovarianceAccumulator(H, W_, C);
    expect(() => acc.finish(channelMean, C, 1e-6)).toThrow('ZCA whitening: no images were added before computing the covariance');
    expect(() => acc.add(x, 51)).toThrow(
      'CovarianceAccumulator.add: rows must be a Float32Array of at least n·D = 51·12 = 612 values. Received: length 600');
    expect(() => acc.add(x, -1)).toThrow('CovarianceAccumulator.add: n must be a non-negative integer. Received: n=-1');
    acc.add(x, 50);
    expect(() => acc.finish(channelMean, 1, 1e-6)).toThrow("ZCA whitening: channels must match the accumulator's 3. Received: channels=1");
    expect(() => acc.finish(new Float64Array(2), C, 1e-6)).toThrow('ZCA whitening: channelMean must hold 3 values. Received: length 2');
    expect(() => acc.finish(new Float64Array([0, NaN, 0]), C, 1e-6)).toThrow(
      'ZCA whitening: channelMean must be finite. Received: channelMean[1]=NaN');
    expect(() => acc.merge(new CovarianceAccumulator(2, 2, 1))).toThrow(
      'CovarianceAccumulator.merge: cannot merge statistics of 4 features into statistics of 12 features');
    const ws = new Float32Array(D * D);
    expect(() => applyZca(new Float32Array(D), new Float32Array(D), 1, ws.subarray(1), D)).toThrow(
      'applyZca: W must hold D·D = 144 values. Received: length 143');
    expect(() => applyZca(new Float32Array(D), new Float32Array(D - 1), 1, ws, D)).toThrow(
      'applyZca: x must hold n·D = 12 values. Received: length 11');
    acc.dispose();
  });
});

describe('base64 of float32 (the JSON form of W)', () => {
  it('round-trips bit-exactly, including -0, subnormals, ±Infinity and NaN payloads', () => {
    const rng = new Random(5);
    const bits = new Uint32Array([0x80000000, 0x00000001, 0x7f800000, 0xff800000, 0x7fc00001, 0xffbfffff, 0x3f800000]);
    const special = new Float32Array(bits.buffer);
    for (const length of [0, 1, 2, 3, 7, 1000]) {
      const a = new Float32Array(length);
      for (let i = 0; i < length; i++) a[i] = i < special.length ? special[i] : rng.normal() * 1e3;
      if (length >= special.length) new Uint32Array(a.buffer).set(bits);
      const text = float32ToBase64(a);
      // Standard padded base64 of the little-endian bytes, checked against Node's own encoder.
      expect(text).toBe(Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64'));
      const back = base64ToFloat32(text, length);
      expect(new Uint32Array(back.buffer)).toEqual(new Uint32Array(a.buffer));
    }
    expect(float32ToBase64(new Float32Array([1]))).toBe('AACAPw==');
    expect(float32ToBase64(new Float32Array([1, -2]).subarray(1))).toBe('AAAAwA==');
  });

  it('refuses malformed text with messages saying what is wrong', () => {
    expect(() => base64ToFloat32('AACAP')).toThrow('base64ToFloat32: base64 text length must be a multiple of 4. Received: length 5');
    expect(() => base64ToFloat32('AAA=')).toThrow(
      'base64ToFloat32: the text decodes to 2 bytes, not a whole number of float32 values (a multiple of 4 bytes)');
    expect(() => base64ToFloat32('AACAPw==', 2)).toThrow('base64ToFloat32: expected 2 float32 values. Received: 1');
    expect(() => base64ToFloat32('AAC*Pw==')).toThrow('base64ToFloat32: invalid base64 character "*" at position 3');
    expect(() => base64ToFloat32('AA=APw==')).toThrow('base64ToFloat32: invalid base64 character "=" at position 2');
    expect(() => base64ToFloat32('AAéAPw==')).toThrow('invalid base64 character "é" at position 2');
  });
});
