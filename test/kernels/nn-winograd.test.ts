// Winograd F(4×4, 3×3) on every backend: the forward (kernel, input transforms, the 36 tile products, output
// transform with bias and relu) against a direct convolution in float64, and the input gradient (the forward's
// adjoint) against the direct convolution's gradient in float64, on awkward sizes: odd heights and widths, one
// channel, outputs smaller than a tile, 'same' and 'valid', channel and filter counts off the SIMD width.
//
// The bound. Every output is a sum of products (data · kernel · transform constants), and along any one product's
// path the kernels round at most N times in f32, so (Higham, Accuracy and Stability of Numerical Algorithms, §3.1)
//   |ŷ − y| ≤ γ_N · Σ|terms|,  γ_N = N·u / (1 − N·u),  u = 2⁻²⁴,
// where Σ|terms| is the same algorithm run in float64 on |d|, |g| and the transforms' absolute values |Bᵀ|, |G|, |Aᵀ|.
// That sum is what grows with the tile size: for F(4×4, 3×3) it is up to ~10² times the direct convolution's Σ|d·g|
// (the constants 4, 5, 8 of Bᵀ and Aᵀ), against ~10 for F(2×2, 3×3): the price of 4× fewer multiplies, and why the
// error is ~1e-5 of the output's scale rather than ~1e-6. Counting roundings per 1-D pass in assembly/winograd.ts:
// kernel transform ≤ 4 per pass (the constant 1/6 itself, an add, an add, a multiply), input transform ≤ 3,
// output transform ≤ 3, input adjoint ≤ 4, output adjoint ≤ 3; the product 1, the channel sum (gemm, sequential in
// f32) C (or F filters for the adjoint), the bias 1, and up to 4 overlapping tiles adding into one input gradient:
//   forward N = 8 + 6 + 1 + C + 6 + 1 = C + 22;   input gradient N = 6 + 8 + 1 + F + 8 + 4 = F + 27.
// The kernel gradient (dU[e] = Σ_tiles V[e]ᵀ·dM[e], dW += Gᵀ dU G) sums over all T tiles of the batch: output
// adjoint 6, input transform 6, the product 1, the tile sum T, kernel adjoint ≤ 5 per pass (a sum, a difference, the
// constant 1/6 or 1/24, its multiply, the final add), 10, and the add into dW 1: N = T + 24.
// The tests use C + 24, F + 30 and T + 28.
import { describe, expect, it } from 'vitest';
import * as reference from '../../src/kernels/winograd.js';
import { winogradPlanesFloats } from '../../src/kernels/winograd.js';
import { backends, onHeap, randomFloats } from '../helpers.js';

interface Geometry {
  batch: number; height: number; width: number; channels: number; filters: number; padding: 'valid' | 'same';
}

function shape(g: Geometry) {
  if (g.padding === 'valid') return { outH: g.height - 2, outW: g.width - 2, padTop: 0, padLeft: 0 };
  return { outH: g.height, outW: g.width, padTop: 1, padLeft: 1 };
}

const GEOMETRIES: Geometry[] = [
  { batch: 2, height: 7, width: 9, channels: 1, filters: 3, padding: 'valid' },
  { batch: 1, height: 5, width: 6, channels: 1, filters: 1, padding: 'same' },
  { batch: 2, height: 13, width: 13, channels: 32, filters: 64, padding: 'valid' },
  { batch: 1, height: 11, width: 7, channels: 5, filters: 9, padding: 'same' },
  { batch: 3, height: 3, width: 3, channels: 3, filters: 5, padding: 'valid' },
  { batch: 1, height: 1, width: 1, channels: 17, filters: 4, padding: 'same' },
  { batch: 1, height: 10, width: 17, channels: 4, filters: 7, padding: 'valid' },
  { batch: 0, height: 6, width: 6, channels: 2, filters: 2, padding: 'same' },
];

const label = (g: Geometry) => `${g.batch}×${g.height}×${g.width}×${g.channels} → ${g.filters} filters, ${g.padding}`;

// The transforms, written here from Lavin & Gray (2016), independently of src/.
const BT = [[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0], [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0],
  [0, 4, 0, -5, 0, 1]];
const G = [[1 / 4, 0, 0], [-1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6], [1 / 24, 1 / 12, 1 / 6],
  [1 / 24, -1 / 12, 1 / 6], [0, 0, 1]];
