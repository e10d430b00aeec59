// How each heavy kernel is shared out over threads. A rule takes the arguments of one call, as the module's export
// receives them (byte offsets, sizes, flags), and returns the calls that together do the same work: each output
// element computed by exactly one of them, by the same arithmetic in the same order as the whole call computes it,
// so the result is the same bytes for any thread count (test/threads/bit-identical.test.ts). Parts are cut by output
// rows, column panels, images, tiles or element ranges, never by a reduction's length, so no partial sums are merged.
//
// Small calls stay whole (null): a round trip to a sleeping worker costs tens of microseconds, so a call is split
// only when each thread gets at least MIN_WORK_PER_THREAD multiply-adds (or moved floats, for the copying kernels).

import type { KernelName } from '../../kernels/types.js';

export interface Part {
  /** The export that runs this part. */
  readonly name: string;
  readonly args: number[];
}

/** `minWork`: the least work per part (tests pass 1 to cut small calls too). */
export type SplitRule = (args: readonly number[], threads: number, minWork?: number) => Part[] | null;

/**
 * The least work a part must hold. Measured with gemm on 2 vCPUs while other processes kept both busy (load ~22,
 * so provisional): a round trip to a sleeping worker cost 12–15 µs; 2 threads ran 0.43× one thread at 2^16
 * multiply-adds per thread, 0.75× at 2^17, 0.97× at 2^18 and 1.1× at 2^19. On a quiet machine the other core is
 * free and the crossover lower; 2^17 keeps a one-image batch's small calls (its transforms, Dense) whole.
 */
export const MIN_WORK_PER_THREAD = 1 << 17;

/** [start, end) of part p of `count` units cut in `parts` nearly equal contiguous pieces. */
function range(count: number, parts: number, p: number): [number, number] {
  return [Math.floor((count * p) / parts), Math.floor((count * (p + 1)) / parts)];
}

/** How many parts `units` of work of `perUnit` each make, at most `threads`, each worth MIN_WORK_PER_THREAD. */
function partsFor(units: number, perUnit: number, threads: number, minWork: number): number {
  // No units (an empty matrix): one whole call, not a NaN count of parts.
  if (!(units > 0)) return 0;
  return Math.min(threads, units, Math.floor((units * perUnit) / minWork));
}

/** gemm(c, a, b, m, n, k, transA, transB, accumulate): C by blocks of 4 rows, or of 8 columns when those are more. */
function gemm(args: readonly number[], threads: number, minWork = MIN_WORK_PER_THREAD): Part[] | null {
  const [, , , m, n, k] = args;
  const rowBlocks = Math.ceil(m / 4), colPanels = Math.ceil(n / 8);
  const byRows = rowBlocks >= colPanels;
  const units = byRows ? rowBlocks : colPanels;
  const parts = partsFor(units, (m * n * Math.max(k, 1)) / units, threads, minWork);
  if (parts < 2) return null;
  const out: Part[] = [];
  for (let p = 0; p < parts; p++) {
    const [u0, u1] = range(units, parts, p);
    const block = byRows ? [Math.min(4 * u0, m), Math.min(4 * u1, m), 0, n] : [0, m, Math.min(8 * u0, n), Math.min(8 * u1, n)];
    out.push({ name: 'gemmBlock', args: [...args, ...block] });
  }
  return out;
}

/** A kernel whose batch images are independent: image b's input and output lie at b times a fixed stride. */
function byImages(name: string, batchAt: number, strides: (args: readonly number[]) => { bytes: number[]; work: number }) {
  return (args: readonly number[], threads: number, minWork = MIN_WORK_PER_THREAD): Part[] | null => {
    const batch = args[batchAt];
    const { bytes, work } = strides(args);
    const parts = partsFor(batch, work, threads, minWork);
    if (parts < 2) return null;
    const out: Part[] = [];
    for (let p = 0; p < parts; p++) {
      const [b0, b1] = range(batch, parts, p);
      const part = args.slice();
      bytes.forEach((stride, i) => { if (stride !== 0) part[i] = args[i] + b0 * stride; });
      part[batchAt] = b1 - b0;
      out.push({ name, args: part });
    }
    return out;
  };
}

