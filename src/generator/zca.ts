// ZCA whitening, the math half: a streaming, mergeable covariance of flattened images, the whitening matrix
// W = U·diag(1/sqrt(S + ε))·Uᵀ from its float64 eigendecomposition, and W applied to a batch (its JSON form: src/base64.ts).
//
// Keras needs the whole data set in memory and takes an SVD of a float32 covariance. Here the covariance is folded in
// chunk by chunk: each chunk is centred on its own mean, its co-moment Xcᵀ·Xc comes from the gemm kernel in f32 (a
// sum over at most `chunkRows` products, so f32 stays accurate), and chunks are combined in float64 with Chan et al.'s
// pairwise formula. Any split of the data, and any merge order, gives the one-pass result to rounding, and 60,000
// images lose nothing to a running f32 sum. Memory is O(D²) plus one chunk, never O(n·D).
import { currentBackend, type Backend } from '../runtime/backend.js';
import type { HeapBlock } from '../runtime/heap.js';
import { describeValue } from '../errors.js';
import { symmetricEigenRows } from '../linalg/eigen.js';

/** Default cap on the memory ZCA may need (2 GiB); the D×D matrices grow with the square of the image size. */
export const ZCA_DEFAULT_MAX_BYTES = 2 ** 31;
/** Rows per gemm call: large enough to keep the kernel busy, small enough that an f32 sum of products stays exact-ish. */
export const ZCA_DEFAULT_CHUNK_ROWS = 512;
const F32_MAX = 3.4028234663852886e38;

export interface CovarianceOptions {
  /** Images per gemm call (default 512). */
  chunkRows?: number;
  /** Refuse image sizes whose ZCA would need more bytes than this (default 2 GiB). */
  maxBytes?: number;
}

/**
 * Bytes ZCA needs for D features: the float64 co-moment, the float64 sigma and eigenvectors during `finish`
 * (8·D² each), the f32 chunk product in the kernel heap and the f32 W (4·D² each), plus one f32 chunk.
 */
export function zcaBytesNeeded(features: number, chunkRows = ZCA_DEFAULT_CHUNK_ROWS): number {
  return 32 * features * features + 4 * chunkRows * features;
}

export class CovarianceAccumulator {
  /** D = height·width·channels, the length of one flattened image. */
  readonly features: number;
  /** Images folded in so far. */
  count = 0;
  /** Per-pixel mean (length D), float64. */
  readonly mean: Float64Array;
  /** Co-moment Σ(x − mean)(x − mean)ᵀ (D×D row-major, float64); symmetric up to f32 rounding of the chunk products. */
  readonly comoment: Float64Array;
  readonly chunkRows: number;

  private readonly backend: Backend;
  private chunkMean: Float64Array;
  private centred: HeapBlock<'f32'> | null = null;
  private product: HeapBlock<'f32'> | null = null;

