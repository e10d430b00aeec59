// The network kernels' TypeScript references, gathered under the NnKernels interface.
import type { NnKernels } from '../nn-types.js';
import { gemm } from './gemm.js';
import { im2col, col2im } from './conv2d.js';
import {
  winogradKernelTransform, winogradInputTransform, winogradMultiply, winogradOutputTransform,
  winogradOutputAdjoint, winogradInputAdjoint,
} from './winograd.js';
import { conv2dDirect } from './conv-direct.js';
import { maxPoolForward, maxPoolBackward } from './pool.js';
import { biasAdd, biasGrad } from './bias.js';
import { reluForward, reluBackward } from './activations.js';
import { softmaxCrossEntropy } from './loss.js';
import { adam, sgd } from './optimizers.js';

export const jsNnKernels: NnKernels = {
  gemm, im2col, col2im, conv2dDirect,
  winogradKernelTransform, winogradInputTransform, winogradMultiply, winogradOutputTransform,
  winogradOutputAdjoint, winogradInputAdjoint,
  maxPoolForward, maxPoolBackward, biasAdd, biasGrad,
  reluForward, reluBackward, softmaxCrossEntropy, adam, sgd,
};
