// The kernel interface both backends implement: src/kernels/*.ts in plain TypeScript (the readable specification,
// and the fallback) and assembly/*.ts compiled to WebAssembly SIMD (src/runtime/wasm-kernels.ts adapts it).
// Arguments are ordered outputs first, then inputs, then sizes. Kernels allocate nothing. For the wasm backend every
// array must be a view into the backend's heap (HeapBlock.view).
import type { NnKernels } from './nn-types.js';

export interface Kernels extends NnKernels {
  /** out[i] = fround(fround(input[i] * scale) + offset) for i < n. */
  scaleU8(out: Float32Array, input: Uint8Array, n: number, scale: number, offset: number): void;
  scaleF32(out: Float32Array, input: Float32Array, n: number, scale: number, offset: number): void;
  /** out[i] = input[i] * mul[i % channels] + add[i % channels] in f32, n a multiple of channels (1..4). */
  affineU8(out: Float32Array, input: Uint8Array, n: number, channels: number, mul: Float32Array, add: Float32Array): void;
  affineF32(out: Float32Array, input: Float32Array, n: number, channels: number, mul: Float32Array, add: Float32Array): void;
  /** Per channel c: out[6c .. 6c + 5] = count, mean, m2 (sum of squared deviations), min, max, nonFinite. */
  momentsU8(out: Float64Array, input: Uint8Array, n: number, channels: number): void;
  momentsF32(out: Float64Array, input: Float32Array, n: number, channels: number): void;
  /** Per image i: out[2i] = mean, out[2i + 1] = population std, over all imageSize values of the image. */
  sampleMomentsU8(out: Float64Array, input: Uint8Array, nImages: number, imageSize: number): void;
  sampleMomentsF32(out: Float64Array, input: Float32Array, nImages: number, imageSize: number): void;
  /** For k < count: out[k·rowBytes ..] = source[indices[k]·rowBytes ..] (rows of rowBytes bytes). */
  gatherRows(out: Uint8Array, source: Uint8Array, indices: Int32Array, count: number, rowBytes: number): void;
  /** Givens rotations i = m−1 … l on rows (i, i+1) of the n×n float64 z (the QL sweeps of src/linalg/eigen.ts). */
  rotateRowsF64(z: Float64Array, n: number, l: number, m: number, cosines: Float64Array, sines: Float64Array): void;
  /** The Householder tridiagonalisation's loops at step i (src/kernels/linalg.ts says what each does). */
  tred2SymvF64(z: Float64Array, n: number, i: number, d: Float64Array, e: Float64Array): void;
  tred2Rank2F64(z: Float64Array, n: number, i: number, d: Float64Array, e: Float64Array): void;
  tred2AccumulateF64(z: Float64Array, n: number, i: number, d: Float64Array): void;
  /** A block of rows of the upper triangle of U·diag(gains)·Uᵀ, accumulated into acc (ZCA's W). */
  gramBlockF64(acc: Float64Array, rows: Float64Array, gains: Float64Array, D: number, i0: number, i1: number): void;
  /**
   * Augmentation's warp (src/kernels/warp.ts): nImages images through their inverse affine maps (params, 8 f64 per
   * image), fill mode 0..3, spline order 0 or 1, then out = f32(v·mul[c]) + add[c]; planar: NCHW, else NHWC.
   */
  warpU8(out: Float32Array, input: Uint8Array, params: Float64Array, nImages: number, height: number, width: number,
    channels: number, planar: boolean, mode: number, order: number, cval: number, mul: Float32Array, add: Float32Array): void;
  warpF32(out: Float32Array, input: Float32Array, params: Float64Array, nImages: number, height: number, width: number,
    channels: number, planar: boolean, mode: number, order: number, cval: number, mul: Float32Array, add: Float32Array): void;
  /** PIL's resampling on 8-bit HWC images (src/kernels/resize.ts): nearest by row/column tables, and the two passes. */
  resizeNearestU8(out: Uint8Array, input: Uint8Array, rows: Int32Array, cols: Int32Array, outHeight: number,
    outWidth: number, inWidth: number, channels: number): void;
  resampleHorizontalU8(out: Uint8Array, input: Uint8Array, bounds: Int32Array, weights: Int32Array, taps: number,
    rows: number, firstRow: number, inWidth: number, outWidth: number, channels: number): void;
  resampleVerticalU8(out: Uint8Array, input: Uint8Array, bounds: Int32Array, weights: Int32Array, taps: number,
    outHeight: number, rowLength: number): void;
}

/** Number of f64 fields per channel in a moments result. */
export const MOMENT_FIELDS = 6;
