// The direct convolution (bias and relu in the store) on every backend, against a direct convolution in float64
// written here: within γ(depth + 1)·Σ|terms| (each output is a sequential f32 sum of depth products and the bias;
// Higham §3.1), bit for bit equal to the TypeScript twin, on awkward sizes: widths that leave 1 to 3 pixels of a
// 4-pixel block, filter counts off 8, strides 1 and 2, 'same' padding that cuts windows on every side.
import { describe, expect, it } from 'vitest';
import * as reference from '../../src/kernels/conv-direct.js';
import { backends, onHeap, randomFloats } from '../helpers.js';
import { expectSameValues } from './nn-helpers.js';

interface Geometry {
  batch: number; height: number; width: number; channels: number; kernelH: number; kernelW: number; stride: number;
  filters: number; padding: 'valid' | 'same';
}

function shape(g: Geometry) {
  if (g.padding === 'valid') {
    return { outH: Math.floor((g.height - g.kernelH) / g.stride) + 1, outW: Math.floor((g.width - g.kernelW) / g.stride) + 1, padTop: 0, padLeft: 0 };
  }
  const outH = Math.ceil(g.height / g.stride), outW = Math.ceil(g.width / g.stride);
  return {
    outH, outW, padTop: Math.floor(Math.max((outH - 1) * g.stride + g.kernelH - g.height, 0) / 2),
    padLeft: Math.floor(Math.max((outW - 1) * g.stride + g.kernelW - g.width, 0) / 2),
  };
}

const GEOMETRIES: Geometry[] = [
  { batch: 2, height: 28, width: 28, channels: 1, kernelH: 3, kernelW: 3, stride: 1, filters: 32, padding: 'valid' },
  { batch: 1, height: 7, width: 9, channels: 1, kernelH: 3, kernelW: 3, stride: 1, filters: 3, padding: 'same' },
  { batch: 2, height: 5, width: 6, channels: 3, kernelH: 3, kernelW: 3, stride: 1, filters: 9, padding: 'same' },
  { batch: 1, height: 9, width: 11, channels: 2, kernelH: 3, kernelW: 2, stride: 2, filters: 17, padding: 'same' },
  { batch: 1, height: 8, width: 7, channels: 4, kernelH: 5, kernelW: 5, stride: 1, filters: 1, padding: 'same' },
  { batch: 3, height: 3, width: 3, channels: 1, kernelH: 3, kernelW: 3, stride: 1, filters: 8, padding: 'valid' },
  { batch: 1, height: 1, width: 1, channels: 3, kernelH: 3, kernelW: 3, stride: 1, filters: 5, padding: 'same' },
  { batch: 0, height: 4, width: 4, channels: 1, kernelH: 3, kernelW: 3, stride: 1, filters: 4, padding: 'valid' },
];

const label = (g: Geometry) =>
  `${g.batch}×${g.height}×${g.width}×${g.channels} k${g.kernelH}×${g.kernelW} s${g.stride} → ${g.filters}, ${g.padding}`;
const gamma = (n: number) => (n * 2 ** -24) / (1 - n * 2 ** -24);
const SENTINEL = 12345.5;

