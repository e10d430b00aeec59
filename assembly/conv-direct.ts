// A direct convolution for layers with few input channels (the first layer of an image network: 1 or 3 channels),
// where im2col + gemm is at its worst: a gemm over k = kernelH·kernelW·channels = 9 is mostly block set-up, and the
// columns, the bias pass and the relu pass each sweep the largest activation of the network once more.
//
// Shape of the computation: the gemm's 4×8 register block, 4 neighbouring output pixels of one row × 8 filters,
// summed over the taps straight from the image (4 broadcast pixels × 2 f32x4 of weights per tap and channel), bias
// and relu applied in the store. Taps that fall in the zero padding are skipped (they add nothing); a block that
// straddles the left or right edge reads 0 for its outside pixels. The weights are packed once per call into
// 8-filter panels (zero past the last filter), so that the tail filters need no special case in the inner loop.
import { madd } from './madd';
import { scratch } from './thread-scratch';

const MAX_PANEL_FLOATS = 16384;   // depth · filters rounded up to 8: the layer rule keeps direct layers within it
const PANEL = memory.data(MAX_PANEL_FLOATS * 4, 16);
const BIAS = memory.data(4096 * 4, 16);       // filters ≤ 4096, rounded up to 8
const TILE = memory.data(4 * 8 * 4, 16);

