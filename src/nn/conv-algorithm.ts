// Which kernels a Conv2D layer runs, chosen once per layer shape by a rule measured on the kernels (batch 64, one
// thread, wasm-simd; ratios from one run on a shared 2-vCPU machine):
//   Winograd F(4×4, 3×3) against im2col + gemm, forward / input gradient:
//     13×13×32 → 64 (the tutorial's second layer): 1.7× / 1.5× faster;  13×13×16 → 64: 1.8× / 1.7×;
//     13×13×8 → 64: 0.9× / 0.9×;  13×13×4 → 64: 0.4× / 0.8×;  28×28×1 → 32: 0.1× / 0.5×;
//     5×5×32 → 64 (one tile, 9 of its 16 outputs used): 1.2× / 1.5×;  3×3×32 → 64 (1 of 16 used): 0.06× / 0.2×.
//   a direct convolution (src/kernels/nn/conv-direct.ts: bias and relu in the store, no columns) against im2col +
//   gemm + bias + relu, forward (best of 15 runs, machine loaded):
//     28×28×1 → 32 (the tutorial's first layer): 1.3–2.0×;  28×28×2 → 32: 1.3–1.5×;  28×28×3 → 32: 1.2–1.3×;
//     14×14×4 → 32: 0.8–0.9×;  14×14×8 → 32: 1.6–1.8×, 13×13×8 → 64: 1.1×  (not conclusive above 3 channels).
// So Winograd needs enough channels for its 36 small gemms to run at the gemm's rate (below ~16 the tile transforms
// dominate), and enough of each 4×4 tile used: its multiplies, 36 per tile, must be at most half the direct 9 per
// output. The direct kernel wins clearly for 1 to 3 channels (gray or colour images: the first layer), measured at
// 3×3 stride 1 only. Everything else (other kernel sizes and strides, 4 to 15 channels) stays im2col + gemm.
import { conv2dDirectFits } from '../kernels/nn/conv-direct.js';

export type ConvAlgorithm = 'winograd' | 'direct' | 'im2col';

export const WINOGRAD_MIN_CHANNELS = 16;
export const DIRECT_MAX_CHANNELS = 3;

export function chooseConvAlgorithm(kernelH: number, kernelW: number, stride: number, channels: number, outH: number,
  outW: number, filters: number): ConvAlgorithm {
  if (kernelH !== 3 || kernelW !== 3 || stride !== 1) return 'im2col';
  if (channels <= DIRECT_MAX_CHANNELS) return conv2dDirectFits(9 * channels, filters) ? 'direct' : 'im2col';
  if (channels < WINOGRAD_MIN_CHANNELS) return 'im2col';
  const tiles = Math.ceil(outH / 4) * Math.ceil(outW / 4);
  return 9 * outH * outW >= 2 * 36 * tiles ? 'winograd' : 'im2col';
}