for (const backend of backends) {
  const k = backend.kernels;
  describe(`conv2dDirect (${backend.name})`, () => {
    for (const g of GEOMETRIES) {
      for (const epilogue of [{ bias: false, relu: false }, { bias: true, relu: true }]) {
        it(`equals a float64 convolution, ${label(g)}${epilogue.bias ? ', bias + relu' : ''}`, () => {
          const { outH, outW, padTop, padLeft } = shape(g);
          const depth = g.kernelH * g.kernelW * g.channels;
          const size = g.batch * outH * outW * g.filters;
          const x = randomFloats(g.batch * g.height * g.width * g.channels, 41);
          const w = randomFloats(depth * g.filters, 42);
          const bias = randomFloats(g.filters, 43);
          const input = onHeap(backend, x, 1);
          const kernel = onHeap(backend, w, 2);
          const biasBlock = onHeap(backend, bias, 3);
          const out = onHeap(backend, new Float32Array(size + 4).fill(NaN).fill(SENTINEL, size), 1);
          k.conv2dDirect(out.view(), input.view(), kernel.view(), epilogue.bias ? biasBlock.view() : null, epilogue.relu,
            g.batch, g.height, g.width, g.channels, g.kernelH, g.kernelW, g.stride, padTop, padLeft, outH, outW, g.filters);
          const got = out.view();
          for (let b = 0; b < g.batch; b++) {
            for (let oy = 0; oy < outH; oy++) {
              for (let ox = 0; ox < outW; ox++) {
                for (let f = 0; f < g.filters; f++) {
                  let s = epilogue.bias ? bias[f] : 0, t = Math.abs(s);
                  for (let ky = 0; ky < g.kernelH; ky++) {
                    for (let kx = 0; kx < g.kernelW; kx++) {
                      const y = oy * g.stride + ky - padTop, xx = ox * g.stride + kx - padLeft;
                      if (y < 0 || y >= g.height || xx < 0 || xx >= g.width) continue;
                      for (let c = 0; c < g.channels; c++) {
                        const term = x[((b * g.height + y) * g.width + xx) * g.channels + c] * w[((ky * g.kernelW + kx) * g.channels + c) * g.filters + f];
                        s += term;
                        t += Math.abs(term);
                      }
                    }
                  }
                  const i = ((b * outH + oy) * outW + ox) * g.filters + f;
                  const expected = epilogue.relu ? Math.max(s, 0) : s;
                  const tolerance = gamma(depth + 1) * t;
                  if (!(Math.abs(got[i] - expected) <= tolerance)) expect.fail(`out[${i}] = ${got[i]}, expected ${expected} ± ${tolerance}`);
                }
              }
            }
          }
          for (let i = size; i < size + 4; i++) expect(got[i]).toBe(SENTINEL);
          const twin = new Float32Array(size);
          reference.conv2dDirect(twin, x, w, epilogue.bias ? bias : null, epilogue.relu, g.batch, g.height, g.width,
            g.channels, g.kernelH, g.kernelW, g.stride, padTop, padLeft, outH, outW, g.filters);
          // The relaxed build may fuse each multiply-add (one rounding instead of two): bounded above, not bit-identical.
          if (backend.name !== 'wasm-relaxed-simd') expectSameValues(got.subarray(0, size), twin);
          for (const block of [input, kernel, biasBlock, out]) block.free();
        });
      }
    }

    it('conv2dDirectFits: the packed weights must fit the kernel\'s 16384-float panel', () => {
      expect(reference.conv2dDirectFits(9, 32)).toBe(true);
      expect(reference.conv2dDirectFits(27, 600)).toBe(true);      // 27 · 600 = 16200
      expect(reference.conv2dDirectFits(27, 607)).toBe(false);     // 27 · 608 = 16416
      expect(reference.conv2dDirectFits(1, 4097)).toBe(false);
    });
  });
}

// The kernel and bias gradients (the first layer's backward), against float64 sums written here. Each of the
// kernel's sums is per image in f32 (outH·outW products) and then added to the gradient (one more rounding per
// image), so the error is within γ(outH·outW + batch + 1)·(|initial| + Σ|terms|) (Higham §3.1 applied to the two
// levels); dKernel and dBias start at random values (the kernel adds to them), with a NaN sentinel past their ends.
const GRADIENT_GEOMETRIES: Geometry[] = [
  { batch: 3, height: 28, width: 28, channels: 1, kernelH: 3, kernelW: 3, stride: 1, filters: 32, padding: 'valid' },
  { batch: 1, height: 7, width: 9, channels: 1, kernelH: 3, kernelW: 3, stride: 1, filters: 3, padding: 'same' },
  { batch: 3, height: 9, width: 5, channels: 1, kernelH: 3, kernelW: 3, stride: 1, filters: 17, padding: 'valid' },
  { batch: 1, height: 11, width: 13, channels: 2, kernelH: 3, kernelW: 3, stride: 1, filters: 6, padding: 'same' },
  { batch: 2, height: 5, width: 6, channels: 3, kernelH: 3, kernelW: 3, stride: 1, filters: 9, padding: 'same' },
  { batch: 1, height: 9, width: 11, channels: 2, kernelH: 3, kernelW: 2, stride: 2, filters: 17, padding: 'same' },
  { batch: 1, height: 8, width: 7, channels: 4, kernelH: 5, kernelW: 5, stride: 1, filters: 1, padding: 'same' },
  { batch: 3, height: 3, width: 3, channels: 1, kernelH: 3, kernelW: 3, stride: 1, filters: 8, padding: 'valid' },
  { batch: 1, height: 1, width: 1, channels: 1, kernelH: 3, kernelW: 3, stride: 1, filters: 5, padding: 'same' },
  { batch: 0, height: 4, width: 4, channels: 1, kernelH: 3, kernelW: 3, stride: 1, filters: 4, padding: 'valid' },
];