const AT = [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]];
const abs = (m: number[][]) => m.map((r) => r.map(Math.abs));
const transpose = (m: number[][]) => m[0].map((_, j) => m.map((r) => r[j]));
/** L · X · R for small dense matrices. */
function sandwich(l: number[][], x: number[][], r: number[][]): number[][] {
  const lx = l.map((row) => x[0].map((_, j) => row.reduce((s, v, p) => s + v * x[p][j], 0)));
  return lx.map((row) => r[0].map((_, j) => row.reduce((s, v, p) => s + v * r[p][j], 0)));
}

// The bounds use the transforms' absolute values: |Bᵀ|, |G|, |Aᵀ| and their transposes.
const [ABS_BT, ABS_G, ABS_AT] = [abs(BT), abs(G), abs(AT)];
const [ABS_B, ABS_GT, ABS_A] = [transpose(ABS_BT), transpose(ABS_G), transpose(ABS_AT)];

/** |G|·|k|·|Gᵀ| for each channel ci and filter fi of the 3×3 kernel w (Keras' layout), at us[ci·f + fi]. */
function absKernelTransforms(w: Float32Array, c: number, f: number): number[][][] {
  const us: number[][][] = [];
  for (let ci = 0; ci < c; ci++) {
    for (let fi = 0; fi < f; fi++) {
      const k = [0, 1, 2].map((i) => [0, 1, 2].map((j) => Math.abs(w[((i * 3 + j) * c + ci) * f + fi])));
      us[ci * f + fi] = sandwich(ABS_G, k, ABS_GT);
    }
  }
  return us;
}

const U_ROUNDING = 2 ** -24;
const gamma = (n: number) => (n * U_ROUNDING) / (1 - n * U_ROUNDING);

/** Per output: the direct convolution (+ bias) in float64, and Σ|terms| of the Winograd algorithm in float64. */
function forwardReference(g: Geometry, x: Float32Array, w: Float32Array, bias: Float32Array) {
  const { outH, outW, padTop, padLeft } = shape(g);
  const { batch: n, height: h, width: wd, channels: c, filters: f } = g;
  const value = new Float64Array(n * outH * outW * f);
  const scale = new Float64Array(value.length);
  const pixel = (b: number, y: number, xx: number, ci: number) =>
    y < 0 || y >= h || xx < 0 || xx >= wd ? 0 : x[((b * h + y) * wd + xx) * c + ci];
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let fi = 0; fi < f; fi++) {
          let s = bias[fi];
          for (let ky = 0; ky < 3; ky++) {
            for (let kx = 0; kx < 3; kx++) {
              for (let ci = 0; ci < c; ci++) s += pixel(b, oy + ky - padTop, ox + kx - padLeft, ci) * w[((ky * 3 + kx) * c + ci) * f + fi];
            }
          }
          value[((b * outH + oy) * outW + ox) * f + fi] = s;
        }
      }
    }
  }
  const [bt, b6, at, a6] = [ABS_BT, ABS_B, ABS_AT, ABS_A];
  const us = absKernelTransforms(w, c, f);
  for (let b = 0; b < n; b++) {
    for (let ty = 0; ty * 4 < outH; ty++) {
      for (let tx = 0; tx * 4 < outW; tx++) {
        const vs: number[][][] = [];
        for (let ci = 0; ci < c; ci++) {
          const d = [0, 1, 2, 3, 4, 5].map((i) => [0, 1, 2, 3, 4, 5].map((j) =>
            Math.abs(pixel(b, ty * 4 - padTop + i, tx * 4 - padLeft + j, ci))));
          vs.push(sandwich(bt, d, b6));
        }
        for (let fi = 0; fi < f; fi++) {
          const m = [0, 1, 2, 3, 4, 5].map((i) => [0, 1, 2, 3, 4, 5].map((j) => {
            let s = 0;
            for (let ci = 0; ci < c; ci++) s += us[ci * f + fi][i][j] * vs[ci][i][j];
            return s;
          }));
          const y = sandwich(at, m, a6);
          for (let i = 0; i < 4 && ty * 4 + i < outH; i++) {
            for (let j = 0; j < 4 && tx * 4 + j < outW; j++) {
              scale[((b * outH + ty * 4 + i) * outW + tx * 4 + j) * f + fi] = y[i][j] + Math.abs(bias[fi]);
            }
          }
        }
      }
    }
  }
  return { value, scale };
}

