// The eigendecomposition's kernels. drotRows, the QL sweeps' rotations: wasm bit-identical to the TypeScript twin (same f64 operations in the
// same order), both equal to rotations written out here one at a time, on awkward sizes and sweep ranges. The tred2
// loops: each against a naive float64 loop written here and against its twin, on n = 1 (where every step is empty
// and must write nothing) to 40, with poisoned guard cells around every array to catch a write past either end.
import { describe, expect, it } from 'vitest';
import { gramBlockF64, drotRows, tred2AccumulateF64, dsyr2Tred2, dsymvTred2 } from '../../src/kernels/linalg.js';
import type { Backend } from '../../src/runtime/backend.js';
import { backends, isPoison, poison, Random } from '../helpers.js';

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
  describe(`drotRows (${backend.name})`, () => {
    it('equals one rotation at a time, bit for bit, for n = 1, 2, 3, 17, 101 and every sweep length', () => {
      const rng = new Random(11);
      for (const n of [1, 2, 3, 17, 101]) {
        for (const [l, m] of [[0, 0], [0, 1], [0, n - 1], [1, n - 1], [2, Math.min(n - 1, 7)], [Math.max(0, n - 6), n - 1]]) {
          if (l > m || m > n - 1) continue;
          const c = backend.heap.block('f64', n);
          const s = backend.heap.block('f64', n);
          const start = Float64Array.from({ length: n * n }, () => rng.normal());
          for (let i = 0; i < n; i++) {
            const angle = rng.uniform(0, 2 * Math.PI);
            c.view[i] = Math.cos(angle);
            s.view[i] = Math.sin(angle);
          }
          const z = guardedOnHeap(backend, start);
          backend.kernels.drotRows(z.view(), n, l, m, c.view, s.view);
          z.expectGuardsIntact(`drotRows n=${n} l=${l} m=${m}`);
          const expected = start.slice();
          rotateOneByOne(expected, n, l, m, c.view, s.view);
          expect(z.view()).toEqual(expected);
          const twin = start.slice();
          drotRows(twin, n, l, m, c.view.slice(), s.view.slice());
          expect(z.view()).toEqual(twin);
          for (const b of [z, c, s]) b.free();
        }
      }
    });
  });
}

// The three tred2 loops written the naive way, from what they compute rather than how the kernels order it: each
// reads only the arrays as they were on entry (z0, d0, e0) and returns the expected arrays, plus for every element the
// sum of the magnitudes of the terms that made it (0 where the step must not touch the element: those must stay
// bit-identical). The lower triangle of the working block is A(j, k) = z[min(j, k)·n + max(j, k)] for j, k < i.
interface Expected { z: Float64Array; d: Float64Array; e: Float64Array; zScale: Float64Array; dScale: Float64Array; eScale: Float64Array }

function untouched(z0: Float64Array, d0: Float64Array, e0: Float64Array): Expected {
  return {
    z: z0.slice(), d: d0.slice(), e: e0.slice(),
    zScale: new Float64Array(z0.length), dScale: new Float64Array(d0.length), eScale: new Float64Array(e0.length),
  };
}

/** p = A·u: e[r] = e0[r] + Σ_{m<i} A(r, m)·d[m] for r < i; row i of z receives u (z[i][j] = d[j], j < i). */
function symvNaive(z0: Float64Array, n: number, i: number, d0: Float64Array, e0: Float64Array): Expected {
  const x = untouched(z0, d0, e0);
  const a = (j: number, k: number) => z0[Math.min(j, k) * n + Math.max(j, k)];
  for (let r = 0; r < i; r++) {
    let sum = e0[r];
    let scale = Math.abs(e0[r]);
    for (let m = 0; m < i; m++) {
      sum += a(r, m) * d0[m];
      scale += Math.abs(a(r, m) * d0[m]);
    }
    x.e[r] = sum;
    x.eScale[r] = scale;
    x.z[i * n + r] = d0[r];
    x.zScale[i * n + r] = Math.abs(d0[r]);
  }
  return x;
}