for (const backend of backends) {
  const k = backend.kernels;
  describe(`conv2dDirectKernelGradient (${backend.name})`, () => {
    for (const g of GRADIENT_GEOMETRIES) {
      for (const variant of [{ bias: true, relu: true }, { bias: false, relu: false }]) {
        it(`equals float64 sums, ${label(g)}${variant.bias ? ', bias' : ''}${variant.relu ? ', relu mask' : ''}`, () => {
          const { outH, outW, padTop, padLeft } = shape(g);
          const depth = g.kernelH * g.kernelW * g.channels;
          const size = g.batch * outH * outW * g.filters;
          const x = randomFloats(g.batch * g.height * g.width * g.channels, 51);
          const dy = randomFloats(size, 52);
          // A relu output: about half exact zeros, where the mask must drop dOut (NaN there: it must not leak).
          const y = randomFloats(size, 53).map((v) => Math.max(v, 0));
          if (variant.relu) for (let i = 0; i < size; i += 7) if (y[i] === 0) dy[i] = NaN;
          const k0 = randomFloats(depth * g.filters, 54);
          const b0 = randomFloats(g.filters, 55);
          const input = onHeap(backend, x, 1);
          const dOut = onHeap(backend, dy, 2);
          const out = onHeap(backend, y, 3);
          const dKernel = onHeap(backend, Float32Array.from([...k0, NaN]), 1);
          const dBias = onHeap(backend, Float32Array.from([...b0, NaN]), 2);
          const dKernelView = () => dKernel.view().subarray(0, k0.length), dBiasView = () => dBias.view().subarray(0, b0.length);
          k.conv2dDirectKernelGradient(dKernelView(), variant.bias ? dBiasView() : null, dOut.view(),
            variant.relu ? out.view() : null, input.view(), g.batch, g.height, g.width, g.channels, g.kernelH, g.kernelW,
            g.stride, padTop, padLeft, outH, outW, g.filters);
          const gradient = (i: number) => (variant.relu && !(y[i] > 0) ? 0 : dy[i]);
          const bound = gamma(outH * outW + g.batch + 1);
          for (let f = 0; f < g.filters; f++) {
            for (let ky = 0; ky < g.kernelH; ky++) {
              for (let kx = 0; kx < g.kernelW; kx++) {
                for (let c = 0; c < g.channels; c++) {
                  const at = ((ky * g.kernelW + kx) * g.channels + c) * g.filters + f;
                  let s = k0[at], t = Math.abs(s);
                  for (let b = 0; b < g.batch; b++) {
                    for (let oy = 0; oy < outH; oy++) {
                      for (let ox = 0; ox < outW; ox++) {
                        const yy = oy * g.stride + ky - padTop, xx = ox * g.stride + kx - padLeft;
                        if (yy < 0 || yy >= g.height || xx < 0 || xx >= g.width) continue;
                        const term = x[((b * g.height + yy) * g.width + xx) * g.channels + c] * gradient(((b * outH + oy) * outW + ox) * g.filters + f);
                        s += term;
                        t += Math.abs(term);
                      }
                    }
                  }
                  const got = dKernel.view()[at];
                  if (!(Math.abs(got - s) <= bound * t)) expect.fail(`dKernel[${at}] = ${got}, expected ${s} ± ${bound * t}`);
                }
              }
            }
            let s = b0[f], t = Math.abs(s);
            for (let p = 0; p < g.batch * outH * outW; p++) {
              s += gradient(p * g.filters + f);
              t += Math.abs(gradient(p * g.filters + f));
            }
            const got = dBias.view()[f];
            if (variant.bias && !(Math.abs(got - s) <= bound * t)) expect.fail(`dBias[${f}] = ${got}, expected ${s} ± ${bound * t}`);
          }
          if (!variant.bias) expectSameValues(dBiasView(), b0);
          expect(dKernel.view()[k0.length]).toBeNaN();
          expect(dBias.view()[b0.length]).toBeNaN();
          expectSameValues(dOut.view(), dy);
          const twinKernel = k0.slice(), twinBias = b0.slice();
          reference.conv2dDirectKernelGradient(twinKernel, variant.bias ? twinBias : null, dy, variant.relu ? y : null, x,
            g.batch, g.height, g.width, g.channels, g.kernelH, g.kernelW, g.stride, padTop, padLeft, outH, outW, g.filters);
          // The relaxed build may fuse each multiply-add (one rounding instead of two): bounded above, not bit-identical.
          if (backend.name !== 'wasm-relaxed-simd') {
            expectSameValues(dKernelView(), twinKernel);
            expectSameValues(dBiasView(), twinBias);
          }
          for (const block of [input, dOut, out, dKernel, dBias]) block.free();
        });
      }
    }
  });
}