/** Per input pixel: the direct convolution's input gradient in float64, and Σ|terms| of the Winograd adjoint. */
function gradientReference(g: Geometry, dy: Float32Array, w: Float32Array) {
  const { outH, outW, padTop, padLeft } = shape(g);
  const { batch: n, height: h, width: wd, channels: c, filters: f } = g;
  const value = new Float64Array(n * h * wd * c);
  const scale = new Float64Array(value.length);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let ky = 0; ky < 3; ky++) {
          for (let kx = 0; kx < 3; kx++) {
            const y = oy + ky - padTop, xx = ox + kx - padLeft;
            if (y < 0 || y >= h || xx < 0 || xx >= wd) continue;
            for (let ci = 0; ci < c; ci++) {
              let s = 0;
              for (let fi = 0; fi < f; fi++) s += dy[((b * outH + oy) * outW + ox) * f + fi] * w[((ky * 3 + kx) * c + ci) * f + fi];
              value[((b * h + y) * wd + xx) * c + ci] += s;
            }
          }
        }
      }
    }
  }
  const [bt, b6, at, a6] = [ABS_BT, ABS_B, ABS_AT, ABS_A];
  const us = absKernelTransforms(w, c, f);
  for (let b = 0; b < n; b++) {
    for (let ty = 0; ty * 4 < outH; ty++) {
      for (let tx = 0; tx * 4 < outW; tx++) {
        const dms: number[][][] = [];
        for (let fi = 0; fi < f; fi++) {
          const d = [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => {
            const y = ty * 4 + i, xx = tx * 4 + j;
            return y < outH && xx < outW ? Math.abs(dy[((b * outH + y) * outW + xx) * f + fi]) : 0;
          }));
          dms.push(sandwich(a6, d, at));
        }
        for (let ci = 0; ci < c; ci++) {
          const dv = [0, 1, 2, 3, 4, 5].map((i) => [0, 1, 2, 3, 4, 5].map((j) => {
            let s = 0;
            for (let fi = 0; fi < f; fi++) s += us[ci * f + fi][i][j] * dms[fi][i][j];
            return s;
          }));
          const dd = sandwich(b6, dv, bt);
          for (let i = 0; i < 6; i++) {
            for (let j = 0; j < 6; j++) {
              const y = ty * 4 - padTop + i, xx = tx * 4 - padLeft + j;
              if (y >= 0 && y < h && xx >= 0 && xx < wd) scale[((b * h + y) * wd + xx) * c + ci] += dd[i][j];
            }
          }
        }
      }
    }
  }
  return { value, scale };
}

/** Per kernel tap: the direct convolution's kernel gradient in float64, and Σ|terms| of the Winograd adjoint. */
function kernelGradientReference(g: Geometry, x: Float32Array, dy: Float32Array) {
  const { outH, outW, padTop, padLeft } = shape(g);
  const { batch: n, height: h, width: wd, channels: c, filters: f } = g;
  const value = new Float64Array(9 * c * f);
  const scale = new Float64Array(value.length);
  const pixel = (b: number, y: number, xx: number, ci: number) =>
    y < 0 || y >= h || xx < 0 || xx >= wd ? 0 : x[((b * h + y) * wd + xx) * c + ci];
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let ky = 0; ky < 3; ky++) {
          for (let kx = 0; kx < 3; kx++) {
            for (let ci = 0; ci < c; ci++) {
              const p = pixel(b, oy + ky - padTop, ox + kx - padLeft, ci);
              for (let fi = 0; fi < f; fi++) value[((ky * 3 + kx) * c + ci) * f + fi] += p * dy[((b * outH + oy) * outW + ox) * f + fi];
            }
          }
        }
      }
    }
  }
  const [bt, gg, at, b6, gt, a6] = [ABS_BT, ABS_G, ABS_AT, ABS_B, ABS_GT, ABS_A];
  // Σ over tiles of |V| ⊙ |dM| per (channel, filter), then |Gᵀ| · that · |G|.
  const du = Array.from({ length: c * f }, () => [0, 1, 2, 3, 4, 5].map(() => new Array<number>(6).fill(0)));
  for (let b = 0; b < n; b++) {
    for (let ty = 0; ty * 4 < outH; ty++) {
      for (let tx = 0; tx * 4 < outW; tx++) {
        const vs = Array.from({ length: c }, (_, ci) => sandwich(bt, [0, 1, 2, 3, 4, 5].map((i) =>
          [0, 1, 2, 3, 4, 5].map((j) => Math.abs(pixel(b, ty * 4 - padTop + i, tx * 4 - padLeft + j, ci)))), b6));
        const dms = Array.from({ length: f }, (_, fi) => sandwich(a6, [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => {
          const y = ty * 4 + i, xx = tx * 4 + j;
          return y < outH && xx < outW ? Math.abs(dy[((b * outH + y) * outW + xx) * f + fi]) : 0;
        })), at));
        for (let ci = 0; ci < c; ci++) {
          for (let fi = 0; fi < f; fi++) {
            for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) du[ci * f + fi][i][j] += vs[ci][i][j] * dms[fi][i][j];
          }
        }
      }
    }
  }
  for (let ci = 0; ci < c; ci++) {
    for (let fi = 0; fi < f; fi++) {
      const k = sandwich(gt, du[ci * f + fi], gg);
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) scale[((i * 3 + j) * c + ci) * f + fi] = k[i][j];
    }
  }
  return { value, scale };
}

