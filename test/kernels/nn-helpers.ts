// Helpers shared by the network kernel tests (nn-*.test.ts): Int32 arrays on a backend heap, and float64 math
// written here, independently of src/, as the ground truth.
import { expect } from 'vitest';
import type { Backend } from '../../src/runtime/backend.js';

export function i32OnHeap(backend: Backend, data: Int32Array, misalign = 0) {
  const block = backend.heap.block('i32', data.length + misalign);
  const view = () => block.view.subarray(misalign, misalign + data.length);
  view().set(data);
  return { view, free: () => block.free() };
}

/** op(A)·op(B) in float64, and per element Σ|a||b| (the scale that bounds the rounding error of any order). */
export function matmulF64(a: ArrayLike<number>, b: ArrayLike<number>, m: number, n: number, k: number,
  transA: boolean, transB: boolean) {
  const value = new Float64Array(m * n);
  const scale = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let t = 0;
      for (let p = 0; p < k; p++) {
        const x = transA ? a[p * m + i] : a[i * k + p];
        const y = transB ? b[j * k + p] : b[p * n + j];
        s += x * y;
        t += Math.abs(x * y);
      }
      value[i * n + j] = s;
      scale[i * n + j] = t;
    }
  }
  return { value, scale };
}

export function dotF64(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

/** Exact equality of two arrays (NaN equals NaN), failing at the first difference: toEqual is slow on big arrays. */
export function expectSameValues(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i]) && !(actual[i] === 0 && expected[i] === 0)) {
      expect(actual[i], `index ${i}`).toBe(expected[i]);
    }
  }
}

/** |actual[i] − expected[i]| ≤ tolerance(i) for every i, failing at the first violation (fast on big arrays). */
export function expectWithin(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: (i: number) => number,
  what = 'value'): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tolerance(i))) {
      expect.fail(`${what}[${i}] = ${actual[i]}, expected ${expected[i]} ± ${tolerance(i)}`);
    }
  }
}