/** A ← A − u·qᵀ − q·uᵀ on the lower triangle (u = d0, q = e0); then d[j] = the new z[j][i−1], z[j][i] = 0 (j < i). */
function rank2Naive(z0: Float64Array, n: number, i: number, d0: Float64Array, e0: Float64Array): Expected {
  const x = untouched(z0, d0, e0);
  for (let j = 0; j < i; j++) {
    for (let k = j; k < i; k++) {
      x.z[j * n + k] = z0[j * n + k] - d0[j] * e0[k] - e0[j] * d0[k];
      x.zScale[j * n + k] = Math.abs(z0[j * n + k]) + Math.abs(d0[j] * e0[k]) + Math.abs(e0[j] * d0[k]);
    }
  }
  for (let j = 0; j < i; j++) {
    x.d[j] = x.z[j * n + i - 1];
    x.dScale[j] = x.zScale[j * n + i - 1];
    x.z[j * n + i] = 0;
    x.zScale[j * n + i] = Number.MIN_VALUE; // written (to exactly 0), so not required to stay as it was
  }
  return x;
}

/** Rows j ≤ i of z lose their component along d: z[j][k] −= (Σ_{m ≤ i} z[i+1][m]·z[j][m])·d[k] for k ≤ i. */
function accumulateNaive(z0: Float64Array, n: number, i: number, d0: Float64Array): Expected {
  const x = untouched(z0, d0, new Float64Array(0));
  for (let j = 0; j <= i; j++) {
    let g = 0;
    let gScale = 0;
    for (let m = 0; m <= i; m++) {
      g += z0[(i + 1) * n + m] * z0[j * n + m];
      gScale += Math.abs(z0[(i + 1) * n + m] * z0[j * n + m]);
    }
    for (let k = 0; k <= i; k++) {
      x.z[j * n + k] = z0[j * n + k] - g * d0[k];
      x.zScale[j * n + k] = Math.abs(z0[j * n + k]) + gScale * Math.abs(d0[k]);
    }
  }
  return x;
}

/**
 * Checks a kernel's result against the naive one: elements the step computes to within the rounding of a sum of
 * `terms` products in any order (γ = terms·2⁻⁵² of the sum of magnitudes; the wasm dot products sum in two lanes),
 * every other element bit-identical to its value on entry.
 */
function expectNaive(actual: Float64Array, expected: Float64Array, scale: Float64Array, terms: number, what: string) {
  for (let k = 0; k < expected.length; k++) {
    const bound = scale[k] === 0 ? 0 : (terms + 2) * 2 ** -52 * scale[k];
    if (!(Math.abs(actual[k] - expected[k]) <= bound)) {
      expect.fail(`${what}[${k}] = ${actual[k]}, expected ${expected[k]} ± ${bound}`);
    }
  }
}

const GUARD = 4;

/** A float64 array on the heap between GUARD poisoned (NaN) elements on each side, to catch writes past either end. */
function guardedOnHeap(backend: Backend, data: Float64Array) {
  const block = backend.heap.block('f64', data.length + 2 * GUARD);
  poison(block.view);
  block.view.set(data, GUARD);
  return {
    view: () => block.view.subarray(GUARD, GUARD + data.length),
    expectGuardsIntact: (what: string) => {
      for (let k = 0; k < GUARD; k++) {
        expect(isPoison(block.view, k), `${what}: element ${k - GUARD} (before the array) was written`).toBe(true);
        expect(isPoison(block.view, GUARD + data.length + k), `${what}: element ${data.length + k} (past the end) was written`).toBe(true);
      }
    },
    free: () => block.free(),
  };
}