export function conv2dDirect(out: usize, input: usize, kernel: usize, bias: usize, relu: bool, batch: i32, height: i32,
  width: i32, channels: i32, kernelH: i32, kernelW: i32, stride: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32,
  filters: i32): void {
  const depth = kernelH * kernelW * channels;
  const panels = (filters + 7) >> 3;
  // Pack: PANEL[fp][p][0..7] = kernel[p][8·fp ..], zeros past filters; BIAS likewise.
  for (let fp = 0; fp < panels; fp++) {
    for (let p = 0; p < depth; p++) {
      const dst = scratch(PANEL) + (<usize>(fp * depth + p) << 5);
      for (let j = 0; j < 8; j++) {
        const f = fp * 8 + j;
        store<f32>(dst + (<usize>j << 2), f < filters ? load<f32>(kernel + (<usize>(p * filters + f) << 2)) : 0);
      }
    }
  }
  for (let f = 0; f < panels * 8; f++) {
    store<f32>(scratch(BIAS) + (<usize>f << 2), bias != 0 && f < filters ? load<f32>(bias + (<usize>f << 2)) : 0);
  }
  const zero = f32x4.splat(0);
  const run = kernelW * channels;
  const pixelBytes = <usize>channels << 2;
  const strideBytes = <usize>(stride * channels) << 2;
  for (let b = 0; b < batch; b++) {
    const image = input + (<usize>(b * height * width * channels) << 2);
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * stride - padTop;
      const kyStart = max(0, -y0), kyEnd = min(kernelH, height - y0);
      for (let ox = 0; ox < outW; ox += 4) {
        const n = min(4, outW - ox);
        const x0 = ox * stride - padLeft;
        // All four pixels' windows (the last one repeated past n) inside the image horizontally?
        const inside = x0 >= 0 && (ox + n - 1) * stride - padLeft + kernelW <= width;
        const s1: usize = n > 1 ? strideBytes : 0;
        const s2: usize = n > 2 ? 2 * strideBytes : s1;
        const s3: usize = n > 3 ? 3 * strideBytes : s2;
        const outRow = out + (<usize>(((b * outH + oy) * outW + ox) * filters) << 2);
        for (let fp = 0; fp < panels; fp++) {
          let c00 = v128.load(scratch(BIAS) + (<usize>fp << 5)), c01 = v128.load(scratch(BIAS) + (<usize>fp << 5), 16);
          let c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01;
          const panel = scratch(PANEL) + (<usize>(fp * depth) << 5);
          for (let ky = kyStart; ky < kyEnd; ky++) {
            const row = image + (<usize>((y0 + ky) * width) * pixelBytes);
            if (inside) {
              // The window's row is kernelW·channels contiguous floats in the image and in the panel.
              let a = row + <usize>x0 * pixelBytes;
              let wp = panel + (<usize>(ky * run) << 5);
              for (let q = 0; q < run; q++) {
                const w0 = v128.load(wp), w1 = v128.load(wp, 16);
                let v = v128.load32_splat(a);
                c00 = madd(v, w0, c00);
                c01 = madd(v, w1, c01);
                v = v128.load32_splat(a + s1);
                c10 = madd(v, w0, c10);
                c11 = madd(v, w1, c11);
                v = v128.load32_splat(a + s2);
                c20 = madd(v, w0, c20);
                c21 = madd(v, w1, c21);
                v = v128.load32_splat(a + s3);
                c30 = madd(v, w0, c30);
                c31 = madd(v, w1, c31);
                a += 4;
                wp += 32;
              }
              continue;
            }
            for (let kx = 0; kx < kernelW; kx++) {
              const x = x0 + kx;
              let wp = panel + (<usize>((ky * kernelW + kx) * channels) << 5);
              // Each of the four pixels reads its own column, or 0 outside the image.
              const in0 = x >= 0 && x < width, in1 = n > 1 && x + stride >= 0 && x + stride < width;
              const in2 = n > 2 && x + 2 * stride >= 0 && x + 2 * stride < width;
              const in3 = n > 3 && x + 3 * stride >= 0 && x + 3 * stride < width;
              let a = row + <usize>x * pixelBytes;
              for (let c = 0; c < channels; c++) {
                const w0 = v128.load(wp), w1 = v128.load(wp, 16);
                let v = in0 ? v128.load32_splat(a) : zero;
                c00 = madd(v, w0, c00);
                c01 = madd(v, w1, c01);
                v = in1 ? v128.load32_splat(a + strideBytes) : zero;
                c10 = madd(v, w0, c10);
                c11 = madd(v, w1, c11);
                v = in2 ? v128.load32_splat(a + 2 * strideBytes) : zero;
                c20 = madd(v, w0, c20);
                c21 = madd(v, w1, c21);
                v = in3 ? v128.load32_splat(a + 3 * strideBytes) : zero;
                c30 = madd(v, w0, c30);
                c31 = madd(v, w1, c31);
                a += 4;
                wp += 32;
              }
            }
          }
          if (relu) {
            c00 = f32x4.max(c00, zero); c01 = f32x4.max(c01, zero);
            c10 = f32x4.max(c10, zero); c11 = f32x4.max(c11, zero);
            c20 = f32x4.max(c20, zero); c21 = f32x4.max(c21, zero);
            c30 = f32x4.max(c30, zero); c31 = f32x4.max(c31, zero);
          }
          const dst = outRow + (<usize>fp << 5);
          const cols = min(8, filters - fp * 8);
          const ldc = <usize>filters << 2;
          if (n == 4 && cols == 8) {
            v128.store(dst, c00); v128.store(dst, c01, 16);
            v128.store(dst + ldc, c10); v128.store(dst + ldc, c11, 16);
            v128.store(dst + 2 * ldc, c20); v128.store(dst + 2 * ldc, c21, 16);
            v128.store(dst + 3 * ldc, c30); v128.store(dst + 3 * ldc, c31, 16);
          } else {
            v128.store(scratch(TILE), c00, 0); v128.store(scratch(TILE), c01, 16);
            v128.store(scratch(TILE), c10, 32); v128.store(scratch(TILE), c11, 48);
            v128.store(scratch(TILE), c20, 64); v128.store(scratch(TILE), c21, 80);
            v128.store(scratch(TILE), c30, 96); v128.store(scratch(TILE), c31, 112);
            for (let r = 0; r < n; r++) {
              for (let j = 0; j < cols; j++) {
                store<f32>(dst + <usize>r * ldc + (<usize>j << 2), load<f32>(scratch(TILE) + (<usize>(r * 8 + j) << 2)));
              }
            }
          }
        }
      }
    }
  }
}

