// The statistics kernels, on every backend: against a float64 two-pass computation written in the test, wasm
// against the TS reference, the merge property, non-finite counting, and one MNIST-sized pass. Outputs start as poison
// (NaN), so a field a kernel forgets to write shows.
import { describe, expect, it } from 'vitest';
import { Moments } from '../../src/generator/moments.js';
import { MOMENT_FIELDS } from '../../src/kernels/types.js';
import * as reference from '../../src/kernels/stats.js';
import { relaxedSimdSupported, wasmSimdSupported } from '../../src/runtime/simd.js';
import {
  AWKWARD_LENGTHS, backends, onHeap, outputOnHeap, poison, randomBytes, randomFloats, referenceChannelStats, relativeError,
} from '../helpers.js';
import type { Backend } from '../../src/runtime/backend.js';

function kernelMoments(backend: Backend, x: Uint8Array | Float32Array, channels: number, misalign = 0): Moments {
  const input = onHeap(backend, x, misalign);
  const out = outputOnHeap(backend, 'f64', MOMENT_FIELDS * channels);
  if (x instanceof Uint8Array) backend.kernels.momentsU8(out.view(), input.view() as Uint8Array, x.length, channels);
  else backend.kernels.momentsF32(out.view(), input.view() as Float32Array, x.length, channels);
  const m = Moments.fromKernel(out.view(), channels);
  input.free();
  out.free();
  return m;
}

function expectMatchesReference(m: Moments, x: ArrayLike<number>, channels: number, tolerance: number) {
  const ref = referenceChannelStats(x, channels);
  for (let c = 0; c < channels; c++) {
    expect(m.count[c]).toBe(ref[c].n);
    expect(m.min[c]).toBe(ref[c].min);
    expect(m.max[c]).toBe(ref[c].max);
    expect(m.nonFinite[c]).toBe(0);
    if (ref[c].n === 0) continue;
    expect(Math.abs(m.mean[c] - ref[c].mean)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(ref[c].mean), ref[c].std));
    expect(Math.abs(m.std(c) - ref[c].std)).toBeLessThanOrEqual(tolerance * Math.max(1e-30, ref[c].std, Math.abs(ref[c].mean) * 1e-9));
  }
}

it('this Node runs the wasm-simd backend (SIMD is on by default in Node >= 16.4), and relaxed SIMD where it has it', () => {
  expect(wasmSimdSupported()).toBe(true);
  const relaxed = relaxedSimdSupported() ? ['wasm-relaxed-simd'] : [];
  expect(backends.map((b) => b.name)).toEqual([...relaxed, 'wasm-simd', 'js']);
  // Node 20 validates relaxed SIMD only behind its flag; Node 22 and later by default.
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= 22 || process.execArgv.includes('--experimental-wasm-relaxed-simd')) expect(relaxed).toHaveLength(1);
  else expect(relaxed).toHaveLength(0);
});

