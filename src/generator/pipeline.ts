// The scaling pipeline of ImageDataGenerator.standardize, for a run of images: gather them from the caller's
// array into kernel memory, run the preprocessing function if any, then one fused affine kernel per batch (or per
// image when samplewise steps make the coefficients per image). Keras' order of steps (docs/keras-semantics.md):
//   preprocessingFunction → rescale → samplewise center → samplewise std → featurewise center → featurewise std
//   → ZCA (x·W, a matrix product per batch)
// All of it folds into y = x·mul + add per (image, channel), with mul and add computed in float64:
//   y = ((r·x − a_i) / b_i − M_c) / D_c,  a_i = sample mean, b_i = sample std + 1e-6, M_c = mean, D_c = std + 1e-6
// so the data is read once and written once, whatever the options.
import type { Backend } from '../runtime/backend.js';
import type { HeapBlock } from '../runtime/heap.js';
import type { Scratch } from '../runtime/scratch.js';
import type { ImageSource } from './image-set.js';
import type { ImageView, ResolvedOptions } from './options.js';
import type { Augmenter } from './augmenter.js';
import { WARP_PARAMS } from '../kernels/warp.js';

export const EPSILON = 1e-6;
// Images per kernel round: ~4 MiB of float output, so staging stays cache-friendly and scratch stays small.
const CHUNK_BYTES = 4 << 20;

export interface ScalingPlan {
  rescale: number;
  samplewiseCenter: boolean;
  samplewiseStdNormalization: boolean;
  /** Per channel, in rescaled units; null when that featurewise step is off. */
  featureMean: Float64Array | null;
  featureStd: Float64Array | null;
  preprocessingFunction: ResolvedOptions['preprocessingFunction'];
  /** The ZCA matrix W (D×D, in kernel memory), applied last as x·W; null without zcaWhitening. */
  zca: HeapBlock<'f32'> | null;
}

/**
 * Augmentation in the pipeline: the random transforms of a flow, applied between the gather and the scaling
 * (Keras: random_transform, then standardize). See augmenter.ts.
 */
export interface WarpStage {
  readonly augmenter: Augmenter;
  /** Writes the transforms of the images at positions from..to (kernel params, as images 0..k−1) into params. */
  draw(params: Float64Array, from: number, to: number): void;
}

/** Allocates the working memory for runs of `images` images now, so that scaling them later grows nothing. */
export function reserveScaling(scratch: Scratch, plan: ScalingPlan, source: ImageSource, images: number, warp: WarpStage | null = null): void {
  const k = Math.min(images, chunkImages(source));
  if (warp) {
    if (source.bytes) scratch.get('pipeline.staging', 'u8', k * source.imageSize);
    else scratch.get('pipeline.warp.in', 'f32', k * source.imageSize);
    scratch.get('pipeline.warp.params', 'f64', k * WARP_PARAMS);
    scratch.get('pipeline.one', 'f32', source.channels);
    scratch.get('pipeline.zero', 'f32', source.channels);
    if (plan.preprocessingFunction) scratch.get('pipeline.warp.out', 'f32', k * source.imageSize);
  }
  if (source.bytes && plan.preprocessingFunction == null) scratch.get('pipeline.staging', 'u8', k * source.imageSize);
  scratch.get('pipeline.out', 'f32', k * source.imageSize);
  const samplewise = plan.samplewiseCenter || plan.samplewiseStdNormalization;
  const coefficientCount = samplewise ? k * source.channels : source.channels;
  if (samplewise) scratch.get('pipeline.samples', 'f64', 2 * k);
  scratch.get('pipeline.mul', 'f32', coefficientCount);
  scratch.get('pipeline.add', 'f32', coefficientCount);
  if (plan.zca) scratch.get('pipeline.zca', 'f32', k * source.imageSize);
}

function chunkImages(source: ImageSource): number {
  return Math.max(1, Math.floor(CHUNK_BYTES / (source.imageSize * 4)));
}

/** Copies the images at positions from..to (of whatever order the caller follows) into out, dense. */
export type Gather = (out: Uint8Array | Float32Array, from: number, to: number) => void;

/**
 * Scales the images at positions from..to, fetched by `gather`, into dest[destOffset ..], float32, in the source's
 * layout. dest may be a view into the backend heap (the kernels then write straight into it) or any Float32Array.
 * `scratch` is the caller's own (a generator's or a flow's), never shared with another object.
 */
