// Adam and SGD on every backend: three Adam steps against Keras's formula evaluated in float64 here.
import { describe, expect, it } from 'vitest';
import { AWKWARD_LENGTHS, backends, onHeap, randomFloats } from '../helpers.js';
import { expectWithin } from './nn-helpers.js';

for (const backend of backends) {
  const k = backend.kernels;
  describe(`optimizers (${backend.name})`, () => {
    it('adam follows Keras over three steps with changing gradients', () => {
      const [lr, beta1, beta2, epsilon] = [1e-3, 0.9, 0.999, 1e-7];
      for (const n of AWKWARD_LENGTHS) {
        const p0 = randomFloats(n, n + 1, -2, 2);
        const param = onHeap(backend, p0, 1);
        const grad = onHeap(backend, new Float32Array(n), 2);
        const m = onHeap(backend, new Float32Array(n), 3);
        const v = onHeap(backend, new Float32Array(n), 1);
        const p = Float64Array.from(p0), mm = new Float64Array(n), vv = new Float64Array(n);
        let before = NaN;
        for (let step = 1; step <= 3; step++) {
          const g = randomFloats(n, n * 10 + step, -1, 1);
          // A zero gradient after nonzero ones still moves the parameter, by momentum.
          if (n > 1 && step === 3) { g[1] = 0; before = param.view()[1]; }
          grad.view().set(g);
          k.adam(param.view(), grad.view(), m.view(), v.view(), n, lr, beta1, beta2, epsilon, step);
          const lrT = lr * Math.sqrt(1 - beta2 ** step) / (1 - beta1 ** step);
          for (let i = 0; i < n; i++) {
            mm[i] = beta1 * mm[i] + (1 - beta1) * g[i];
            vv[i] = beta2 * vv[i] + (1 - beta2) * g[i] * g[i];
            p[i] -= lrT * mm[i] / (Math.sqrt(vv[i]) + epsilon);
          }
          // m can cancel to near zero, so its error is bounded by the f32 rounding of its terms (|g| ≤ 1), not of m.
          expectWithin(m.view(), mm, () => 1e-7, `m after step ${step}`);
          expectWithin(v.view(), vv, (i) => 1e-6 * vv[i] + 1e-15, `v after step ${step}`);
          // The parameter moves by ~lr per step; it must land within a small fraction of that step, plus one f32
          // rounding of the stored parameter per step.
          expectWithin(param.view(), p, (i) => 1e-5 * lr + step * 2 ** -24 * Math.abs(p[i]), `param after step ${step}`);
        }
        if (n > 1) expect(Math.abs(param.view()[1] - before)).toBeGreaterThan(lr / 10);
        for (const block of [param, grad, m, v]) block.free();
      }
    });

    it('sgd subtracts learningRate · grad', () => {
      for (const n of AWKWARD_LENGTHS) {
        const p0 = randomFloats(n, n + 2);
        const g = randomFloats(n, n + 3);
        const param = onHeap(backend, p0, 3);
        const grad = onHeap(backend, g, 1);
        k.sgd(param.view(), grad.view(), n, 0.01);
        const expected = Float64Array.from(p0, (x, i) => x - 0.01 * g[i]);
        expectWithin(param.view(), expected, (i) => 2 ** -23 * (Math.abs(p0[i]) + 0.01), 'param');
        param.free();
        grad.free();
      }
    });
  });
}
