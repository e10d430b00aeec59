// Which kernels a Conv2D layer runs, chosen once per layer shape by a rule measured on the kernels (batch 64, one
// thread, wasm-simd; ratios from one run on a shared 2-vCPU machine):
//   Winograd F(4×4, 3×3) against im2col + gemm, forward / input gradient:
//     13×13×32 → 64 (the tutorial's second layer): 1.7× / 1.5× faster;  13×13×16 → 64: 1.8× / 1.7×;
//     13×13×8 → 64: 0.9× / 0.9×;  13×13×4 → 64: 0.4× / 0.8×;  28×28×1 → 32: 0.1× / 0.5×;
//     5×5×32 → 64 (one tile, 9 of its 16 outputs used): 1.2× / 1.5×;  3×3×32 → 64 (1 of 16 used): 0.06× / 0.2×.
// So Winograd needs enough channels for its 36 small gemms to run at the gemm's rate (below ~16 the tile transforms
// dominate), and enough of each 4×4 tile used: its multiplies, 36 per tile, must be at most half the direct 9 per
// output. Everything else (other kernel sizes, strides, few channels) stays im2col + gemm.
export type ConvAlgorithm = 'winograd' | 'im2col';

export const WINOGRAD_MIN_CHANNELS = 16;

export function chooseConvAlgorithm(kernelH: number, kernelW: number, stride: number, channels: number, outH: number,
  outW: number): ConvAlgorithm {
  if (kernelH !== 3 || kernelW !== 3 || stride !== 1 || channels < WINOGRAD_MIN_CHANNELS) return 'im2col';
  const tiles = Math.ceil(outH / 4) * Math.ceil(outW / 4);
  return 9 * outH * outW >= 2 * 36 * tiles ? 'winograd' : 'im2col';
}