// The kernel and bias gradients of the direct convolution (src/kernels/conv-direct.ts gives the order of every sum),
// for the first layer, whose input needs no gradient: im2col + a k = 9 gemm + a relu-mask sweep + a bias sweep took
// 3.5 ms of a 30 ms training step for the tutorial's first layer (docs/profile.md), most of it moving columns.
//
// Shape of the computation: 4 filters (one f32x4 of g) × up to 9 taps held in registers as one image row of output
// positions goes by, each tap's input broadcast (9 loads, 9 multiply-adds per position), the bias' sum beside them.
// The 9-tap chunks and the 4-filter groups each re-read the row of g, a few kB that stay in cache; the per-image sums
// live in the (otherwise idle) packing panel between rows, so each accumulator sees the positions in row-major order,
// as the reference's. Windows that leave the image (at 'same' borders) take the scalar-addressed path below, which
// reads 0 outside. g is dOut, masked by relu (out > 0) when `out` is given; or, under a max pooling, the pooling's
// gradient, made one row at a time into ROW (conv2dDirectPooledKernelGradient), never stored whole.
const MAX_ROW_FLOATS = 16384;   // outW · filters: conv2dDirectPooledFits
const ROW = memory.data(MAX_ROW_FLOATS * 4, 16);

export function conv2dDirectKernelGradient(dKernel: usize, dBias: usize, dOut: usize, out: usize, input: usize,
  batch: i32, height: i32, width: i32, channels: i32, kernelH: i32, kernelW: i32, stride: i32, padTop: i32,
  padLeft: i32, outH: i32, outW: i32, filters: i32): void {
  conv2dDirectKernelGradientFilters(dKernel, dBias, dOut, out, input, batch, height, width, channels, kernelH, kernelW,
    stride, padTop, padLeft, outH, outW, filters, 0, filters);
}

/**
 * The same sums for filters [f0, f1) only (their taps and bias; nothing else is written): one thread's part of the
 * call (src/runtime/threads/split.ts cuts at multiples of 4, the filter groups). Each filter's sums are the whole
 * call's, bit for bit: a filter's lane of the group's f32x4 does the same adds whatever its neighbours are.
 */
export function conv2dDirectKernelGradientFilters(dKernel: usize, dBias: usize, dOut: usize, out: usize, input: usize,
  batch: i32, height: i32, width: i32, channels: i32, kernelH: i32, kernelW: i32, stride: i32, padTop: i32,
  padLeft: i32, outH: i32, outW: i32, filters: i32, f0: i32, f1: i32): void {
  sumGradients(dKernel, dBias, dOut, out, 0, 0, input, batch, height, width, channels, kernelH, kernelW, stride, padTop,
    padLeft, outH, outW, filters, 0, false, f0, f1);
}

/**
 * The same sums of the gradient a max pooling (pool × pool windows moved by pool) passes down from dPooled, which
 * maxPoolBackward would write out whole (5.5 MB for the tutorial's first layer at batch 64) for this kernel to read
 * back: here each row of it is made in ROW just before its sums, from `out` (the pooling's input) and its maxima.
 */
export function conv2dDirectPooledKernelGradient(dKernel: usize, dBias: usize, dPooled: usize, pooled: usize, out: usize,
  input: usize, batch: i32, height: i32, width: i32, channels: i32, kernelH: i32, kernelW: i32, stride: i32,
  padTop: i32, padLeft: i32, outH: i32, outW: i32, filters: i32, pool: i32, relu: bool): void {
  conv2dDirectPooledKernelGradientFilters(dKernel, dBias, dPooled, pooled, out, input, batch, height, width, channels,
    kernelH, kernelW, stride, padTop, padLeft, outH, outW, filters, pool, relu, 0, filters);
}

/** conv2dDirectPooledKernelGradient for filters [f0, f1) only; each part makes only its filters of the pooled rows. */
export function conv2dDirectPooledKernelGradientFilters(dKernel: usize, dBias: usize, dPooled: usize, pooled: usize,
  out: usize, input: usize, batch: i32, height: i32, width: i32, channels: i32, kernelH: i32, kernelW: i32,
  stride: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32, filters: i32, pool: i32, relu: bool, f0: i32,
  f1: i32): void {
  sumGradients(dKernel, dBias, 0, out, dPooled, pooled, input, batch, height, width, channels, kernelH, kernelW, stride,
    padTop, padLeft, outH, outW, filters, pool, relu, f0, f1);
}

