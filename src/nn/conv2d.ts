// Conv2D as one matrix multiply: im2col unfolds every output position's receptive field into a row, so that
// Y (positions × filters) = cols (positions × kh·kw·cin) · W (kh·kw·cin × filters). W is exactly Keras' kernel
// [kh, kw, cin, cout] read row-major, so weights move to and from Keras/TF.js without a transpose.
// Backward: dW += colsᵀ·dY, dBias += Σ dY, dCols = dY·Wᵀ folded back onto the image by col2im.
// 3×3 stride-1 layers with enough channels (src/nn/conv-algorithm.ts) run Winograd F(4×4, 3×3) instead
// (src/kernels/winograd.ts): U = G g Gᵀ, V = Bᵀ d B, M = V·U per tile element, out = Aᵀ M A + bias, relu fused into
// that last store; the input gradient is the same steps transposed, and the kernel gradient is the kernel
// transform's adjoint on the same tiles (dU[e] = Σ V[e]ᵀ·dM[e], dW += Gᵀ dU G), with the forward's V. With
// im2col + gemm that kernel gradient was 28% of the tutorial's training step (scripts/profile-network.mjs).
// Layers with 1 or 2 input channels (the first) run a direct convolution with bias and relu in its store
// (src/kernels/conv-direct.ts); their kernel and bias gradients come from one pass over dOut and the input, the relu
// mask applied as dOut is read (or already by the pooling above: src/nn/relu-fusion.ts), and an input gradient, if
// one is needed, is im2col's: dCols = dY·Wᵀ folded back by col2im.
import type { Kernels } from '../kernels/types.js';
import {
  Layer, activationBackward, activationForward, KERAS_GLOROT_UNIFORM, KERAS_ZEROS,
  type Activation, type LayerViews, type ParamSpec,
} from './layer.js';
import { chooseConvAlgorithm, type ConvAlgorithm } from './conv-algorithm.js';
import { conv2dDirectPooledFits } from '../kernels/conv-direct.js';
import { MaxPooling2D } from './max-pooling2d.js';
import { winogradBlockTiles, winogradPlanesFloats } from '../kernels/winograd.js';
import { checkOptions, oneOf, pair, positiveInt, shape, bool, invalid } from './options.js';

export interface Conv2DOptions {
  filters: number;
  kernelSize: number | [number, number];
  strides?: number | [number, number];
  padding?: 'valid' | 'same';
  activation?: 'relu' | 'linear';
  useBias?: boolean;
  inputShape?: [number, number, number];
  name?: string;
}

const OPTIONS = ['filters', 'kernelSize', 'strides', 'padding', 'activation', 'useBias', 'inputShape', 'name'];

interface WinogradViews {
  tiles: number; block: number; blocks: number; u: Float32Array; du: Float32Array;
  /** Every block's V (then dV), and every block's M (the forward's: one per thread at a time) or dM. */
  v: Float32Array; m: Float32Array;
}

export class Conv2D extends Layer {
  readonly className = 'Conv2D';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly stride: number;
  readonly padding: 'valid' | 'same';
  readonly useBias: boolean;
  private geometry = { outH: 0, outW: 0, padTop: 0, padLeft: 0 };
  private algorithm: ConvAlgorithm = 'im2col';
  private winogradCache: { scratch: Float32Array; batch: number; views: WinogradViews } | null = null;

  constructor(options: Conv2DOptions) {
    const where = 'Conv2D';
    const o = checkOptions(where, options, OPTIONS);
    if (o.filters === undefined) throw new TypeError('Conv2D: `filters` is required');
    if (o.kernelSize === undefined) throw new TypeError('Conv2D: `kernelSize` is required');
    super(o.name === undefined ? undefined : String(o.name),
      o.inputShape === undefined ? undefined : shape(where, 'inputShape', o.inputShape, 3));
    this.filters = positiveInt(where, 'filters', o.filters);
    this.kernelSize = pair(where, 'kernelSize', o.kernelSize);
    const strides = pair(where, 'strides', o.strides ?? 1);
    // The im2col kernel moves by one stride in both directions.
    if (strides[0] !== strides[1]) invalid(where, 'strides', 'equal in both directions', o.strides);
    this.stride = strides[0];
    this.padding = oneOf(where, 'padding', o.padding ?? 'valid', ['valid', 'same'] as const);
    this.activation = oneOf(where, 'activation', o.activation ?? 'linear', ['relu', 'linear'] as const) as Activation;
    this.useBias = bool(where, 'useBias', o.useBias ?? true);
  }

