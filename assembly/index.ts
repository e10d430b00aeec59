// The module's exports, nothing else. Every kernel takes byte offsets into this module's memory and sizes;
// the TypeScript side (src/runtime/) owns the memory above heapBase().
export { affineU8, affineF32 } from './scale';
export { momentsU8, momentsF32, sampleMomentsU8, sampleMomentsF32 } from './stats';
export { gatherRows } from './gather';
export { drotRows, dsymvTred2, dsyr2Tred2, tred2AccumulateF64, gramBlockF64 } from './linalg';
export { gemm, gemmBlock } from './gemm';
export { setScratchBase } from './thread-scratch';
export { warpU8, warpF32 } from './warp';
export { resizeNearestU8, resampleHorizontalU8, resampleVerticalU8 } from './resize';
export { jpegIdctIslow, jpegUpsampleFancy, jpegYccToRgb } from './jpeg';
export { im2col, col2im } from './conv2d';
export { conv2dDirect } from './conv-direct';
export {
  winogradKernelTransform, winogradInputTransform, winogradMultiply, winogradOutputTransform,
  winogradOutputAdjoint, winogradInputAdjoint, winogradKernelGradient, winogradKernelAdjoint,
} from './winograd';
// One thread's share of a Winograd transform (src/runtime/threads/split.ts).
export {
  winogradInputTransformRows, winogradMultiplyPlanes, winogradOutputTransformRows, winogradOutputAdjointRows,
  winogradInputAdjointChannels,
} from './winograd';
export { maxPoolForward, maxPoolBackward } from './pool';
export { biasAdd, biasGrad } from './bias';
export { reluForward, reluBackward } from './activations';
export { softmaxCrossEntropy } from './loss';
export { adam, sgd } from './optimizers';

/** First byte free for the TypeScript allocator: static data (kernel scratch) lies below it. */
export function heapBase(): usize {
  return __heap_base;
}

// The first layer's kernel and bias gradients, the relu mask or the pooling's backward fused (issue 15).
export { conv2dDirectKernelGradient, conv2dDirectPooledKernelGradient } from './conv-direct';
// One thread's share of the kernel gradient's kernels (src/runtime/threads/split.ts, issue 16).
export { winogradKernelGradientPlanes, winogradKernelAdjointChannels } from './winograd';
export { biasGradColumns } from './bias';
// JPEG entropy decoding (issue 18).
export { jpegDecodeSequential } from './jpeg-huffman';
// The first layer's kernel gradients by groups of 4 filters, one thread's share (src/runtime/threads/split.ts).
export { conv2dDirectKernelGradientFilters, conv2dDirectPooledKernelGradientFilters } from './conv-direct';
// A Winograd layer's forward over its blocks of tiles in one call, and one thread's blocks (issue 16).
export { winogradForward, winogradForwardBlocks } from './winograd';
// A Winograd layer's backward over its blocks of tiles in four calls, and one thread's share of each (issue 16).
export {
  winogradOutputAdjoints, winogradOutputAdjointsBlocks, winogradKernelGradients, winogradKernelGradientsPlanes,
  winogradMultiplyAdjoints, winogradMultiplyAdjointsBlocks, winogradInputAdjoints, winogradInputAdjointsChannels,
} from './winograd';