for (const backend of backends) {
  describe(`tred2 kernels (${backend.name})`, () => {
    const sizes = [1, 2, 3, 17, 40];
    const steps = (n: number) => [...new Set([0, 1, 2, Math.floor(n / 2), n - 2, n - 1])].filter((v) => v >= 0 && v < n);
    const k = backend.kernels;

    // One kernel call at step i on fresh random z, d, e: against the naive float64 loop and the TypeScript twin, with
    // nothing written outside the three arrays. Returns whether the call changed anything.
    function check(name: string, n: number, i: number, rng: Random,
      run: (z: Float64Array, d: Float64Array, e: Float64Array) => void,
      twin: (z: Float64Array, d: Float64Array, e: Float64Array) => void,
      naive: (z0: Float64Array, d0: Float64Array, e0: Float64Array) => Expected, terms: number): boolean {
      const z0 = Float64Array.from({ length: n * n }, () => rng.normal());
      const d0 = Float64Array.from({ length: n }, () => rng.normal());
      const e0 = Float64Array.from({ length: n }, () => rng.normal());
      const [z, d, e] = [guardedOnHeap(backend, z0), guardedOnHeap(backend, d0), guardedOnHeap(backend, e0)];
      run(z.view(), d.view(), e.view());
      const what = `${name} n=${n} i=${i}`;
      for (const [array, label] of [[z, 'z'], [d, 'd'], [e, 'e']] as const) array.expectGuardsIntact(`${what} ${label}`);
      const x = naive(z0, d0, e0);
      expectNaive(z.view(), x.z, x.zScale, terms, `${what} z`);
      expectNaive(d.view(), x.d, x.dScale, terms, `${what} d`);
      if (x.e.length) expectNaive(e.view(), x.e, x.eScale, terms, `${what} e`);
      const [zt, dt, et] = [z0.slice(), d0.slice(), e0.slice()];
      twin(zt, dt, et);
      for (const [actual, expected] of [[z.view(), zt], [d.view(), dt], [e.view(), et]] as const) {
        for (let j = 0; j < expected.length; j++) expect(Math.abs(actual[j] - expected[j])).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(expected[j])));
      }
      const changed = z.view().some((v, j) => !Object.is(v, z0[j])) || d.view().some((v, j) => !Object.is(v, d0[j])) ||
        e.view().some((v, j) => !Object.is(v, e0[j]));
      for (const b of [z, d, e]) b.free();
      return changed;
    }

    it('dsymvTred2 equals the naive p = A·u in float64 at every step i, writes only what it must', () => {
      const rng = new Random(12);
      for (const n of sizes) {
        for (const i of steps(n)) {
          const changed = check('dsymvTred2', n, i, rng, (z, d, e) => k.dsymvTred2(z, n, i, d, e),
            (z, d, e) => dsymvTred2(z, n, i, d, e), (z0, d0, e0) => symvNaive(z0, n, i, d0, e0), i + 1);
          // Step 0 has an empty block: nothing may change (n = 1 has only this step).
          expect(changed, `n=${n} i=${i}`).toBe(i > 0);
        }
      }
    });

    it('dsyr2Tred2 equals the naive A − u·qᵀ − q·uᵀ in float64 at every step i, writes only what it must', () => {
      const rng = new Random(13);
      for (const n of sizes) {
        for (const i of steps(n)) {
          const changed = check('dsyr2Tred2', n, i, rng, (z, d, e) => k.dsyr2Tred2(z, n, i, d, e),
            (z, d, e) => dsyr2Tred2(z, n, i, d, e), (z0, d0, e0) => rank2Naive(z0, n, i, d0, e0), 3);
          expect(changed, `n=${n} i=${i}`).toBe(i > 0);
        }
      }
    });

    it('tred2AccumulateF64 equals the naive reflection of rows 0..i in float64 for every step i < n − 1', () => {
      const rng = new Random(14);
      let steps1 = 0;
      for (const n of sizes) {
        // Step i reads row i + 1: the last step is n − 2 (n = 1 has none; n = 2 only i = 0, a 1×1 block).
        for (const i of steps(n).filter((v) => v + 1 < n)) {
          const changed = check('tred2AccumulateF64', n, i, rng, (z, d) => k.tred2AccumulateF64(z, n, i, d),
            (z, d) => tred2AccumulateF64(z, n, i, d), (z0, d0) => accumulateNaive(z0, n, i, d0), i + 2);
          expect(changed, `n=${n} i=${i}`).toBe(true);
          steps1++;
        }
      }
      expect(steps1).toBe(1 + 2 + 5 + 5);
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
          const [rows, gains] = [backend.heap.block('f64', D * D), backend.heap.block('f64', D)];
          const acc = guardedOnHeap(backend, new Float64Array(D * D).fill(0.5));
          rows.view.set(rowsStart);
          gains.view.set(gainsStart);
          backend.kernels.gramBlockF64(acc.view(), rows.view, gains.view, D, i0, i1);
          acc.expectGuardsIntact(`gramBlockF64 D=${D} rows ${i0}..${i1}`);
          const twin = new Float64Array(D * D).fill(0.5);
          gramBlockF64(twin, rowsStart, gainsStart, D, i0, i1);
          expect(acc.view()).toEqual(twin);
          for (let i = i0; i < i1; i++) {
            for (let j = 0; j < D; j++) {
              let expected = 0.5;
              if (j >= i) for (let k = 0; k < D; k++) expected += gainsStart[k] * rowsStart[k * D + i] * rowsStart[k * D + j];
              expect(Math.abs(acc.view()[(i - i0) * D + j] - expected)).toBeLessThan(1e-12 * D * 10);
            }
          }
          for (const b of [acc, rows, gains]) b.free();
        }
      }
    });
  });
}
