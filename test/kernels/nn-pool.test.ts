// Max pooling on every backend: values, the gradient going to the first maximum of a window on ties, odd sizes that
// leave a border out, and overlapping windows (stride < pool) where gradients add up. The outputs, and the backward's
// dInput, start as poison (NaN): the backward writes every element of dInput. The reference here records the winner's index
// while it takes the maximum (the strictly-greater scan), independently of the kernels' search for it in backward.
import { describe, expect, it } from 'vitest';
import { Random } from '../../src/random.js';
import { backends, onHeap, outputOnHeap } from '../helpers.js';
import { expectSameValues } from './nn-helpers.js';

// [batch, height, width, channels, pool, stride]
const CASES: [number, number, number, number, number, number][] = [
  [2, 4, 4, 1, 2, 2], [1, 7, 5, 3, 2, 2], [3, 26, 26, 32, 2, 2], [1, 11, 11, 64, 2, 2], [2, 5, 6, 9, 3, 2],
  [1, 4, 5, 4, 2, 1], [1, 3, 3, 17, 3, 3], [1, 1, 1, 5, 1, 1], [0, 4, 4, 8, 2, 2], [1, 1, 3, 2, 2, 2], [2, 8, 7, 6, 2, 3],
  [1, 9, 8, 8, 3, 3],
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
        k.maxPoolForward(out.view(), input.view(), batch, height, width, channels, pool, stride, outH, outW);
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

        const g = Float32Array.from({ length: n }, (_, j) => (j % 7) + 0.5);
        const dOut = onHeap(backend, g, 2);
        // Poisoned: every element must be written (zero where no window's winner lies, the border included).
        const dInput = onHeap(backend, new Float32Array(x.length).fill(NaN), 1);
        k.maxPoolBackward(dInput.view(), dOut.view(), input.view(), out.view(), batch, height, width, channels, pool, stride,
          outH, outW, false);
        const expected = new Float64Array(x.length);
        for (let j = 0; j < n; j++) expected[expectedIndex[j]] += g[j];
        expectSameValues(dInput.view(), Float32Array.from(expected));
        expectSameValues(input.view(), x);

        // With relu: a window passes its gradient only where its maximum is > 0 (about half of them here).
        dInput.view().fill(NaN);
        k.maxPoolBackward(dInput.view(), dOut.view(), input.view(), out.view(), batch, height, width, channels, pool, stride,
          outH, outW, true);
        const masked = new Float64Array(x.length);
        for (let j = 0; j < n; j++) if (expectedOut[j] > 0) masked[expectedIndex[j]] += g[j];
        expectSameValues(dInput.view(), Float32Array.from(masked));
        expectSameValues(out.view(), expectedOut);
        for (const block of [input, out, dOut, dInput]) block.free();
      });

      it(`with relu, equals the pooling gradient masked by relu afterwards, bit for bit, ${batch}×${height}×${width}×${channels} pool ${pool} stride ${stride}`, () => {
        // A relu layer's output (many exact zeros, so windows whose maximum is 0) and gradients of both signs,
        // −0 included: the fused mask must give the bits the separate relu-backward pass gave.
        const x = tiedInput(batch * height * width * channels, height * 17 + channels + 1).map((v) => Math.max(v, 0));
        const n = batch * outH * outW * channels;
        const g = Float32Array.from({ length: n }, (_, j) => (j % 5 === 0 ? -0 : ((j * 7) % 11) - 5.25));
        const input = onHeap(backend, x, 1);
        const out = outputOnHeap(backend, 'f32', n, 3);
        const dOut = onHeap(backend, g, 2);
        k.maxPoolForward(out.view(), input.view(), batch, height, width, channels, pool, stride, outH, outW);
        const separate = onHeap(backend, new Float32Array(x.length).fill(NaN), 1);
        k.maxPoolBackward(separate.view(), dOut.view(), input.view(), out.view(), batch, height, width, channels, pool,
          stride, outH, outW, false);
        k.reluBackward(separate.view(), separate.view(), input.view(), x.length);
        const fused = onHeap(backend, new Float32Array(x.length).fill(NaN), 1);
        k.maxPoolBackward(fused.view(), dOut.view(), input.view(), out.view(), batch, height, width, channels, pool,
          stride, outH, outW, true);
        for (let i = 0; i < x.length; i++) {
          if (!Object.is(fused.view()[i], separate.view()[i])) expect.fail(`dInput[${i}] = ${fused.view()[i]}, separately ${separate.view()[i]}`);
        }
        for (const block of [input, out, dOut, separate, fused]) block.free();
      });
    }

    it('handles negative values and a window whose maximum is last', () => {
      const input = onHeap(backend, new Float32Array([-5, -4, -3, -2, -9, -8, -7, -1]));
      const out = outputOnHeap(backend, 'f32', 2);
      // 1×2×2×2: channel 0 holds -5,-3,-9,-7; channel 1 holds -4,-2,-8,-1.
      k.maxPoolForward(out.view(), input.view(), 1, 2, 2, 2, 2, 2, 1, 1);
      expect(Array.from(out.view())).toEqual([-3, -1]);
      const dOut = onHeap(backend, new Float32Array([10, 20]));
      const dInput = onHeap(backend, new Float32Array(8).fill(NaN));
      k.maxPoolBackward(dInput.view(), dOut.view(), input.view(), out.view(), 1, 2, 2, 2, 2, 2, 1, 1, false);
      expect(Array.from(dInput.view())).toEqual([0, 0, 10, 0, 0, 0, 0, 20]);
      for (const block of [input, out, dOut, dInput]) block.free();
    });

    it('signed zeros tie: the first of −0 and +0 wins, as in the strictly-greater scan', () => {
      // 1×2×2×4 (one SIMD group) and 1×2×2×1 (the scalar tail): windows [−0, +0, −1, −0] per lane, rotated per lane.
      for (const channels of [4, 1]) {
        const windows = [[-0, 0, -1, -0], [0, -0, -0, 0], [-1, -0, 0, -2], [-3, -2, -1, -0]].slice(0, channels);
        const x = new Float32Array(4 * channels);
        windows.forEach((w, c) => w.forEach((v, p) => { x[p * channels + c] = v; }));
        const input = onHeap(backend, x);
        const out = outputOnHeap(backend, 'f32', channels);
        k.maxPoolForward(out.view(), input.view(), 1, 2, 2, channels, 2, 2, 1, 1);
        // The strictly-greater scan's winner per lane, its value compared with Object.is (which tells −0 from +0).
        const winners = windows.map((w) => {
          let at = 0;
          for (let p = 1; p < 4; p++) if (w[p] > w[at]) at = p;
          return at;
        });
        windows.forEach((w, c) => expect(Object.is(out.view()[c], w[winners[c]])).toBe(true));
        const dOut = onHeap(backend, Float32Array.from(windows, (_, c) => c + 1));
        const dInput = onHeap(backend, new Float32Array(4 * channels).fill(NaN));
        k.maxPoolBackward(dInput.view(), dOut.view(), input.view(), out.view(), 1, 2, 2, channels, 2, 2, 1, 1, false);
        const expected = new Float32Array(4 * channels);
        winners.forEach((at, c) => { expected[at * channels + c] = c + 1; });
        expect(Array.from(dInput.view())).toEqual(Array.from(expected));
        for (const block of [input, out, dOut, dInput]) block.free();
      }
    });
  });
}
