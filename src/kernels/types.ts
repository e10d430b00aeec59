// The kernel table: every kernel declared once, by name and argument kinds. Everything else is derived from it: the
// Kernels interface below (mapped types), the js backend (src/kernels/index.ts picks each name from the twins) and
// the wasm adapter (src/runtime/wasm-kernels.ts, one generic loop over this table). A new kernel touches this table,
// its AssemblyScript in assembly/X.ts (exported from assembly/index.ts) and its TypeScript twin in src/kernels/X.ts
// (the readable specification, the js backend and the test reference) — nothing else.
//
// Conventions: arguments are outputs first, then inputs, then sizes; row-major; NHWC images; kernels allocate
// nothing. For the wasm backend every array must be a view into the backend's heap (HeapBlock.view).
//
// An argument is written 'name: kind', kind one of
//   'u8' | 'i32' | 'f32' | 'f64'   an array the kernel reads,
//   '<array> out'                  an array the kernel writes (or updates in place),
//   '<array>?' / '<array>? out'    the same, or null (the wasm kernel receives the null pointer 0),
//   'int' | 'float' | 'bool'       a number (a count, an index, a size), a float, a flag.
// An entry is an object literal so that later fields (e.g. how a call splits across threads) can join it.

import { winogradPlanesFloats } from './winograd.js';

/** Number of f64 fields per channel in a moments result. */
export const MOMENT_FIELDS = 6;

export type ArrayKind = 'u8' | 'i32' | 'f32' | 'f64';
export type ArgKind = ArrayKind | `${ArrayKind} out` | `${ArrayKind}?` | `${ArrayKind}? out` | 'int' | 'float' | 'bool';

/** One kernel's declaration. */
export interface KernelEntry {
  /** The arguments in call order, each 'name: kind'. */
  readonly args: readonly `${string}: ${ArgKind}`[];
  /** What the kernel returns: nothing, or one float (softmaxCrossEntropy's loss). */
  readonly returns?: 'float';
  /**
   * How many elements of each array argument a call touches, from its size arguments (s: ints and floats as given,
   * flags as 0/1) and, for the few kernels whose reach depends on data (gathers and scatters by index), its arrays
   * (a; a null array as an empty one). The wasm adapter's debug checks (PIXPREP_DEBUG_KERNELS=1, on in the tests)
   * compare each with the length of the view passed: a size one too large throws instead of touching the next block.
   */
  readonly extent?: { readonly [arg: string]: (s: ExtentSizes, a: ExtentArrays) => number };
}

export type ExtentSizes = Readonly<Record<string, number>>;
export type ExtentArrays = Readonly<Record<string, ArrayLike<number>>>;

/** 1 + the largest of the first count entries of an index array (0 when none is ≥ 0): how far an index reaches. */
function reach(indices: ArrayLike<number>, count: number): number {
  let top = -1;
  for (let i = 0; i < count && i < indices.length; i++) if (indices[i] > top) top = indices[i];
  return top + 1;
}
/** What a warp touches (warpU8 and warpF32 alike): every image whole, 8 parameters each, a mul and an add per channel. */
const WARP_EXTENT: NonNullable<KernelEntry['extent']> = {
  out: (s) => s.nImages * s.height * s.width * s.channels,
  input: (s) => s.nImages * s.height * s.width * s.channels,
  params: (s) => 8 * s.nImages,
  mul: (s) => s.channels,
  add: (s) => s.channels,
};
/** What the direct convolution's kernel gradients touch (a filter range's part too: dKernel's rows are all filters). */
const DIRECT_KERNEL_GRADIENT_EXTENT: NonNullable<KernelEntry['extent']> = {
  dKernel: (s) => s.kernelH * s.kernelW * s.channels * s.filters,
  dBias: (s) => s.filters,
  dOut: (s) => s.batch * s.outH * s.outW * s.filters,
  out: (s) => s.batch * s.outH * s.outW * s.filters,
  input: (s) => s.batch * s.height * s.width * s.channels,
};
const DIRECT_POOLED_KERNEL_GRADIENT_EXTENT: NonNullable<KernelEntry['extent']> = {
  dKernel: (s) => s.kernelH * s.kernelW * s.channels * s.filters,
  dBias: (s) => s.filters,
  dPooled: (s) => s.batch * Math.floor(s.outH / s.pool) * Math.floor(s.outW / s.pool) * s.filters,
  pooled: (s) => s.batch * Math.floor(s.outH / s.pool) * Math.floor(s.outW / s.pool) * s.filters,
  out: (s) => s.batch * s.outH * s.outW * s.filters,
  input: (s) => s.batch * s.height * s.width * s.channels,
};
/** Floats of 36 Winograd planes of a rows × cols operand (src/kernels/winograd.ts). */
const planes = (rows: number, cols: number) => (rows * cols === 0 ? 0 : winogradPlanesFloats(rows, cols));
/** Floats of every block's planes of `cols` columns: `tiles` tiles in blocks of `block`, the last one maybe shorter. */
const blockPlanes = (s: ExtentSizes, cols: number) => {
  if (s.tiles === 0) return 0;
  const full = Math.ceil(s.tiles / s.block) - 1;
  return full * planes(s.block, cols) + planes(s.tiles - full * s.block, cols);
};
/** Images a block of tiles [tile0, tile0 + tiles) reaches into (ceil(outH/4)·ceil(outW/4) tiles per image). */
const tileImages = (s: ExtentSizes) =>
  s.tiles === 0 ? 0 : Math.floor((s.tile0 + s.tiles - 1) / (((s.outH + 3) >> 2) * ((s.outW + 3) >> 2))) + 1;