// pool == 0: g = dOut (masked by out > 0 when out != 0); pool > 0: g from dPooled, pooled and out, row by row.
// Filters [f0, f1): the groups of 4 that hold them are summed, and only the lanes of filters in the range are added
// to dKernel and dBias (a range outside [0, filters) is clipped to it: nothing outside the arrays is written).
function sumGradients(dKernel: usize, dBias: usize, dOut: usize, out: usize, dPooled: usize, pooled: usize,
  input: usize, batch: i32, height: i32, width: i32, channels: i32, kernelH: i32, kernelW: i32, stride: i32,
  padTop: i32, padLeft: i32, outH: i32, outW: i32, filters: i32, pool: i32, relu: bool, f0: i32, f1: i32): void {
  const depth = kernelH * kernelW * channels;
  f1 = min(f1, filters);
  f0 = max(0, f0);
  if (f0 >= f1) return;
  const group0 = f0 >> 2, group1 = (f1 + 3) >> 2;
  // Per image: PANEL[group][tap] and BIAS[group], one f32x4 each (depth · groups · 4 ≤ the panel's depth · filters
  // rounded up to 8, which the layer rule keeps within MAX_PANEL_FLOATS).
  const acc = scratch(PANEL), biasAcc = scratch(BIAS);
  const filterBytes = <usize>filters << 2;
  const pixelBytes = <usize>channels << 2;
  const rowBytes = <usize>width * pixelBytes;
  const strideBytes = <usize>stride * pixelBytes;
  const run = kernelW * channels;
  // Columns whose windows lie inside the image horizontally: [interiorStart, interiorEnd).
  const interiorStart = min(outW, (padLeft + stride - 1) / stride);
  const rightmost = width - kernelW + padLeft;
  const interiorEnd = max(interiorStart, min(outW, rightmost < 0 ? 0 : rightmost / stride + 1));
  for (let b = 0; b < batch; b++) {
    memory.fill(acc + (<usize>(group0 * depth) << 4), 0, <usize>((group1 - group0) * depth) << 4);
    memory.fill(biasAcc + (<usize>group0 << 4), 0, <usize>(group1 - group0) << 4);
    const image = input + (<usize>(b * height) * rowBytes);
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * stride - padTop;
      const rowInside = y0 >= 0 && y0 + kernelH <= height;
      const fastStart = rowInside ? interiorStart : outW, fastEnd = rowInside ? interiorEnd : outW;
      // This row's g (filters per position) and its mask (0: none).
      let g: usize, mask: usize = 0;
      if (pool == 0) {
        const rowAt = <usize>((b * outH + oy) * outW) * filterBytes;
        g = dOut + rowAt;
        if (out != 0) mask = out + rowAt;
      } else {
        g = scratch(ROW);
        pooledRow(g, dPooled, pooled, out, b, oy, outH, outW, filters, pool, relu, f0, f1);
      }
      for (let group = group0; group < group1; group++) {
        const lanes = min(4, filters - group * 4);
        const at0 = <usize>group << 4;
        for (let t0 = 0; t0 < depth; t0 += 9) {
          const n = min(9, depth - t0);
          const accAt = acc + (<usize>(group * depth + t0) << 4);
          // The bias' sum rides along with the first chunk of taps.
          const biasAt = t0 == 0 && dBias != 0 ? biasAcc + (<usize>group << 4) : 0;
          edgeColumns(accAt, biasAt, g, mask, image, at0, filterBytes, lanes, t0, n, 0, fastStart, y0, height, width,
            channels, kernelW, stride, padLeft);
          if (fastStart < fastEnd) {
            const p = image + <usize>y0 * rowBytes + <usize>(fastStart * stride - padLeft) * pixelBytes;
            const at = at0 + <usize>fastStart * filterBytes;
            if (run == 3 && n == 9 && lanes == 4) {
              interior3x3(accAt, biasAt, g + at, mask == 0 ? 0 : mask + at, p + <usize>(t0 / 3) * rowBytes,
                fastEnd - fastStart, strideBytes, filterBytes, rowBytes);
            } else {
              interior(accAt, biasAt, g, mask, at, p, fastEnd - fastStart, lanes, t0, n, run, channels, strideBytes,
                filterBytes, rowBytes);
            }
          }
          edgeColumns(accAt, biasAt, g, mask, image, at0, filterBytes, lanes, t0, n, fastEnd, outW, y0, height, width,
            channels, kernelW, stride, padLeft);
        }
      }
    }
    // The image's sums join the gradients.
    for (let group = group0; group < group1; group++) {
      // The group's lanes that are filters of the range: [lo, hi) (all of [0, lanes) but at a range's ragged ends).
      const lo = max(0, f0 - group * 4), hi = min(4, f1 - group * 4);
      for (let t = 0; t < depth; t++) {
        addLanes(dKernel + (<usize>(t * filters + group * 4) << 2), v128.load(acc + (<usize>(group * depth + t) << 4)), lo, hi);
      }
      if (dBias != 0) addLanes(dBias + (<usize>group << 4), v128.load(biasAcc + (<usize>group << 4)), lo, hi);
    }
  }
}

