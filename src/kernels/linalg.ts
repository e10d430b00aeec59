// TypeScript twin of assembly/linalg.ts.

/**
 * Applies rotations i = m−1, m−2, …, l to the rows of the n×n row-major z: rotation i maps rows (i, i+1) to
 * (c·z_i − s·z_{i+1}, s·z_i + c·z_{i+1}), and the new row i then meets rotation i−1. This is where the QL sweeps
 * spend most of their time (~6n³ flops in all). Chaining four rotations per pass over the columns keeps the carried
 * row in a register: 5 loads and 5 stores per 4 rotations instead of 8 and 8, with results bit-identical to one
 * rotation at a time (the same operations on each element in the same order).
 */
export function drotRows(z: Float64Array, n: number, l: number, m: number, cosines: Float64Array, sines: Float64Array): void {
  let i = m - 1;
  for (; i - 3 >= l; i -= 4) {
    const c1 = cosines[i], s1 = sines[i], c2 = cosines[i - 1], s2 = sines[i - 1];
    const c3 = cosines[i - 2], s3 = sines[i - 2], c4 = cosines[i - 3], s4 = sines[i - 3];
    const r4 = (i + 1) * n, r3 = r4 - n, r2 = r3 - n, r1 = r2 - n, r0 = r1 - n;
    for (let k = 0; k < n; k++) {
      let carry = z[r4 + k];
      let b = z[r3 + k];
      z[r4 + k] = s1 * b + c1 * carry;
      carry = c1 * b - s1 * carry;
      b = z[r2 + k];
      z[r3 + k] = s2 * b + c2 * carry;
      carry = c2 * b - s2 * carry;
      b = z[r1 + k];
      z[r2 + k] = s3 * b + c3 * carry;
      carry = c3 * b - s3 * carry;
      b = z[r0 + k];
      z[r1 + k] = s4 * b + c4 * carry;
      z[r0 + k] = c4 * b - s4 * carry;
    }
  }
  for (; i >= l; i--) {
    const c = cosines[i], s = sines[i];
    const ri = i * n, rj = ri + n;
    for (let k = 0; k < n; k++) {
      const zj = z[rj + k];
      const zi = z[ri + k];
      z[rj + k] = s * zi + c * zj;
      z[ri + k] = c * zi - s * zj;
    }
  }
}

// The three O(n²)-per-step loops of the Householder tridiagonalisation (tred2 in src/linalg/eigen.ts), on the
// transposed working matrix z (row j of z is column j of JAMA's V), with d the Householder vector u and e the work
// vector p. Step i works on the leading i×i block.

/**
 * BLAS dsymv, p = A·u on the lower triangle: e[j] += Σ_k z[j][k]·d[k] (k ≥ j), e[k] += z[j][k]·d[j] (k > j); keeps u
 * in row i.
 */
export function dsymvTred2(z: Float64Array, n: number, i: number, d: Float64Array, e: Float64Array): void {
  for (let j = 0; j < i; j++) {
    const col = j * n;
    const f = d[j];
    z[i * n + j] = f;
    let g = e[j] + z[col + j] * f;
    for (let k = j + 1; k <= i - 1; k++) {
      const v = z[col + k];
      g += v * d[k];
      e[k] += v * f;
    }
    e[j] = g;
  }
}

/**
 * BLAS dsyr2, A ← A − u·qᵀ − q·uᵀ on the lower triangle (u = d, q = e), then d[j] = z[j][i−1] and z[j][i] = 0.
 */
export function dsyr2Tred2(z: Float64Array, n: number, i: number, d: Float64Array, e: Float64Array): void {
  for (let j = 0; j < i; j++) {
    const col = j * n;
    const f = d[j];
    const g = e[j];
    for (let k = j; k <= i - 1; k++) z[col + k] -= f * e[k] + g * d[k];
    d[j] = z[col + i - 1];
    z[col + i] = 0;
  }
}

/** Accumulating reflection i into Q: for j ≤ i, g = Σ_{k ≤ i} z[i+1][k]·z[j][k], then z[j][k] −= g·d[k]. */
export function tred2AccumulateF64(z: Float64Array, n: number, i: number, d: Float64Array): void {
  const next = (i + 1) * n;
  for (let j = 0; j <= i; j++) {
    const col = j * n;
    let g = 0;
    for (let k = 0; k <= i; k++) g += z[next + k] * z[col + k];
    for (let k = 0; k <= i; k++) z[col + k] -= g * d[k];
  }
}

/**
 * acc[(i − i0)·D + j] += Σ_k gains[k]·rows[k][i]·rows[k][j] for i0 ≤ i < i1 and i ≤ j < D: a block of rows of the upper
 * triangle of U·diag(gains)·Uᵀ (ZCA's W, src/generator/zca.ts). Four eigenvectors per pass, so that each accumulator
 * element is loaded and stored once per four products.
 */
export function gramBlockF64(acc: Float64Array, rows: Float64Array, gains: Float64Array, D: number, i0: number, i1: number): void {
  let k = 0;
  for (; k + 3 < D; k += 4) {
    const u0 = k * D, u1 = u0 + D, u2 = u1 + D, u3 = u2 + D;
    const g0 = gains[k], g1 = gains[k + 1], g2 = gains[k + 2], g3 = gains[k + 3];
    for (let i = i0; i < i1; i++) {
      const s0 = g0 * rows[u0 + i], s1 = g1 * rows[u1 + i], s2 = g2 * rows[u2 + i], s3 = g3 * rows[u3 + i];
      const a = (i - i0) * D;
      for (let j = i; j < D; j++) {
        acc[a + j] += s0 * rows[u0 + j] + s1 * rows[u1 + j] + s2 * rows[u2 + j] + s3 * rows[u3 + j];
      }
    }
  }
  for (; k < D; k++) {
    const u = k * D;
    const g = gains[k];
    for (let i = i0; i < i1; i++) {
      const s = g * rows[u + i];
      const a = (i - i0) * D;
      for (let j = i; j < D; j++) acc[a + j] += s * rows[u + j];
    }
  }
}