for (const backend of backends) {
  const k = backend.kernels;
  describe(`statistics kernels (${backend.name})`, () => {
    for (const channels of [1, 2, 3, 4]) {
      it(`momentsU8 per channel equals float64 math, C=${channels}, awkward lengths, unaligned`, () => {
        for (const len of AWKWARD_LENGTHS) {
          const n = len * channels;
          for (const misalign of [0, 1, 2, 3]) {
            const x = randomBytes(n, len * 13 + channels + misalign);
            const m = kernelMoments(backend, x, channels, misalign);
            expectMatchesReference(m, x, channels, 1e-12);
          }
        }
      });

      it(`momentsF32 per channel equals float64 math, C=${channels}, negative, huge and offset values`, () => {
        for (const len of AWKWARD_LENGTHS) {
          const n = len * channels;
          for (const [low, high] of [[-1, 1], [0, 255], [-1e30, 1e30], [1e6, 1e6 + 1]]) {
            const x = randomFloats(n, len + channels + high, low, high);
            const m = kernelMoments(backend, x, channels, len % 4);
            expectMatchesReference(m, x, channels, 1e-9);
          }
        }
      });
    }

    it('momentsF32 does not overflow on values near the f32 limit', () => {
      const x = new Float32Array(1003).map((_, i) => (i % 2 ? 3e38 : -3e38));
      const m = kernelMoments(backend, x, 1);
      expect(relativeError(m.std(0), 3e38)).toBeLessThan(1e-6);
      expect(relativeError(m.mean[0], -Math.fround(3e38) / 1003)).toBeLessThan(1e-9);
    });

    it('momentsF32 counts NaN and Infinity per channel', () => {
      for (const n of [3, 17, 1001]) {
        const x = randomFloats(n * 3, n);
        x[0] = NaN;
        x[4] = Infinity;
        x[3 * n - 1] = -Infinity;
        x[3 * n - 4] = NaN;
        const m = kernelMoments(backend, x, 3, 1);
        expect(Array.from(m.nonFinite)).toEqual([1, 1, 2]);
      }
    });

    it('merge property: moments(a ++ b) equals merge(moments(a), moments(b))', () => {
      for (const [na, nb] of [[0, 17], [1, 1], [17, 1001], [4800, 33], [3, 0]]) {
        const channels = 3;
        const x = randomBytes((na + nb) * channels, na * 31 + nb);
        const whole = kernelMoments(backend, x, channels);
        const merged = kernelMoments(backend, x.subarray(0, na * channels), channels).merge(
          kernelMoments(backend, x.subarray(na * channels), channels),
        );
        for (let c = 0; c < channels; c++) {
          expect(merged.count[c]).toBe(whole.count[c]);
          expect(merged.min[c]).toBe(whole.min[c]);
          expect(merged.max[c]).toBe(whole.max[c]);
          expect(relativeError(merged.mean[c], whole.mean[c])).toBeLessThan(1e-13);
          expect(relativeError(merged.m2[c], whole.m2[c])).toBeLessThan(1e-12);
        }
      }
    });

    it('sampleMoments gives each image its own mean and population std', () => {
      for (const [nImages, size] of [[0, 5], [1, 1], [3, 17], [7, 784], [2, 3072]]) {
        const x = randomBytes(nImages * size, nImages + size);
        const xf = randomFloats(nImages * size, nImages * size, -5, 20);
        const input = onHeap(backend, x, 1);
        const inputF = onHeap(backend, xf, 1);
        const outBlock = outputOnHeap(backend, 'f64', 2 * nImages);
        const outFBlock = outputOnHeap(backend, 'f64', 2 * nImages);
        k.sampleMomentsU8(outBlock.view(), input.view(), nImages, size);
        k.sampleMomentsF32(outFBlock.view(), inputF.view(), nImages, size);
        const [out, outF] = [outBlock.view(), outFBlock.view()];
        for (let i = 0; i < nImages; i++) {
          const [ref] = referenceChannelStats(x.subarray(i * size, (i + 1) * size), 1);
          expect(relativeError(out[2 * i], ref.mean)).toBeLessThan(1e-12);
          expect(Math.abs(out[2 * i + 1] - ref.std)).toBeLessThan(1e-12 * (1 + ref.std));
          const [refF] = referenceChannelStats(xf.subarray(i * size, (i + 1) * size), 1);
          expect(Math.abs(outF[2 * i] - refF.mean)).toBeLessThan(1e-12 * (1 + refF.std));
          expect(Math.abs(outF[2 * i + 1] - refF.std)).toBeLessThan(1e-12 * (1 + refF.std));
        }
        for (const b of [input, inputF]) b.free();
        outBlock.free();
        outFBlock.free();
      }
    });

    it('agrees with the TypeScript reference on the same input', () => {
      const x = randomFloats(3 * 1001, 99, -2, 9);
      const input = onHeap(backend, x, 1);
      const out = backend.heap.block('f64', 18);
      poison(out.view);
      k.momentsF32(out.view, input.view(), x.length, 3);
      const expected = poison(new Float64Array(18));
      reference.momentsF32(expected, x, x.length, 3);
      expect(expected.some(Number.isNaN)).toBe(false);
      for (let i = 0; i < 18; i++) expect(relativeError(out.view[i], expected[i])).toBeLessThan(1e-12);
      input.free();
      out.free();
    });

    it('one MNIST-sized pass (47,040,000 u8) gives the float64 mean and std to 1e-9 relative', () => {
      const n = 60_000 * 28 * 28;
      const x = new Uint8Array(n);
      // MNIST-like: mostly zeros, some ink, deterministic.
      let s = 12345;
      for (let i = 0; i < n; i++) {
        s = (Math.imul(s, 1103515245) + 12345) >>> 0;
        x[i] = s >>> 29 === 0 ? s >>> 21 : 0;
      }
      let sum = 0;
      for (let i = 0; i < n; i++) sum += x[i];
      const mean = sum / n;
      let ss = 0;
      for (let i = 0; i < n; i++) ss += (x[i] - mean) * (x[i] - mean);
      const m = kernelMoments(backend, x, 1);
      expect(m.count[0]).toBe(n);
      expect(relativeError(m.mean[0], mean)).toBeLessThan(1e-9);
      expect(relativeError(m.std(0), Math.sqrt(ss / n))).toBeLessThan(1e-9);
    });

    it('calling a statistics kernel 10,000 times does not grow kernel memory after the first call', () => {
      const input = onHeap(backend, randomBytes(3 * 101, 5));
      const out = backend.heap.block('f64', 18);
      k.momentsU8(out.view, input.view(), 303, 3);
      const bytes = backend.heap.byteLength;
      for (let i = 0; i < 10_000; i++) k.momentsU8(out.view, input.view(), 303, 3);
      expect(backend.heap.byteLength).toBe(bytes);
      input.free();
      out.free();
    });
  });
}