// A run of `count` interior output positions of one row, one 4-filter group, 3 taps per kernel row and 9 taps (one
// channel, 3×3: the first layer of a gray-image network): the taps' inputs at fixed offsets from three row pointers.
// The 9 tap sums and the bias' stay in registers (10 f32x4 + g + the broadcast: within x86's 16), and the offsets
// are immediates: with 9 offsets in general registers and the bias summed in a loop of its own, the same sums took
// about twice as long.
function interior3x3(accAt: usize, biasAt: usize, gp: usize, mp: usize, r0: usize, count: i32, strideBytes: usize,
  filterBytes: usize, rowBytes: usize): void {
  const zero = f32x4.splat(0);
  let a0 = v128.load(accAt), a1 = v128.load(accAt, 16), a2 = v128.load(accAt, 32);
  let a3 = v128.load(accAt, 48), a4 = v128.load(accAt, 64), a5 = v128.load(accAt, 80);
  let a6 = v128.load(accAt, 96), a7 = v128.load(accAt, 112), a8 = v128.load(accAt, 128);
  let ab = biasAt != 0 ? v128.load(biasAt) : zero;
  for (let i = 0; i < count; i++) {
    let d = v128.load(gp);
    if (mp != 0) {
      d = v128.and(d, f32x4.gt(v128.load(mp), zero));
      mp += filterBytes;
    }
    const r1 = r0 + rowBytes, r2 = r1 + rowBytes;
    ab = f32x4.add(ab, d);
    a0 = madd(v128.load32_splat(r0), d, a0);
    a1 = madd(v128.load32_splat(r0, 4), d, a1);
    a2 = madd(v128.load32_splat(r0, 8), d, a2);
    a3 = madd(v128.load32_splat(r1), d, a3);
    a4 = madd(v128.load32_splat(r1, 4), d, a4);
    a5 = madd(v128.load32_splat(r1, 8), d, a5);
    a6 = madd(v128.load32_splat(r2), d, a6);
    a7 = madd(v128.load32_splat(r2, 4), d, a7);
    a8 = madd(v128.load32_splat(r2, 8), d, a8);
    r0 += strideBytes;
    gp += filterBytes;
  }
  v128.store(accAt, a0); v128.store(accAt, a1, 16); v128.store(accAt, a2, 32);
  v128.store(accAt, a3, 48); v128.store(accAt, a4, 64); v128.store(accAt, a5, 80);
  v128.store(accAt, a6, 96); v128.store(accAt, a7, 112); v128.store(accAt, a8, 128);
  if (biasAt != 0) v128.store(biasAt, ab);
}