// conv2dDirect(out, input, kernel, bias, relu, batch, height, width, channels, kernelH, kernelW, stride, padTop,
// padLeft, outH, outW, filters)
const conv2dDirect = byImages('conv2dDirect', 5, (a) => {
  const [, , , , , , h, w, c, kh, kw, , , , outH, outW, f] = a;
  return { bytes: [4 * outH * outW * f, 4 * h * w * c], work: outH * outW * f * kh * kw * c };
});

// im2col(cols, input, batch, height, width, channels, kernelH, kernelW, stride, padTop, padLeft, outH, outW), and
// col2im(dInput, cols, …) with the same sizes: an image's columns come from (and fold back onto) that image only.
const im2col = byImages('im2col', 2, (a) => {
  const [, , , h, w, c, kh, kw, , , , outH, outW] = a;
  return { bytes: [4 * outH * outW * kh * kw * c, 4 * h * w * c], work: outH * outW * kh * kw * c };
});
const col2im = byImages('col2im', 2, (a) => {
  const [, , , h, w, c, kh, kw, , , , outH, outW] = a;
  return { bytes: [4 * h * w * c, 4 * outH * outW * kh * kw * c], work: outH * outW * kh * kw * c };
});

/** winogradMultiply(out, input, u, tiles, channels, filters, adjoint): its 36 independent products, by planes. */
function winogradMultiply(args: readonly number[], threads: number, minWork = MIN_WORK_PER_THREAD): Part[] | null {
  const [, , , tiles, channels, filters] = args;
  const parts = partsFor(36, tiles * channels * filters, threads, minWork);
  if (parts < 2) return null;
  const out: Part[] = [];
  for (let p = 0; p < parts; p++) out.push({ name: 'winogradMultiplyPlanes', args: [...args, ...range(36, parts, p)] });
  return out;
}

/**
 * The work of one tile and one channel (or filter) of a Winograd transform, in multiply-add equivalents: 36 values
 * in and out through two passes of 6-point transforms, measured (profile-threads.mjs) at about as long as 600
 * multiply-adds of the matrix multiply. So a layer's block of tiles (36 tiles of 32 channels: ~90 µs) splits, and
 * a one-image batch's 9 tiles stay whole.
 */
const TRANSFORM_WORK = 36 * 16;

/**
 * A Winograd transform over a block of tiles, by its rows (`name` + 'Rows' takes t0, t1 after the block's arguments):
 * each row is one tile, written to its own row of the planes (or its own outputs). `at`: where `tiles` and the
 * width (channels or filters) are among the arguments.
 */
function byTileRows(name: string, tilesAt: number, widthAt: number): SplitRule {
  return (args, threads, minWork = MIN_WORK_PER_THREAD) => {
    const tiles = args[tilesAt];
    const parts = partsFor(tiles, TRANSFORM_WORK * args[widthAt], threads, minWork);
    if (parts < 2) return null;
    return Array.from({ length: parts }, (_, p) => ({ name: `${name}Rows`, args: [...args, ...range(tiles, parts, p)] }));
  };
}

// winogradInputTransform(v, input, height, width, channels, padTop, padLeft, outH, outW, tile0, tiles)
const winogradInputTransform = byTileRows('winogradInputTransform', 10, 4);
// winogradOutputTransform(out, m, bias, relu, outH, outW, filters, tile0, tiles)
const winogradOutputTransform = byTileRows('winogradOutputTransform', 8, 6);
// winogradOutputAdjoint(dm, dOut, outH, outW, filters, tile0, tiles)
const winogradOutputAdjoint = byTileRows('winogradOutputAdjoint', 6, 4);

/**
 * winogradInputAdjoint(dInput, dv, height, width, channels, padTop, padLeft, outH, outW, tile0, tiles): neighbouring
 * tiles add into the same pixels, so the parts are groups of 4 channels, each pixel summing its tiles in tile order.
 */
