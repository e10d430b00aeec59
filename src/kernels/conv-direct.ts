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
  conv2dDirectKernelGradientFilters(dKernel, dBias, dOut, out, input, batch, height, width, channels, kernelH, kernelW,
    stride, padTop, padLeft, outH, outW, filters, 0, filters);
}

/**
 * conv2dDirectKernelGradient for filters [f0, f1) only: their taps and bias, the same bits as the whole call's (each
 * filter's sums are its own), nothing else written. One thread's part (src/runtime/threads/split.ts cuts at
 * multiples of 4); 0 ≤ f0 ≤ f1 ≤ filters.
 */
export function conv2dDirectKernelGradientFilters(dKernel: Float32Array, dBias: Float32Array | null,
  dOut: Float32Array, out: Float32Array | null, input: Float32Array, batch: number, height: number, width: number,
  channels: number, kernelH: number, kernelW: number, stride: number, padTop: number, padLeft: number, outH: number,
  outW: number, filters: number, f0: number, f1: number): void {
  const at = (b: number, oy: number, ox: number, f: number) => ((b * outH + oy) * outW + ox) * filters + f;
  const gradient = (b: number, oy: number, ox: number, f: number) => {
    const i = at(b, oy, ox, f);
    return out === null || out[i] > 0 ? dOut[i] : 0;
  };
  sumGradients(dKernel, dBias, gradient, input, batch, height, width, channels, kernelH, kernelW, stride, padTop,
    padLeft, outH, outW, filters, filterRange('conv2dDirectKernelGradientFilters', f0, f1, filters));
}

/**
 * True when the wasm kernel's row of pooled gradients (outW · filters floats) fits its static buffer; with
 * conv2dDirectFits, what conv2dDirectPooledKernelGradient needs.
 */
export function conv2dDirectPooledFits(outW: number, filters: number): boolean {
  return outW * filters <= MAX_ROW_FLOATS;
}
const MAX_ROW_FLOATS = 16384;

/**
 * conv2dDirectKernelGradient of the gradient a max pooling of pool × pool windows moved by pool (maxPoolBackward,
 * with its `relu`) passes down from dPooled, without storing that gradient: at each output position g is dPooled at
 * its window's winner (the first element of the window, in row-major order, equal to the window's maximum `pooled`;
 * with relu, only where that maximum is > 0), 0 elsewhere and outside every window. The same bits as the two kernels
 * in sequence: each g is exact (0 or 0 + dPooled), and the sums are conv2dDirectKernelGradient's.
 */
export function conv2dDirectPooledKernelGradient(dKernel: Float32Array, dBias: Float32Array | null,
  dPooled: Float32Array, pooled: Float32Array, out: Float32Array, input: Float32Array, batch: number, height: number,
  width: number, channels: number, kernelH: number, kernelW: number, stride: number, padTop: number, padLeft: number,
  outH: number, outW: number, filters: number, pool: number, relu: boolean): void {
  conv2dDirectPooledKernelGradientFilters(dKernel, dBias, dPooled, pooled, out, input, batch, height, width, channels,
    kernelH, kernelW, stride, padTop, padLeft, outH, outW, filters, pool, relu, 0, filters);
}

/** conv2dDirectPooledKernelGradient for filters [f0, f1) only (as conv2dDirectKernelGradientFilters). */
export function conv2dDirectPooledKernelGradientFilters(dKernel: Float32Array, dBias: Float32Array | null,
  dPooled: Float32Array, pooled: Float32Array, out: Float32Array, input: Float32Array, batch: number, height: number,
  width: number, channels: number, kernelH: number, kernelW: number, stride: number, padTop: number, padLeft: number,
  outH: number, outW: number, filters: number, pool: number, relu: boolean, f0: number, f1: number): void {
  const range = filterRange('conv2dDirectPooledKernelGradientFilters', f0, f1, filters);
  const pooledH = Math.floor(outH / pool), pooledW = Math.floor(outW / pool);
  const gradient = (b: number, oy: number, ox: number, f: number) => {
    const py = Math.floor(oy / pool), px = Math.floor(ox / pool);
    if (py >= pooledH || px >= pooledW) return 0;
    const j = ((b * pooledH + py) * pooledW + px) * filters + f;
    const max = pooled[j];
    for (let wy = 0; wy < pool; wy++) {
      for (let wx = 0; wx < pool; wx++) {
        const y = py * pool + wy, x = px * pool + wx;
        if (out[((b * outH + y) * outW + x) * filters + f] !== max) continue;
        // The winner: this position's gradient if it is this position, else none.
        if (y !== oy || x !== ox) return 0;
        return relu && !(max > 0) ? 0 : 0 + dPooled[j];
      }
    }
    return 0;
  };
  sumGradients(dKernel, dBias, gradient, input, batch, height, width, channels, kernelH, kernelW, stride, padTop,
    padLeft, outH, outW, filters, range);
}

/** [f0, f1) checked: a part's range must lie within the layer's filters. */
function filterRange(kernel: string, f0: number, f1: number, filters: number): [number, number] {
  if (!Number.isInteger(f0) || !Number.isInteger(f1) || f0 < 0 || f0 > f1 || f1 > filters) {
    throw new RangeError(`${kernel}: f0, f1 must be integers with 0 ≤ f0 ≤ f1 ≤ filters (${filters}), ` +
      `received f0 = ${f0}, f1 = ${f1}`);
  }
  return [f0, f1];
}

/**
 * The kernel gradient's sums, in the order both kernels define, of the gradient g(b, oy, ox, f), for filters
 * [f0, f1): per image and filter, one f32 sum per tap (and one for the bias) over the positions in row-major order. (A Float32Array store
 * rounds each sum to f32 as the wasm kernel's f32x4 adds do; it is the one allocation, per call, of any twin here:
 * g is computed once per position instead of once per tap.)
 */
function sumGradients(dKernel: Float32Array, dBias: Float32Array | null,
  gradient: (b: number, oy: number, ox: number, f: number) => number, input: Float32Array, batch: number,
  height: number, width: number, channels: number, kernelH: number, kernelW: number, stride: number, padTop: number,
  padLeft: number, outH: number, outW: number, filters: number, [f0, f1]: [number, number]): void {
  const fround = Math.fround;
  const depth = kernelH * kernelW * channels;
  const sums = new Float32Array(depth + 1); // the taps', then the bias'
  for (let b = 0; b < batch; b++) {
    for (let f = f0; f < f1; f++) {
      sums.fill(0);
      for (let oy = 0; oy < outH; oy++) {
        for (let ox = 0; ox < outW; ox++) {
          const g = gradient(b, oy, ox, f);
          sums[depth] += g;
          for (let ky = 0, t = 0; ky < kernelH; ky++) {
            const y = oy * stride - padTop + ky;
            for (let kx = 0; kx < kernelW; kx++) {
              const x = ox * stride - padLeft + kx;
              const inside = y >= 0 && y < height && x >= 0 && x < width;
              for (let c = 0; c < channels; c++, t++) {
                const v = inside ? input[((b * height + y) * width + x) * channels + c] : 0;
                sums[t] += fround(v * g);
              }
            }
          }
        }
      }
      for (let t = 0; t < depth; t++) dKernel[t * filters + f] = fround(dKernel[t * filters + f] + sums[t]);
      if (dBias !== null) dBias[f] = fround(dBias[f] + sums[depth]);
    }
  }
}