  protected outputShapeFor(input: readonly number[]): number[] {
    if (input.length !== 3) {
      throw new RangeError(`Conv2D ${this.name}: expects inputs of shape [height, width, channels]. Received: [${input.join(', ')}]`);
    }
    const [h, w] = input;
    const [kh, kw] = this.kernelSize;
    const s = this.stride;
    let outH: number, outW: number, padTop = 0, padLeft = 0;
    if (this.padding === 'same') {
      // TensorFlow's 'same': output ceil(size / stride), the odd padding pixel goes at the bottom/right.
      outH = Math.ceil(h / s);
      outW = Math.ceil(w / s);
      padTop = Math.floor(Math.max((outH - 1) * s + kh - h, 0) / 2);
      padLeft = Math.floor(Math.max((outW - 1) * s + kw - w, 0) / 2);
    } else {
      outH = Math.floor((h - kh) / s) + 1;
      outW = Math.floor((w - kw) / s) + 1;
    }
    if (outH < 1 || outW < 1) {
      throw new RangeError(`Conv2D ${this.name}: a ${kh}×${kw} kernel with 'valid' padding does not fit an input of ` +
        `${h}×${w}`);
    }
    this.geometry = { outH, outW, padTop, padLeft };
    this.algorithm = chooseConvAlgorithm(kh, kw, s, input[2], outH, outW, this.filters);
    this.winogradCache = null;
    return [outH, outW, this.filters];
  }

  override paramSpecs(): ParamSpec[] {
    const [kh, kw] = this.kernelSize;
    const specs: ParamSpec[] = [{ name: 'kernel', shape: [kh, kw, this.inputShape[2], this.filters] }];
    if (this.useBias) specs.push({ name: 'bias', shape: [this.filters] });
    return specs;
  }

  protected override fans(): [number, number] {
    const [kh, kw] = this.kernelSize;
    return [kh * kw * this.inputShape[2], kh * kw * this.filters];
  }

  /**
   * im2col: the columns of the batch, kept from forward for dW and reused in place for dCols (direct: dCols only).
   * Winograd: U, dU, every block's V (kept from forward for the kernel gradient; a block's dV overwrites its V once
   * dU has it), and every block's M: the backward keeps each block's dM from the output adjoints until dV is made
   * (four calls over all the blocks: one round trip each with threads), and the forward's threads each take a
   * block's M of their own (winogradForward's slots).
   */
  override scratchFloats(batch: number): number {
    const [kh, kw] = this.kernelSize;
    const { outH, outW } = this.geometry;
    const c = this.inputShape[2];
    const cols = batch * outH * outW * kh * kw * c;
    if (this.algorithm !== 'winograd') return cols;
    const tiles = batch * Math.ceil(outH / 4) * Math.ceil(outW / 4);
    const block = Math.min(tiles, winogradBlockTiles(c, this.filters));
    const blocks = block === 0 ? 0 : Math.ceil(tiles / block);
    const u = winogradPlanesFloats(c, this.filters);
    return 2 * u + blocks * (winogradPlanesFloats(block, c) + winogradPlanesFloats(block, this.filters));
  }

