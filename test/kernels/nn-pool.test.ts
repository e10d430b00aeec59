// Max pooling on every backend: values, the first-maximum argmax on ties, odd sizes that leave a border out, and
// the backward scatter, including overlapping windows (stride < pool) where gradients add up. The outputs and the
// argmax start as poison (NaN, a negative index); the backward's dInput is an accumulator and starts with values.
import { describe, expect, it } from 'vitest';
import { Random } from '../../src/random.js';
import { backends, onHeap, outputOnHeap } from '../helpers.js';
import { expectSameValues } from './nn-helpers.js';

// [batch, height, width, channels, pool, stride]
const CASES: [number, number, number, number, number, number][] = [
  [2, 4, 4, 1, 2, 2], [1, 7, 5, 3, 2, 2], [3, 26, 26, 32, 2, 2], [1, 11, 11, 64, 2, 2], [2, 5, 6, 9, 3, 2],
  [1, 4, 5, 4, 2, 1], [1, 3, 3, 17, 3, 3], [1, 1, 1, 5, 1, 1], [0, 4, 4, 8, 2, 2], [1, 1, 3, 2, 2, 2],
];

// Few distinct values, so that ties inside a window are common.
function tiedInput(n: number, seed: number): Float32Array {
  const rng = new Random(seed);
  return Float32Array.from({ length: n }, () => rng.int(5) - 2.5);
}

for (const backend of backends) {
  const k = backend.kernels;
  describe(`maxPool (${backend.name})`, () => {
    for (const [batch, height, width, channels, pool, stride] of CASES) {
      const outH = Math.max(0, Math.floor((height - pool) / stride) + 1);
      const outW = Math.max(0, Math.floor((width - pool) / stride) + 1);
      it(`forward picks the first maximum and backward scatters to it, ${batch}×${height}×${width}×${channels} pool ${pool} stride ${stride}`, () => {
        const x = tiedInput(batch * height * width * channels, height * 31 + channels);
        const n = batch * outH * outW * channels;
        const input = onHeap(backend, x, 1);
        const out = outputOnHeap(backend, 'f32', n, 3);
        const argmax = outputOnHeap(backend, 'i32', n, 1);
        k.maxPoolForward(out.view(), argmax.view(), input.view(), batch, height, width, channels, pool, stride, outH, outW);
        const expectedIndex = new Int32Array(n);
        const expectedOut = new Float32Array(n);
        let i = 0;
        for (let b = 0; b < batch; b++) {
          for (let oy = 0; oy < outH; oy++) {
            for (let ox = 0; ox < outW; ox++) {
              for (let c = 0; c < channels; c++, i++) {
                let best = -Infinity;
                let at = -1;
                for (let ky = 0; ky < pool; ky++) {
                  for (let kx = 0; kx < pool; kx++) {
                    const index = ((b * height + oy * stride + ky) * width + ox * stride + kx) * channels + c;
                    if (x[index] > best) { best = x[index]; at = index; }
                  }
                }
                expectedIndex[i] = at;
                expectedOut[i] = best;
              }
            }
          }
        }
        expectSameValues(out.view(), expectedOut);
        expectSameValues(argmax.view(), expectedIndex);

        const g = Float32Array.from({ length: n }, (_, j) => (j % 7) + 0.5);
        const dOut = onHeap(backend, g, 2);
        const start = Float32Array.from({ length: x.length }, (_, j) => j % 3);
        const dInput = onHeap(backend, start, 1);
        k.maxPoolBackward(dInput.view(), dOut.view(), argmax.view(), n);
        const expected = Float64Array.from(start);
        for (let j = 0; j < n; j++) expected[expectedIndex[j]] += g[j];
        expectSameValues(dInput.view(), Float32Array.from(expected));
        for (const block of [input, out, argmax, dOut, dInput]) block.free();
      });
    }

    it('handles negative values and a window whose maximum is last', () => {
      const input = onHeap(backend, new Float32Array([-5, -4, -3, -2, -9, -8, -7, -1]));
      const out = outputOnHeap(backend, 'f32', 2);
      const argmax = outputOnHeap(backend, 'i32', 2);
      // 1×2×2×2: channel 0 holds -5,-3,-9,-7; channel 1 holds -4,-2,-8,-1.
      k.maxPoolForward(out.view(), argmax.view(), input.view(), 1, 2, 2, 2, 2, 2, 1, 1);
      expect(Array.from(out.view())).toEqual([-3, -1]);
      expect(Array.from(argmax.view())).toEqual([2, 7]);
      for (const block of [input, out, argmax]) block.free();
    });
  });
}
