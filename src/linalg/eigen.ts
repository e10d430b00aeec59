// Symmetric eigendecomposition in float64: Householder reduction to tridiagonal form, then the implicit QL
// algorithm with Wilkinson-style shifts on the tridiagonal, accumulating the transformations (EISPACK's tred2/tql2,
// in the form JAMA gives them). Backward stable: A·v = λv to a few ulps of ‖A‖ for every pair, V orthonormal.
// The O(n³) loops run as f64x2 kernels (assembly/linalg.ts, twins in src/kernels/linalg.ts): the tridiagonalisation's
// symmetric product, rank-2 update and accumulation (tred2*F64), and the QL sweeps' Givens rotations (drotRows).
//
// Memory order. JAMA indexes V[row][col] and its inner loops run down columns, which in a row-major array is a
// stride-n walk and ruins the cache beyond n ≈ 300. Because A is symmetric we may store it transposed for free,
// so here the working matrix `z` holds Vᵀ: V(row, col) = z[col·n + row]. Every inner loop of tred2/tql2 then walks
// one contiguous row of z, and at the end row j of z is eigenvector j.

import type { Kernels } from '../kernels/types.js';
import { currentBackend } from '../runtime/backend.js';

export interface SymmetricEigen {
  /** Eigenvalues, largest first. */
  values: Float64Array;
  /** n×n row-major; column j is the unit eigenvector of values[j]. */
  vectors: Float64Array;
}

/** Relative asymmetry |a_ij − a_ji| / max|a| above which the input is refused as not symmetric. */
export const SYMMETRY_TOLERANCE = 1e-10;

/**
 * Eigenvalues (descending) and orthonormal eigenvectors (as columns) of the symmetric n×n row-major matrix `a`.
 * `a` is not modified. Throws on a wrong length, non-finite entries, or an asymmetric matrix.
 */
export function symmetricEigen(a: Float64Array, n: number): SymmetricEigen {
  const { values, rows } = symmetricEigenRows(a, n);
  const vectors = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const row = j * n;
    for (let i = 0; i < n; i++) vectors[i * n + j] = rows[row + i];
  }
  return { values, vectors };
}

/**
 * As symmetricEigen, but eigenvector j is ROW j of `rows` (the layout the algorithm produces; callers that go on
 * to form U·diag·Uᵀ read rows contiguously and skip a transpose).
 */
export function symmetricEigenRows(a: Float64Array, n: number): { values: Float64Array; rows: Float64Array } {
  validate(a, n);
  // z and the rotation table live in kernel memory: the QL sweeps' rotations (the O(n³) part) run as a kernel.
  const { heap, kernels } = currentBackend();
  const blocks = [heap.block('f64', n * n), heap.block('f64', n), heap.block('f64', n), heap.block('f64', n), heap.block('f64', n)];
  try {
    // Views after the last allocation: nothing below allocates in the heap, so they stay valid.
    const [z, d, e, cosines, sines] = blocks.map((b) => b.view);
    // Symmetrise exactly: the algorithm reads only one triangle, and a tiny asymmetry within the tolerance should
    // not depend on which one.
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const v = 0.5 * (a[i * n + j] + a[j * n + i]);
        z[i * n + j] = v;
        z[j * n + i] = v;
      }
    }
    if (n > 0) {
      tred2(z, d, e, n, kernels);
      tql2(z, d, e, n, cosines, sines, (l, m) => kernels.drotRows(z, n, l, m, cosines, sines));
    }
    sortDescending(z, d, n);
    return { values: d.slice(), rows: z.slice() };
  } finally {
    for (const b of blocks) b.free();
  }
}

function validate(a: Float64Array, n: number): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`symmetricEigen: n must be a non-negative integer. Received: n=${n}`);
  }
  if (!(a instanceof Float64Array) || a.length !== n * n) {
    throw new RangeError(`symmetricEigen: a must be a Float64Array of n·n = ${n * n} values. Received: ${describe(a)}`);
  }
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (!Number.isFinite(v)) {
      throw new RangeError(`symmetricEigen: the matrix must be finite. Received: ${v} at row ${Math.floor(i / n)}, column ${i % n}`);
    }
    max = Math.max(max, Math.abs(v));
  }
  const tolerance = SYMMETRY_TOLERANCE * max;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const diff = Math.abs(a[i * n + j] - a[j * n + i]);
      if (diff > tolerance) {
        throw new RangeError(`symmetricEigen: the matrix must be symmetric. Received: a[${i}][${j}] = ${a[i * n + j]} but ` +
          `a[${j}][${i}] = ${a[j * n + i]} (difference ${diff}, more than ${SYMMETRY_TOLERANCE} × the largest |entry|)`);
      }
    }
  }
}