  constructor(readonly height: number, readonly width: number, readonly channels: number, options: CovarianceOptions = {}) {
    for (const [name, value] of [['height', height], ['width', width], ['channels', channels]] as const) {
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(`CovarianceAccumulator: \`${name}\` must be a positive integer. Received: ${name}=${describeValue(value)}`);
      }
    }
    const chunkRows = options.chunkRows ?? ZCA_DEFAULT_CHUNK_ROWS;
    if (!Number.isInteger(chunkRows) || chunkRows < 1) {
      throw new RangeError(`CovarianceAccumulator: \`chunkRows\` must be a positive integer. Received: chunkRows=${describeValue(chunkRows)}`);
    }
    const maxBytes = options.maxBytes ?? ZCA_DEFAULT_MAX_BYTES;
    const features = height * width * channels;
    const needed = zcaBytesNeeded(features, chunkRows);
    if (needed > maxBytes) {
      throw new RangeError(
        `ZCA whitening needs about ${needed} bytes (${(needed / 2 ** 20).toFixed(0)} MiB) for images of ` +
        `D = h·w·c = ${height}·${width}·${channels} = ${features} features (its D×D covariance and whitening matrices), ` +
        `more than the limit of ${maxBytes} bytes. Use smaller images (memory grows as D²) or raise maxBytes.`);
    }
    this.features = features;
    this.chunkRows = chunkRows;
    this.mean = new Float64Array(features);
    this.comoment = new Float64Array(features * features);
    this.chunkMean = new Float64Array(features);
    this.backend = currentBackend();
    // Allocated now, not in add: growing the heap there would detach a `rows` argument that is itself a heap view.
    this.reserve();
  }

  /**
   * Folds in n flattened images: rows[i·D .. i·D + D−1] is image i, already rescaled to floats. `rows` may be any
   * Float32Array, a heap view included (add allocates nothing unless the accumulator was disposed). Throws on NaN or
   * ±Infinity (naming the image and position) before anything is folded in, so the statistics stay as they were.
   */
  add(rows: Float32Array, n: number): this {
    const D = this.features;
    if (!Number.isInteger(n) || n < 0) {
      throw new RangeError(`CovarianceAccumulator.add: n must be a non-negative integer. Received: n=${describeValue(n)}`);
    }
    if (!(rows instanceof Float32Array) || rows.length < n * D) {
      throw new RangeError(`CovarianceAccumulator.add: rows must be a Float32Array of at least n·D = ${n}·${D} = ${n * D} ` +
        `values. Received: ${rows instanceof Float32Array ? `length ${rows.length}` : describeValue(rows)}`);
    }
    if (n === 0) return this;
    this.reserve();
    // Validate everything before touching the statistics, so a bad image in chunk 3 does not leave chunks 1–2 in.
    this.checkFinite(rows, n);
    for (let start = 0; start < n; start += this.chunkRows) {
      this.addChunk(rows, start, Math.min(this.chunkRows, n - start));
    }
    return this;
  }

  /**
   * An accumulator holding given sums (count, per-pixel mean, co-moment), as written by another process: what
   * ImageDataGenerator.fromJSON restores so that merge and partialFit can go on from them. Holds no kernel memory
   * until images are added.
   */
  static fromSums(height: number, width: number, channels: number, count: number, mean: Float64Array, comoment: Float64Array): CovarianceAccumulator {
    const acc = new CovarianceAccumulator(height, width, channels);
    acc.dispose();
    const D = acc.features;
    if (mean.length !== D || comoment.length !== D * D) {
      throw new RangeError(`CovarianceAccumulator.fromSums: mean must hold D = ${D} values and comoment D·D = ${D * D}. ` +
        `Received: lengths ${mean.length} and ${comoment.length}`);
    }
    acc.count = count;
    acc.mean.set(mean);
    acc.comoment.set(comoment);
    return acc;
  }

  /** A copy of the sums (no kernel memory), so that a merge into the copy leaves this one as it was. */
  clone(): CovarianceAccumulator {
    return CovarianceAccumulator.fromSums(this.height, this.width, this.channels, this.count, this.mean, this.comoment);
  }

  /** Folds another accumulator's statistics into this one (Chan et al.), as if its images had been added here. */
  merge(other: CovarianceAccumulator): this {
    if (other.features !== this.features) {
      throw new RangeError(`CovarianceAccumulator.merge: cannot merge statistics of ${other.features} features into ` +
        `statistics of ${this.features} features`);
    }
    this.fold(other.count, other.mean, other.comoment);
    return this;
  }

  /**
   * Keras' sigma = flatᵀ·flat / n with flat = x minus the PER-CHANNEL mean (featurewise_center), in float64:
   * Cov + (p − μ)(p − μ)ᵀ, p the per-pixel mean, μ the channel mean broadcast to every pixel of that channel
   * (NHWC flattening: feature i belongs to channel i mod channels).
   */
  sigma(channelMean: Float64Array, channels: number): Float64Array {
    const D = this.features;
    if (this.count === 0) throw new Error('ZCA whitening: no images were added before computing the covariance');
    if (channels !== this.channels) {
      throw new RangeError(`ZCA whitening: channels must match the accumulator's ${this.channels}. Received: channels=${channels}`);
    }
    if (channelMean.length !== channels) {
      throw new RangeError(`ZCA whitening: channelMean must hold ${channels} values. Received: length ${channelMean.length}`);
    }
    for (let c = 0; c < channels; c++) {
      if (!Number.isFinite(channelMean[c])) {
        throw new RangeError(`ZCA whitening: channelMean must be finite. Received: channelMean[${c}]=${channelMean[c]}`);
      }
    }
    const q = new Float64Array(D);
    for (let i = 0; i < D; i++) q[i] = this.mean[i] - channelMean[i % channels];
    const sigma = new Float64Array(D * D);
    const C = this.comoment;
    const scale = 0.5 / this.count;
    // The chunk products are symmetric only up to f32 rounding; averaging C and Cᵀ gives an exactly symmetric sigma.
    for (let i = 0; i < D; i++) {
      const qi = q[i];
      for (let j = 0; j <= i; j++) {
        const v = (C[i * D + j] + C[j * D + i]) * scale + qi * q[j];
        sigma[i * D + j] = v;
        sigma[j * D + i] = v;
      }
    }
    return sigma;
  }

  /**
   * The ZCA matrix W = U·diag(1/sqrt(S + ε))·Uᵀ (D×D, symmetric, f32) of sigma (see `sigma`). U, S come from the
   * float64 eigendecomposition; |S| is used, which is exactly what Keras' SVD of the (PSD) sigma gives, so a
   * rounding-level negative eigenvalue cannot produce NaN.
   */
  finish(channelMean: Float64Array, channels: number, epsilon: number): Float32Array {
    if (typeof epsilon !== 'number' || !Number.isFinite(epsilon) || epsilon <= 0) {
      throw new RangeError(`\`zcaEpsilon\` must be a positive finite number. Received: zcaEpsilon=${describeValue(epsilon)}`);
    }
    const D = this.features;
    const { values, rows } = symmetricEigenRows(this.sigma(channelMean, channels), D);
    const gains = new Float64Array(D);
    for (let k = 0; k < D; k++) gains[k] = 1 / Math.sqrt(Math.abs(values[k]) + epsilon);
    return whiteningMatrix(rows, gains, D);
  }

  /** Returns the kernel-heap buffers; the statistics stay usable (merge, sigma, finish), and a later add allocates again. */
  dispose(): void {
    this.centred?.free();
    this.product?.free();
    this.centred = null;
    this.product = null;
  }

  /**
   * Allocates the kernel-heap buffers add needs (after dispose, say). Call it before taking heap views to pass to
   * add: allocating may grow the heap, which replaces its buffer and detaches older views.
   */
  reserve(): void {
    const heap = this.backend.heap;
    const D = this.features;
    this.product ??= heap.block('f32', D * D);
    this.centred ??= heap.block('f32', this.chunkRows * D);
  }

  private checkFinite(rows: Float32Array, n: number): void {
    const D = this.features;
    const length = n * D;
    let largest = 0;
    for (let i = 0; i < length; i++) {
      const v = rows[i];
      // v − v is 0 for finite v and NaN for NaN or ±Infinity: one test per value.
      if (v - v !== 0) {
        throw new RangeError(`ZCA whitening: images must be finite. Received: ${v} in image ${Math.floor(i / D)} at ` +
          `flattened position ${i % D} (of D = ${this.height}·${this.width}·${this.channels} = ${D})`);
      }
      largest = Math.max(largest, Math.abs(v));
    }
    // A chunk product sums chunkRows squares in f32; refuse values whose sum could overflow rather than return ∞.
    const limit = Math.sqrt(F32_MAX / (4 * this.chunkRows));
    if (largest > limit) {
      throw new RangeError(`ZCA whitening: pixel values up to ${largest} would overflow the float32 covariance ` +
        `(the limit is ${limit.toPrecision(3)} for chunks of ${this.chunkRows} images); rescale the images first`);
    }
  }

  // One chunk: its mean in f64, its centred rows in f32 in the heap, Xcᵀ·Xc by gemm, then a Chan merge.
  private addChunk(rows: Float32Array, start: number, m: number): void {
    const D = this.features;
    const mean = this.chunkMean;
    mean.fill(0);
    for (let r = 0; r < m; r++) {
      const base = (start + r) * D;
      for (let j = 0; j < D; j++) mean[j] += rows[base + j];
    }
    for (let j = 0; j < D; j++) mean[j] /= m;

    const xc = this.centred!.view;
    for (let r = 0; r < m; r++) {
      const base = (start + r) * D;
      const out = r * D;
      for (let j = 0; j < D; j++) xc[out + j] = rows[base + j] - mean[j];
    }
    const product = this.product!.view;
    // C (D×D) = Xcᵀ (D×m) · Xc (m×D): A = Xc stored m×D, transposed.
    this.backend.kernels.gemm(product, xc, xc, D, D, m, true, false, false);
    this.fold(m, mean, product);
  }

  // Chan et al.: C = Ca + Cb + δδᵀ·na·nb/n and mean += δ·nb/n, with δ = mean_b − mean_a, all in float64.
  private fold(nb: number, meanB: Float64Array, comomentB: Float32Array | Float64Array): void {
    if (nb === 0) return;
    const D = this.features;
    const na = this.count;
    const n = na + nb;
    const C = this.comoment;
    const delta = new Float64Array(D);
    for (let j = 0; j < D; j++) delta[j] = meanB[j] - this.mean[j];
    const weight = (na * nb) / n;
    for (let i = 0; i < D; i++) {
      const wi = delta[i] * weight;
      const row = i * D;
      for (let j = 0; j < D; j++) C[row + j] += comomentB[row + j] + wi * delta[j];
    }
    const fraction = nb / n;
    for (let j = 0; j < D; j++) this.mean[j] += delta[j] * fraction;
    this.count = n;
  }
}