const SENTINEL = 12345.5;
/** The bits of floats, so that NaNs and -0 compare exactly. */
const bitsOf = (a: Float32Array) => Array.from(new Uint32Array(a.slice().buffer));

/**
 * The worst-case bound is loose (it assumes every rounding goes the same way, on Σ|terms| ~10² times the output's
 * size at 32 channels) but still far below the outputs' own size, so a wrong constant or index cannot pass it; and the
 * root-mean-square error, which rounding errors of random sign keep ~10⁻³ of that bound, is checked at 1e-5 of the
 * root-mean-square output (measured: 3e-8 to 1.4e-6 on these sizes; im2col + gemm: ~1e-7 to 1e-6).
 */
function expectTight(bound: number, scale: Float64Array, value: Float64Array, got: ArrayLike<number>,
  expected: (i: number) => number): void {
  if (value.length === 0) return;
  let sq = 0, widest = 0, errors = 0;
  for (let i = 0; i < value.length; i++) {
    sq += value[i] * value[i];
    widest = Math.max(widest, bound * scale[i]);
    errors += (got[i] - expected(i)) ** 2;
  }
  const rms = Math.sqrt(sq / value.length);
  expect(widest).toBeLessThan(0.05 * rms);
  expect(Math.sqrt(errors / value.length)).toBeLessThan(1e-5 * rms);
}