function winogradInputAdjoint(args: readonly number[], threads: number, minWork = MIN_WORK_PER_THREAD): Part[] | null {
  const channels = args[4], tiles = args[10];
  const groups = Math.ceil(channels / 4);
  const parts = partsFor(groups, TRANSFORM_WORK * 4 * tiles, threads, minWork);
  if (parts < 2) return null;
  return Array.from({ length: parts }, (_, p) => {
    const [g0, g1] = range(groups, parts, p);
    return { name: 'winogradInputAdjointChannels', args: [...args, 4 * g0, Math.min(4 * g1, channels)] };
  });
}

/**
 * An elementwise pass over n elements (the scaling kernels, ReLU, the optimizer steps): contiguous ranges cut at
 * multiples of 48 · channels elements, so every part starts on a channel boundary and on the kernels' SIMD block (4,
 * 8, 12, 16 or 48 elements, all dividing 48), and each element gets the same arithmetic as in the whole call.
 * `bytes`: each pointer argument's bytes per element, by position; `channelsAt`: where the channel count is (-1:
 * none); `workPerElement`: multiply-add equivalents per element (1 for a load, an operation and a store).
 */
function byElements(nAt: number, channelsAt: number, bytes: number[], workPerElement = 1): SplitRule {
  return (args, threads, minWork = MIN_WORK_PER_THREAD) => {
    const n = args[nAt];
    const unit = 48 * (channelsAt < 0 ? 1 : args[channelsAt]);
    const units = Math.ceil(n / unit);
    const parts = partsFor(units, unit * workPerElement, threads, minWork);
    if (parts < 2) return null;
    return Array.from({ length: parts }, (_, p) => {
      const [u0, u1] = range(units, parts, p);
      const i0 = Math.min(u0 * unit, n), i1 = Math.min(u1 * unit, n);
      const part = args.slice();
      bytes.forEach((b, at) => { part[at] = args[at] + i0 * b; });
      part[nAt] = i1 - i0;
      return { name: '', args: part };
    });
  };
}

/** Names the parts of a rule made without a name: the whole kernel's export runs each part. */
const named = (name: string, rule: SplitRule): SplitRule => (args, threads, minWork) =>
  rule(args, threads, minWork)?.map((part) => ({ name, args: part.args })) ?? null;

// affineU8/F32(out, input, n, channels, mul, add)
const affineU8 = named('affineU8', byElements(2, 3, [4, 1]));
const affineF32 = named('affineF32', byElements(2, 3, [4, 4]));

// ---- The rest of the training step (issue 16): the kernel gradient's products and adjoint, pooling, the bias
// gradient, ReLU and the optimizer steps. ------------------------------------------------------------------------

/**
 * winogradKernelGradient(du, v, dm, tiles, channels, filters, accumulate): its 36 products dU[e] = V[e]ᵀ dM[e] are
 * independent outputs, by planes (each plane's sum over the block's tiles stays whole on one thread).
 */
function winogradKernelGradient(args: readonly number[], threads: number, minWork = MIN_WORK_PER_THREAD): Part[] | null {
  const [, , , tiles, channels, filters] = args;
  const parts = partsFor(36, tiles * channels * filters, threads, minWork);
  if (parts < 2) return null;
  return Array.from({ length: parts }, (_, p) => ({ name: 'winogradKernelGradientPlanes', args: [...args, ...range(36, parts, p)] }));
}

/** winogradKernelAdjoint(dKernel, du, channels, filters): by channels, each channel's 9 taps its own outputs. */
function winogradKernelAdjoint(args: readonly number[], threads: number, minWork = MIN_WORK_PER_THREAD): Part[] | null {
  const [, , channels, filters] = args;
  const parts = partsFor(channels, TRANSFORM_WORK * filters, threads, minWork);
  if (parts < 2) return null;
  return Array.from({ length: parts }, (_, p) => ({ name: 'winogradKernelAdjointChannels', args: [...args, ...range(channels, parts, p)] }));
}