  /** Where U, dU, V and M (or dV and dM) lie in the scratch of a Winograd layer; kept while the scratch and batch are. */
  private winogradViews(scratch: Float32Array, batch: number) {
    const last = this.winogradCache;
    if (last !== null && last.scratch === scratch && last.batch === batch) return last.views;
    const { outH, outW } = this.geometry;
    const c = this.inputShape[2];
    const tiles = batch * Math.ceil(outH / 4) * Math.ceil(outW / 4);
    const block = Math.min(tiles, winogradBlockTiles(c, this.filters));
    const blocks = block === 0 ? 0 : Math.ceil(tiles / block);
    const uFloats = winogradPlanesFloats(c, this.filters);
    // A block of fewer tiles (the last) has planes no further apart than a full block's: each fits its region.
    const vFloats = winogradPlanesFloats(block, c);
    const vEnd = 2 * uFloats + blocks * vFloats;
    const views = {
      tiles, block, blocks, u: scratch.subarray(0, uFloats), du: scratch.subarray(uFloats, 2 * uFloats),
      v: scratch.subarray(2 * uFloats, vEnd),
      m: scratch.subarray(vEnd, vEnd + blocks * winogradPlanesFloats(block, this.filters)),
    };
    this.winogradCache = { scratch, batch, views };
    return views;
  }

  forward(k: Kernels, out: Float32Array, input: Float32Array, v: LayerViews, batch: number): void {
    const [h, w, c] = this.inputShape;
    const [kh, kw] = this.kernelSize;
    const { outH, outW, padTop, padLeft } = this.geometry;
    const rows = batch * outH * outW;
    if (this.algorithm === 'winograd') {
      const s = this.winogradViews(v.scratch, batch);
      k.winogradKernelTransform(s.u, v.kernel, c, this.filters);
      // Every block's input transform, products and output transform in one call: with threads, one round trip that
      // gives each thread whole blocks (src/runtime/threads/split.ts) instead of three per block.
      k.winogradForward(out, s.v, s.m, input, s.u, this.useBias ? v.bias : null, this.activation === 'relu', h, w,
        c, padTop, padLeft, outH, outW, this.filters, s.tiles, s.block, s.blocks);
      return;
    }
    if (this.algorithm === 'direct') {
      k.conv2dDirect(out, input, v.kernel, this.useBias ? v.bias : null, this.activation === 'relu', batch, h, w, c,
        kh, kw, this.stride, padTop, padLeft, outH, outW, this.filters);
      return;
    }
    k.im2col(v.scratch, input, batch, h, w, c, kh, kw, this.stride, padTop, padLeft, outH, outW);
    k.gemm(out, v.scratch, v.kernel, rows, this.filters, kh * kw * c, false, false, false);
    if (this.useBias) k.biasAdd(out, v.bias, rows, this.filters);
    activationForward(k, this.activation, out, rows * this.filters);
  }

  /**
   * A direct layer under a max pooling of non-overlapping windows sums its kernel gradient from the pooling's dOut
   * and maxima (conv2dDirectPooledKernelGradient): the pooling's backward would write a gradient as large as this
   * layer's output, three quarters zeros, for this layer to read back (for the tutorial's first layer, 1.6 ms of the
   * pooling and 5.5 MB each way per step).
   */
  override fusesNextBackward(): boolean {
    const pool = this.next;
    return this.algorithm === 'direct' && pool instanceof MaxPooling2D && pool.stride === pool.poolSize &&
      (this.activation !== 'relu' || pool.masksRelu) && conv2dDirectPooledFits(this.geometry.outW, this.filters);
  }

