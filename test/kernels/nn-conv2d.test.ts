// im2col and col2im on every backend: convolution as im2col + gemm against a direct nested-loop convolution in
// float64, and col2im as the exact adjoint of im2col (<col2im(y), x> = <y, im2col(x)>), for 'valid' and 'same'
// padding, strides 1 and 2, channel counts around the SIMD width. Written outputs start as poison (NaN); col2im
// accumulates, so its dInput starts with values.
import { describe, expect, it } from 'vitest';
import * as reference from '../../src/kernels/conv2d.js';
import { backends, onHeap, outputOnHeap, randomFloats } from '../helpers.js';
import { dotF64, expectSameValues, expectWithin } from './nn-helpers.js';

interface Geometry {
  batch: number; height: number; width: number; channels: number; kernelH: number; kernelW: number;
  stride: number; padding: 'valid' | 'same';
}

// Keras's output size and TF's split of 'same' padding (the smaller half on top/left).
function shape(g: Geometry) {
  if (g.padding === 'valid') {
    return {
      outH: Math.max(0, Math.floor((g.height - g.kernelH) / g.stride) + 1),
      outW: Math.max(0, Math.floor((g.width - g.kernelW) / g.stride) + 1), padTop: 0, padLeft: 0,
    };
  }
  const outH = Math.ceil(g.height / g.stride), outW = Math.ceil(g.width / g.stride);
  const padH = Math.max((outH - 1) * g.stride + g.kernelH - g.height, 0);
  const padW = Math.max((outW - 1) * g.stride + g.kernelW - g.width, 0);
  return { outH, outW, padTop: Math.floor(padH / 2), padLeft: Math.floor(padW / 2) };
}

const GEOMETRIES: Geometry[] = [
  { batch: 2, height: 7, width: 6, channels: 3, kernelH: 3, kernelW: 3, stride: 1, padding: 'valid' },
  { batch: 1, height: 5, width: 5, channels: 2, kernelH: 3, kernelW: 3, stride: 1, padding: 'same' },
  { batch: 2, height: 9, width: 8, channels: 1, kernelH: 3, kernelW: 3, stride: 2, padding: 'valid' },
  { batch: 3, height: 7, width: 8, channels: 5, kernelH: 3, kernelW: 2, stride: 2, padding: 'same' },
  { batch: 1, height: 6, width: 7, channels: 32, kernelH: 3, kernelW: 3, stride: 1, padding: 'same' },
  { batch: 2, height: 5, width: 4, channels: 4, kernelH: 1, kernelW: 1, stride: 1, padding: 'valid' },
  { batch: 1, height: 8, width: 8, channels: 17, kernelH: 5, kernelW: 5, stride: 2, padding: 'same' },
  { batch: 1, height: 3, width: 3, channels: 1, kernelH: 3, kernelW: 3, stride: 1, padding: 'valid' },
  { batch: 2, height: 1, width: 1, channels: 9, kernelH: 3, kernelW: 3, stride: 1, padding: 'same' },
  { batch: 0, height: 4, width: 4, channels: 2, kernelH: 3, kernelW: 3, stride: 1, padding: 'valid' },
];

const label = (g: Geometry) =>
  `${g.batch}×${g.height}×${g.width}×${g.channels} k${g.kernelH}×${g.kernelW} s${g.stride} ${g.padding}`;

