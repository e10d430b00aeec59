// The wasm-simd backend: instantiates the embedded module and adapts its pointer-based exports to the Kernels
// interface, so callers pass HeapBlock views and never see a raw pointer.
import type { Kernels } from '../kernels/types.js';
import { base64ToBytes } from '../base64.js';
import { wasmBase64, wasmRelaxedBase64 } from './wasm-binary.js';

interface PixprepExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  scaleU8(out: number, input: number, n: number, scale: number, offset: number): void;
  scaleF32(out: number, input: number, n: number, scale: number, offset: number): void;
  affineU8(out: number, input: number, n: number, channels: number, mul: number, add: number): void;
  affineF32(out: number, input: number, n: number, channels: number, mul: number, add: number): void;
  momentsU8(out: number, input: number, n: number, channels: number): void;
  momentsF32(out: number, input: number, n: number, channels: number): void;
  sampleMomentsU8(out: number, input: number, nImages: number, imageSize: number): void;
  sampleMomentsF32(out: number, input: number, nImages: number, imageSize: number): void;
  gatherRows(out: number, source: number, indices: number, count: number, rowBytes: number): void;
  rotateRowsF64(z: number, n: number, l: number, m: number, cosines: number, sines: number): void;
  tred2SymvF64(z: number, n: number, i: number, d: number, e: number): void;
  tred2Rank2F64(z: number, n: number, i: number, d: number, e: number): void;
  tred2AccumulateF64(z: number, n: number, i: number, d: number): void;
  gramBlockF64(acc: number, rows: number, gains: number, D: number, i0: number, i1: number): void;
  warpU8(out: number, input: number, params: number, nImages: number, height: number, width: number, channels: number,
    planar: boolean, mode: number, order: number, cval: number, mul: number, add: number): void;
  warpF32(out: number, input: number, params: number, nImages: number, height: number, width: number, channels: number,
    planar: boolean, mode: number, order: number, cval: number, mul: number, add: number): void;
  resizeNearestU8(out: number, input: number, rows: number, cols: number, outHeight: number, outWidth: number,
    inWidth: number, channels: number): void;
  resampleHorizontalU8(out: number, input: number, bounds: number, weights: number, taps: number, rows: number,
    firstRow: number, inWidth: number, outWidth: number, channels: number): void;
  resampleVerticalU8(out: number, input: number, bounds: number, weights: number, taps: number, outHeight: number,
    rowLength: number): void;
  gemm(c: number, a: number, b: number, m: number, n: number, k: number, transA: boolean, transB: boolean, accumulate: boolean): void;
  im2col(cols: number, input: number, batch: number, height: number, width: number, channels: number, kernelH: number,
    kernelW: number, stride: number, padTop: number, padLeft: number, outH: number, outW: number): void;
  col2im(dInput: number, cols: number, batch: number, height: number, width: number, channels: number, kernelH: number,
    kernelW: number, stride: number, padTop: number, padLeft: number, outH: number, outW: number): void;
  /** bias = 0: no bias. */
  conv2dDirect(out: number, input: number, kernel: number, bias: number, relu: boolean, batch: number, height: number,
    width: number, channels: number, kernelH: number, kernelW: number, stride: number, padTop: number, padLeft: number,
    outH: number, outW: number, filters: number): void;
  winogradKernelTransform(u: number, kernel: number, channels: number, filters: number): void;
  winogradInputTransform(v: number, input: number, height: number, width: number, channels: number,
    padTop: number, padLeft: number, outH: number, outW: number, tile0: number, tiles: number): void;
  winogradMultiply(out: number, input: number, u: number, tiles: number, channels: number, filters: number,
    adjoint: boolean): void;
  /** bias = 0: no bias. */
  winogradOutputTransform(out: number, m: number, bias: number, relu: boolean, outH: number, outW: number,
    filters: number, tile0: number, tiles: number): void;
  winogradOutputAdjoint(dm: number, dOut: number, outH: number, outW: number, filters: number, tile0: number,
    tiles: number): void;
  winogradInputAdjoint(dInput: number, dv: number, height: number, width: number, channels: number,
    padTop: number, padLeft: number, outH: number, outW: number, tile0: number, tiles: number): void;
  maxPoolForward(out: number, argmax: number, input: number, batch: number, height: number, width: number,
    channels: number, pool: number, stride: number, outH: number, outW: number): void;
  maxPoolBackward(dInput: number, dOut: number, argmax: number, n: number): void;
  biasAdd(out: number, bias: number, rows: number, cols: number): void;
  biasGrad(dBias: number, dOut: number, rows: number, cols: number): void;
  reluForward(out: number, input: number, n: number): void;
  reluBackward(dInput: number, dOut: number, output: number, n: number): void;
  /** dLogits = 0: no gradient. */
  softmaxCrossEntropy(probs: number, dLogits: number, logits: number, targets: number, rows: number, classes: number): number;
  adam(param: number, grad: number, m: number, v: number, n: number, learningRate: number, beta1: number, beta2: number,
    epsilon: number, step: number): void;
  sgd(param: number, grad: number, n: number, learningRate: number): void;
}

