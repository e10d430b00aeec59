// Bias add and its gradient on every backend, on row and column counts around the SIMD widths.
import { describe, expect, it } from 'vitest';
import { backends, onHeap, randomFloats } from '../helpers.js';
import { expectSameValues } from './nn-helpers.js';

const ROWS = [0, 1, 3, 17, 1000];
const COLS = [1, 3, 4, 10, 17, 32, 64];

for (const backend of backends) {
  const k = backend.kernels;
  describe(`bias (${backend.name})`, () => {
    it('biasAdd adds bias[j] to column j of every row', () => {
      for (const rows of ROWS) {
        for (const cols of COLS) {
          const x = randomFloats(rows * cols, rows + cols);
          const b = randomFloats(cols, cols * 3);
          const out = onHeap(backend, x, 1);
          const bias = onHeap(backend, b, 3);
          k.biasAdd(out.view(), bias.view(), rows, cols);
          const expected = Float32Array.from(x, (v, i) => v + b[i % cols]);
          expectSameValues(out.view(), expected);
          out.free();
          bias.free();
        }
      }
    });

    it('biasGrad adds the column sums of dOut to dBias', () => {
      for (const rows of ROWS) {
        for (const cols of COLS) {
          const g = randomFloats(rows * cols, rows * 7 + cols, -1, 3);
          const start = randomFloats(cols, cols + 1);
          const dOut = onHeap(backend, g, 2);
          const dBias = onHeap(backend, start, 1);
          k.biasGrad(dBias.view(), dOut.view(), rows, cols);
          for (let j = 0; j < cols; j++) {
            let sum = start[j];
            let scale = Math.abs(start[j]);
            for (let r = 0; r < rows; r++) { sum += g[r * cols + j]; scale += Math.abs(g[r * cols + j]); }
            expect(Math.abs(dBias.view()[j] - sum)).toBeLessThanOrEqual(1e-6 * scale);
          }
          dOut.free();
          dBias.free();
        }
      }
    });

    it('biasGrad stays accurate over the 43264 rows of the first conv layer at batch 64', () => {
      const rows = 43264, cols = 32;
      const g = new Float32Array(rows * cols).fill(0.1);
      const dOut = onHeap(backend, g);
      const dBias = onHeap(backend, new Float32Array(cols));
      k.biasGrad(dBias.view(), dOut.view(), rows, cols);
      const exact = rows * Math.fround(0.1);
      for (let j = 0; j < cols; j++) expect(Math.abs(dBias.view()[j] - exact)).toBeLessThan(exact * 1e-6);
      dOut.free();
      dBias.free();
    });
  });
}
