import { describe, expect, it } from 'vitest';
import { symmetricEigen, symmetricEigenRows } from '../../src/linalg/eigen.js';
import { Random } from '../helpers.js';
import { fromSpectrum, jacobiEigen, randomOrthogonal, randomSymmetric } from './jacobi.js';

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** Largest |(A·v_j − λ_j·v_j)_i| over all pairs, |(VᵀV − I)_ij|, and |(V·diag·Vᵀ − A)_ij|. */
function residuals(a: Float64Array, n: number, values: Float64Array, vectors: Float64Array) {
  let eigen = 0, orthogonality = 0, reconstruction = 0;
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      let av = 0;
      for (let k = 0; k < n; k++) av += a[i * n + k] * vectors[k * n + j];
      eigen = Math.max(eigen, Math.abs(av - values[j] * vectors[i * n + j]));
    }
    for (let l = 0; l < n; l++) {
      let dot = 0;
      for (let k = 0; k < n; k++) dot += vectors[k * n + j] * vectors[k * n + l];
      orthogonality = Math.max(orthogonality, Math.abs(dot - (j === l ? 1 : 0)));
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += vectors[i * n + k] * values[k] * vectors[j * n + k];
      reconstruction = Math.max(reconstruction, Math.abs(s - a[i * n + j]));
    }
  }
  return { eigen, orthogonality, reconstruction };
}

function expectDescending(values: Float64Array) {
  for (let i = 1; i < values.length; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]);
}