export interface WasmInstance {
  exports: PixprepExports;
  memory: WebAssembly.Memory;
  kernels: Kernels;
}

const imports = {
  env: {
    // Only the debug build imports abort (the release build is compiled with noAssert).
    abort(_message: number, _file: number, line: number, column: number): never {
      throw new Error(`pixprep wasm assertion failed at ${line}:${column}`);
    },
  },
};

/**
 * Compiles and instantiates the embedded module synchronously (backend.ts: why, and where a platform refuses): the
 * strict SIMD build, or with `relaxed` the relaxed-SIMD build (fused multiply-add where the CPU has it).
 */
export function instantiateWasm(relaxed = false): WasmInstance {
  const bytes = base64ToBytes(relaxed ? wasmRelaxedBase64 : wasmBase64) as BufferSource;
  return adaptWasm(new WebAssembly.Instance(new WebAssembly.Module(bytes), imports));
}

/** The same, asynchronously: for platforms that refuse a synchronous compile (backend.ts' ready()). */
export async function instantiateWasmAsync(relaxed = false): Promise<WasmInstance> {
  const bytes = base64ToBytes(relaxed ? wasmRelaxedBase64 : wasmBase64) as BufferSource;
  const { instance } = await WebAssembly.instantiate(bytes, imports);
  return adaptWasm(instance);
}