// The kernel gradient through a max pooling (the first layer under the tutorial's first pooling), against the two
// kernels it replaces run in sequence on the same backend (maxPoolBackward writing the whole gradient, then
// conv2dDirectKernelGradient reading it), bit for bit: the fused kernel defines its result as theirs. The layer's
// output has few distinct values, so pooling windows tie often (the first element equal to the maximum wins) and
// many maxima are 0 (relu drops them, NaN gradients there included); odd output sizes leave rows and columns
// outside every window.
const POOLED_CASES: [Geometry, number][] = [
  [{ batch: 2, height: 28, width: 28, channels: 1, kernelH: 3, kernelW: 3, stride: 1, filters: 32, padding: 'valid' }, 2],
  [{ batch: 3, height: 9, width: 8, channels: 1, kernelH: 3, kernelW: 3, stride: 1, filters: 7, padding: 'valid' }, 2],
  [{ batch: 1, height: 7, width: 11, channels: 2, kernelH: 3, kernelW: 3, stride: 1, filters: 6, padding: 'same' }, 3],
  [{ batch: 1, height: 5, width: 5, channels: 1, kernelH: 3, kernelW: 3, stride: 1, filters: 3, padding: 'same' }, 2],
  [{ batch: 2, height: 4, width: 3, channels: 1, kernelH: 3, kernelW: 3, stride: 1, filters: 9, padding: 'same' }, 3],
];

for (const backend of backends) {
  const k = backend.kernels;
  describe(`conv2dDirectPooledKernelGradient (${backend.name})`, () => {
    for (const [g, pool] of POOLED_CASES) {
      for (const relu of [true, false]) {
        it(`equals maxPoolBackward then conv2dDirectKernelGradient, ${label(g)}, pool ${pool}${relu ? ', relu' : ''}`, () => {
          const { outH, outW, padTop, padLeft } = shape(g);
          const pooledH = Math.floor(outH / pool), pooledW = Math.floor(outW / pool);
          const depth = g.kernelH * g.kernelW * g.channels;
          const size = g.batch * outH * outW * g.filters, pooledSize = g.batch * pooledH * pooledW * g.filters;
          const x = randomFloats(g.batch * g.height * g.width * g.channels, 61);
          const y = randomFloats(size, 62).map((v) => Math.max(0, Math.round(v * 3) / 2));
          const input = onHeap(backend, x, 1);
          const out = onHeap(backend, y, 2);
          const pooled = onHeap(backend, new Float32Array(pooledSize).fill(NaN), 3);
          k.maxPoolForward(pooled.view(), out.view(), g.batch, outH, outW, g.filters, pool, pool, pooledH, pooledW);
          const dy = randomFloats(pooledSize, 63).map((v, i) => (i % 9 === 4 ? -0 : v));
          if (relu) for (let i = 0; i < pooledSize; i += 5) if (pooled.view()[i] === 0) dy[i] = NaN;
          const dPooled = onHeap(backend, dy, 1);
          const k0 = randomFloats(depth * g.filters, 64), b0 = randomFloats(g.filters, 65);
          const fusedKernel = onHeap(backend, k0, 2), fusedBias = onHeap(backend, b0, 3);
          k.conv2dDirectPooledKernelGradient(fusedKernel.view(), fusedBias.view(), dPooled.view(), pooled.view(), out.view(),
            input.view(), g.batch, g.height, g.width, g.channels, g.kernelH, g.kernelW, g.stride, padTop, padLeft, outH,
            outW, g.filters, pool, relu);
          const dense = onHeap(backend, new Float32Array(size).fill(NaN), 1);
          k.maxPoolBackward(dense.view(), dPooled.view(), out.view(), pooled.view(), g.batch, outH, outW, g.filters, pool,
            pool, pooledH, pooledW, relu);
          const twoKernel = onHeap(backend, k0, 2), twoBias = onHeap(backend, b0, 3);
          k.conv2dDirectKernelGradient(twoKernel.view(), twoBias.view(), dense.view(), null, input.view(), g.batch,
            g.height, g.width, g.channels, g.kernelH, g.kernelW, g.stride, padTop, padLeft, outH, outW, g.filters);
          expectSameValues(fusedKernel.view(), twoKernel.view());
          expectSameValues(fusedBias.view(), twoBias.view());
          // The gradient reached the weights (not all masked away), and the inputs are untouched.
          expect(fusedKernel.view().some((v, i) => v !== k0[i])).toBe(true);
          expectSameValues(dPooled.view(), dy);
          expectSameValues(out.view(), y);
          const twinKernel = k0.slice(), twinBias = b0.slice();
          reference.conv2dDirectPooledKernelGradient(twinKernel, twinBias, dy, pooled.view().slice(), y, x, g.batch,
            g.height, g.width, g.channels, g.kernelH, g.kernelW, g.stride, padTop, padLeft, outH, outW, g.filters, pool, relu);
          if (backend.name !== 'wasm-relaxed-simd') {
            expectSameValues(fusedKernel.view(), twinKernel);
            expectSameValues(fusedBias.view(), twinBias);
          }
          for (const block of [input, out, pooled, dPooled, fusedKernel, fusedBias, dense, twoKernel, twoBias]) block.free();
        });
      }
    }

    it('conv2dDirectPooledFits: a row of the pooling\'s gradient must fit the kernel\'s 16384-float buffer', () => {
      expect(reference.conv2dDirectPooledFits(26, 32)).toBe(true);
      expect(reference.conv2dDirectPooledFits(512, 32)).toBe(true);
      expect(reference.conv2dDirectPooledFits(513, 32)).toBe(false);
    });
  });
}

