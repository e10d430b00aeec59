// relu forward and backward on every backend: awkward lengths, in place, NaN passed through (so divergence shows).
// Out-of-place outputs start as poison (NaN), so an element left unwritten shows.
import { describe, expect, it } from 'vitest';
import { AWKWARD_LENGTHS, backends, onHeap, outputOnHeap, randomFloats } from '../helpers.js';
import { expectSameValues } from './nn-helpers.js';

for (const backend of backends) {
  const k = backend.kernels;
  describe(`relu (${backend.name})`, () => {
    it('reluForward is max(x, 0), out of place and in place', () => {
      for (const n of AWKWARD_LENGTHS) {
        const x = randomFloats(n, n + 1);
        const input = onHeap(backend, x, 1);
        const out = outputOnHeap(backend, 'f32', n, 2);
        k.reluForward(out.view(), input.view(), n);
        const expected = Float32Array.from(x, (v) => (v > 0 ? v : 0));
        expectSameValues(out.view(), expected);
        k.reluForward(input.view(), input.view(), n);
        expectSameValues(input.view(), expected);
        input.free();
        out.free();
      }
    });

    it('reluForward lets NaN through, maps -0 and -Infinity to 0 and keeps +Infinity', () => {
      const x = new Float32Array([NaN, -0, -Infinity, Infinity, 2, -2, NaN, 1, -1]);
      const input = onHeap(backend, x);
      const out = outputOnHeap(backend, 'f32', x.length);
      k.reluForward(out.view(), input.view(), x.length);
      expect(Array.from(out.view())).toEqual([NaN, 0, 0, Infinity, 2, 0, NaN, 1, 0]);
      expect(Object.is(out.view()[1], 0)).toBe(true);
      input.free();
      out.free();
    });

    it('reluBackward passes dOut where the output was positive, out of place and in place', () => {
      for (const n of AWKWARD_LENGTHS) {
        const y = Float32Array.from(randomFloats(n, n + 5), (v) => (v > 0 ? v : 0));
        const g = randomFloats(n, n + 6);
        const output = onHeap(backend, y, 3);
        const dOut = onHeap(backend, g, 1);
        const dInput = outputOnHeap(backend, 'f32', n, 2);
        k.reluBackward(dInput.view(), dOut.view(), output.view(), n);
        const expected = Float32Array.from(g, (v, i) => (y[i] > 0 ? v : 0));
        expectSameValues(dInput.view(), expected);
        k.reluBackward(dOut.view(), dOut.view(), output.view(), n);
        expectSameValues(dOut.view(), expected);
        for (const block of [output, dOut, dInput]) block.free();
      }
    });
  });
}
