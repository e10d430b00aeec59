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