// maxPoolForward(out, input, batch, height, width, channels, pool, stride, outH, outW): an image's outputs come
// from that image only.
const maxPoolForward = byImages('maxPoolForward', 2, (a) => {
  const [, , , h, w, c, pool, , outH, outW] = a;
  return { bytes: [4 * outH * outW * c, 4 * h * w * c], work: outH * outW * c * pool * pool };
});
// maxPoolBackward(dInput, dOut, input, out, batch, height, width, channels, pool, stride, outH, outW, relu): an
// image's dInput (all of it, zeros included) from that image's windows only; relu passes through unchanged.
const maxPoolBackward = byImages('maxPoolBackward', 4, (a) => {
  const [, , , , , h, w, c, , , outH, outW] = a;
  const inBytes = 4 * h * w * c, outBytes = 4 * outH * outW * c;
  return { bytes: [inBytes, outBytes, inBytes, outBytes], work: 2 * h * w * c };
});

/** biasGrad(dBias, dOut, rows, cols): by blocks of 8 columns, each column's sum down all rows on one thread. */
function biasGrad(args: readonly number[], threads: number, minWork = MIN_WORK_PER_THREAD): Part[] | null {
  const [, , rows, cols] = args;
  const blocks = Math.ceil(cols / 8);
  const parts = partsFor(blocks, 8 * rows, threads, minWork);
  if (parts < 2) return null;
  return Array.from({ length: parts }, (_, p) => {
    const [b0, b1] = range(blocks, parts, p);
    return { name: 'biasGradColumns', args: [...args, 8 * b0, Math.min(8 * b1, cols)] };
  });
}

/** biasAdd(out, bias, rows, cols): by rows. */
function biasAdd(args: readonly number[], threads: number, minWork = MIN_WORK_PER_THREAD): Part[] | null {
  const [out, , rows, cols] = args;
  const parts = partsFor(rows, cols, threads, minWork);
  if (parts < 2) return null;
  return Array.from({ length: parts }, (_, p) => {
    const [r0, r1] = range(rows, parts, p);
    const part = args.slice();
    part[0] = out + 4 * r0 * cols;
    part[2] = r1 - r0;
    return { name: 'biasAdd', args: part };
  });
}

// reluForward(out, input, n), reluBackward(dInput, dOut, output, n)
const reluForward = named('reluForward', byElements(2, -1, [4, 4]));
const reluBackward = named('reluBackward', byElements(3, -1, [4, 4, 4]));
// adam(param, grad, m, v, n, learningRate, beta1, beta2, epsilon, step): four arrays, a division and a square root
// per element; sgd(param, grad, n, learningRate).
const adam = named('adam', byElements(4, -1, [4, 4, 4, 4], 4));
const sgd = named('sgd', byElements(2, -1, [4, 4]));

/**
 * The kernels that are shared out over threads, by their name in the kernel table (src/kernels/types.ts): a renamed
 * kernel fails to compile here, and test/threads/split.test.ts checks each rule's argument positions against the
 * table's declaration.
 */
export const SPLIT_RULES: Readonly<Partial<Record<KernelName, SplitRule>>> = {
  gemm, conv2dDirect, im2col, col2im, winogradMultiply, winogradInputTransform, winogradOutputTransform,
  winogradOutputAdjoint, winogradInputAdjoint, affineU8, affineF32,
  winogradKernelGradient, winogradKernelAdjoint, maxPoolForward, maxPoolBackward, biasGrad, biasAdd, reluForward,
  reluBackward, adam, sgd, conv2dDirectKernelGradient, conv2dDirectPooledKernelGradient, winogradForward,
  winogradOutputAdjoints, winogradKernelGradients, winogradMultiplyAdjoints, winogradInputAdjoints,
};

