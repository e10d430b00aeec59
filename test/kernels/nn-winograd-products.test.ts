// The Winograd tile products alone (winogradMultiply forward and adjoint, winogradKernelGradient) on every backend,
// against float64 matrix products of the same planes: the wasm kernels run their own micro-kernels (4×8 register
// blocks over packed panels, assembly/winograd.ts) with edge paths for rows past a multiple of 4 and columns past a
// multiple of 8, and fall back to the gemm when an operand is larger than their panels; these sizes reach each path.
//
// The bound: each element is a sum of k products, summed in f32 in some order (sequentially in the wasm kernels,
// fused multiply-adds in the relaxed build, float64 in the TypeScript twin), so (Higham §3.1)
//   |ŷ − y| ≤ γ_(k+1) · Σ_p |a_p · b_p|   (one more rounding where the kernel gradient adds to dU).
import { describe, expect, it } from 'vitest';
import { winogradPlaneStride, winogradPlanesFloats } from '../../src/kernels/winograd.js';
import { backends, onHeap, randomFloats } from '../helpers.js';

const U = 2 ** -24;
const gamma = (n: number) => (n * U) / (1 - n * U);
const SENTINEL = 12345.5;

// [tiles, channels, filters]: the tutorial's block (36 × 32 → 64); rows and columns off the register block; one of
// everything; no tiles; and planes too large for the packed panels (k·n > 16,384 floats both ways: the gemm fallback).
const SIZES: [number, number, number][] = [[36, 32, 64], [5, 17, 9], [7, 3, 13], [1, 1, 1], [0, 4, 4], [6, 120, 140]];

/** Σ_p a(i, p)·b(p, j) and Σ_p |a(i, p)·b(p, j)| in float64, for 36 planes. */
function products(a: Float32Array, aPlane: number, b: Float32Array, bPlane: number, rows: number, cols: number,
  k: number, at: (i: number, p: number) => number, bt: (p: number, j: number) => number) {
  const value = new Float64Array(36 * rows * cols), scale = new Float64Array(36 * rows * cols);
  for (let e = 0; e < 36; e++) {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        let s = 0, sa = 0;
        for (let p = 0; p < k; p++) {
          const t = a[e * aPlane + at(i, p)] * b[e * bPlane + bt(p, j)];
          s += t;
          sa += Math.abs(t);
        }
        value[(e * rows + i) * cols + j] = s;
        scale[(e * rows + i) * cols + j] = sa;
      }
    }
  }
  return { value, scale };
}

function check(got: Float32Array, plane: number, rows: number, cols: number, value: Float64Array, scale: Float64Array,
  bound: number, start?: Float32Array): void {
  for (let e = 0; e < 36; e++) {
    for (let r = 0; r < rows * cols; r++) {
      const i = e * rows * cols + r;
      const expected = (start ? start[e * plane + r] : 0) + value[i];
      const allowed = bound * (scale[i] + (start ? Math.abs(start[e * plane + r]) : 0));
      const x = got[e * plane + r];
      if (!(Math.abs(x - expected) <= allowed)) expect.fail(`plane ${e}, element ${r}: ${x}, expected ${expected} ± ${allowed}`);
    }
    // Between a plane's rows·cols floats and the next plane nothing is written.
    for (let r = rows * cols; r < plane; r++) {
      if (!Number.isNaN(got[e * plane + r])) expect.fail(`plane ${e}: padding float ${r} written (${got[e * plane + r]})`);
    }
  }
}

for (const backend of backends) {
  const k = backend.kernels;
  describe(`Winograd tile products (${backend.name})`, () => {
    for (const [tiles, channels, filters] of SIZES) {
      const label = `${tiles} tiles, ${channels} channels → ${filters} filters`;
      const uPlane = winogradPlaneStride(channels, filters);
      const uData = randomFloats(winogradPlanesFloats(channels, filters), 31);

      for (const adjoint of [false, true]) {
        it(`${adjoint ? 'adjoint: input[e] · U[e]ᵀ' : 'forward: input[e] · U[e]'} equals float64 within γ(k + 1), ${label}`, () => {
          const inCols = adjoint ? filters : channels, outCols = adjoint ? channels : filters;
          const inPlane = winogradPlaneStride(tiles, inCols), outPlane = winogradPlaneStride(tiles, outCols);
          const x = randomFloats(winogradPlanesFloats(tiles, inCols), adjoint ? 33 : 32);
          const input = onHeap(backend, x, 1);
          const u = onHeap(backend, uData, 3);
          const outFloats = winogradPlanesFloats(tiles, outCols);
          const out = onHeap(backend, new Float32Array(outFloats + 4).fill(NaN).fill(SENTINEL, outFloats), 2);
          k.winogradMultiply(out.view(), input.view(), u.view(), tiles, channels, filters, adjoint);
          const { value, scale } = products(x, inPlane, uData, uPlane, tiles, outCols, inCols, (i, p) => i * inCols + p,
            adjoint ? (p, j) => j * filters + p : (p, j) => p * filters + j);
          const got = out.view();
          check(got, outPlane, tiles, outCols, value, scale, gamma(inCols + 1));
          for (let i = outFloats; i < outFloats + 4; i++) expect(got[i]).toBe(SENTINEL);
          for (const block of [input, u, out]) block.free();
        });
      }

      for (const accumulate of [false, true]) {
        it(`kernel gradient: dU[e] ${accumulate ? '+' : ''}= V[e]ᵀ · dM[e] equals float64 within γ(T + 2), ${label}`, () => {
          const vPlane = winogradPlaneStride(tiles, channels), mPlane = winogradPlaneStride(tiles, filters);
          const vData = randomFloats(winogradPlanesFloats(tiles, channels), 34);
          const mData = randomFloats(winogradPlanesFloats(tiles, filters), 35);
          const duFloats = winogradPlanesFloats(channels, filters);
          // dU's padding between planes is NaN (must stay unwritten); its elements start at random values to add to.
          const start = new Float32Array(duFloats).fill(NaN);
          const initial = randomFloats(duFloats, 36);
          for (let e = 0; e < 36; e++) start.set(initial.subarray(e * uPlane, e * uPlane + channels * filters), e * uPlane);
          const du = onHeap(backend, new Float32Array(duFloats + 4).fill(SENTINEL), 1);
          du.view().set(accumulate ? start : new Float32Array(duFloats).fill(NaN));
          const v = onHeap(backend, vData, 2);
          const m = onHeap(backend, mData, 3);
          k.winogradKernelGradient(du.view(), v.view(), m.view(), tiles, channels, filters, accumulate);
          const { value, scale } = products(vData, vPlane, mData, mPlane, channels, filters, tiles,
            (i, p) => p * channels + i, (p, j) => p * filters + j);
          const got = du.view();
          check(got, uPlane, channels, filters, value, scale, gamma(tiles + 2), accumulate ? start : undefined);
          for (let i = duFloats; i < duFloats + 4; i++) expect(got[i]).toBe(SENTINEL);
          for (const block of [du, v, m]) block.free();
        });
      }
    }
  });
}