// The same for any chunk of up to 9 taps and any group: each tap at its own offset from the window's top-left p.
function interior(accAt: usize, biasAt: usize, g: usize, mask: usize, at: usize, p: usize, count: i32, lanes: i32,
  t0: i32, n: i32, run: i32, channels: i32, strideBytes: usize, filterBytes: usize, rowBytes: usize): void {
  // A tap past the chunk's n repeats the first (its sum is computed and dropped).
  const o0 = tapOffset(t0, t0, n, run, channels, rowBytes), o1 = tapOffset(t0 + 1, t0, n, run, channels, rowBytes);
  const o2 = tapOffset(t0 + 2, t0, n, run, channels, rowBytes), o3 = tapOffset(t0 + 3, t0, n, run, channels, rowBytes);
  const o4 = tapOffset(t0 + 4, t0, n, run, channels, rowBytes), o5 = tapOffset(t0 + 5, t0, n, run, channels, rowBytes);
  const o6 = tapOffset(t0 + 6, t0, n, run, channels, rowBytes), o7 = tapOffset(t0 + 7, t0, n, run, channels, rowBytes);
  const o8 = tapOffset(t0 + 8, t0, n, run, channels, rowBytes);
  let a0 = v128.load(accAt), a1 = n > 1 ? v128.load(accAt, 16) : a0, a2 = n > 2 ? v128.load(accAt, 32) : a0;
  let a3 = n > 3 ? v128.load(accAt, 48) : a0, a4 = n > 4 ? v128.load(accAt, 64) : a0;
  let a5 = n > 5 ? v128.load(accAt, 80) : a0, a6 = n > 6 ? v128.load(accAt, 96) : a0;
  let a7 = n > 7 ? v128.load(accAt, 112) : a0, a8 = n > 8 ? v128.load(accAt, 128) : a0;
  let ab = biasAt != 0 ? v128.load(biasAt) : f32x4.splat(0);
  for (let i = 0; i < count; i++) {
    const d = gradientAt(g, mask, at, lanes);
    ab = f32x4.add(ab, d);
    a0 = madd(v128.load32_splat(p + o0), d, a0);
    a1 = madd(v128.load32_splat(p + o1), d, a1);
    a2 = madd(v128.load32_splat(p + o2), d, a2);
    a3 = madd(v128.load32_splat(p + o3), d, a3);
    a4 = madd(v128.load32_splat(p + o4), d, a4);
    a5 = madd(v128.load32_splat(p + o5), d, a5);
    a6 = madd(v128.load32_splat(p + o6), d, a6);
    a7 = madd(v128.load32_splat(p + o7), d, a7);
    a8 = madd(v128.load32_splat(p + o8), d, a8);
    p += strideBytes;
    at += filterBytes;
  }
  v128.store(accAt, a0);
  if (n > 1) v128.store(accAt, a1, 16);
  if (n > 2) v128.store(accAt, a2, 32);
  if (n > 3) v128.store(accAt, a3, 48);
  if (n > 4) v128.store(accAt, a4, 64);
  if (n > 5) v128.store(accAt, a5, 80);
  if (n > 6) v128.store(accAt, a6, 96);
  if (n > 7) v128.store(accAt, a7, 112);
  if (n > 8) v128.store(accAt, a8, 128);
  if (biasAt != 0) v128.store(biasAt, ab);
}

/**
 * Row oy of image b of the pooling's gradient (maxPoolBackward's dInput, src/kernels/pool.ts) into dst: at each
 * window's winner, the first element in window order equal to its maximum, 0 + dPooled (+0 where relu and the
 * maximum is not > 0); 0 elsewhere and outside every window. Only filters [f0, f1) of each position are made inside
 * the windows (elementwise: the same values whatever the range); the rest of dst is not read.
 */