/** Every export a part may name (the workers resolve them once, by index). */
export const PART_EXPORTS: readonly string[] = [
  'gemmBlock', 'conv2dDirect', 'im2col', 'col2im', 'winogradMultiplyPlanes', 'winogradInputTransformRows',
  'winogradOutputTransformRows', 'winogradOutputAdjointRows', 'winogradInputAdjointChannels', 'affineU8', 'affineF32',
  'winogradKernelGradientPlanes', 'winogradKernelAdjointChannels', 'maxPoolForward', 'maxPoolBackward',
  'biasGradColumns', 'biasAdd', 'reluForward', 'reluBackward', 'adam', 'sgd', 'conv2dDirectKernelGradientFilters',
  'conv2dDirectPooledKernelGradientFilters', 'winogradForwardBlocks', 'winogradOutputAdjointsBlocks',
  'winogradKernelGradientsPlanes', 'winogradMultiplyAdjointsBlocks', 'winogradInputAdjointsChannels',
];

// ---- The first layer's kernel gradients (issue 16): conv2dDirectKernelGradient and its pooled form. ------------

/**
 * A direct kernel gradient by groups of 4 filters (the kernels' f32x4 groups): each filter's taps and bias are its
 * own outputs, and its sum over the batch stays whole and in order on one thread; `name` + 'Filters' takes f0, f1
 * after the whole call's arguments. `perFilter`: one filter's multiply-adds.
 */
function byFilterGroups(name: string, args: readonly number[], filters: number, perFilter: number, threads: number,
  minWork: number): Part[] | null {
  const groups = Math.ceil(filters / 4);
  const parts = partsFor(groups, 4 * perFilter, threads, minWork);
  if (parts < 2) return null;
  return Array.from({ length: parts }, (_, p) => {
    const [g0, g1] = range(groups, parts, p);
    return { name: `${name}Filters`, args: [...args, 4 * g0, Math.min(4 * g1, filters)] };
  });
}

/**
 * conv2dDirectKernelGradient(dKernel, dBias, dOut, out, input, batch, height, width, channels, kernelH, kernelW,
 * stride, padTop, padLeft, outH, outW, filters): a filter's work is batch · outH · outW · kernelH · kernelW · channels.
 * (Function declarations, so that SPLIT_RULES above can name them.)
 */
function conv2dDirectKernelGradient(args: readonly number[], threads: number, minWork = MIN_WORK_PER_THREAD): Part[] | null {
  const [, , , , , batch, , , channels, kh, kw, , , , outH, outW, filters] = args;
  return byFilterGroups('conv2dDirectKernelGradient', args, filters, batch * outH * outW * kh * kw * channels, threads,
    minWork);
}

/**
 * conv2dDirectPooledKernelGradient(dKernel, dBias, dPooled, pooled, out, input, batch, height, width, channels,
 * kernelH, kernelW, stride, padTop, padLeft, outH, outW, filters, pool, relu): the same sums (each part also makes its
 * own filters of the pooled gradient's rows, a few operations per position beside the taps' multiply-adds).
 */
function conv2dDirectPooledKernelGradient(args: readonly number[], threads: number, minWork = MIN_WORK_PER_THREAD): Part[] | null {
  const [, , , , , , batch, , , channels, kh, kw, , , , outH, outW, filters] = args;
  return byFilterGroups('conv2dDirectPooledKernelGradient', args, filters, batch * outH * outW * kh * kw * channels,
    threads, minWork);
}

// ---- A Winograd layer's forward by whole blocks of tiles (issue 16). ------------------------------------------------

/**
 * winogradForward(out, v, m, input, u, bias, relu, height, width, channels, padTop, padLeft, outH, outW, filters,
 * tiles, block, slots): by blocks. A block's input transform, products and output transform read and write only its
 * own tiles (its V, its outputs) and an M, so a part takes a contiguous range of blocks and M slot p (no two parts
 * share one; at most `slots` parts): one round trip for the layer's forward instead of three per block, and no
 * barrier between the steps. Each block gets the same calls in the same order as on one thread. A batch of one block
 * (a few images) stays whole.
 */
