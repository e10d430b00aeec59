// The network kernels allocate nothing: a training step's worth of calls, repeated, leaves the heap as it was.
import { describe, expect, it } from 'vitest';
import { backends, onHeap, randomFloats } from '../helpers.js';

for (const backend of backends) {
  const k = backend.kernels;
  describe(`network kernels' memory (${backend.name})`, () => {
    it('calling every kernel 30 times does not grow the heap', () => {
      const [batch, h, w, c, f] = [2, 10, 10, 3, 8];
      const outH = h - 2, outW = w - 2, rows = batch * outH * outW, rowLength = 9 * c;
      const x = onHeap(backend, randomFloats(batch * h * w * c, 1));
      const dx = onHeap(backend, new Float32Array(batch * h * w * c));
      const cols = onHeap(backend, new Float32Array(rows * rowLength));
      const wts = onHeap(backend, randomFloats(rowLength * f, 2));
      const dW = onHeap(backend, new Float32Array(rowLength * f));
      const y = onHeap(backend, new Float32Array(rows * f));
      const bias = onHeap(backend, randomFloats(f, 3));
      const pooled = onHeap(backend, new Float32Array(batch * 4 * 4 * f));
      const dy = onHeap(backend, new Float32Array(rows * f));
      const targets = onHeap(backend, new Float32Array(batch * 4 * 4 * f).fill(1 / f));
      const probs = onHeap(backend, new Float32Array(batch * 4 * 4 * f));
      const m = onHeap(backend, new Float32Array(rowLength * f));
      const v = onHeap(backend, new Float32Array(rowLength * f));
      const bytes = backend.heap.byteLength;
      const grows = backend.heap.growCount;
      for (let step = 1; step <= 30; step++) {
        k.im2col(cols.view(), x.view(), batch, h, w, c, 3, 3, 1, 0, 0, outH, outW);
        k.gemm(y.view(), cols.view(), wts.view(), rows, f, rowLength, false, false, false);
        k.biasAdd(y.view(), bias.view(), rows, f);
        k.reluForward(y.view(), y.view(), rows * f);
        k.maxPoolForward(pooled.view(), y.view(), batch, outH, outW, f, 2, 2, 4, 4);
        const loss = k.softmaxCrossEntropy(probs.view(), pooled.view(), pooled.view(), targets.view(), batch * 16, f);
        expect(Number.isFinite(loss)).toBe(true);
        dy.view().fill(0);
        k.maxPoolBackward(dy.view(), pooled.view(), y.view(), pooled.view(), batch, outH, outW, f, 2, 2, 4, 4, false);
        k.reluBackward(y.view(), dy.view(), y.view(), rows * f);
        k.biasGrad(bias.view(), y.view(), rows, f);
        k.gemm(dW.view(), cols.view(), y.view(), rowLength, f, rows, true, false, false);
        k.gemm(cols.view(), y.view(), wts.view(), rows, rowLength, f, false, true, false);
        dx.view().fill(0);
        k.col2im(dx.view(), cols.view(), batch, h, w, c, 3, 3, 1, 0, 0, outH, outW);
        k.adam(wts.view(), dW.view(), m.view(), v.view(), rowLength * f, 1e-3, 0.9, 0.999, 1e-7, step);
        k.sgd(bias.view(), bias.view(), f, 0.01);
      }
      expect(backend.heap.byteLength).toBe(bytes);
      expect(backend.heap.growCount).toBe(grows);
      for (const b of [x, dx, cols, wts, dW, y, dy, bias, pooled, targets, probs, m, v]) b.free();
    });
  });
}