/** One argument of a declaration, parsed: its name, kind, and for an array its element type, nullability, direction. */
export interface KernelArg {
  readonly name: string;
  readonly kind: ArgKind;
  /** The element type of an array argument; null for a number or flag. */
  readonly array: ArrayKind | null;
  readonly nullable: boolean;
  /** The kernel writes (or updates) this array. */
  readonly out: boolean;
}

/** The arguments of a declaration, parsed (the adapter and its debug checks read them once, at instantiation). */
export function kernelArgs(entry: KernelEntry): KernelArg[] {
  return entry.args.map((arg) => {
    const [name, kind] = arg.split(': ') as [string, ArgKind];
    const array = kind === 'int' || kind === 'float' || kind === 'bool' ? null : (kind.match(/^\w+/)![0] as ArrayKind);
    return { name, kind, array, nullable: kind.includes('?'), out: kind.endsWith(' out') };
  });
}

export const KERNELS = {
  /**
   * out[i] = fround(fround(input[i] * mul[i % channels]) + add[i % channels]), n a multiple of channels (1..4). One
   * channel is the plain x * mul + add (rescale alone; each plane of a channelsFirst image).
   */
  affineU8: {
    args: ['out: f32 out', 'input: u8', 'n: int', 'channels: int', 'mul: f32', 'add: f32'],
    extent: { out: (s) => s.n, input: (s) => s.n, mul: (s) => s.channels, add: (s) => s.channels },
  },
  affineF32: {
    args: ['out: f32 out', 'input: f32', 'n: int', 'channels: int', 'mul: f32', 'add: f32'],
    extent: { out: (s) => s.n, input: (s) => s.n, mul: (s) => s.channels, add: (s) => s.channels },
  },

  /** Per channel c: out[6c .. 6c + 5] = count, mean, m2 (sum of squared deviations), min, max, nonFinite. */
  momentsU8: {
    args: ['out: f64 out', 'input: u8', 'n: int', 'channels: int'],
    extent: { out: (s) => MOMENT_FIELDS * s.channels, input: (s) => s.n },
  },
  momentsF32: {
    args: ['out: f64 out', 'input: f32', 'n: int', 'channels: int'],
    extent: { out: (s) => MOMENT_FIELDS * s.channels, input: (s) => s.n },
  },
  /** Per image i: out[2i] = mean, out[2i + 1] = population std, over all imageSize values of the image. */
  sampleMomentsU8: {
    args: ['out: f64 out', 'input: u8', 'nImages: int', 'imageSize: int'],
    extent: { out: (s) => 2 * s.nImages, input: (s) => s.nImages * s.imageSize },
  },
  sampleMomentsF32: {
    args: ['out: f64 out', 'input: f32', 'nImages: int', 'imageSize: int'],
    extent: { out: (s) => 2 * s.nImages, input: (s) => s.nImages * s.imageSize },
  },

  /** For k < count: out[k·rowBytes ..] = source[indices[k]·rowBytes ..] (rows of rowBytes bytes). */
  gatherRows: {
    args: ['out: u8 out', 'source: u8', 'indices: i32', 'count: int', 'rowBytes: int'],
    extent: {
      out: (s) => s.count * s.rowBytes,
      indices: (s) => s.count,
      source: (s, a) => reach(a.indices, s.count) * s.rowBytes,
    },
  },

  // The linear-algebra kernels of ZCA's eigendecomposition (src/linalg/eigen.ts), named after the BLAS routine each
  // one is (d: float64), with what it is for: the BLAS names say the operation, the suffix the extra bookkeeping.
  /** BLAS drot, chained: Givens rotations i = m−1 … l on rows (i, i+1) of the n×n z (the QL sweeps). */
  drotRows: {
    args: ['z: f64 out', 'n: int', 'l: int', 'm: int', 'cosines: f64', 'sines: f64'],
    extent: {
      z: (s) => (s.m > s.l ? (s.m + 1) * s.n : 0),
      cosines: (s) => (s.m > s.l ? s.m : 0),
      sines: (s) => (s.m > s.l ? s.m : 0),
    },
  },
  /**
   * The Householder tridiagonalisation's loops at step i (src/kernels/linalg.ts says what each does): BLAS dsymv
   * (e = A·d on the lower triangle), dsyr2 (A −= d·eᵀ + e·dᵀ), and the accumulation of the reflection into Q.
   */
  dsymvTred2: {
    args: ['z: f64 out', 'n: int', 'i: int', 'd: f64', 'e: f64 out'],
    extent: { z: (s) => (s.i > 0 ? s.i * s.n + s.i : 0), d: (s) => s.i, e: (s) => s.i },
  },
  dsyr2Tred2: {
    args: ['z: f64 out', 'n: int', 'i: int', 'd: f64 out', 'e: f64'],
    extent: { z: (s) => (s.i > 0 ? (s.i - 1) * s.n + s.i + 1 : 0), d: (s) => s.i, e: (s) => s.i },
  },
  tred2AccumulateF64: {
    args: ['z: f64 out', 'n: int', 'i: int', 'd: f64'],
    extent: { z: (s) => (s.i + 1) * s.n + s.i + 1, d: (s) => s.i + 1 },
  },
  /** A block of rows of the upper triangle of U·diag(gains)·Uᵀ, accumulated into acc (ZCA's W). */
  gramBlockF64: {
    args: ['acc: f64 out', 'rows: f64', 'gains: f64', 'D: int', 'i0: int', 'i1: int'],
    extent: { acc: (s) => Math.max(0, s.i1 - s.i0) * s.D, rows: (s) => s.D * s.D, gains: (s) => s.D },
  },

  /**
   * Augmentation's warp (src/kernels/warp.ts): nImages images through their inverse affine maps (params, 8 f64 per
   * image; positions in float32), fill mode 0..3, spline order 0 or 1, then out = f32(v·mul[c]) + add[c]; planar:
   * NCHW, else NHWC.
   */
  warpU8: {
    args: ['out: f32 out', 'input: u8', 'params: f64', 'nImages: int', 'height: int', 'width: int', 'channels: int',
      'planar: bool', 'mode: int', 'order: int', 'cval: float', 'mul: f32', 'add: f32'],
    extent: WARP_EXTENT,
  },
  warpF32: {
    args: ['out: f32 out', 'input: f32', 'params: f64', 'nImages: int', 'height: int', 'width: int', 'channels: int',
      'planar: bool', 'mode: int', 'order: int', 'cval: float', 'mul: f32', 'add: f32'],
    extent: WARP_EXTENT,
  },

  /** PIL's resampling on 8-bit HWC images (src/kernels/resize.ts): nearest by row/column tables, and the two passes. */
  resizeNearestU8: {
    args: ['out: u8 out', 'input: u8', 'rows: i32', 'cols: i32', 'outHeight: int', 'outWidth: int', 'inWidth: int',
      'channels: int'],
    extent: {
      out: (s) => s.outHeight * s.outWidth * s.channels,
      rows: (s) => s.outHeight,
      cols: (s) => s.outWidth,
      input: (s, a) => {
        const r = reach(a.rows, s.outHeight), c = reach(a.cols, s.outWidth);
        return r === 0 || c === 0 ? 0 : ((r - 1) * s.inWidth + c) * s.channels;
      },
    },
  },
  resampleHorizontalU8: {
    args: ['out: u8 out', 'input: u8', 'bounds: i32', 'weights: i32', 'taps: int', 'rows: int', 'firstRow: int',
      'inWidth: int', 'outWidth: int', 'channels: int'],
    extent: {
      out: (s) => s.rows * s.outWidth * s.channels,
      bounds: (s) => 2 * s.outWidth,
      weights: (s) => s.outWidth * s.taps,
      input: (s) => (s.rows === 0 ? 0 : (s.firstRow + s.rows) * s.inWidth * s.channels),
    },
  },
  resampleVerticalU8: {
    args: ['out: u8 out', 'input: u8', 'bounds: i32', 'weights: i32', 'taps: int', 'outHeight: int',
      'rowLength: int'],
    extent: {
      out: (s) => s.outHeight * s.rowLength,
      bounds: (s) => 2 * s.outHeight,
      weights: (s) => s.outHeight * s.taps,
      input: (s, a) => {
        let rows = 0;
        for (let y = 0; y < s.outHeight; y++) rows = Math.max(rows, a.bounds[2 * y] + a.bounds[2 * y + 1]);
        return rows * s.rowLength;
      },
    },
  },

  /**
   * JPEG's pixel stages as libjpeg-turbo computes them (src/kernels/jpeg.ts): the islow IDCT of blocksPerLine ×
   * blocksPerColumn blocks of quantized coefficients (natural order) into a plane; the "fancy" 2× upsampling
   * (vertical: h2v2, else h2v1); YCbCr → RGB of full-size planes sharing one stride.
   */
  jpegIdctIslow: {
    args: ['out: u8 out', 'coefficients: i32', 'quant: i32', 'blocksPerLine: int', 'blocksPerColumn: int'],
  },
  jpegUpsampleFancy: {
    args: ['out: u8 out', 'outStride: int', 'plane: u8', 'stride: int', 'inWidth: int', 'inHeight: int', 'width: int',
      'height: int', 'vertical: bool'],
  },
  jpegYccToRgb: {
    args: ['out: u8 out', 'y: u8', 'cb: u8', 'cr: u8', 'width: int', 'height: int', 'stride: int'],
  },
  /**
   * The entropy decoding of a sequential JPEG scan (src/kernels/jpeg-huffman.ts): mcuCount MCUs of Huffman-coded
   * data from data[start] into blocks of coefficients, per the MCU plan (MCU_FIELDS per block) and the packed tables;
   * state receives a status and a byte offset.
   */
  jpegDecodeSequential: {
    args: ['coefficients: i32 out', 'state: i32 out', 'data: u8', 'tables: i32', 'mcu: i32', 'start: int', 'length: int',
      'blocksPerMcu: int', 'mcusPerLine: int', 'mcuCount: int', 'restartInterval: int'],
    extent: {
      coefficients: (s, a) => {
        if (s.mcuCount === 0 || s.mcusPerLine === 0) return 0;
        // The last MCU, and the end of the row before it (the offsets grow along rows and down columns).
        const last = s.mcuCount - 1;
        const corners = [[Math.floor(last / s.mcusPerLine), last % s.mcusPerLine]];
        if (last >= s.mcusPerLine) corners.push([Math.floor(last / s.mcusPerLine) - 1, s.mcusPerLine - 1]);
        let top = 0;
        for (let b = 0; b < s.blocksPerMcu; b++) {
          for (const [r, c] of corners) top = Math.max(top, a.mcu[6 * b + 1] + r * a.mcu[6 * b + 2] + c * a.mcu[6 * b + 3] + 64);
        }
        return top;
      },
      state: () => 2,
      data: (s) => s.length,
      tables: (s, a) => {
        let top = 0;
        for (let b = 0; b < s.blocksPerMcu; b++) top = Math.max(top, a.mcu[6 * b + 4] + 1, a.mcu[6 * b + 5] + 1);
        return 804 * top;
      },
      mcu: (s) => 6 * s.blocksPerMcu,
    },
  },

  /**
   * C = op(A) · op(B) (+ C when accumulate), row-major. op(A) is m×k: A is stored m×k, or k×m when transA.
   * op(B) is k×n: B is stored k×n, or n×k when transB. C is m×n. Any of m, n, k may be 0.
   */
  gemm: {
    args: ['c: f32 out', 'a: f32', 'b: f32', 'm: int', 'n: int', 'k: int', 'transA: bool', 'transB: bool',
      'accumulate: bool'],
    extent: { c: (s) => s.m * s.n, a: (s) => s.m * s.k, b: (s) => s.k * s.n },
  },

  /**
   * Unfolds image patches into rows: row r = (b, oy, ox) of batch·outH·outW rows, column (ky, kx, ci) of
   * kernelH·kernelW·channels columns: cols[r][(ky·kernelW + kx)·channels + ci] =
   * input[b][oy·stride + ky − padTop][ox·stride + kx − padLeft][ci], or 0 outside the image.
   */
  im2col: {
    args: ['cols: f32 out', 'input: f32', 'batch: int', 'height: int', 'width: int', 'channels: int', 'kernelH: int',
      'kernelW: int', 'stride: int', 'padTop: int', 'padLeft: int', 'outH: int', 'outW: int'],
    extent: {
      cols: (s) => s.batch * s.outH * s.outW * s.kernelH * s.kernelW * s.channels,
      input: (s) => s.batch * s.height * s.width * s.channels,
    },
  },
  /** The adjoint of im2col: dInput[...] += cols[r][...] for every (r, column) im2col reads. Caller zeroes dInput. */
  col2im: {
    args: ['dInput: f32 out', 'cols: f32', 'batch: int', 'height: int', 'width: int', 'channels: int', 'kernelH: int',
      'kernelW: int', 'stride: int', 'padTop: int', 'padLeft: int', 'outH: int', 'outW: int'],
    extent: {
      dInput: (s) => s.batch * s.height * s.width * s.channels,
      cols: (s) => s.batch * s.outH * s.outW * s.kernelH * s.kernelW * s.channels,
    },
  },

  /**
   * A direct convolution: out[b][oy][ox][f] = bias[f] (0 when null) + Σ input[b][oy·stride + ky − padTop]
   * [ox·stride + kx − padLeft][c] · kernel[ky][kx][c][f] (zero outside the image), then max(·, 0) when relu. For few
   * channels: kernelH·kernelW·channels · filters (rounded up to 8) ≤ 16384 and filters ≤ 4096 (conv2dDirectFits).
   */
  conv2dDirect: {
    args: ['out: f32 out', 'input: f32', 'kernel: f32', 'bias: f32?', 'relu: bool', 'batch: int', 'height: int',
      'width: int', 'channels: int', 'kernelH: int', 'kernelW: int', 'stride: int', 'padTop: int', 'padLeft: int',
      'outH: int', 'outW: int', 'filters: int'],
    extent: {
      out: (s) => s.batch * s.outH * s.outW * s.filters,
      input: (s) => s.batch * s.height * s.width * s.channels,
      kernel: (s) => s.kernelH * s.kernelW * s.channels * s.filters,
      bias: (s) => s.filters,
    },
  },
  /**
   * The direct convolution's kernel and bias gradients (its input gradient is im2col's): dKernel[ky][kx][c][f] +=
   * Σ g · input[b][oy·stride + ky − padTop][ox·stride + kx − padLeft][c] (0 outside), dBias[f] += Σ g (skipped when
   * null), over b, oy, ox, with g = dOut, or out > 0 ? dOut : 0 when `out` (the relu output) is given. Each image's
   * sums are taken in f32 and then added. The same size limits as conv2dDirect.
   */
  conv2dDirectKernelGradient: {
    args: ['dKernel: f32 out', 'dBias: f32? out', 'dOut: f32', 'out: f32?', 'input: f32', 'batch: int', 'height: int',
      'width: int', 'channels: int', 'kernelH: int', 'kernelW: int', 'stride: int', 'padTop: int', 'padLeft: int',
      'outH: int', 'outW: int', 'filters: int'],
    extent: DIRECT_KERNEL_GRADIENT_EXTENT,
  },
  /**
   * conv2dDirectKernelGradient of the gradient that maxPoolBackward(·, dPooled, out, pooled, …, pool, pool, …, relu)
   * would pass down (pool × pool windows moved by pool over the outH × outW × filters output `out`; `pooled` their
   * maxima), made row by row and never stored. The same bits as the two kernels in sequence. Also needs
   * outW · filters ≤ 16384 (conv2dDirectPooledFits).
   */
  conv2dDirectPooledKernelGradient: {
    args: ['dKernel: f32 out', 'dBias: f32? out', 'dPooled: f32', 'pooled: f32', 'out: f32', 'input: f32', 'batch: int',
      'height: int', 'width: int', 'channels: int', 'kernelH: int', 'kernelW: int', 'stride: int', 'padTop: int',
      'padLeft: int', 'outH: int', 'outW: int', 'filters: int', 'pool: int', 'relu: bool'],
    extent: DIRECT_POOLED_KERNEL_GRADIENT_EXTENT,
  },

  /**
   * conv2dDirectKernelGradient for filters [f0, f1) only (0 ≤ f0 ≤ f1 ≤ filters): their taps and bias, the same bits
   * as the whole call's; the other filters' untouched. One thread's part of the whole call (by groups of 4 filters).
   */
  conv2dDirectKernelGradientFilters: {
    args: ['dKernel: f32 out', 'dBias: f32? out', 'dOut: f32', 'out: f32?', 'input: f32', 'batch: int', 'height: int',
      'width: int', 'channels: int', 'kernelH: int', 'kernelW: int', 'stride: int', 'padTop: int', 'padLeft: int',
      'outH: int', 'outW: int', 'filters: int', 'f0: int', 'f1: int'],
    extent: DIRECT_KERNEL_GRADIENT_EXTENT,
  },
  /** conv2dDirectPooledKernelGradient for filters [f0, f1) only, as conv2dDirectKernelGradientFilters. */
  conv2dDirectPooledKernelGradientFilters: {
    args: ['dKernel: f32 out', 'dBias: f32? out', 'dPooled: f32', 'pooled: f32', 'out: f32', 'input: f32', 'batch: int',
      'height: int', 'width: int', 'channels: int', 'kernelH: int', 'kernelW: int', 'stride: int', 'padTop: int',
      'padLeft: int', 'outH: int', 'outW: int', 'filters: int', 'pool: int', 'relu: bool', 'f0: int', 'f1: int'],
    extent: DIRECT_POOLED_KERNEL_GRADIENT_EXTENT,
  },

  /**
   * Winograd F(4×4, 3×3) for 3×3 stride-1 convolutions (src/kernels/winograd.ts). The batch's output is cut in
   * 4×4 tiles, t = (b·ceil(outH/4) + ty)·ceil(outW/4) + tx; each call but the kernel transform handles the `tiles`
   * tiles from tile0 (a block small enough for its planes to stay in cache). Operands are 36 planes
   * winogradPlaneStride(rows, cols) floats apart: U (channels × filters), V (tiles × channels), M (tiles × filters).
   * U = G g Gᵀ of the Keras kernel [3, 3, channels, filters].
   */
  winogradKernelTransform: {
    args: ['u: f32 out', 'kernel: f32', 'channels: int', 'filters: int'],
    extent: { u: (s) => planes(s.channels, s.filters), kernel: (s) => 9 * s.channels * s.filters },
  },
  /** V = Bᵀ d B of each tile's 6×6 input patch at (4·ty − padTop, 4·tx − padLeft), zeros outside the image. */
  winogradInputTransform: {
    args: ['v: f32 out', 'input: f32', 'height: int', 'width: int', 'channels: int', 'padTop: int', 'padLeft: int',
      'outH: int', 'outW: int', 'tile0: int', 'tiles: int'],
    extent: { v: (s) => planes(s.tiles, s.channels), input: (s) => tileImages(s) * s.height * s.width * s.channels },
  },
  /** out[e] = input[e] · U[e] (tiles × filters), or, when adjoint, input[e] · U[e]ᵀ (tiles × channels). */
  winogradMultiply: {
    args: ['out: f32 out', 'input: f32', 'u: f32', 'tiles: int', 'channels: int', 'filters: int', 'adjoint: bool'],
    extent: {
      out: (s) => planes(s.tiles, s.adjoint ? s.channels : s.filters),
      input: (s) => planes(s.tiles, s.adjoint ? s.filters : s.channels),
      u: (s) => planes(s.channels, s.filters),
    },
  },
  /** out = Aᵀ M A per tile (+ bias, when not null; then max(·, 0) when relu), the valid outH × outW outputs only. */
  winogradOutputTransform: {
    args: ['out: f32 out', 'm: f32', 'bias: f32?', 'relu: bool', 'outH: int', 'outW: int', 'filters: int',
      'tile0: int', 'tiles: int'],
    extent: {
      out: (s) => tileImages(s) * s.outH * s.outW * s.filters,
      m: (s) => planes(s.tiles, s.filters),
      bias: (s) => s.filters,
    },
  },
  /** dM = A dY Aᵀ per tile (dY zero past outH × outW): the output transform's adjoint. */
  winogradOutputAdjoint: {
    args: ['dm: f32 out', 'dOut: f32', 'outH: int', 'outW: int', 'filters: int', 'tile0: int', 'tiles: int'],
    extent: { dm: (s) => planes(s.tiles, s.filters), dOut: (s) => tileImages(s) * s.outH * s.outW * s.filters },
  },
  /** dInput += B dV Bᵀ at each tile's patch (outside pixels dropped): the input transform's adjoint. */
  winogradInputAdjoint: {
    args: ['dInput: f32 out', 'dv: f32', 'height: int', 'width: int', 'channels: int', 'padTop: int', 'padLeft: int',
      'outH: int', 'outW: int', 'tile0: int', 'tiles: int'],
    extent: { dInput: (s) => tileImages(s) * s.height * s.width * s.channels, dv: (s) => planes(s.tiles, s.channels) },
  },
  /** dU[e] = V[e]ᵀ · dM[e] (channels × filters), added to dU when accumulate: the kernel gradient's products. */
  winogradKernelGradient: {
    args: ['du: f32 out', 'v: f32', 'dm: f32', 'tiles: int', 'channels: int', 'filters: int', 'accumulate: bool'],
    extent: {
      du: (s) => planes(s.channels, s.filters),
      v: (s) => planes(s.tiles, s.channels),
      dm: (s) => planes(s.tiles, s.filters),
    },
  },
  /** dKernel += Gᵀ dU G per channel and filter (Keras' [3, 3, channels, filters]): the kernel transform's adjoint. */
  winogradKernelAdjoint: {
    args: ['dKernel: f32 out', 'du: f32', 'channels: int', 'filters: int'],
    extent: { dKernel: (s) => 9 * s.channels * s.filters, du: (s) => planes(s.channels, s.filters) },
  },

  /**
   * A layer's whole forward, block after block of `block` tiles (the last may be shorter): V of block i (kept, in v at
   * i · planes(block, channels)) = the input transform, M = V · U, out = the output transform (+ bias, relu), as
   * winogradInputTransform, winogradMultiply and winogradOutputTransform on each block in turn. m holds `slots` Ms of
   * planes(block, filters) floats, one per thread where the blocks are shared out; the whole call uses the first.
   */
  winogradForward: {
    args: ['out: f32 out', 'v: f32 out', 'm: f32 out', 'input: f32', 'u: f32', 'bias: f32?', 'relu: bool',
      'height: int', 'width: int', 'channels: int', 'padTop: int', 'padLeft: int', 'outH: int', 'outW: int',
      'filters: int', 'tiles: int', 'block: int', 'slots: int'],
    extent: {
      out: (s) => tileImages({ ...s, tile0: 0 }) * s.outH * s.outW * s.filters,
      input: (s) => tileImages({ ...s, tile0: 0 }) * s.height * s.width * s.channels,
      v: (s) => blockPlanes(s, s.channels),
      m: (s) => s.slots * planes(s.block, s.filters),
      u: (s) => planes(s.channels, s.filters),
      bias: (s) => s.filters,
    },
  },

  /**
   * A layer's backward in four calls over its blocks of tiles (block after block, the last maybe shorter): dm holds
   * every block's dM (planes(block, filters) floats apart), v every block's V (planes(block, channels) apart).
   * winogradOutputAdjoints: each block's dM = winogradOutputAdjoint of its dOut tiles.
   */
  winogradOutputAdjoints: {
    args: ['dm: f32 out', 'dOut: f32', 'outH: int', 'outW: int', 'filters: int', 'tiles: int', 'block: int'],
    extent: { dm: (s) => blockPlanes(s, s.filters), dOut: (s) => tileImages({ ...s, tile0: 0 }) * s.outH * s.outW * s.filters },
  },
  /** dU = Σ over the blocks in order of V[e]ᵀ · dM[e] (winogradKernelGradient, accumulating after the first block). */
  winogradKernelGradients: {
    args: ['du: f32 out', 'v: f32', 'dm: f32', 'tiles: int', 'block: int', 'channels: int', 'filters: int'],
    extent: {
      du: (s) => planes(s.channels, s.filters), v: (s) => blockPlanes(s, s.channels), dm: (s) => blockPlanes(s, s.filters),
    },
  },
  /** Each block's dV = dM · Uᵀ (winogradMultiply, adjoint), into its V. */
  winogradMultiplyAdjoints: {
    args: ['v: f32 out', 'dm: f32', 'u: f32', 'tiles: int', 'block: int', 'channels: int', 'filters: int'],
    extent: {
      v: (s) => blockPlanes(s, s.channels), dm: (s) => blockPlanes(s, s.filters), u: (s) => planes(s.channels, s.filters),
    },
  },
  /** dInput += each block's input adjoint of its dV (in v), block after block (winogradInputAdjoint). */
  winogradInputAdjoints: {
    args: ['dInput: f32 out', 'v: f32', 'height: int', 'width: int', 'channels: int', 'padTop: int', 'padLeft: int',
      'outH: int', 'outW: int', 'tiles: int', 'block: int'],
    extent: {
      dInput: (s) => tileImages({ ...s, tile0: 0 }) * s.height * s.width * s.channels, v: (s) => blockPlanes(s, s.channels),
    },
  },

  /** Max over pool×pool windows moved by stride (valid); ties and a NaN first element keep the first element. */
  maxPoolForward: {
    args: ['out: f32 out', 'input: f32', 'batch: int', 'height: int', 'width: int', 'channels: int', 'pool: int',
      'stride: int', 'outH: int', 'outW: int'],
    extent: {
      out: (s) => s.batch * s.outH * s.outW * s.channels,
      input: (s) => s.batch * s.height * s.width * s.channels,
    },
  },
  /**
   * dInput = dOut at each window's winner, the first element (row-major window order) equal to the window's maximum
   * `out` from maxPoolForward: the forward's winner; zero elsewhere, overlapping windows adding up. Writes every
   * element of dInput. A NaN maximum passes no gradient. When relu (the input is a relu's output), neither does a
   * maximum ≤ 0: relu's derivative, applied here so that the layer below needs no mask sweep.
   */
  maxPoolBackward: {
    args: ['dInput: f32 out', 'dOut: f32', 'input: f32', 'out: f32', 'batch: int', 'height: int', 'width: int',
      'channels: int', 'pool: int', 'stride: int', 'outH: int', 'outW: int', 'relu: bool'],
    extent: {
      dInput: (s) => s.batch * s.height * s.width * s.channels,
      dOut: (s) => s.batch * s.outH * s.outW * s.channels,
      input: (s) => s.batch * s.height * s.width * s.channels,
      out: (s) => s.batch * s.outH * s.outW * s.channels,
    },
  },

  /** out[r·cols + j] += bias[j]. */
  biasAdd: {
    args: ['out: f32 out', 'bias: f32', 'rows: int', 'cols: int'],
    extent: { out: (s) => s.rows * s.cols, bias: (s) => s.cols },
  },
  /** dBias[j] += Σ_r dOut[r·cols + j]. */
  biasGrad: {
    args: ['dBias: f32 out', 'dOut: f32', 'rows: int', 'cols: int'],
    extent: { dBias: (s) => s.cols, dOut: (s) => s.rows * s.cols },
  },

  /** out[i] = max(input[i], 0); out may equal input. */
  reluForward: {
    args: ['out: f32 out', 'input: f32', 'n: int'],
    extent: { out: (s) => s.n, input: (s) => s.n },
  },
  /** dInput[i] = output[i] > 0 ? dOut[i] : 0; dInput may equal dOut. */
  reluBackward: {
    args: ['dInput: f32 out', 'dOut: f32', 'output: f32', 'n: int'],
    extent: { dInput: (s) => s.n, dOut: (s) => s.n, output: (s) => s.n },
  },

  /**
   * Row-wise softmax of logits into probs (max-subtracted, stable), and the mean categorical cross-entropy against
   * one-hot (or soft) targets over the rows, returned in float64. dLogits = (probs − targets) / rows, the gradient
   * of that mean. dLogits may be null (inference). Loss terms use log(max(p, 1e-7))-free exact log-sum-exp form.
   */
  softmaxCrossEntropy: {
    args: ['probs: f32 out', 'dLogits: f32? out', 'logits: f32', 'targets: f32', 'rows: int', 'classes: int'],
    returns: 'float',
    extent: {
      probs: (s) => s.rows * s.classes,
      dLogits: (s) => s.rows * s.classes,
      logits: (s) => s.rows * s.classes,
      targets: (s) => s.rows * s.classes,
    },
  },

  /**
   * One Adam step as Keras does it (t ≥ 1): lr_t = lr·sqrt(1 − β2^t)/(1 − β1^t); m += (g − m)(1 − β1);
   * v += (g² − v)(1 − β2); param −= lr_t · m / (sqrt(v) + ε).
   */
  adam: {
    args: ['param: f32 out', 'grad: f32', 'm: f32 out', 'v: f32 out', 'n: int', 'learningRate: float', 'beta1: float',
      'beta2: float', 'epsilon: float', 'step: int'],
    extent: { param: (s) => s.n, grad: (s) => s.n, m: (s) => s.n, v: (s) => s.n },
  },
  /** param −= learningRate · grad. */
  sgd: {
    args: ['param: f32 out', 'grad: f32', 'n: int', 'learningRate: float'],
    extent: { param: (s) => s.n, grad: (s) => s.n },
  },
} as const satisfies Record<string, KernelEntry>;

export type KernelName = keyof typeof KERNELS;

type ArrayOf<A extends string> = A extends 'u8' ? Uint8Array : A extends 'i32' ? Int32Array
  : A extends 'f32' ? Float32Array : A extends 'f64' ? Float64Array : never;
/** The TypeScript type of an argument of one kind. */
export type ValueOf<K extends string> = K extends 'int' | 'float' ? number : K extends 'bool' ? boolean
  : K extends `${infer A}? out` ? ArrayOf<A> | null : K extends `${infer A}?` ? ArrayOf<A> | null
  : K extends `${infer A} out` ? ArrayOf<A> : ArrayOf<K>;
type ArgValue<S> = S extends `${string}: ${infer K}` ? ValueOf<K> : never;
type Params<A extends readonly string[]> = { -readonly [I in keyof A]: ArgValue<A[I]> };

/** The function a kernel entry declares. */
export type KernelFunction<E extends KernelEntry> =
  (...args: Params<E['args']>) => E extends { returns: 'float' } ? number : void;

/** The kernel interface both backends implement (the js twins in src/kernels, the wasm adapter), from the table. */
export type Kernels = { readonly [N in keyof typeof KERNELS]: KernelFunction<(typeof KERNELS)[N]> };