function winogradForward(args: readonly number[], threads: number, minWork = MIN_WORK_PER_THREAD): Part[] | null {
  const channels = args[9], filters = args[14], tiles = args[15], block = args[16], slots = args[17];
  const blocks = block > 0 ? Math.ceil(tiles / block) : 0;
  const perBlock = block * (36 * channels * filters + TRANSFORM_WORK * (channels + filters));
  const parts = Math.min(slots, partsFor(blocks, perBlock, threads, minWork));
  if (parts < 2) return null;
  return Array.from({ length: parts }, (_, p) => ({ name: 'winogradForwardBlocks', args: [...args, ...range(blocks, parts, p), p] }));
}

// ---- A Winograd layer's backward in four calls over its blocks (issue 16): one round trip each per layer. ---------

/**
 * Parts of contiguous blocks, for a call over every block whose blocks have their own outputs: `tiles` and `block`
 * at tilesAt and tilesAt + 1; `workPerTile` the multiply-add equivalents of one tile. (Function declarations, so
 * that SPLIT_RULES above can name them.)
 */
function byBlocks(name: string, args: readonly number[], tilesAt: number, workPerTile: number, threads: number,
  minWork: number): Part[] | null {
  const tiles = args[tilesAt], block = args[tilesAt + 1];
  const blocks = block > 0 ? Math.ceil(tiles / block) : 0;
  const parts = partsFor(blocks, block * workPerTile, threads, minWork);
  if (parts < 2) return null;
  return Array.from({ length: parts }, (_, p) => ({ name, args: [...args, ...range(blocks, parts, p)] }));
}

/** winogradOutputAdjoints(dm, dOut, outH, outW, filters, tiles, block): each block's dM its own. */
function winogradOutputAdjoints(args: readonly number[], threads: number, minWork = MIN_WORK_PER_THREAD): Part[] | null {
  return byBlocks('winogradOutputAdjointsBlocks', args, 5, TRANSFORM_WORK * args[4], threads, minWork);
}

/** winogradMultiplyAdjoints(v, dm, u, tiles, block, channels, filters): each block's dV its own. */
function winogradMultiplyAdjoints(args: readonly number[], threads: number, minWork = MIN_WORK_PER_THREAD): Part[] | null {
  return byBlocks('winogradMultiplyAdjointsBlocks', args, 3, 36 * args[5] * args[6], threads, minWork);
}

/**
 * winogradKernelGradients(du, v, dm, tiles, block, channels, filters): by its 36 planes, each plane's sum over every
 * block, in block order, on one thread (a sum over blocks cut between threads would change the rounding).
 */
function winogradKernelGradients(args: readonly number[], threads: number, minWork = MIN_WORK_PER_THREAD): Part[] | null {
  const [, , , tiles, , channels, filters] = args;
  const parts = partsFor(36, tiles * channels * filters, threads, minWork);
  if (parts < 2) return null;
  return Array.from({ length: parts }, (_, p) => ({ name: 'winogradKernelGradientsPlanes', args: [...args, ...range(36, parts, p)] }));
}

/**
 * winogradInputAdjoints(dInput, v, height, width, channels, padTop, padLeft, outH, outW, tiles, block): by groups of 4
 * channels (neighbouring tiles, also across blocks, add into the same pixels), each pixel summing its tiles in order.
 */
function winogradInputAdjoints(args: readonly number[], threads: number, minWork = MIN_WORK_PER_THREAD): Part[] | null {
  const channels = args[4], tiles = args[9];
  const groups = Math.ceil(channels / 4);
  const parts = partsFor(groups, TRANSFORM_WORK * 4 * tiles, threads, minWork);
  if (parts < 2) return null;
  return Array.from({ length: parts }, (_, p) => {
    const [g0, g1] = range(groups, parts, p);
    return { name: 'winogradInputAdjointsChannels', args: [...args, 4 * g0, Math.min(4 * g1, channels)] };
  });
}