export function scaleImages(
  backend: Backend, scratch: Scratch, plan: ScalingPlan, source: ImageSource, gather: Gather, from: number, to: number,
  dest: Float32Array, destOffset: number, warp: WarpStage | null = null,
): void {
  const size = source.imageSize;
  const chunk = chunkImages(source);
  const inHeap = dest.buffer === backend.heap.memory.buffer;
  for (let start = from; start < to; start += chunk) {
    const end = Math.min(to, start + chunk);
    const k = end - start;
    // A preprocessingFunction is user code: it may allocate kernel memory (another generator's standardize), which
    // would move every heap view. So its images are gathered (and warped: Keras' random_transform comes before
    // standardize, whose first step is the preprocessing function) and preprocessed in a plain array first, and the
    // views below are taken after it has run.
    let preprocessed: Float32Array | null = null;
    if (plan.preprocessingFunction) {
      preprocessed = scratch.floats(k * size);
      if (warp) warpUnscaled(backend, scratch, source, gather, warp, start, end, preprocessed);
      else gather(preprocessed, start, end);
      preprocess(plan.preprocessingFunction, source, preprocessed, k);
    }
    const bytes = source.bytes && plan.preprocessingFunction == null;
    const warping = warp !== null && preprocessed === null;
    const staging = bytes ? scratch.get('pipeline.staging', 'u8', k * size) : null;
    const warpIn = warping && !bytes ? scratch.get('pipeline.warp.in', 'f32', k * size) : null;
    const warpParams = warping ? scratch.get('pipeline.warp.params', 'f64', k * WARP_PARAMS) : null;
    const one = warping ? scratch.get('pipeline.one', 'f32', source.channels) : null;
    const zero = warping ? scratch.get('pipeline.zero', 'f32', source.channels) : null;
    const outBlock = inHeap ? null : scratch.get('pipeline.out', 'f32', k * size);
    const samples = plan.samplewiseCenter || plan.samplewiseStdNormalization ? scratch.get('pipeline.samples', 'f64', 2 * k) : null;
    const coefficientCount = samples ? k * source.channels : source.channels;
    const mulBlock = scratch.get('pipeline.mul', 'f32', coefficientCount);
    const addBlock = scratch.get('pipeline.add', 'f32', coefficientCount);
    const whitened = plan.zca ? scratch.get('pipeline.zca', 'f32', k * size) : null;
    // Views only after every block exists: an allocation may have grown (and so replaced) the heap's buffer.
    if (inHeap && dest.buffer !== backend.heap.memory.buffer) {
      throw new Error(
        'pixprep: the destination batch array was detached because kernel memory grew while scaling (a ' +
          'preprocessingFunction that allocates kernel memory, or views taken before the flow was created); ' +
          'take heap views after creating flows and generators (they reserve their working memory up front)',
      );
    }
    const out = inHeap
      ? dest.subarray(destOffset + (start - from) * size, destOffset + (end - from) * size)
      : outBlock!.view.subarray(0, k * size);
    const input: Uint8Array | Float32Array = bytes ? staging!.view.subarray(0, k * size) : warpIn ? warpIn.view.subarray(0, k * size) : out;

    if (preprocessed !== null) {
      out.set(preprocessed);
      applyAffine(backend, plan, source, out, out, k, samples?.view ?? null, mulBlock.view, addBlock.view);
    } else {
      gather(input, start, end);
      if (warping) {
        // Keras: random_transform, then standardize. With nothing per image in between, the warp kernel applies the
        // scaling itself (one pass from the bytes to the float batch); otherwise it writes the raw warped values.
        const params = warpParams!.view.subarray(0, k * WARP_PARAMS);
        warp!.draw(params, start, end);
        if (!samples && !warp!.augmenter.colour) {
          coefficients(plan, source.channels, null, 0, mulBlock.view, addBlock.view);
          warp!.augmenter.apply(backend.kernels, out, input, params, k, mulBlock.view, addBlock.view);
        } else {
          one!.view.fill(1);
          zero!.view.fill(0);
          warp!.augmenter.apply(backend.kernels, out, input, params, k, one!.view.subarray(0, source.channels), zero!.view.subarray(0, source.channels));
          applyAffine(backend, plan, source, out, out, k, samples?.view ?? null, mulBlock.view, addBlock.view);
        }
      } else {
        applyAffine(backend, plan, source, input, out, k, samples?.view ?? null, mulBlock.view, addBlock.view);
      }
    }
    if (plan.zca && whitened) {
      // Keras: flat(x) · W, after centring; gemm cannot write in place, so through a scratch block.
      const w = whitened.view.subarray(0, k * size);
      backend.kernels.gemm(w, out, plan.zca.view, k, size, size, false, false, false);
      out.set(w);
    }
    if (!inHeap) dest.set(out, destOffset + (start - from) * size);
  }
}

/**
 * Gathers the images at from..to and warps them without scaling (the raw transformed values Keras' random_transform
 * returns) into `into`, a plain array: the preprocessing function runs on it next.
 */
