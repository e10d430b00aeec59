// The eigendecomposition's kernels. rotateRowsF64, the QL sweeps' rotations: wasm bit-identical to the TypeScript twin (same f64 operations in the
// same order), both equal to rotations written out here one at a time, on awkward sizes and sweep ranges.
import { describe, expect, it } from 'vitest';
import { gramBlockF64, rotateRowsF64, tred2AccumulateF64, tred2Rank2F64, tred2SymvF64 } from '../../src/kernels/linalg.js';
import { backends, Random } from '../helpers.js';

/** Rotations m−1 … l applied one at a time, as the textbook writes them. */
function rotateOneByOne(z: Float64Array, n: number, l: number, m: number, c: Float64Array, s: Float64Array): void {
  for (let i = m - 1; i >= l; i--) {
    for (let k = 0; k < n; k++) {
      const a = z[i * n + k];
      const b = z[(i + 1) * n + k];
      z[(i + 1) * n + k] = s[i] * a + c[i] * b;
      z[i * n + k] = c[i] * a - s[i] * b;
    }
  }
}

for (const backend of backends) {
  describe(`rotateRowsF64 (${backend.name})`, () => {
    it('equals one rotation at a time, bit for bit, for n = 1, 2, 3, 17, 101 and every sweep length', () => {
      const rng = new Random(11);
      for (const n of [1, 2, 3, 17, 101]) {
        for (const [l, m] of [[0, 0], [0, 1], [0, n - 1], [1, n - 1], [2, Math.min(n - 1, 7)], [Math.max(0, n - 6), n - 1]]) {
          if (l > m || m > n - 1) continue;
          const z = backend.heap.block('f64', n * n);
          const c = backend.heap.block('f64', n);
          const s = backend.heap.block('f64', n);
          const start = Float64Array.from({ length: n * n }, () => rng.normal());
          for (let i = 0; i < n; i++) {
            const angle = rng.uniform(0, 2 * Math.PI);
            c.view[i] = Math.cos(angle);
            s.view[i] = Math.sin(angle);
          }
          z.view.set(start);
          backend.kernels.rotateRowsF64(z.view, n, l, m, c.view, s.view);
          const expected = start.slice();
          rotateOneByOne(expected, n, l, m, c.view, s.view);
          expect(z.view).toEqual(expected);
          const twin = start.slice();
          rotateRowsF64(twin, n, l, m, c.view.slice(), s.view.slice());
          expect(z.view).toEqual(twin);
          for (const b of [z, c, s]) b.free();
        }
      }
    });
  });
}

for (const backend of backends) {
  describe(`tred2 kernels (${backend.name})`, () => {
    it('match the TypeScript twins (to float64 rounding: the wasm dot products sum in two lanes) at every step i', () => {
      const rng = new Random(12);
      for (const n of [1, 2, 3, 17, 40]) {
        for (const i of [...new Set([0, 1, 2, Math.floor(n / 2), n - 2, n - 1])].filter((v) => v >= 0 && v < n)) {
          const start = Float64Array.from({ length: n * n }, () => rng.normal());
          const d0 = Float64Array.from({ length: n }, () => rng.normal());
          const e0 = Float64Array.from({ length: n }, () => rng.normal());
          const [z, d, e] = [backend.heap.block('f64', n * n), backend.heap.block('f64', n), backend.heap.block('f64', n)];
          const check = (run: (z: Float64Array, d: Float64Array, e: Float64Array) => void, twin: typeof run) => {
            z.view.set(start);
            d.view.set(d0);
            e.view.set(e0);
            run(z.view, d.view, e.view);
            const [zt, dt, et] = [start.slice(), d0.slice(), e0.slice()];
            twin(zt, dt, et);
            for (const [actual, expected] of [[z.view, zt], [d.view, dt], [e.view, et]] as const) {
              for (let k = 0; k < expected.length; k++) expect(Math.abs(actual[k] - expected[k])).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(expected[k])));
            }
            // Something was actually done (unless the step is empty).
            return zt.some((v, k) => v !== start[k]) || et.some((v, k) => v !== e0[k]) || dt.some((v, k) => v !== d0[k]);
          };
          const k = backend.kernels;
          const changedSymv = check((zz, dd, ee) => k.tred2SymvF64(zz, n, i, dd, ee), (zz, dd, ee) => tred2SymvF64(zz, n, i, dd, ee));
          const changedRank2 = check((zz, dd, ee) => k.tred2Rank2F64(zz, n, i, dd, ee), (zz, dd, ee) => tred2Rank2F64(zz, n, i, dd, ee));
          if (i + 1 < n) check((zz, dd) => k.tred2AccumulateF64(zz, n, i, dd), (zz, dd) => tred2AccumulateF64(zz, n, i, dd));
          if (i > 0) expect(changedSymv && changedRank2).toBe(true);
          for (const b of [z, d, e]) b.free();
        }
      }
    });
  });
}

for (const backend of backends) {
  describe(`gramBlockF64 (${backend.name})`, () => {
    it('equals Σ_k g_k·u_k[i]·u_k[j] computed here in float64, and the TypeScript twin bit for bit', () => {
      const rng = new Random(13);
      for (const D of [1, 2, 3, 5, 17, 33]) {
        for (const [i0, i1] of [[0, D], [0, 1], [Math.floor(D / 2), D], [D - 1, D]]) {
          const rowsStart = Float64Array.from({ length: D * D }, () => rng.normal());
          const gainsStart = Float64Array.from({ length: D }, () => rng.uniform(0.1, 3));
          const [acc, rows, gains] = [backend.heap.block('f64', D * D), backend.heap.block('f64', D * D), backend.heap.block('f64', D)];
          acc.view.fill(0.5);
          rows.view.set(rowsStart);
          gains.view.set(gainsStart);
          backend.kernels.gramBlockF64(acc.view, rows.view, gains.view, D, i0, i1);
          const twin = new Float64Array(D * D).fill(0.5);
          gramBlockF64(twin, rowsStart, gainsStart, D, i0, i1);
          expect(acc.view).toEqual(twin);
          for (let i = i0; i < i1; i++) {
            for (let j = 0; j < D; j++) {
              let expected = 0.5;
              if (j >= i) for (let k = 0; k < D; k++) expected += gainsStart[k] * rowsStart[k * D + i] * rowsStart[k * D + j];
              expect(Math.abs(acc.view[(i - i0) * D + j] - expected)).toBeLessThan(1e-12 * D * 10);
            }
          }
          for (const b of [acc, rows, gains]) b.free();
        }
      }
    });
  });
}