/**
 * W = Σ_k g_k·u_k·u_kᵀ for unit eigenvectors u_k (row k of `rows`), in float64, rounded once to f32. Only the upper
 * triangle is computed (W is symmetric) and rows of W are built a block at a time (kernel gramBlockF64) so that each
 * eigenvector row is read once per block rather than once per row of W: at D = 3072 the eigenvectors (75 MB) do not
 * fit in cache.
 */
function whiteningMatrix(eigenvectors: Float64Array, eigenGains: Float64Array, D: number): Float32Array {
  const W = new Float32Array(D * D);
  const BLOCK = 16;
  const { heap, kernels } = currentBackend();
  const blocks = [heap.block('f64', D * D), heap.block('f64', D), heap.block('f64', BLOCK * D)];
  try {
    const [rows, gains, acc] = blocks.map((b) => b.view); // after the last allocation: the views stay valid
    rows.set(eigenvectors);
    gains.set(eigenGains);
    for (let i0 = 0; i0 < D; i0 += BLOCK) {
      const i1 = Math.min(D, i0 + BLOCK);
      acc.fill(0);
      kernels.gramBlockF64(acc, rows, gains, D, i0, i1);
      for (let i = i0; i < i1; i++) {
        const a = (i - i0) * D;
        for (let j = i; j < D; j++) {
          const v = acc[a + j];
          W[i * D + j] = v;
          W[j * D + i] = v;
        }
      }
    }
    return W;
  } finally {
    for (const b of blocks) b.free();
  }
}

/**
 * out = x · W for n flattened, already centred rows (n×D times D×D), by the backend's gemm kernel. All three arrays
 * must be views into `currentBackend().heap` when the backend is wasm-simd; out must not overlap x or W.
 */
export function applyZca(out: Float32Array, x: Float32Array, n: number, W: Float32Array, D: number): void {
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(D) || D < 0) {
    throw new RangeError(`applyZca: n and D must be non-negative integers. Received: n=${describeValue(n)}, D=${describeValue(D)}`);
  }
  if (W.length !== D * D) throw new RangeError(`applyZca: W must hold D·D = ${D * D} values. Received: length ${W.length}`);
  if (x.length < n * D) throw new RangeError(`applyZca: x must hold n·D = ${n * D} values. Received: length ${x.length}`);
  if (out.length < n * D) throw new RangeError(`applyZca: out must hold n·D = ${n * D} values. Received: length ${out.length}`);
  currentBackend().kernels.gemm(out, x, W, n, D, D, false, false, false);
}