describe('symmetricEigen', () => {
  it.each([1, 2, 3, 4, 5, 16, 17, 64, 101])('decomposes a random symmetric n×n matrix, n = %i, to 1e-10 of its norm', (n) => {
    const rng = new Random(1000 + n);
    const a = randomSymmetric(n, () => rng.next());
    const copy = a.slice();
    const { values, vectors } = symmetricEigen(a, n);
    expect(a).toEqual(copy); // input untouched
    const norm = maxAbs(values);
    const r = residuals(a, n, values, vectors);
    expect(r.eigen).toBeLessThan(1e-10 * norm);
    expect(r.orthogonality).toBeLessThan(1e-12 * n);
    expect(r.reconstruction).toBeLessThan(1e-10 * norm);
    expectDescending(values);
    // Eigenvalues agree with an independent method (cyclic Jacobi).
    const reference = jacobiEigen(a, n).values;
    for (let i = 0; i < n; i++) expect(Math.abs(values[i] - reference[i])).toBeLessThan(1e-12 * norm * n);
  });

  it('handles n = 0', () => {
    const { values, vectors } = symmetricEigen(new Float64Array(0), 0);
    expect(values.length).toBe(0);
    expect(vectors.length).toBe(0);
  });

  it('gives a 1×1 matrix its entry and the unit vector', () => {
    const { values, vectors } = symmetricEigen(new Float64Array([-2.5]), 1);
    expect(Array.from(values)).toEqual([-2.5]);
    expect(Math.abs(vectors[0])).toBe(1);
  });

  it('matches the closed form for 2×2 matrices', () => {
    for (const [p, q, r] of [[2, 1, 3], [1, 0, 1], [0, 1e-3, 0], [5, -4, -1], [1e8, 1, 1e-8]]) {
      const { values, vectors } = symmetricEigen(new Float64Array([p, q, q, r]), 2);
      const mid = (p + r) / 2;
      const radius = Math.hypot((p - r) / 2, q);
      // Backward stable: errors of a few eps times the matrix's scale, however small the eigenvalue.
      const scale = Math.max(Math.abs(p), Math.abs(q), Math.abs(r));
      expect(Math.abs(values[0] - (mid + radius))).toBeLessThanOrEqual(4e-16 * scale);
      expect(Math.abs(values[1] - (mid - radius))).toBeLessThanOrEqual(4e-16 * scale);
      const res = residuals(new Float64Array([p, q, q, r]), 2, values, vectors);
      expect(res.eigen).toBeLessThan(1e-15 * scale);
      expect(res.orthogonality).toBeLessThan(1e-15);
    }
  });

  it('sorts a diagonal matrix and returns signed unit basis vectors', () => {
    const diag = [3, -1, 7, 0, 2];
    const n = diag.length;
    const a = new Float64Array(n * n);
    diag.forEach((v, i) => (a[i * n + i] = v));
    const { values, vectors } = symmetricEigen(a, n);
    expect(Array.from(values)).toEqual([7, 3, 2, 0, -1]);
    const source = [2, 0, 4, 3, 1]; // position of each sorted value on the diagonal
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) expect(Math.abs(vectors[i * n + j])).toBe(i === source[j] ? 1 : 0);
    }
  });

  it('returns 0s and an orthonormal basis for the zero matrix', () => {
    const n = 6;
    const { values, vectors } = symmetricEigen(new Float64Array(n * n), n);
    expect(Array.from(values)).toEqual(new Array(n).fill(0));
    expect(residuals(new Float64Array(n * n), n, values, vectors).orthogonality).toBeLessThan(1e-15);
  });

  it('resolves repeated eigenvalues with an orthonormal basis of each eigenspace', () => {
    const rng = new Random(7);
    const n = 9;
    const spectrum = [4, 4, 4, 1, 1, 0, 0, 0, -2];
    const a = fromSpectrum(randomOrthogonal(n, () => rng.next()), spectrum, n);
    const { values, vectors } = symmetricEigen(a, n);
    for (let i = 0; i < n; i++) expect(Math.abs(values[i] - spectrum[i])).toBeLessThan(1e-13);
    const r = residuals(a, n, values, vectors);
    expect(r.eigen).toBeLessThan(1e-13);
    expect(r.orthogonality).toBeLessThan(1e-13);
    expect(r.reconstruction).toBeLessThan(1e-13);
  });

  it('keeps tiny eigenvalues of a badly scaled covariance-like matrix accurate in absolute terms', () => {
    const rng = new Random(11);
    const n = 12;
    const spectrum = [1e3, 10, 1, 0.1, 1e-2, 1e-4, 1e-6, 1e-8, 1e-10, 0, 0, 0];
    const a = fromSpectrum(randomOrthogonal(n, () => rng.next()), spectrum, n);
    const { values } = symmetricEigen(a, n);
    // Backward stability promises eigenvalue errors of order eps·‖A‖ = 2e-13, whatever their size.
    for (let i = 0; i < n; i++) expect(Math.abs(values[i] - spectrum[i])).toBeLessThan(1e-11);
  });

  it('returns eigenvectors as rows from symmetricEigenRows, the transpose of symmetricEigen', () => {
    const rng = new Random(3);
    const n = 7;
    const a = randomSymmetric(n, () => rng.next());
    const cols = symmetricEigen(a, n);
    const rows = symmetricEigenRows(a, n);
    expect(rows.values).toEqual(cols.values);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(rows.rows[j * n + i]).toBe(cols.vectors[i * n + j]);
  });

  it('refuses non-symmetric, non-finite and wrongly sized input', () => {
    expect(() => symmetricEigen(new Float64Array([1, 2, 3, 4]), 2)).toThrow(
      'symmetricEigen: the matrix must be symmetric. Received: a[1][0] = 3 but a[0][1] = 2');
    expect(() => symmetricEigen(new Float64Array([1, NaN, NaN, 4]), 2)).toThrow(
      'symmetricEigen: the matrix must be finite. Received: NaN at row 0, column 1');
    expect(() => symmetricEigen(new Float64Array([1, 0, 0, Infinity]), 2)).toThrow(
      'symmetricEigen: the matrix must be finite. Received: Infinity at row 1, column 1');
    expect(() => symmetricEigen(new Float64Array(5), 2)).toThrow(
      'symmetricEigen: a must be a Float64Array of n·n = 4 values. Received: Float64Array of length 5');
    expect(() => symmetricEigen(new Float32Array(4) as unknown as Float64Array, 2)).toThrow('Received: Float32Array');
    expect(() => symmetricEigen(new Float64Array(4), 1.5)).toThrow('symmetricEigen: n must be a non-negative integer. Received: n=1.5');
    // Asymmetry at rounding level is accepted (and symmetrised), not refused.
    const nearly = new Float64Array([1, 0.1, 0.1 * (1 + 1e-12), 2]);
    expect(symmetricEigen(nearly, 2).values.length).toBe(2);
  });
});