// The filter-range variants (one thread's part of the two kernel gradients, src/runtime/threads/split.ts): over
// [f0, f1) they write exactly that range of dKernel's columns and dBias, the same bits as the whole call on the same
// backend (which the tests above check against float64), and nothing else: the other filters' entries (NaN, then
// finite values) and a sentinel past each array keep their bits. The split uses multiples of 4 (the kernels' filter groups) and
// f1 = filters; ragged ranges inside a group must hold too. (The js backend is the twin, so this covers both.)
const bitsOf = (a: Float32Array) => Array.from(new Uint32Array(a.slice().buffer));

for (const backend of backends) {
  const k = backend.kernels;
  describe(`conv2dDirectKernelGradientFilters, conv2dDirectPooledKernelGradientFilters (${backend.name})`, () => {
    const cases: [Geometry, number][] = [
      [{ batch: 3, height: 9, width: 8, channels: 1, kernelH: 3, kernelW: 3, stride: 1, filters: 17, padding: 'valid' }, 2],
      [{ batch: 1, height: 7, width: 11, channels: 2, kernelH: 3, kernelW: 3, stride: 1, filters: 6, padding: 'same' }, 3],
      [{ batch: 2, height: 5, width: 5, channels: 1, kernelH: 3, kernelW: 3, stride: 1, filters: 32, padding: 'same' }, 2],
    ];
    for (const [g, pool] of cases) {
      const ranges = [[0, 4], [4, 8], [8, g.filters], [0, g.filters], [1, 3], [3, 6], [5, 5], [g.filters - 1, g.filters]]
        .filter(([f0, f1]) => f1 <= g.filters && f0 <= f1);
      for (const pooledForm of [false, true]) {
        it(`${pooledForm ? 'pooled' : 'dOut with the relu mask'}, ${label(g)}: a range writes only its filters`, () => {
          const { outH, outW, padTop, padLeft } = shape(g);
          const pooledH = Math.floor(outH / pool), pooledW = Math.floor(outW / pool);
          const depth = g.kernelH * g.kernelW * g.channels;
          const size = g.batch * outH * outW * g.filters, pooledSize = g.batch * pooledH * pooledW * g.filters;
          const input = onHeap(backend, randomFloats(g.batch * g.height * g.width * g.channels, 71));
          const out = onHeap(backend, randomFloats(size, 72).map((v) => Math.max(0, Math.round(v * 3) / 2)));
          const dOut = onHeap(backend, randomFloats(size, 73));
          const pooled = onHeap(backend, new Float32Array(pooledSize));
          k.maxPoolForward(pooled.view(), out.view(), g.batch, outH, outW, g.filters, pool, pool, pooledH, pooledW);
          const dPooled = onHeap(backend, randomFloats(pooledSize, 74));
          const k0 = randomFloats(depth * g.filters, 75), b0 = randomFloats(g.filters, 76);
          const dKernel = onHeap(backend, new Float32Array(k0.length + 1)), dBias = onHeap(backend, new Float32Array(b0.length + 1));
          const kernelView = () => dKernel.view().subarray(0, k0.length), biasView = () => dBias.view().subarray(0, b0.length);
          const run = (range: [number, number] | null) => {
            const sizes = [g.batch, g.height, g.width, g.channels, g.kernelH, g.kernelW, g.stride, padTop, padLeft, outH, outW,
              g.filters] as const;
            if (pooledForm) {
              const args = [kernelView(), biasView(), dPooled.view(), pooled.view(), out.view(), input.view(), ...sizes, pool, true] as const;
              if (range === null) k.conv2dDirectPooledKernelGradient(...args);
              else k.conv2dDirectPooledKernelGradientFilters(...args, ...range);
            } else {
              const args = [kernelView(), biasView(), dOut.view(), out.view(), input.view(), ...sizes] as const;
              if (range === null) k.conv2dDirectKernelGradient(...args);
              else k.conv2dDirectKernelGradientFilters(...args, ...range);
            }
          };
          const SENTINEL_BITS = bitsOf(Float32Array.of(SENTINEL))[0];
          dKernel.view().set([...k0, SENTINEL]);
          dBias.view().set([...b0, SENTINEL]);
          run(null);
          const wholeKernel = bitsOf(kernelView()), wholeBias = bitsOf(biasView());
          expect(kernelView().some((v, i) => v !== k0[i])).toBe(true);
          // Outside the range: values that must keep their bits, NaN (a store over it shows) and finite (an add into it
          // shows, which NaN would absorb); inside: the starting values the whole call added to.
          for (const outside of [() => NaN, (i: number) => 1000 + i]) {
            for (const [f0, f1] of ranges) {
              const name = `filters [${f0}, ${f1}), outside ${outside(0)}`;
              const inRange = (f: number) => f >= f0 && f < f1;
              const startKernel = k0.map((v, i) => (inRange(i % g.filters) ? v : outside(i)));
              const startBias = b0.map((v, f) => (inRange(f) ? v : outside(f)));
              dKernel.view().set([...startKernel, SENTINEL]);
              dBias.view().set([...startBias, SENTINEL]);
              run([f0, f1]);
              const gotKernel = bitsOf(kernelView()), gotBias = bitsOf(biasView());
              const startKernelBits = bitsOf(startKernel), startBiasBits = bitsOf(startBias);
              expect(gotKernel, name).toEqual(gotKernel.map((_, i) => (inRange(i % g.filters) ? wholeKernel : startKernelBits)[i]));
              expect(gotBias, name).toEqual(gotBias.map((_, f) => (inRange(f) ? wholeBias : startBiasBits)[f]));
              expect(bitsOf(dKernel.view().subarray(k0.length))[0], name).toBe(SENTINEL_BITS);
              expect(bitsOf(dBias.view().subarray(b0.length))[0], name).toBe(SENTINEL_BITS);
            }
          }
          for (const block of [input, out, dOut, pooled, dPooled, dKernel, dBias]) block.free();
        });
      }
    }

    it('the twins refuse a range outside [0, filters] or reversed, naming f0 and f1', () => {
      const z = new Float32Array(9 * 4);
      for (const [f0, f1] of [[-4, 4], [0, 5], [3, 2], [0.5, 4]]) {
        expect(() => reference.conv2dDirectKernelGradientFilters(z, null, z, null, z, 1, 3, 3, 1, 3, 3, 1, 0, 0, 1, 1, 4, f0, f1))
          .toThrow(new RangeError(`conv2dDirectKernelGradientFilters: f0, f1 must be integers with 0 ≤ f0 ≤ f1 ≤ filters (4), received f0 = ${f0}, f1 = ${f1}`));
        expect(() => reference.conv2dDirectPooledKernelGradientFilters(z, null, z, z, z, z, 1, 3, 3, 1, 3, 3, 1, 0, 0, 1, 1, 4, 1, false, f0, f1))
          .toThrow(/conv2dDirectPooledKernelGradientFilters: f0, f1 must be integers with 0 ≤ f0 ≤ f1 ≤ filters \(4\)/);
      }
    });
  });
}