function adaptWasm(instance: WebAssembly.Instance): WasmInstance {
  const exports = instance.exports as unknown as PixprepExports;
  const memory = exports.memory;

  const at = (view: ArrayBufferView): number => {
    if (view.buffer !== memory.buffer) {
      throw new Error('pixprep internal error: a wasm kernel was given an array outside wasm memory (use HeapBlock.view)');
    }
    return view.byteOffset;
  };

  const kernels: Kernels = {
    scaleU8: (out, input, n, scale, offset) => exports.scaleU8(at(out), at(input), n, scale, offset),
    scaleF32: (out, input, n, scale, offset) => exports.scaleF32(at(out), at(input), n, scale, offset),
    affineU8: (out, input, n, channels, mul, add) => exports.affineU8(at(out), at(input), n, channels, at(mul), at(add)),
    affineF32: (out, input, n, channels, mul, add) => exports.affineF32(at(out), at(input), n, channels, at(mul), at(add)),
    momentsU8: (out, input, n, channels) => exports.momentsU8(at(out), at(input), n, channels),
    momentsF32: (out, input, n, channels) => exports.momentsF32(at(out), at(input), n, channels),
    sampleMomentsU8: (out, input, nImages, imageSize) => exports.sampleMomentsU8(at(out), at(input), nImages, imageSize),
    sampleMomentsF32: (out, input, nImages, imageSize) => exports.sampleMomentsF32(at(out), at(input), nImages, imageSize),
    gatherRows: (out, source, indices, count, rowBytes) => exports.gatherRows(at(out), at(source), at(indices), count, rowBytes),
    rotateRowsF64: (z, n, l, m, cosines, sines) => exports.rotateRowsF64(at(z), n, l, m, at(cosines), at(sines)),
    tred2SymvF64: (z, n, i, d, e) => exports.tred2SymvF64(at(z), n, i, at(d), at(e)),
    tred2Rank2F64: (z, n, i, d, e) => exports.tred2Rank2F64(at(z), n, i, at(d), at(e)),
    tred2AccumulateF64: (z, n, i, d) => exports.tred2AccumulateF64(at(z), n, i, at(d)),
    gramBlockF64: (acc, rows, gains, D, i0, i1) => exports.gramBlockF64(at(acc), at(rows), at(gains), D, i0, i1),
    warpU8: (out, input, params, nImages, height, width, channels, planar, mode, order, cval, mul, add) =>
      exports.warpU8(at(out), at(input), at(params), nImages, height, width, channels, planar, mode, order, cval, at(mul), at(add)),
    warpF32: (out, input, params, nImages, height, width, channels, planar, mode, order, cval, mul, add) =>
      exports.warpF32(at(out), at(input), at(params), nImages, height, width, channels, planar, mode, order, cval, at(mul), at(add)),
    resizeNearestU8: (out, input, rows, cols, outHeight, outWidth, inWidth, channels) =>
      exports.resizeNearestU8(at(out), at(input), at(rows), at(cols), outHeight, outWidth, inWidth, channels),
    resampleHorizontalU8: (out, input, bounds, weights, taps, rows, firstRow, inWidth, outWidth, channels) =>
      exports.resampleHorizontalU8(at(out), at(input), at(bounds), at(weights), taps, rows, firstRow, inWidth, outWidth, channels),
    resampleVerticalU8: (out, input, bounds, weights, taps, outHeight, rowLength) =>
      exports.resampleVerticalU8(at(out), at(input), at(bounds), at(weights), taps, outHeight, rowLength),
    gemm: (c, a, b, m, n, k, transA, transB, accumulate) => exports.gemm(at(c), at(a), at(b), m, n, k, transA, transB, accumulate),
    im2col: (cols, input, batch, height, width, channels, kernelH, kernelW, stride, padTop, padLeft, outH, outW) =>
      exports.im2col(at(cols), at(input), batch, height, width, channels, kernelH, kernelW, stride, padTop, padLeft, outH, outW),
    col2im: (dInput, cols, batch, height, width, channels, kernelH, kernelW, stride, padTop, padLeft, outH, outW) =>
      exports.col2im(at(dInput), at(cols), batch, height, width, channels, kernelH, kernelW, stride, padTop, padLeft, outH, outW),
    conv2dDirect: (out, input, kernel, bias, relu, batch, height, width, channels, kernelH, kernelW, stride, padTop,
      padLeft, outH, outW, filters) => exports.conv2dDirect(at(out), at(input), at(kernel), bias === null ? 0 : at(bias),
      relu, batch, height, width, channels, kernelH, kernelW, stride, padTop, padLeft, outH, outW, filters),
    winogradKernelTransform: (u, kernel, channels, filters) =>
      exports.winogradKernelTransform(at(u), at(kernel), channels, filters),
    winogradInputTransform: (v, input, height, width, channels, padTop, padLeft, outH, outW, tile0, tiles) =>
      exports.winogradInputTransform(at(v), at(input), height, width, channels, padTop, padLeft, outH, outW, tile0, tiles),
    winogradMultiply: (out, input, u, tiles, channels, filters, adjoint) =>
      exports.winogradMultiply(at(out), at(input), at(u), tiles, channels, filters, adjoint),
    winogradOutputTransform: (out, m, bias, relu, outH, outW, filters, tile0, tiles) =>
      exports.winogradOutputTransform(at(out), at(m), bias === null ? 0 : at(bias), relu, outH, outW, filters, tile0, tiles),
    winogradOutputAdjoint: (dm, dOut, outH, outW, filters, tile0, tiles) =>
      exports.winogradOutputAdjoint(at(dm), at(dOut), outH, outW, filters, tile0, tiles),
    winogradInputAdjoint: (dInput, dv, height, width, channels, padTop, padLeft, outH, outW, tile0, tiles) =>
      exports.winogradInputAdjoint(at(dInput), at(dv), height, width, channels, padTop, padLeft, outH, outW, tile0, tiles),
    maxPoolForward: (out, argmax, input, batch, height, width, channels, pool, stride, outH, outW) =>
      exports.maxPoolForward(at(out), at(argmax), at(input), batch, height, width, channels, pool, stride, outH, outW),
    maxPoolBackward: (dInput, dOut, argmax, n) => exports.maxPoolBackward(at(dInput), at(dOut), at(argmax), n),
    biasAdd: (out, bias, rows, cols) => exports.biasAdd(at(out), at(bias), rows, cols),
    biasGrad: (dBias, dOut, rows, cols) => exports.biasGrad(at(dBias), at(dOut), rows, cols),
    reluForward: (out, input, n) => exports.reluForward(at(out), at(input), n),
    reluBackward: (dInput, dOut, output, n) => exports.reluBackward(at(dInput), at(dOut), at(output), n),
    softmaxCrossEntropy: (probs, dLogits, logits, targets, rows, classes) =>
      exports.softmaxCrossEntropy(at(probs), dLogits === null ? 0 : at(dLogits), at(logits), at(targets), rows, classes),
    adam: (param, grad, m, v, n, learningRate, beta1, beta2, epsilon, step) =>
      exports.adam(at(param), at(grad), at(m), at(v), n, learningRate, beta1, beta2, epsilon, step),
    sgd: (param, grad, n, learningRate) => exports.sgd(at(param), at(grad), n, learningRate),
  };
  return { exports, memory, kernels };
}