for (const backend of backends) {
  const k = backend.kernels;
  describe(`Winograd F(4×4, 3×3) (${backend.name})`, () => {
    for (const g of GEOMETRIES) {
      const { outH, outW, padTop, padLeft } = shape(g);
      const tiles = g.batch * Math.ceil(outH / 4) * Math.ceil(outW / 4);
      // The backend under test runs in blocks of 5 tiles (blocks cross image boundaries, the last one is short), the
      // TypeScript twin in one block of all tiles.
      const block = 5;
      const outSize = g.batch * outH * outW * g.filters;
      const inSize = g.batch * g.height * g.width * g.channels;

      for (const epilogue of [{ bias: false, relu: false }, { bias: true, relu: true }]) {
        it(`forward equals the direct convolution within γ(C + 24)·Σ|terms|, ${label(g)}` +
          `${epilogue.bias ? ', bias + relu' : ''}`, () => {
          const x = randomFloats(inSize, 21);
          const w = randomFloats(9 * g.channels * g.filters, 22);
          const bias = epilogue.bias ? randomFloats(g.filters, 23) : new Float32Array(g.filters);
          const input = onHeap(backend, x, 1);
          const kernel = onHeap(backend, w, 3);
          const biasBlock = onHeap(backend, bias, 2);
          const u = onHeap(backend, new Float32Array(winogradPlanesFloats(g.channels, g.filters)).fill(NaN));
          const v = onHeap(backend, new Float32Array(winogradPlanesFloats(block, g.channels)).fill(NaN));
          const m = onHeap(backend, new Float32Array(winogradPlanesFloats(block, g.filters)).fill(NaN));
          // The output has a sentinel past its end: edge tiles must store only their valid part.
          const out = onHeap(backend, new Float32Array(outSize + 4).fill(NaN).fill(SENTINEL, outSize), 1);
          k.winogradKernelTransform(u.view(), kernel.view(), g.channels, g.filters);
          // In blocks of `block` tiles (the last one short), as the layer runs them.
          for (let t0 = 0; t0 < tiles; t0 += block) {
            const n = Math.min(block, tiles - t0);
            k.winogradInputTransform(v.view(), input.view(), g.height, g.width, g.channels, padTop, padLeft, outH, outW, t0, n);
            k.winogradMultiply(m.view(), v.view(), u.view(), n, g.channels, g.filters, false);
            k.winogradOutputTransform(out.view(), m.view(), epilogue.bias ? biasBlock.view() : null, epilogue.relu,
              outH, outW, g.filters, t0, n);
          }
          const { value, scale } = forwardReference(g, x, w, bias);
          const got = out.view();
          const bound = gamma(g.channels + 24);
          for (let i = 0; i < outSize; i++) {
            const expected = epilogue.relu ? Math.max(value[i], 0) : value[i];
            if (!(Math.abs(got[i] - expected) <= bound * scale[i])) {
              expect.fail(`out[${i}] = ${got[i]}, expected ${expected} ± ${bound * scale[i]}`);
            }
          }
          for (let i = outSize; i < outSize + 4; i++) expect(got[i]).toBe(SENTINEL);
          expectTight(bound, scale, value, got, (i) => epilogue.relu ? Math.max(value[i], 0) : value[i]);

          // The TypeScript twin, step by step, agrees with the kernels to the same bound.
          const ru = new Float32Array(winogradPlanesFloats(g.channels, g.filters));
          const rv = new Float32Array(winogradPlanesFloats(tiles, g.channels));
          const rm = new Float32Array(winogradPlanesFloats(tiles, g.filters));
          const rout = new Float32Array(outSize);
          reference.winogradKernelTransform(ru, w, g.channels, g.filters);
          reference.winogradInputTransform(rv, x, g.height, g.width, g.channels, padTop, padLeft, outH, outW, 0, tiles);
          reference.winogradMultiply(rm, rv, ru, tiles, g.channels, g.filters, false);
          reference.winogradOutputTransform(rout, rm, epilogue.bias ? bias : null, epilogue.relu, outH, outW, g.filters, 0, tiles);
          for (let i = 0; i < outSize; i++) {
            if (!(Math.abs(got[i] - rout[i]) <= 2 * bound * scale[i])) {
              expect.fail(`out[${i}] = ${got[i]}, TypeScript twin ${rout[i]} ± ${2 * bound * scale[i]}`);
            }
          }
          for (const block of [input, kernel, biasBlock, u, v, m, out]) block.free();
        });
      }

      it(`input gradient (the forward's adjoint) equals the direct one within γ(F + 30)·Σ|terms| and accumulates, ${label(g)}`, () => {
        const dy = randomFloats(outSize, 31);
        const w = randomFloats(9 * g.channels * g.filters, 32);
        const start = randomFloats(inSize, 33);
        const dOut = onHeap(backend, dy, 2);
        const kernel = onHeap(backend, w, 1);
        const u = onHeap(backend, new Float32Array(winogradPlanesFloats(g.channels, g.filters)).fill(NaN));
        const dm = onHeap(backend, new Float32Array(winogradPlanesFloats(block, g.filters)).fill(NaN));
        const dv = onHeap(backend, new Float32Array(winogradPlanesFloats(block, g.channels)).fill(NaN));
        const initial = new Float32Array(inSize + 4).fill(SENTINEL);
        initial.set(start);
        const dInput = onHeap(backend, initial, 3);
        k.winogradKernelTransform(u.view(), kernel.view(), g.channels, g.filters);
        for (let t0 = 0; t0 < tiles; t0 += block) {
          const n = Math.min(block, tiles - t0);
          k.winogradOutputAdjoint(dm.view(), dOut.view(), outH, outW, g.filters, t0, n);
          k.winogradMultiply(dv.view(), dm.view(), u.view(), n, g.channels, g.filters, true);
          k.winogradInputAdjoint(dInput.view(), dv.view(), g.height, g.width, g.channels, padTop, padLeft, outH, outW, t0, n);
        }
        const { value, scale } = gradientReference(g, dy, w);
        const got = dInput.view();
        // start[i] + value[i] rounds once more: |start| joins the sum of terms with one more rounding.
        const bound = gamma(g.filters + 31);
        for (let i = 0; i < inSize; i++) {
          const expected = start[i] + value[i];
          const tolerance = bound * (scale[i] + Math.abs(start[i]));
          if (!(Math.abs(got[i] - expected) <= tolerance)) {
            expect.fail(`dInput[${i}] = ${got[i]}, expected ${expected} ± ${tolerance}`);
          }
        }
        for (let i = inSize; i < inSize + 4; i++) expect(got[i]).toBe(SENTINEL);
        expectTight(bound, scale, value, got, (i) => start[i] + value[i]);

        const ru = new Float32Array(winogradPlanesFloats(g.channels, g.filters));
        const rdm = new Float32Array(winogradPlanesFloats(tiles, g.filters));
        const rdv = new Float32Array(winogradPlanesFloats(tiles, g.channels));
        const rdx = Float32Array.from(start);
        reference.winogradKernelTransform(ru, w, g.channels, g.filters);
        reference.winogradOutputAdjoint(rdm, dy, outH, outW, g.filters, 0, tiles);
        reference.winogradMultiply(rdv, rdm, ru, tiles, g.channels, g.filters, true);
        reference.winogradInputAdjoint(rdx, rdv, g.height, g.width, g.channels, padTop, padLeft, outH, outW, 0, tiles);
        for (let i = 0; i < inSize; i++) {
          const tolerance = 2 * bound * (scale[i] + Math.abs(start[i]));
          if (!(Math.abs(got[i] - rdx[i]) <= tolerance)) {
            expect.fail(`dInput[${i}] = ${got[i]}, TypeScript twin ${rdx[i]} ± ${tolerance}`);
          }
        }
        for (const block of [dOut, kernel, u, dm, dv, dInput]) block.free();
      });

      it(`kernel gradient (the kernel transform's adjoint) equals the direct one within γ(T + 28)·Σ|terms| and accumulates, ${label(g)}`, () => {
        const x = randomFloats(inSize, 41);
        const dy = randomFloats(outSize, 42);
        const start = randomFloats(9 * g.channels * g.filters, 43);
        const input = onHeap(backend, x, 1);
        const dOut = onHeap(backend, dy, 2);
        const du = onHeap(backend, new Float32Array(winogradPlanesFloats(g.channels, g.filters)).fill(NaN));
        const v = onHeap(backend, new Float32Array(winogradPlanesFloats(block, g.channels)).fill(NaN));
        const dm = onHeap(backend, new Float32Array(winogradPlanesFloats(block, g.filters)).fill(NaN));
        const kernelSize = 9 * g.channels * g.filters;
        const initial = new Float32Array(kernelSize + 4).fill(SENTINEL);
        initial.set(start);
        const dKernel = onHeap(backend, initial, 3);
        for (let t0 = 0; t0 < tiles; t0 += block) {
          const n = Math.min(block, tiles - t0);
          k.winogradOutputAdjoint(dm.view(), dOut.view(), outH, outW, g.filters, t0, n);
          k.winogradInputTransform(v.view(), input.view(), g.height, g.width, g.channels, padTop, padLeft, outH, outW, t0, n);
          k.winogradKernelGradient(du.view(), v.view(), dm.view(), n, g.channels, g.filters, t0 > 0);
        }
        if (tiles > 0) k.winogradKernelAdjoint(dKernel.view(), du.view(), g.channels, g.filters);
        const { value, scale } = kernelGradientReference(g, x, dy);
        const got = dKernel.view();
        const bound = gamma(tiles + 28);
        for (let i = 0; i < kernelSize; i++) {
          const expected = start[i] + value[i];
          const tolerance = bound * (scale[i] + Math.abs(start[i]));
          if (!(Math.abs(got[i] - expected) <= tolerance)) {
            expect.fail(`dKernel[${i}] = ${got[i]}, expected ${expected} ± ${tolerance}`);
          }
        }
        for (let i = kernelSize; i < kernelSize + 4; i++) expect(got[i]).toBe(SENTINEL);
        // An empty batch adds nothing (and its zero gradient has no scale to bound errors against).
        if (tiles === 0) expect(Array.from(got.subarray(0, kernelSize))).toEqual(Array.from(start));
        else expectTight(bound, scale, value, got, (i) => start[i] + value[i]);

        const rdu = new Float32Array(winogradPlanesFloats(g.channels, g.filters));
        const rv = new Float32Array(winogradPlanesFloats(tiles, g.channels));
        const rdm = new Float32Array(winogradPlanesFloats(tiles, g.filters));
        const rdk = Float32Array.from(start);
        reference.winogradOutputAdjoint(rdm, dy, outH, outW, g.filters, 0, tiles);
        reference.winogradInputTransform(rv, x, g.height, g.width, g.channels, padTop, padLeft, outH, outW, 0, tiles);
        reference.winogradKernelGradient(rdu, rv, rdm, tiles, g.channels, g.filters, false);
        if (tiles > 0) reference.winogradKernelAdjoint(rdk, rdu, g.channels, g.filters);
        for (let i = 0; i < kernelSize; i++) {
          const tolerance = 2 * bound * (scale[i] + Math.abs(start[i]));
          if (!(Math.abs(got[i] - rdk[i]) <= tolerance)) {
            expect.fail(`dKernel[${i}] = ${got[i]}, TypeScript twin ${rdk[i]} ± ${tolerance}`);
          }
        }
        for (const block of [input, dOut, du, v, dm, dKernel]) block.free();
      });
    }

    // winogradForward: the layer's forward in one call (issue 16: one round trip with threads). It must be the three
    // kernels above, block by block, to the bit (so that a layer's results did not change), each block's V kept in
    // its own region, and within the float64 bound on its own; m's later slots (one per thread) untouched.
    for (const g of GEOMETRIES) {
      const { outH, outW, padTop, padLeft } = shape(g);
      const tiles = g.batch * Math.ceil(outH / 4) * Math.ceil(outW / 4);
      const outSize = g.batch * outH * outW * g.filters;
      const inSize = g.batch * g.height * g.width * g.channels;
      for (const [block, slots] of [[5, 1], [3, 3], [Math.max(1, tiles), 2]]) {
        it(`winogradForward (every block in one call) = the three kernels block by block, bit for bit, ${label(g)}, ` +
          `blocks of ${block}, ${slots} M slots`, () => {
          const x = randomFloats(inSize, 41);
          const w = randomFloats(9 * g.channels * g.filters, 42);
          const bias = randomFloats(g.filters, 43);
          const input = onHeap(backend, x, 1);
          const kernel = onHeap(backend, w, 3);
          const biasBlock = onHeap(backend, bias, 2);
          const u = onHeap(backend, new Float32Array(winogradPlanesFloats(g.channels, g.filters)).fill(NaN));
          k.winogradKernelTransform(u.view(), kernel.view(), g.channels, g.filters);
          const blocks = Math.ceil(tiles / block);
          const vFloats = winogradPlanesFloats(block, g.channels), mFloats = winogradPlanesFloats(block, g.filters);
          // Block by block with the three kernels: each block's V kept, one M.
          const stepV = onHeap(backend, new Float32Array(blocks * vFloats).fill(NaN));
          const stepM = onHeap(backend, new Float32Array(mFloats).fill(NaN));
          const stepOut = onHeap(backend, new Float32Array(outSize).fill(NaN));
          for (let i = 0; i < blocks; i++) {
            const t0 = i * block, n = Math.min(block, tiles - t0);
            const vi = stepV.view().subarray(i * vFloats, (i + 1) * vFloats);
            k.winogradInputTransform(vi, input.view(), g.height, g.width, g.channels, padTop, padLeft, outH, outW, t0, n);
            k.winogradMultiply(stepM.view(), vi, u.view(), n, g.channels, g.filters, false);
            k.winogradOutputTransform(stepOut.view(), stepM.view(), biasBlock.view(), true, outH, outW, g.filters, t0, n);
          }
          // In one call, over NaN.
          const v = onHeap(backend, new Float32Array(blocks * vFloats).fill(NaN), 1);
          const m = onHeap(backend, new Float32Array(slots * mFloats).fill(NaN), 3);
          const out = onHeap(backend, new Float32Array(outSize + 4).fill(NaN).fill(SENTINEL, outSize), 1);
          k.winogradForward(out.view().subarray(0, outSize), v.view(), m.view(), input.view(), u.view(), biasBlock.view(),
            true, g.height, g.width, g.channels, padTop, padLeft, outH, outW, g.filters, tiles, block, slots);
          const got = out.view();
          expect(bitsOf(got.subarray(0, outSize))).toEqual(bitsOf(stepOut.view()));
          for (let i = outSize; i < outSize + 4; i++) expect(got[i]).toBe(SENTINEL);
          // Each block's V, its valid planes (a short last block's planes are closer together: compare what it wrote).
          for (let i = 0; i < blocks; i++) {
            const n = Math.min(block, tiles - i * block);
            const used = winogradPlanesFloats(n, g.channels);
            expect(bitsOf(v.view().subarray(i * vFloats, i * vFloats + used)), `block ${i}'s V`)
              .toEqual(bitsOf(stepV.view().subarray(i * vFloats, i * vFloats + used)));
          }
          // The slots past the first are left to the other threads: the whole call does not touch them.
          for (let i = mFloats; i < slots * mFloats; i++) expect(Number.isNaN(m.view()[i])).toBe(true);
          // And on its own, against the direct convolution in float64.
          const { value, scale } = forwardReference(g, x, w, bias);
          const bound = gamma(g.channels + 24);
          for (let i = 0; i < outSize; i++) {
            const expected = Math.max(value[i], 0);
            if (!(Math.abs(got[i] - expected) <= bound * scale[i])) {
              expect.fail(`out[${i}] = ${got[i]}, expected ${expected} ± ${bound * scale[i]}`);
            }
          }
          for (const b of [input, kernel, biasBlock, u, stepV, stepM, stepOut, v, m, out]) b.free();
        });
      }
    }

    // The backward in four calls over every block (issue 16: one round trip each with threads) must be the four
    // kernels block by block, to the bit: dM of each block, dU summed over the blocks in order, dV in each block's V,
    // dInput added block after block. (Those kernels are checked against float64 above.)
    for (const g of GEOMETRIES) {
      const { outH, outW, padTop, padLeft } = shape(g);
      const tiles = g.batch * Math.ceil(outH / 4) * Math.ceil(outW / 4);
      const outSize = g.batch * outH * outW * g.filters;
      const inSize = g.batch * g.height * g.width * g.channels;
      for (const block of [5, 3, Math.max(1, tiles)]) {
        it(`the backward's four calls over every block = the kernels block by block, bit for bit, ${label(g)}, blocks of ${block}`, () => {
          const blocks = Math.ceil(tiles / block);
          const vFloats = winogradPlanesFloats(block, g.channels), mFloats = winogradPlanesFloats(block, g.filters);
          const uFloats = winogradPlanesFloats(g.channels, g.filters);
          const dOut = onHeap(backend, randomFloats(outSize, 71), 1);
          const u = onHeap(backend, randomFloats(uFloats, 72));
          const vStart = randomFloats(blocks * vFloats, 73);
          const dInputStart = randomFloats(inSize, 74);
          const run = (fourCalls: boolean) => {
            const v = onHeap(backend, vStart, 1);
            const m = onHeap(backend, new Float32Array(blocks * mFloats).fill(NaN), 3);
            const du = onHeap(backend, new Float32Array(uFloats).fill(NaN));
            const dInput = onHeap(backend, dInputStart, 2);
            if (fourCalls) {
              k.winogradOutputAdjoints(m.view(), dOut.view(), outH, outW, g.filters, tiles, block);
              k.winogradKernelGradients(du.view(), v.view(), m.view(), tiles, block, g.channels, g.filters);
              k.winogradMultiplyAdjoints(v.view(), m.view(), u.view(), tiles, block, g.channels, g.filters);
              k.winogradInputAdjoints(dInput.view(), v.view(), g.height, g.width, g.channels, padTop, padLeft, outH, outW, tiles, block);
            } else {
              for (let i = 0; i < blocks; i++) {
                const t0 = i * block, n = Math.min(block, tiles - t0);
                const vi = v.view().subarray(i * vFloats, (i + 1) * vFloats), mi = m.view().subarray(i * mFloats, (i + 1) * mFloats);
                k.winogradOutputAdjoint(mi, dOut.view(), outH, outW, g.filters, t0, n);
                k.winogradKernelGradient(du.view(), vi, mi, n, g.channels, g.filters, t0 > 0);
                k.winogradMultiply(vi, mi, u.view(), n, g.channels, g.filters, true);
                k.winogradInputAdjoint(dInput.view(), vi, g.height, g.width, g.channels, padTop, padLeft, outH, outW, t0, n);
              }
            }
            const result = { du: bitsOf(du.view()), dv: bitsOf(v.view()), dInput: bitsOf(dInput.view()) };
            for (const b of [v, m, du, dInput]) b.free();
            return result;
          };
          const blockByBlock = run(false), fourCalls = run(true);
          if (tiles > 0) {
            expect(fourCalls.du).toEqual(blockByBlock.du);
            // Something was computed: dU is no longer NaN, dInput moved from its start.
            expect(fourCalls.du.some((b) => !Number.isNaN(new Float32Array(new Uint32Array([b]).buffer)[0]))).toBe(true);
            expect(fourCalls.dInput).not.toEqual(bitsOf(dInputStart));
          }
          expect(fourCalls.dv).toEqual(blockByBlock.dv);
          expect(fourCalls.dInput).toEqual(blockByBlock.dInput);
          dOut.free();
          u.free();
        });
      }
    }

    it('blocks of tiles: V and M of a block take at most 1.3125 MiB, a multiple of 4 tiles, at least 4', () => {
      for (const [c, f] of [[32, 64], [16, 5], [1, 1], [512, 512], [3000, 3000]]) {
        const block = reference.winogradBlockTiles(c, f);
        expect(block % 4).toBe(0);
        expect(block).toBeGreaterThanOrEqual(4);
        if (block > 4) expect(36 * block * (c + f) * 4).toBeLessThanOrEqual(1.3125 * 1024 * 1024);
      }
      expect(reference.winogradBlockTiles(32, 64)).toBe(96);
    });

    it('the planes are an odd multiple of 16 floats apart (never a multiple of 4 KiB), and hold rows × cols', () => {
      for (const [rows, cols] of [[576, 32], [576, 64], [1, 1], [0, 5], [32, 64], [7, 3]]) {
        const stride = reference.winogradPlaneStride(rows, cols);
        expect(stride).toBeGreaterThanOrEqual(rows * cols);
        expect(stride % 16).toBe(0);
        expect((stride / 16) % 2).toBe(1);
      }
    });
  });
}
