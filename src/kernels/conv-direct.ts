// TypeScript twin of assembly/conv-direct.ts: a direct convolution (NHWC input, Keras' [kernelH, kernelW, channels,
// filters] kernel) with bias and relu applied as each output is stored, for layers with few input channels, where
// im2col + gemm spends more on moving columns than on multiplying. Each output is summed in f32 in the kernel's
// order (bias, then taps row by row, channels innermost; a tap in the top or bottom padding is skipped, one in the
// left or right padding adds 0·w), so the two implementations agree bit for bit.
const MAX_PANEL_FLOATS = 16384;

/** True when the wasm kernel's packed weights (depth · filters rounded up to 8) fit its static panel. */
export function conv2dDirectFits(depth: number, filters: number): boolean {
  return depth * Math.ceil(filters / 8) * 8 <= MAX_PANEL_FLOATS && filters <= 4096;
}

export function conv2dDirect(out: Float32Array, input: Float32Array, kernel: Float32Array, bias: Float32Array | null,
  relu: boolean, batch: number, height: number, width: number, channels: number, kernelH: number, kernelW: number,
  stride: number, padTop: number, padLeft: number, outH: number, outW: number, filters: number): void {
  const fround = Math.fround;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let f = 0; f < filters; f++) {
          let sum = bias === null ? 0 : bias[f];
          for (let ky = 0; ky < kernelH; ky++) {
            const y = oy * stride - padTop + ky;
            if (y < 0 || y >= height) continue;
            for (let kx = 0; kx < kernelW; kx++) {
              const x = ox * stride - padLeft + kx;
              const inside = x >= 0 && x < width;
              for (let c = 0; c < channels; c++) {
                const v = inside ? input[((b * height + y) * width + x) * channels + c] : 0;
                sum = fround(sum + fround(v * kernel[((ky * kernelW + kx) * channels + c) * filters + f]));
              }
            }
          }
          out[((b * outH + oy) * outW + ox) * filters + f] = relu ? Math.max(sum, 0) : sum;
        }
      }
    }
  }
}

/**
 * The direct convolution's kernel and bias gradients, for layers whose input needs no gradient (the first): dKernel
 * [ky][kx][c][f] += Σ g · input[b][oy·stride + ky − padTop][ox·stride + kx − padLeft][c] (0 outside the image) and
 * dBias[f] += Σ g over every output position, with g = dOut, or, when `out` is given (the layer's relu output),
 * out > 0 ? dOut : 0: relu's mask applied as dOut is read instead of in a sweep of its own. The sums run per image
 * in f32, positions in row-major order (an outside tap adds 0·g), and each image's sum is then added to dKernel and
 * dBias: 676 terms per f32 sum for the tutorial's first layer instead of the 43,264 of one sum over the batch.
 */
export function conv2dDirectKernelGradient(dKernel: Float32Array, dBias: Float32Array | null, dOut: Float32Array,
  out: Float32Array | null, input: Float32Array, batch: number, height: number, width: number, channels: number,
  kernelH: number, kernelW: number, stride: number, padTop: number, padLeft: number, outH: number, outW: number,
  filters: number): void {
  const fround = Math.fround;
  const gradient = (i: number) => (out === null || out[i] > 0 ? dOut[i] : 0);
  for (let b = 0; b < batch; b++) {
    const first = b * outH * outW * filters;
    for (let f = 0; f < filters; f++) {
      if (dBias !== null) {
        let sum = 0;
        for (let p = 0; p < outH * outW; p++) sum = fround(sum + gradient(first + p * filters + f));
        dBias[f] = fround(dBias[f] + sum);
      }
      for (let ky = 0; ky < kernelH; ky++) {
        for (let kx = 0; kx < kernelW; kx++) {
          for (let c = 0; c < channels; c++) {
            let sum = 0;
            for (let oy = 0; oy < outH; oy++) {
              const y = oy * stride - padTop + ky;
              for (let ox = 0; ox < outW; ox++) {
                const x = ox * stride - padLeft + kx;
                const v = y >= 0 && y < height && x >= 0 && x < width ? input[((b * height + y) * width + x) * channels + c] : 0;
                sum = fround(sum + fround(v * gradient(first + (oy * outW + ox) * filters + f)));
              }
            }
            const at = ((ky * kernelW + kx) * channels + c) * filters + f;
            dKernel[at] = fround(dKernel[at] + sum);
          }
        }
      }
    }
  }
}