function warpUnscaled(
  backend: Backend, scratch: Scratch, source: ImageSource, gather: Gather, warp: WarpStage, from: number, to: number,
  into: Float32Array,
): void {
  const k = to - from;
  const size = source.imageSize;
  const C = source.channels;
  const inBlock = source.bytes ? scratch.get('pipeline.staging', 'u8', k * size) : scratch.get('pipeline.warp.in', 'f32', k * size);
  const paramsBlock = scratch.get('pipeline.warp.params', 'f64', k * WARP_PARAMS);
  const outBlock = scratch.get('pipeline.warp.out', 'f32', k * size);
  const oneBlock = scratch.get('pipeline.one', 'f32', C);
  const zeroBlock = scratch.get('pipeline.zero', 'f32', C);
  // Views only after every block exists (an allocation may grow the heap).
  const input = inBlock.view.subarray(0, k * size);
  const params = paramsBlock.view.subarray(0, k * WARP_PARAMS);
  const out = outBlock.view.subarray(0, k * size);
  const one = oneBlock.view.subarray(0, C).fill(1);
  const zero = zeroBlock.view.subarray(0, C).fill(0);
  gather(input, from, to);
  warp.draw(params, from, to);
  warp.augmenter.apply(backend.kernels, out, input, params, k, one, zero);
  into.set(out);
}

function preprocess(fn: NonNullable<ScalingPlan['preprocessingFunction']>, source: ImageSource, out: Float32Array, k: number): void {
  const size = source.imageSize;
  const shape: [number, number, number] = source.dataFormat === 'channelsLast'
    ? [source.height, source.width, source.channels]
    : [source.channels, source.height, source.width];
  for (let i = 0; i < k; i++) {
    const image: ImageView = { data: out.slice(i * size, (i + 1) * size), shape: [...shape] };
    const result = fn(image);
    const data = result instanceof Float32Array ? result : result?.data;
    if (!(data instanceof Float32Array) || data.length !== size) {
      const got = data instanceof Float32Array ? `${data.length} values` : typeof result;
      throw new TypeError(
        `preprocessingFunction must return a Float32Array or { data: Float32Array } of ${size} values (shape [${shape.join(', ')}]). Received: ${got}`,
      );
    }
    out.set(data, i * size);
  }
}

/** The folded (mul, add) of image i (samples: per-image statistics, or null) for each channel, at mul[i·C + c]. */
function coefficients(plan: ScalingPlan, C: number, samples: Float64Array | null, i: number, mul: Float32Array, add: Float32Array): void {
  const r = plan.rescale;
  // Per-image statistics are of the raw (pre-rescale) pixels; rescaling scales mean by r and std by |r|.
  const a = samples && plan.samplewiseCenter ? r * samples[2 * i] : 0;
  const b = samples && plan.samplewiseStdNormalization ? Math.abs(r) * samples[2 * i + 1] + EPSILON : 1;
  for (let c = 0; c < C; c++) {
    const M = plan.featureMean ? plan.featureMean[c] : 0;
    const D = plan.featureStd ? plan.featureStd[c] + EPSILON : 1;
    mul[i * C + c] = r / (b * D);
    add[i * C + c] = -(a / b + M) / D;
  }
}

function applyAffine(
  backend: Backend, plan: ScalingPlan, source: ImageSource, input: Uint8Array | Float32Array, out: Float32Array, k: number,
  samples: Float64Array | null, mul: Float32Array, add: Float32Array,
): void {
  const { kernels } = backend;
  const size = source.imageSize;
  const C = source.channels;
  if (samples) {
    if (input instanceof Float32Array) kernels.sampleMomentsF32(samples, input, k, size);
    else kernels.sampleMomentsU8(samples, input, k, size);
  }
  for (let i = 0; i < (samples ? k : 1); i++) coefficients(plan, C, samples, i, mul, add);
  const planar = source.dataFormat === 'channelsFirst';
  const plane = source.height * source.width;
  const u8 = input instanceof Uint8Array;
  if (!samples && !planar) {
    if (u8) kernels.affineU8(out, input, k * size, C, mul, add);
    else kernels.affineF32(out, input as Float32Array, k * size, C, mul, add);
    return;
  }
  for (let i = 0; i < k; i++) {
    const coefficients = samples ? i * C : 0;
    if (!planar) {
      const from = i * size;
      const o = out.subarray(from, from + size);
      const m = mul.subarray(coefficients, coefficients + C);
      const d = add.subarray(coefficients, coefficients + C);
      if (u8) kernels.affineU8(o, input.subarray(from, from + size) as Uint8Array, size, C, m, d);
      else kernels.affineF32(o, input.subarray(from, from + size) as Float32Array, size, C, m, d);
      continue;
    }
    for (let c = 0; c < C; c++) {
      const from = i * size + c * plane;
      const o = out.subarray(from, from + plane);
      const m = mul.subarray(coefficients + c, coefficients + c + 1);
      const d = add.subarray(coefficients + c, coefficients + c + 1);
      if (u8) kernels.affineU8(o, input.subarray(from, from + plane) as Uint8Array, plane, 1, m, d);
      else kernels.affineF32(o, input.subarray(from, from + plane) as Float32Array, plane, 1, m, d);
    }
  }
}