for (const backend of backends) {
  const k = backend.kernels;
  describe(`im2col / col2im (${backend.name})`, () => {
    for (const g of GEOMETRIES) {
      it(`im2col + gemm equals a direct convolution, ${label(g)}`, () => {
        const { outH, outW, padTop, padLeft } = shape(g);
        const filters = 3;
        const rowLength = g.kernelH * g.kernelW * g.channels;
        const rows = g.batch * outH * outW;
        const x = randomFloats(g.batch * g.height * g.width * g.channels, 5);
        const w = randomFloats(rowLength * filters, 6);
        const input = onHeap(backend, x, 1);
        const weights = onHeap(backend, w, 2);
        const cols = outputOnHeap(backend, 'f32', rows * rowLength, 3);
        const out = outputOnHeap(backend, 'f32', rows * filters, 1);
        k.im2col(cols.view(), input.view(), g.batch, g.height, g.width, g.channels, g.kernelH, g.kernelW, g.stride,
          padTop, padLeft, outH, outW);
        k.gemm(out.view(), cols.view(), weights.view(), rows, filters, rowLength, false, false, false);
        const direct = new Float64Array(rows * filters);
        let checked = 0;
        for (let b = 0; b < g.batch; b++) {
          for (let oy = 0; oy < outH; oy++) {
            for (let ox = 0; ox < outW; ox++) {
              for (let f = 0; f < filters; f++) {
                let sum = 0;
                for (let ky = 0; ky < g.kernelH; ky++) {
                  for (let kx = 0; kx < g.kernelW; kx++) {
                    const y = oy * g.stride + ky - padTop;
                    const xx = ox * g.stride + kx - padLeft;
                    if (y < 0 || y >= g.height || xx < 0 || xx >= g.width) continue;
                    for (let c = 0; c < g.channels; c++) {
                      sum += x[((b * g.height + y) * g.width + xx) * g.channels + c] *
                        w[((ky * g.kernelW + kx) * g.channels + c) * filters + f];
                    }
                  }
                }
                direct[((b * outH + oy) * outW + ox) * filters + f] = sum;
                checked++;
              }
            }
          }
        }
        expect(checked).toBe(rows * filters);
        expectWithin(out.view(), direct, () => 1e-6 * rowLength, 'conv');
        // Every column entry was written (no NaN left from the fill), and equals the TypeScript reference exactly.
        const expected = new Float32Array(rows * rowLength);
        reference.im2col(expected, x, g.batch, g.height, g.width, g.channels, g.kernelH, g.kernelW, g.stride,
          padTop, padLeft, outH, outW);
        expectSameValues(cols.view(), expected);
        for (const block of [input, weights, cols, out]) block.free();
      });

      it(`col2im is the adjoint of im2col and accumulates, ${label(g)}`, () => {
        const { outH, outW, padTop, padLeft } = shape(g);
        const rowLength = g.kernelH * g.kernelW * g.channels;
        const size = g.batch * g.height * g.width * g.channels;
        const x = randomFloats(size, 11);
        const y = randomFloats(g.batch * outH * outW * rowLength, 12);
        const start = randomFloats(size, 13);
        const input = onHeap(backend, x, 1);
        const cols = outputOnHeap(backend, 'f32', y.length, 2);
        const dCols = onHeap(backend, y, 3);
        const dInput = onHeap(backend, start, 1);
        k.im2col(cols.view(), input.view(), g.batch, g.height, g.width, g.channels, g.kernelH, g.kernelW, g.stride,
          padTop, padLeft, outH, outW);
        k.col2im(dInput.view(), dCols.view(), g.batch, g.height, g.width, g.channels, g.kernelH, g.kernelW, g.stride,
          padTop, padLeft, outH, outW);
        const added = Float64Array.from(dInput.view(), (v, i) => v - start[i]);
        const left = dotF64(added, x);
        const right = dotF64(y, cols.view());
        let scale = 0;
        for (let i = 0; i < y.length; i++) scale += Math.abs(y[i] * cols.view()[i]);
        expect(Math.abs(left - right)).toBeLessThanOrEqual(1e-6 * (scale + 1));
        const expected = new Float32Array(start);
        reference.col2im(expected, y, g.batch, g.height, g.width, g.channels, g.kernelH, g.kernelW, g.stride,
          padTop, padLeft, outH, outW);
        expectWithin(dInput.view(), expected, (i) => 1e-5 * (1 + Math.abs(expected[i])), 'dInput');
        for (const block of [input, cols, dCols, dInput]) block.free();
      });
    }

    it('col2im counts each input pixel once per window that covers it (stride 1, all-ones columns)', () => {
      const g: Geometry = { batch: 1, height: 4, width: 5, channels: 2, kernelH: 3, kernelW: 3, stride: 1, padding: 'valid' };
      const { outH, outW } = shape(g);
      const dCols = onHeap(backend, new Float32Array(outH * outW * 18).fill(1));
      const dInput = onHeap(backend, new Float32Array(40));
      k.col2im(dInput.view(), dCols.view(), 1, 4, 5, 2, 3, 3, 1, 0, 0, outH, outW);
      const coverage = (i: number, size: number, out: number) => {
        let n = 0;
        for (let o = 0; o < out; o++) if (i >= o && i < o + 3) n++;
        return n;
      };
      for (let y = 0; y < 4; y++) {
        for (let x = 0; x < 5; x++) {
          const expected = coverage(y, 4, outH) * coverage(x, 5, outW);
          expect([dInput.view()[(y * 5 + x) * 2], dInput.view()[(y * 5 + x) * 2 + 1]]).toEqual([expected, expected]);
        }
      }
      dCols.free();
      dInput.free();
    });
  });
}