  backward(k: Kernels, dInput: Float32Array | null, dOut: Float32Array, out: Float32Array, input: Float32Array,
    v: LayerViews, batch: number, nextDOut: Float32Array | null = null, nextOut: Float32Array | null = null): void {
    const [h, w, c] = this.inputShape;
    const [kh, kw] = this.kernelSize;
    const { outH, outW, padTop, padLeft } = this.geometry;
    const rows = batch * outH * outW;
    const depth = kh * kw * c;
    if (nextDOut !== null && nextOut !== null) {
      const pool = this.next as MaxPooling2D;
      k.conv2dDirectPooledKernelGradient(v.dKernel, this.useBias ? v.dBias : null, nextDOut, nextOut, out, input,
        batch, h, w, c, kh, kw, this.stride, padTop, padLeft, outH, outW, this.filters, pool.poolSize, pool.masksRelu);
      return;
    }
    if (this.algorithm === 'direct') {
      // The relu mask goes into the kernel gradient's loads, unless the input gradient needs the masked dOut too.
      const fuseMask = dInput === null && this.activation === 'relu' && !this.dOutMasked;
      if (!fuseMask && !this.dOutMasked) activationBackward(k, this.activation, dOut, out, rows * this.filters);
      k.conv2dDirectKernelGradient(v.dKernel, this.useBias ? v.dBias : null, dOut, fuseMask ? out : null, input, batch,
        h, w, c, kh, kw, this.stride, padTop, padLeft, outH, outW, this.filters);
      if (dInput === null) return;
      k.gemm(v.scratch, dOut, v.kernel, rows, depth, this.filters, false, true, false);
      dInput.fill(0, 0, batch * h * w * c);
      k.col2im(dInput, v.scratch, batch, h, w, c, kh, kw, this.stride, padTop, padLeft, outH, outW);
      return;
    }
    if (!this.dOutMasked) activationBackward(k, this.activation, dOut, out, rows * this.filters);
    if (this.algorithm === 'winograd') {
      const s = this.winogradViews(v.scratch, batch);
      if (this.useBias) k.biasGrad(v.dBias, dOut, rows, this.filters);
      // U is rebuilt rather than trusted to survive from forward: it costs ~1/300 of the step.
      if (dInput !== null) {
        k.winogradKernelTransform(s.u, v.kernel, c, this.filters);
        dInput.fill(0, 0, batch * h * w * c);
      }
      // Step by step over every block (assembly/winograd.ts: the same calls per block as block by block, so the same
      // bytes), so that with threads each step is one round trip: dM of every block; dU summed over the blocks in
      // order (V is the forward's, of this batch: the engine runs backward right after forward on the same views);
      // then dV into each block's V, and dInput from it.
      k.winogradOutputAdjoints(s.m, dOut, outH, outW, this.filters, s.tiles, s.block);
      k.winogradKernelGradients(s.du, s.v, s.m, s.tiles, s.block, c, this.filters);
      if (dInput !== null) {
        k.winogradMultiplyAdjoints(s.v, s.m, s.u, s.tiles, s.block, c, this.filters);
        k.winogradInputAdjoints(dInput, s.v, h, w, c, padTop, padLeft, outH, outW, s.tiles, s.block);
      }
      if (s.tiles > 0) k.winogradKernelAdjoint(v.dKernel, s.du, c, this.filters);
      return;
    }
    k.gemm(v.dKernel, v.scratch, dOut, depth, this.filters, rows, true, false, true);
    if (this.useBias) k.biasGrad(v.dBias, dOut, rows, this.filters);
    if (dInput === null) return;
    // The columns are no longer needed once dW has them: their buffer takes dCols.
    k.gemm(v.scratch, dOut, v.kernel, rows, depth, this.filters, false, true, false);
    dInput.fill(0, 0, batch * h * w * c);
    k.col2im(dInput, v.scratch, batch, h, w, c, kh, kw, this.stride, padTop, padLeft, outH, outW);
  }

  getConfig(): Record<string, unknown> {
    return {
      name: this.name, filters: this.filters, kernelSize: [...this.kernelSize], strides: this.stride,
      padding: this.padding, activation: this.activation, useBias: this.useBias,
      ...(this.declaredInputShape ? { inputShape: [...this.declaredInputShape] } : {}),
    };
  }

  kerasConfig(): Record<string, unknown> {
    return {
      name: this.name, trainable: true, dtype: 'float32',
      filters: this.filters, kernel_size: [...this.kernelSize], strides: [this.stride, this.stride],
      padding: this.padding, data_format: 'channels_last', dilation_rate: [1, 1],
      activation: this.activation, use_bias: this.useBias,
      kernel_initializer: KERAS_GLOROT_UNIFORM, bias_initializer: KERAS_ZEROS,
      kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null,
      kernel_constraint: null, bias_constraint: null,
    };
  }
}