function describe(a: unknown): string {
  if (a instanceof Float64Array) return `Float64Array of length ${a.length}`;
  if (a === null || typeof a !== 'object') return String(a);
  return (a as object).constructor?.name ?? typeof a;
}

// sqrt(a² + b²) without overflow or underflow; Math.hypot handles any number of arguments and is several times
// slower in V8, which matters in tql2's inner sweep.
function hypot(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  if (x > y) {
    const r = y / x;
    return x * Math.sqrt(1 + r * r);
  }
  if (y === 0) return 0;
  const r = x / y;
  return y * Math.sqrt(1 + r * r);
}

/**
 * Householder tridiagonalisation (tred2). On entry z holds the symmetric matrix; on exit d is the diagonal, e the
 * subdiagonal in e[1..n-1] (e[0] = 0), and z holds Qᵀ, where A = Q·T·Qᵀ. Indices follow JAMA with V(r, c) = z[c·n + r].
 */
function tred2(z: Float64Array, d: Float64Array, e: Float64Array, n: number, kernels: Kernels): void {
  for (let j = 0; j < n; j++) d[j] = z[j * n + n - 1];

  for (let i = n - 1; i > 0; i--) {
    // Scale the row to avoid under/overflow in the sum of squares.
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      // Row already reduced: no reflection needed.
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = z[j * n + i - 1];
        z[j * n + i] = 0;
        z[i * n + j] = 0;
      }
    } else {
      // The Householder vector u = d[0..i-1] (scaled), with H = I − u·uᵀ/h zeroing all but the last entry.
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = f > 0 ? -Math.sqrt(h) : Math.sqrt(h);
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;

      // p = A·u / h, using the lower triangle only (column j of the lower triangle is contiguous in z).
      kernels.dsymvTred2(z, n, i, d, e);
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      // q = p − (uᵀp / 2h)·u, then A ← A − u·qᵀ − q·uᵀ on the lower triangle.
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      kernels.dsyr2Tred2(z, n, i, d, e);
    }
    d[i] = h;
  }

  // Accumulate the reflections into Q (stored as Qᵀ in z, one contiguous row per column of Q).
  for (let i = 0; i < n - 1; i++) {
    const rowI = i * n;
    const next = (i + 1) * n;
    z[rowI + n - 1] = z[rowI + i];
    z[rowI + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = z[next + k] / h;
      kernels.tred2AccumulateF64(z, n, i, d);
    }
    for (let k = 0; k <= i; k++) z[next + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = z[j * n + n - 1];
    z[j * n + n - 1] = 0;
  }
  z[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/**
 * Implicit QL with shifts on the tridiagonal (d, e) from tred2, applying every rotation to z's rows so that row j
 * ends as the eigenvector of d[j]. Iteration is capped: convergence is cubic and takes ~1–2 sweeps per eigenvalue,
 * so hitting the cap means the input was not what validate() let through.
 */
function tql2(
  z: Float64Array, d: Float64Array, e: Float64Array, n: number, cosines: Float64Array, sines: Float64Array,
  rotateRows: (l: number, m: number) => void,
): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;

  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  const maxIterations = 60;
  // One sweep's rotations are recorded in cosines/sines, then applied to z's rows by the drotRows kernel.
  for (let l = 0; l < n; l++) {
    // Find the first negligible subdiagonal element at or after l: the block l..m is unreduced.
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > eps * tst1) m++;

    if (m > l) {
      let iterations = 0;
      do {
        if (++iterations > maxIterations) {
          throw new Error(`symmetricEigen: QL iteration did not converge for eigenvalue ${l} of ${n} after ${maxIterations} sweeps`);
        }
        // Shift from the leading 2×2 block's eigenvalue closer to d[l].
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;

        // One implicit QL sweep from m−1 up to l, chasing the bulge with Givens rotations.
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          cosines[i] = c;
          sines[i] = s;
        }
        rotateRows(l, m);
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
}

/** Selection sort of the eigenpairs, largest eigenvalue first; O(n²) swaps of whole rows at most. */
function sortDescending(z: Float64Array, d: Float64Array, n: number): void {
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i];
    for (let j = i + 1; j < n; j++) {
      if (d[j] > p) {
        k = j;
        p = d[j];
      }
    }
    if (k !== i) {
      d[k] = d[i];
      d[i] = p;
      const ri = i * n;
      const rk = k * n;
      for (let t = 0; t < n; t++) {
        const v = z[ri + t];
        z[ri + t] = z[rk + t];
        z[rk + t] = v;
      }
    }
  }
}
