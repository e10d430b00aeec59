// The tolerances the suite checks outputs with, one per kind of result, each stated in words (printed with the
// case and recorded in the JSON), and the float64 references that need no implementation's code.
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