function pooledRow(dst: usize, dPooled: usize, pooled: usize, out: usize, b: i32, oy: i32, outH: i32, outW: i32,
  filters: i32, pool: i32, relu: bool, f0: i32, f1: i32): void {
  const filterBytes = <usize>filters << 2;
  const pooledH = outH / pool, pooledW = outW / pool;
  const py = oy / pool, wy = oy - py * pool;
  if (py >= pooledH) {
    memory.fill(dst, 0, <usize>outW * filterBytes);
    return;
  }
  const zero = f32x4.splat(0);
  const outRowBytes = <usize>outW * filterBytes;
  const windowRow = out + <usize>(b * outH + py * pool) * outRowBytes;
  if (pool == 2) {
    pooledRow2(dst, dPooled + <usize>((b * pooledH + py) * pooledW) * filterBytes,
      pooled + <usize>((b * pooledH + py) * pooledW) * filterBytes, windowRow, wy, outW, pooledW, filters, outRowBytes,
      relu, f0, f1);
    return;
  }
  for (let ox = 0; ox < outW; ox++) {
    const d = dst + <usize>ox * filterBytes;
    const px = ox / pool, wx = ox - px * pool;
    if (px >= pooledW) {
      memory.fill(d, 0, filterBytes);
      continue;
    }
    const top = windowRow + <usize>(px * pool) * filterBytes;  // the window's first element
    const self = top + <usize>wy * outRowBytes + <usize>wx * filterBytes;
    const earlier = wy * pool + wx;                             // elements before this one in window order
    const p = <usize>((b * pooledH + py) * pooledW + px) * filterBytes;
    let f = f0;
    for (; f + 4 <= f1; f += 4) {
      const fb = <usize>f << 2;
      const max = v128.load(pooled + p + fb);
      let before = zero;
      for (let e = 0; e < earlier; e++) {
        const ey = e / pool, ex = e - ey * pool;
        before = v128.or(before, f32x4.eq(v128.load(top + <usize>ey * outRowBytes + <usize>ex * filterBytes + fb), max));
      }
      const hit = v128.andnot(f32x4.eq(v128.load(self + fb), max), before);
      let grad = f32x4.add(zero, v128.load(dPooled + p + fb));
      if (relu) grad = v128.and(grad, f32x4.gt(max, zero));
      v128.store(d + fb, v128.and(grad, hit));
    }
    for (; f < f1; f++) {
      const fb = <usize>f << 2;
      const max = load<f32>(pooled + p + fb);
      let found = false;
      for (let e = 0; e < earlier; e++) {
        const ey = e / pool, ex = e - ey * pool;
        found = found || load<f32>(top + <usize>ey * outRowBytes + <usize>ex * filterBytes + fb) == max;
      }
      const hit = !found && load<f32>(self + fb) == max;
      const grad = relu && !(max > 0) ? <f32>0 : <f32>0 + load<f32>(dPooled + p + fb);
      store<f32>(d + fb, hit ? grad : 0);
    }
  }
}

// pooledRow for 2×2 windows (the usual pooling), without its divisions: each window gives this row's two positions.
// On the window's top row the winner test needs the two elements of that row; on its bottom row, all four.
function pooledRow2(dst: usize, dPooled: usize, pooled: usize, top: usize, wy: i32, outW: i32, pooledW: i32, filters: i32,
  outRowBytes: usize, relu: bool, f0: i32, f1: i32): void {
  const filterBytes = <usize>filters << 2;
  const zero = f32x4.splat(0);
  for (let px = 0; px < pooledW; px++) {
    const w0 = top + <usize>(2 * px) * filterBytes, w1 = w0 + filterBytes;   // the window's top-left and top-right
    const d0 = dst + <usize>(2 * px) * filterBytes, d1 = d0 + filterBytes;
    const p = <usize>px * filterBytes;
    let f = f0;
    for (; f + 4 <= f1; f += 4) {
      const fb = <usize>f << 2;
      const max = v128.load(pooled + p + fb);
      let grad = f32x4.add(zero, v128.load(dPooled + p + fb));
      if (relu) grad = v128.and(grad, f32x4.gt(max, zero));
      const e0 = f32x4.eq(v128.load(w0 + fb), max), e1 = f32x4.eq(v128.load(w1 + fb), max);
      let hit0 = e0, hit1 = v128.andnot(e1, e0);
      if (wy == 1) {
        const before = v128.or(e0, e1);
        const e2 = f32x4.eq(v128.load(w0 + outRowBytes + fb), max);
        hit0 = v128.andnot(e2, before);
        hit1 = v128.andnot(f32x4.eq(v128.load(w1 + outRowBytes + fb), max), v128.or(before, e2));
      }
      v128.store(d0 + fb, v128.and(grad, hit0));
      v128.store(d1 + fb, v128.and(grad, hit1));
    }
    for (; f < f1; f++) {
      const fb = <usize>f << 2;
      const max = load<f32>(pooled + p + fb);
      const grad = relu && !(max > 0) ? <f32>0 : <f32>0 + load<f32>(dPooled + p + fb);
      const e0 = load<f32>(w0 + fb) == max, e1 = load<f32>(w1 + fb) == max;
      let hit0 = e0, hit1 = e1 && !e0;
      if (wy == 1) {
        const e2 = load<f32>(w0 + outRowBytes + fb) == max;
        hit0 = e2 && !e0 && !e1;
        hit1 = load<f32>(w1 + outRowBytes + fb) == max && !e0 && !e1 && !e2;
      }
      store<f32>(d0 + fb, hit0 ? grad : 0);
      store<f32>(d1 + fb, hit1 ? grad : 0);
    }
  }
  // Columns right of the last window.
  if (2 * pooledW < outW) memory.fill(dst + <usize>(2 * pooledW) * filterBytes, 0, <usize>(outW - 2 * pooledW) * filterBytes);
}

