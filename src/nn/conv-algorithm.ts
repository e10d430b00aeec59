// Which kernels a Conv2D layer runs, chosen once per layer shape by a rule measured on the kernels: batch 64, one
// thread, wasm-simd, CPU time (the machine was shared and loaded; wall times were useless), mean of 10 turns;
// forward with bias and relu, each against im2col + gemm + bias + relu:
//   input → filters     Winograd F(4×4, 3×3)      direct         Winograd input gradient (vs gemm + col2im)
//   13×13×32 → 64       1.84× (the tutorial's 2nd)  0.91×          1.39×
//   13×13×16 → 64       1.55×                       1.33×          1.20×
//   13×13×8 → 64        1.17×                       1.39×          0.77×
//   13×13×4 → 64        0.74×                       1.02×          0.53×
//   28×28×1 → 32        0.43×                       1.29× (1st)    0.27×
//   28×28×3 → 32        0.44×                       0.88×          0.57×
//   5×5×32 → 64         0.76× (one tile, 9 of 16)   0.73×          0.93×
//   4×4×32 → 64         0.50×                       0.62×          0.47×
// Winograd pays from 16 channels, when its 36 multiplies per 4×4 tile are at most a third of the direct 9 per output
// (tiles mostly used: 11×11 outputs give 3.4, 3×3 outputs 2.25). The direct kernel pays for 1 or 2 channels (the
// first layer of gray images); its gain above that is not consistent (3 channels lost, 8 won). Everything else
// (other kernel sizes and strides, 3 to 15 channels) stays im2col + gemm.
import { conv2dDirectFits } from '../kernels/conv-direct.js';

export type ConvAlgorithm = 'winograd' | 'direct' | 'im2col';

export const WINOGRAD_MIN_CHANNELS = 16;
export const DIRECT_MAX_CHANNELS = 2;

export function chooseConvAlgorithm(kernelH: number, kernelW: number, stride: number, channels: number, outH: number,
  outW: number, filters: number): ConvAlgorithm {
  if (kernelH !== 3 || kernelW !== 3 || stride !== 1) return 'im2col';
  if (channels <= DIRECT_MAX_CHANNELS) return conv2dDirectFits(9 * channels, filters) ? 'direct' : 'im2col';
  if (channels < WINOGRAD_MIN_CHANNELS) return 'im2col';
  const tiles = Math.ceil(outH / 4) * Math.ceil(outW / 4);
  return 9 * outH * outW >= 3 * 36 * tiles ? 'winograd' : 'im2col';
}
