// Softmax cross-entropy on every backend: against float64 math written here, stable on huge logits, and its
// gradient against central finite differences of that float64 loss. probs and dLogits start as poison (NaN).
import { describe, expect, it } from 'vitest';
import { Random } from '../../src/random.js';
import { backends, onHeap, outputOnHeap, randomFloats } from '../helpers.js';

/** Mean cross-entropy of softmax(z) against t, in float64, by log-sum-exp. */
function lossF64(z: ArrayLike<number>, t: ArrayLike<number>, rows: number, classes: number): number {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let j = 0; j < classes; j++) max = Math.max(max, z[r * classes + j]);
    let sum = 0;
    for (let j = 0; j < classes; j++) sum += Math.exp(z[r * classes + j] - max);
    for (let j = 0; j < classes; j++) {
      const t1 = t[r * classes + j];
      if (t1 !== 0) total -= t1 * (z[r * classes + j] - max - Math.log(sum));
    }
  }
  return rows === 0 ? 0 : total / rows;
}

function oneHot(rows: number, classes: number, seed: number): Float32Array {
  const rng = new Random(seed);
  const t = new Float32Array(rows * classes);
  for (let r = 0; r < rows; r++) t[r * classes + rng.int(classes)] = 1;
  return t;
}

for (const backend of backends) {
  const k = backend.kernels;
  describe(`softmaxCrossEntropy (${backend.name})`, () => {
    for (const [rows, classes] of [[1, 1], [1, 10], [3, 10], [17, 3], [64, 10], [5, 17]]) {
      it(`matches float64 softmax and mean cross-entropy, ${rows}×${classes}`, () => {
        const z = randomFloats(rows * classes, rows * 13 + classes, -6, 6);
        const t = oneHot(rows, classes, rows + classes);
        const logits = onHeap(backend, z, 1);
        const targets = onHeap(backend, t, 2);
        const probs = outputOnHeap(backend, 'f32', z.length, 3);
        const dLogits = outputOnHeap(backend, 'f32', z.length, 1);
        const loss = k.softmaxCrossEntropy(probs.view(), dLogits.view(), logits.view(), targets.view(), rows, classes);
        expect(Math.abs(loss - lossF64(z, t, rows, classes))).toBeLessThan(1e-6 * (1 + Math.abs(loss)));
        for (let r = 0; r < rows; r++) {
          let max = -Infinity;
          for (let j = 0; j < classes; j++) max = Math.max(max, z[r * classes + j]);
          let sum = 0;
          for (let j = 0; j < classes; j++) sum += Math.exp(z[r * classes + j] - max);
          for (let j = 0; j < classes; j++) {
            const i = r * classes + j;
            const p = Math.exp(z[i] - max) / sum;
            expect(Math.abs(probs.view()[i] - p)).toBeLessThan(1e-6 * p + 1e-9);
            expect(Math.abs(dLogits.view()[i] - (p - t[i]) / rows)).toBeLessThan(1e-6 / rows);
          }
        }
        for (const block of [logits, targets, probs, dLogits]) block.free();
      });
    }

    it('gradient equals central finite differences of the float64 loss, with soft targets', () => {
      const rows = 4, classes = 7;
      const z = randomFloats(rows * classes, 3, -3, 3);
      const rng = new Random(4);
      const t = new Float32Array(rows * classes);
      for (let r = 0; r < rows; r++) {
        let s = 0;
        for (let j = 0; j < classes; j++) s += (t[r * classes + j] = rng.next());
        for (let j = 0; j < classes; j++) t[r * classes + j] /= s;
      }
      const logits = onHeap(backend, z);
      const targets = onHeap(backend, t);
      const probs = outputOnHeap(backend, 'f32', z.length);
      const dLogits = outputOnHeap(backend, 'f32', z.length);
      k.softmaxCrossEntropy(probs.view(), dLogits.view(), logits.view(), targets.view(), rows, classes);
      const zz = Float64Array.from(z);
      const h = 1e-5;
      for (let i = 0; i < z.length; i++) {
        zz[i] = z[i] + h;
        const up = lossF64(zz, t, rows, classes);
        zz[i] = z[i] - h;
        const down = lossF64(zz, t, rows, classes);
        zz[i] = z[i];
        expect(Math.abs(dLogits.view()[i] - (up - down) / (2 * h))).toBeLessThan(1e-6);
      }
      for (const block of [logits, targets, probs, dLogits]) block.free();
    });

    it('is finite and exact on logits of ±1000', () => {
      const z = new Float32Array([1000, -1000, 0, -1000, 1000, 1000, 1000, 1000, 1000]);
      const t = new Float32Array([0, 1, 0, 1, 0, 0, 0, 0, 1]);
      const logits = onHeap(backend, z);
      const targets = onHeap(backend, t);
      const probs = outputOnHeap(backend, 'f32', 9);
      const dLogits = outputOnHeap(backend, 'f32', 9);
      const loss = k.softmaxCrossEntropy(probs.view(), dLogits.view(), logits.view(), targets.view(), 3, 3);
      // Row 0: −log p1 = 2000; row 1: 2000 + log 2; row 2: log 3.
      expect(Math.abs(loss - (4000 + Math.log(2) + Math.log(3)) / 3)).toBeLessThan(1e-9 * 1400);
      expect(Array.from(probs.view(), (p) => Math.round(p * 1e6) / 1e6)).toEqual(
        [1, 0, 0, 0, 0.5, 0.5, 0.333333, 0.333333, 0.333333]);
      for (const d of dLogits.view()) expect(Number.isFinite(d)).toBe(true);
      expect(dLogits.view()[1]).toBeCloseTo(-1 / 3, 7);
      for (const block of [logits, targets, probs, dLogits]) block.free();
    });

    it('accepts a null gradient (inference) and gives 0 for no rows', () => {
      const z = randomFloats(20, 9);
      const t = oneHot(2, 10, 9);
      const logits = onHeap(backend, z);
      const targets = onHeap(backend, t);
      const probs = outputOnHeap(backend, 'f32', 20);
      const loss = k.softmaxCrossEntropy(probs.view(), null, logits.view(), targets.view(), 2, 10);
      expect(Math.abs(loss - lossF64(z, t, 2, 10))).toBeLessThan(1e-6);
      for (let r = 0; r < 2; r++) {
        let sum = 0;
        for (let j = 0; j < 10; j++) sum += Math.exp(z[r * 10 + j]);
        for (let j = 0; j < 10; j++) {
          const p = Math.exp(z[r * 10 + j]) / sum;
          expect(Math.abs(probs.view()[r * 10 + j] - p)).toBeLessThan(1e-6 * p + 1e-9);
        }
      }
      expect(k.softmaxCrossEntropy(probs.view(), null, logits.view(), targets.view(), 0, 10)).toBe(0);
      for (const block of [logits, targets, probs]) block.free();
    });
  });
}
