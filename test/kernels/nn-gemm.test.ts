// gemm on every backend: against a float64 triple loop, on awkward sizes around the 4×8 register blocks and the
// shapes the tutorial CNN uses, in all four transpose combinations, with and without accumulation. Without
// accumulation C starts as poison (NaN), so an element gemm forgets to write (or reads before writing) shows.
import { describe, expect, it } from 'vitest';
import { gemm as referenceGemm } from '../../src/kernels/gemm.js';
import { backends, onHeap, outputOnHeap, poison, randomFloats } from '../helpers.js';
import { matmulF64 } from './nn-helpers.js';

const SIZES = [0, 1, 3, 4, 5, 7, 8, 9, 13, 17];
const TRANSPOSES: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];

for (const backend of backends) {
  const k = backend.kernels;

  // Runs one product on the backend heap (views misaligned by one float) and checks it against float64 math.
  function check(m: number, n: number, kk: number, transA: boolean, transB: boolean, accumulate: boolean, seed: number) {
    const a = randomFloats(m * kk, seed);
    const b = randomFloats(kk * n, seed + 1);
    const c0 = randomFloats(m * n, seed + 2);
    const A = onHeap(backend, a, 1);
    const B = onHeap(backend, b, 3);
    const C = accumulate ? onHeap(backend, c0, 1) : outputOnHeap(backend, 'f32', m * n, 1);
    k.gemm(C.view(), A.view(), B.view(), m, n, kk, transA, transB, accumulate);
    const { value, scale } = matmulF64(a, b, m, n, kk, transA, transB);
    const got = C.view();
    const reference = accumulate ? new Float32Array(c0) : poison(new Float32Array(m * n));
    referenceGemm(reference, a, b, m, n, kk, transA, transB, accumulate);
    for (let i = 0; i < m * n; i++) {
      const exact = value[i] + (accumulate ? c0[i] : 0);
      const bound = 1e-6 * (scale[i] + (accumulate ? Math.abs(c0[i]) : 0)) + 1e-30;
      if (!(Math.abs(got[i] - exact) <= bound)) {
        throw new Error(`gemm ${m}×${n}×${kk} tA=${transA} tB=${transB} acc=${accumulate}: c[${i}] = ${got[i]}, exact ${exact}`);
      }
      // Backends agree to 1e-5 relative, or within rounding of the terms where the sum cancels (different orders).
      if (!(Math.abs(got[i] - reference[i]) <= 1e-5 * Math.abs(reference[i]) + 1e-6 * scale[i] + 1e-30)) {
        throw new Error(`gemm ${m}×${n}×${kk} tA=${transA} tB=${transB}: c[${i}] = ${got[i]}, TS reference ${reference[i]}`);
      }
    }
    A.free();
    B.free();
    C.free();
    return m * n;
  }

  describe(`gemm (${backend.name})`, () => {
    for (const [transA, transB] of TRANSPOSES) {
      it(`matches float64 on awkward sizes, transA=${transA} transB=${transB}`, () => {
        let seed = 1;
        let checked = 0;
        for (const m of SIZES) {
          for (const n of SIZES) {
            for (const kk of [0, 1, 3, 8, 17]) checked += check(m, n, kk, transA, transB, seed % 2 === 0, seed++);
          }
        }
        expect(checked).toBe(5 * 67 ** 2);
      });

      it(`matches float64 on larger primes and the CNN's shapes (scaled down), transA=${transA} transB=${transB}`, () => {
        const checked = check(37, 41, 43, transA, transB, false, 100) + check(67, 10, 64, transA, transB, true, 101) +
          check(130, 32, 9, transA, transB, false, 102) + check(61, 64, 288, transA, transB, false, 103) +
          check(9, 300, 130, transA, transB, true, 104);
        expect(checked).toBe(37 * 41 + 67 * 10 + 130 * 32 + 61 * 64 + 9 * 300);
      });

      it(`crosses the wasm kernel's k and n blocks (k > 256, n > 320), transA=${transA} transB=${transB}`, () => {
        expect(check(6, 333, 261, transA, transB, false, 105) + check(5, 641, 520, transA, transB, true, 106)).toBe(6 * 333 + 5 * 641);
      });

      it(`matches float64 for a batch of 1 to 8 rows through a Dense (B read in place), transA=${transA} transB=${transB}`, () => {
        const checked = check(1, 64, 1600, transA, transB, false, 107) + check(1, 75, 300, transA, transB, true, 108) +
          check(2, 40, 33, transA, transB, false, 109) + check(8, 70, 261, transA, transB, true, 110) +
          check(1, 10, 64, transA, transB, false, 111);
        expect(checked).toBe(64 + 75 + 80 + 560 + 10);
      });
    }

    it('gives a row of C the same bits whether it is computed alone, in a few rows or in many (a sample\'s result does not depend on its batch)', () => {
      // 1 to 8 rows read B in place (1 row: 32 columns at a time), more rows read it packed: the same sums in the
      // same order. n = 75 leaves a panel of 3 columns; k = 600 crosses two k blocks; accumulating and not.
      for (const [n, kk] of [[75, 600], [64, 1600], [33, 9]]) {
        for (const accumulate of [false, true]) {
          const rows = 19;
          const a = randomFloats(rows * kk, n + kk), b = randomFloats(kk * n, n * kk), c0 = randomFloats(rows * n, 3);
          const A = onHeap(backend, a, 1), B = onHeap(backend, b, 2);
          const run = (m: number, first: number) => {
            const C = onHeap(backend, c0.slice(first * n, (first + m) * n), 3);
            k.gemm(C.view(), A.view().subarray(first * kk, (first + m) * kk), B.view(), m, n, kk, false, false, accumulate);
            const out = C.view().slice();
            C.free();
            return out;
          };
          const all = run(rows, 0);
          for (const [m, first] of [[1, 0], [1, 18], [2, 5], [5, 9], [8, 11]]) {
            const part = run(m, first);
            for (let i = 0; i < m * n; i++) {
              if (!Object.is(part[i], all[first * n + i])) expect.fail(`n ${n} k ${kk} rows ${first}..${first + m - 1}: c[${i}] = ${part[i]}, in 19 rows ${all[first * n + i]}`);
            }
          }
          A.free();
          B.free();
        }
      }
    });

    it('with k = 0 writes zeros, or leaves C as it was when accumulating', () => {
      const C = onHeap(backend, new Float32Array([1, 2, 3, 4, 5, 6]));
      const empty = onHeap(backend, new Float32Array(0));
      k.gemm(C.view(), empty.view(), empty.view(), 2, 3, 0, false, false, true);
      expect(Array.from(C.view())).toEqual([1, 2, 3, 4, 5, 6]);
      poison(C.view());
      k.gemm(C.view(), empty.view(), empty.view(), 2, 3, 0, false, false, false);
      expect(Array.from(C.view())).toEqual([0, 0, 0, 0, 0, 0]);
      C.free();
      empty.free();
    });

    it('writes nothing outside C', () => {
      const m = 5, n = 7, kk = 6;
      const A = onHeap(backend, randomFloats(m * kk, 7));
      const B = onHeap(backend, randomFloats(kk * n, 8));
      const guarded = onHeap(backend, new Float32Array(m * n + 16).fill(42));
      for (const [transA, transB] of TRANSPOSES) {
        k.gemm(poison(guarded.view().subarray(8, 8 + m * n)), A.view(), B.view(), m, n, kk, transA, transB, false);
        const all = guarded.view();
        for (let i = 0; i < 8; i++) expect([all[i], all[8 + m * n + i]]).toEqual([42, 42]);
        expect(all.subarray(8, 8 + m * n).some(Number.isNaN)).toBe(false);
      }
      A.free();
      B.free();
      guarded.free();
    });
  });
}