/** Byte offset of tap t (row-major over kernelH, kernelW, channels) from its window's top-left; t0's past the chunk. */
@inline function tapOffset(t: i32, t0: i32, n: i32, run: i32, channels: i32, rowBytes: usize): usize {
  const tap = t < t0 + n ? t : t0;
  return <usize>(tap / run) * rowBytes + (<usize>(tap % run) << 2);
}

/** The first `lanes` floats at p (the rest 0): the last group of a filter count off 4 must not read the next pixel's. */
@inline function loadLanes(p: usize, lanes: i32): v128 {
  if (lanes == 4) return v128.load(p);
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (lanes > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (lanes > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

/** g's f32x4 at byte offset `at`, masked by mask > 0 when mask is given (relu's derivative). */
@inline function gradientAt(g: usize, mask: usize, at: usize, lanes: i32): v128 {
  const d = loadLanes(g + at, lanes);
  if (mask == 0) return d;
  return v128.and(d, f32x4.gt(loadLanes(mask + at, lanes), f32x4.splat(0)));
}

/** d[lo .. hi) += v's lanes lo .. hi, each rounded to f32 as the reference's scalar add. */
@inline function addLanes(d: usize, v: v128, lo: i32, hi: i32): void {
  if (lo == 0 && hi == 4) {
    v128.store(d, f32x4.add(v128.load(d), v));
    return;
  }
  if (lo <= 0 && hi > 0) store<f32>(d, load<f32>(d) + f32x4.extract_lane(v, 0));
  if (lo <= 1 && hi > 1) store<f32>(d, load<f32>(d, 4) + f32x4.extract_lane(v, 1), 4);
  if (lo <= 2 && hi > 2) store<f32>(d, load<f32>(d, 8) + f32x4.extract_lane(v, 2), 8);
  if (hi > 3) store<f32>(d, load<f32>(d, 12) + f32x4.extract_lane(v, 3), 12);
}

// Output columns [from, to) of one row for one chunk of taps, each tap's input read (or 0 outside the image) by its
// own bounds check, and its sum kept in the panel (and the bias', when biasAt): the windows that leave the image.
function edgeColumns(accAt: usize, biasAt: usize, g: usize, mask: usize, image: usize, at0: usize, filterBytes: usize,
  lanes: i32, t0: i32, n: i32, from: i32, to: i32, y0: i32, height: i32, width: i32, channels: i32, kernelW: i32,
  stride: i32, padLeft: i32): void {
  const zero = f32x4.splat(0);
  const run = kernelW * channels;
  for (let ox = from; ox < to; ox++) {
    const d = gradientAt(g, mask, at0 + <usize>ox * filterBytes, lanes);
    if (biasAt != 0) v128.store(biasAt, f32x4.add(v128.load(biasAt), d));
    const x0 = ox * stride - padLeft;
    for (let j = 0; j < n; j++) {
      const t = t0 + j;
      const y = y0 + t / run, x = x0 + (t % run) / channels, c = t % channels;
      const v = y >= 0 && y < height && x >= 0 && x < width
        ? v128.load32_splat(image + (<usize>((y * width + x) * channels + c) << 2)) : zero;
      const a = accAt + (<usize>j << 4);
      v128.store(a, madd(v, d, v128.load(a)));
    }
  }
}
