// The tolerances the suite checks outputs with, one per kind of result, each stated in words (printed with the
// case and recorded in the JSON), and the float64 references that need no implementation's code.
import { warpCoordinateError, warpValueError } from '../src/kernels/warp.js';
import type { Tolerance } from './runner.js';

/** float32's unit roundoff. */
export const U = 2 ** -24;

/**
 * An elementwise affine map x·scale + offset computed in float32 (one or two roundings, or a fused multiply-add):
 * |out − ref| ≤ 4u·(|ref| + 2|offset|), which covers |x·scale| + |offset| with room for two roundings.
 */
export function affineTolerance(offset: number): Tolerance {
  const o = Math.abs(offset);
  return { text: 'float32 affine map: |out − ref| ≤ 4u·(|ref| + 2|offset|), u = 2⁻²⁴', bound: (ref) => 4 * U * (Math.abs(ref) + 2 * o) };
}

/**
 * Statistics of n values returned as float32 (mean, std): relative 2⁻¹⁶ (about 1.5e-5), room for float32
 * pairwise accumulation (numpy on float32 as Keras does, TF.js) besides the final rounding.
 */
export const STATISTICS: Tolerance = {
  text: 'statistics returned in float32: |out − ref| ≤ 2⁻¹⁶·|ref|',
  bound: (ref) => 2 ** -16 * Math.abs(ref),
};

/**
 * A float32 matrix product of non-negative inputs: |c − ref| ≤ (k + 2)·u·ref, the classic bound for k-term
 * float32 sums (|A|·|B| = ref when every entry is ≥ 0).
 */
export function gemmTolerance(k: number): Tolerance {
  return { text: `float32 product, k = ${k}: |c − ref| ≤ (k + 2)·u·ref, u = 2⁻²⁴`, bound: (ref) => (k + 2) * U * Math.abs(ref) };
}

/** The tutorial network's softmax outputs in float32 through four layers: absolute 1e-5. */
export const PROBABILITIES: Tolerance = {
  text: 'softmax outputs of the float32 network: |p − ref| ≤ 1e-5',
  bound: () => 1e-5,
};

/** A loss computed in float32: relative 1e-5. */
export const LOSS: Tolerance = { text: 'float32 loss: |loss − ref| ≤ 1e-5·|ref|', bound: (ref) => 1e-5 * Math.abs(ref) };

/** x·scale + offset in float64, for every element. */
export function affineReference(x: ArrayLike<number>, scale: number, offset: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] * scale + offset;
  return out;
}

/** [mean, std] (population) of bytes times rescale, exact in float64 for up to 2⁵³ / 255² values. */
export function momentsReference(x: Uint8Array, rescale: number): Float64Array {
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < x.length; i++) {
    sum += x[i];
    squares += x[i] * x[i];
  }
  const n = x.length;
  const mean = sum / n;
  // Σx and Σx² are exact integers in float64 (below 2⁵³ for n < 2⁵³ / 255²); n·Σx² − (Σx)² exactly, in BigInt.
  const variance = Number(BigInt(n) * BigInt(squares) - BigInt(sum) ** 2n) / n / n;
  return Float64Array.from([mean * rescale, Math.sqrt(Math.max(variance, 0)) * rescale]);
}

/** c = op(a)·op(b) in float64 (a is m×k, or k×m transposed; b is k×n, or n×k transposed). */
export function gemmReference(a: Float32Array, b: Float32Array, m: number, n: number, k: number, transA: boolean, transB: boolean): Float64Array {
  const c = new Float64Array(m * n);
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    for (let p = 0; p < k; p++) {
      const aip = transA ? a[p * m + i] : a[i * k + p];
      if (aip === 0) continue;
      if (transB) for (let j = 0; j < n; j++) row[j] += aip * b[j * k + p];
      else {
        const base = p * n;
        for (let j = 0; j < n; j++) row[j] += aip * b[base + j];
      }
    }
    c.set(row, i * n);
  }
  return c;
}

/**
 * The bilinear warp under 'nearest' fill in float64 (augmentation's peers): n one-channel h×w images, 8 numbers per
 * image as the warp kernel takes them (flips must be 0). Written from scipy's definition (order 1 spline; a
 * coordinate outside [0, n − 1] clamped to it), not from the kernels' code.
 */
export function warpReference(images: Uint8Array, params: Float64Array, n: number, h: number, w: number): Float64Array {
  const out = new Float64Array(n * h * w);
  const clamp = (v: number, last: number) => Math.min(Math.max(v, 0), last);
  for (let img = 0; img < n; img++) {
    const [m00, m01, s0, m10, m11, s1] = params.subarray(img * 8, img * 8 + 6);
    const x = images.subarray(img * h * w, (img + 1) * h * w);
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++) {
        const y = clamp(r * m00 + c * m01 + s0, h - 1);
        const xx = clamp(r * m10 + c * m11 + s1, w - 1);
        const y0 = Math.floor(y);
        const x0 = Math.floor(xx);
        const y1 = Math.min(y0 + 1, h - 1);
        const x1 = Math.min(x0 + 1, w - 1);
        const fy = y - y0;
        const fx = xx - x0;
        out[(img * h + r) * w + c] = (1 - fy) * ((1 - fx) * x[y0 * w + x0] + fx * x[y0 * w + x1])
          + fy * ((1 - fx) * x[y1 * w + x0] + fx * x[y1 * w + x1]);
      }
    }
  }
  return out;
}

/**
 * pixprep's warp against float64: the bound src/kernels/warp.ts derives for float32 coordinates, per image
 * (L·(δy + δx) + 12u·255, L = 255). `slack` multiplies the coordinate errors, for a peer that rounds more often.
 */
export function warpTolerance(params: Float64Array, h: number, w: number, slack = 1, text?: string): Tolerance {
  const n = params.length / 8;
  const bounds = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const e = warpCoordinateError(params, i * 8, h, w, 0);
    bounds[i] = warpValueError(255, 255, { y: slack * e.y, x: slack * e.x });
  }
  return {
    text: text ?? 'float32 coordinates (src/kernels/warp.ts): |out − ref| ≤ 255·(δy + δx) + 12u·255, δ = u·(2|row term| + 3|column term|)',
    bound: (_ref, i) => bounds[Math.floor(i / (h * w))],
  };
}

/** A warp computed in float64 and rounded once to float32 (scipy's): |out − ref| ≤ 2u·255. */
export const WARP_FLOAT64: Tolerance = { text: 'float64 warp rounded to float32: |out − ref| ≤ 2u·255', bound: () => 2 * U * 255 };
