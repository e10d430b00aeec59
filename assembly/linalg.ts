// Float64 linear algebra for ZCA's eigendecomposition (src/linalg/eigen.ts): the Givens rotations of the implicit
// QL sweeps, the O(n³) part of the algorithm, on f64x2 lanes. Same operations in the same order per element as the
// TypeScript twin, so the results are bit-identical.

/**
 * Applies rotations i = m−1, m−2, …, l to the rows of the n×n row-major z: rotation i maps rows (i, i+1) to
 * (c·z_i − s·z_{i+1}, s·z_i + c·z_{i+1}) with c = cosines[i], s = sines[i]. Rotations are chained four at a time
 * so that the row carried from one to the next stays in registers.
 */
export function drotRows(z: usize, n: i32, l: i32, m: i32, cosines: usize, sines: usize): void {
  const rowBytes = <usize>n << 3;
  let i = m - 1;
  for (; i - 3 >= l; i -= 4) {
    const c1 = load<f64>(cosines + (<usize>i << 3)), s1 = load<f64>(sines + (<usize>i << 3));
    const c2 = load<f64>(cosines + (<usize>(i - 1) << 3)), s2 = load<f64>(sines + (<usize>(i - 1) << 3));
    const c3 = load<f64>(cosines + (<usize>(i - 2) << 3)), s3 = load<f64>(sines + (<usize>(i - 2) << 3));
    const c4 = load<f64>(cosines + (<usize>(i - 3) << 3)), s4 = load<f64>(sines + (<usize>(i - 3) << 3));
    const vc1 = f64x2.splat(c1), vs1 = f64x2.splat(s1), vc2 = f64x2.splat(c2), vs2 = f64x2.splat(s2);
    const vc3 = f64x2.splat(c3), vs3 = f64x2.splat(s3), vc4 = f64x2.splat(c4), vs4 = f64x2.splat(s4);
    const r4 = z + <usize>(i + 1) * rowBytes;
    const r3 = r4 - rowBytes, r2 = r3 - rowBytes, r1 = r2 - rowBytes, r0 = r1 - rowBytes;
    let k = 0;
    for (; k + 2 <= n; k += 2) {
      const o = <usize>k << 3;
      let carry = v128.load(r4 + o);
      let b = v128.load(r3 + o);
      v128.store(r4 + o, f64x2.add(f64x2.mul(vs1, b), f64x2.mul(vc1, carry)));
      carry = f64x2.sub(f64x2.mul(vc1, b), f64x2.mul(vs1, carry));
      b = v128.load(r2 + o);
      v128.store(r3 + o, f64x2.add(f64x2.mul(vs2, b), f64x2.mul(vc2, carry)));
      carry = f64x2.sub(f64x2.mul(vc2, b), f64x2.mul(vs2, carry));
      b = v128.load(r1 + o);
      v128.store(r2 + o, f64x2.add(f64x2.mul(vs3, b), f64x2.mul(vc3, carry)));
      carry = f64x2.sub(f64x2.mul(vc3, b), f64x2.mul(vs3, carry));
      b = v128.load(r0 + o);
      v128.store(r1 + o, f64x2.add(f64x2.mul(vs4, b), f64x2.mul(vc4, carry)));
      v128.store(r0 + o, f64x2.sub(f64x2.mul(vc4, b), f64x2.mul(vs4, carry)));
    }
    for (; k < n; k++) {
      const o = <usize>k << 3;
      let carry = load<f64>(r4 + o);
      let b = load<f64>(r3 + o);
      store<f64>(r4 + o, s1 * b + c1 * carry);
      carry = c1 * b - s1 * carry;
      b = load<f64>(r2 + o);
      store<f64>(r3 + o, s2 * b + c2 * carry);
      carry = c2 * b - s2 * carry;
      b = load<f64>(r1 + o);
      store<f64>(r2 + o, s3 * b + c3 * carry);
      carry = c3 * b - s3 * carry;
      b = load<f64>(r0 + o);
      store<f64>(r1 + o, s4 * b + c4 * carry);
      store<f64>(r0 + o, c4 * b - s4 * carry);
    }
  }
  for (; i >= l; i--) {
    const c = load<f64>(cosines + (<usize>i << 3)), s = load<f64>(sines + (<usize>i << 3));
    const vc = f64x2.splat(c), vs = f64x2.splat(s);
    const ri = z + <usize>i * rowBytes, rj = ri + rowBytes;
    let k = 0;
    for (; k + 2 <= n; k += 2) {
      const o = <usize>k << 3;
      const zj = v128.load(rj + o);
      const zi = v128.load(ri + o);
      v128.store(rj + o, f64x2.add(f64x2.mul(vs, zi), f64x2.mul(vc, zj)));
      v128.store(ri + o, f64x2.sub(f64x2.mul(vc, zi), f64x2.mul(vs, zj)));
    }
    for (; k < n; k++) {
      const o = <usize>k << 3;
      const zj = load<f64>(rj + o);
      const zi = load<f64>(ri + o);
      store<f64>(rj + o, s * zi + c * zj);
      store<f64>(ri + o, c * zi - s * zj);
    }
  }
}

// The three O(n²)-per-step loops of the Householder tridiagonalisation, on f64x2 lanes (see src/kernels/linalg.ts for
// the plain form). Dot products are summed in two lanes and then added, so they differ from the twin in the last bits.

@inline function at(base: usize, index: i32): usize {
  return base + (<usize>index << 3);
}

/** p = A·u on the lower triangle; see the TypeScript twin. */
export function dsymvTred2(z: usize, n: i32, i: i32, d: usize, e: usize): void {
  for (let j = 0; j < i; j++) {
    const col = z + <usize>j * (<usize>n << 3);
    const f = load<f64>(at(d, j));
    store<f64>(at(z, i * n + j), f);
    let g = load<f64>(at(e, j)) + load<f64>(at(col, j)) * f;
    const vf = f64x2.splat(f);
    let acc = f64x2.splat(0);
    let k = j + 1;
    for (; k + 2 <= i; k += 2) {
      const v = v128.load(at(col, k));
      acc = f64x2.add(acc, f64x2.mul(v, v128.load(at(d, k))));
      v128.store(at(e, k), f64x2.add(v128.load(at(e, k)), f64x2.mul(v, vf)));
    }
    g += f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
    for (; k < i; k++) {
      const v = load<f64>(at(col, k));
      g += v * load<f64>(at(d, k));
      store<f64>(at(e, k), load<f64>(at(e, k)) + v * f);
    }
    store<f64>(at(e, j), g);
  }
}

/** A ← A − u·qᵀ − q·uᵀ on the lower triangle; see the TypeScript twin. */
export function dsyr2Tred2(z: usize, n: i32, i: i32, d: usize, e: usize): void {
  for (let j = 0; j < i; j++) {
    const col = z + <usize>j * (<usize>n << 3);
    const f = load<f64>(at(d, j));
    const g = load<f64>(at(e, j));
    const vf = f64x2.splat(f), vg = f64x2.splat(g);
    let k = j;
    for (; k + 2 <= i; k += 2) {
      const update = f64x2.add(f64x2.mul(vf, v128.load(at(e, k))), f64x2.mul(vg, v128.load(at(d, k))));
      v128.store(at(col, k), f64x2.sub(v128.load(at(col, k)), update));
    }
    for (; k < i; k++) store<f64>(at(col, k), load<f64>(at(col, k)) - (f * load<f64>(at(e, k)) + g * load<f64>(at(d, k))));
    store<f64>(at(d, j), load<f64>(at(col, i - 1)));
    store<f64>(at(col, i), 0);
  }
}

/** Accumulating reflection i into Q; see the TypeScript twin. */
export function tred2AccumulateF64(z: usize, n: i32, i: i32, d: usize): void {
  const next = z + <usize>(i + 1) * (<usize>n << 3);
  const end = i + 1;
  for (let j = 0; j <= i; j++) {
    const col = z + <usize>j * (<usize>n << 3);
    let acc = f64x2.splat(0);
    let k = 0;
    for (; k + 2 <= end; k += 2) acc = f64x2.add(acc, f64x2.mul(v128.load(at(next, k)), v128.load(at(col, k))));
    let g = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
    for (; k < end; k++) g += load<f64>(at(next, k)) * load<f64>(at(col, k));
    const vg = f64x2.splat(g);
    k = 0;
    for (; k + 2 <= end; k += 2) v128.store(at(col, k), f64x2.sub(v128.load(at(col, k)), f64x2.mul(vg, v128.load(at(d, k)))));
    for (; k < end; k++) store<f64>(at(col, k), load<f64>(at(col, k)) - g * load<f64>(at(d, k)));
  }
}

/**
 * acc[(i − i0)·D + j] += Σ_k gains[k]·rows[k][i]·rows[k][j] for i0 ≤ i < i1 and i ≤ j < D: a block of rows of the
 * upper triangle of U·diag(gains)·Uᵀ (ZCA's W), eigenvectors four at a time, summed in the twin's order (bit-identical).
 */
export function gramBlockF64(acc: usize, rows: usize, gains: usize, D: i32, i0: i32, i1: i32): void {
  const rowBytes = <usize>D << 3;
  let k = 0;
  for (; k + 3 < D; k += 4) {
    const u0 = rows + <usize>k * rowBytes, u1 = u0 + rowBytes, u2 = u1 + rowBytes, u3 = u2 + rowBytes;
    const g0 = load<f64>(at(gains, k)), g1 = load<f64>(at(gains, k + 1)), g2 = load<f64>(at(gains, k + 2)), g3 = load<f64>(at(gains, k + 3));
    for (let i = i0; i < i1; i++) {
      const s0 = g0 * load<f64>(at(u0, i)), s1 = g1 * load<f64>(at(u1, i)), s2 = g2 * load<f64>(at(u2, i)), s3 = g3 * load<f64>(at(u3, i));
      const v0 = f64x2.splat(s0), v1 = f64x2.splat(s1), v2 = f64x2.splat(s2), v3 = f64x2.splat(s3);
      const a = acc + <usize>(i - i0) * rowBytes;
      let j = i;
      for (; j + 2 <= D; j += 2) {
        const o = <usize>j << 3;
        const sum = f64x2.add(f64x2.add(f64x2.add(f64x2.mul(v0, v128.load(u0 + o)), f64x2.mul(v1, v128.load(u1 + o))),
          f64x2.mul(v2, v128.load(u2 + o))), f64x2.mul(v3, v128.load(u3 + o)));
        v128.store(a + o, f64x2.add(v128.load(a + o), sum));
      }
      for (; j < D; j++) {
        const o = <usize>j << 3;
        store<f64>(a + o, load<f64>(a + o) + (s0 * load<f64>(u0 + o) + s1 * load<f64>(u1 + o) + s2 * load<f64>(u2 + o) + s3 * load<f64>(u3 + o)));
      }
    }
  }
  for (; k < D; k++) {
    const u = rows + <usize>k * rowBytes;
    const g = load<f64>(at(gains, k));
    for (let i = i0; i < i1; i++) {
      const s = g * load<f64>(at(u, i));
      const vs = f64x2.splat(s);
      const a = acc + <usize>(i - i0) * rowBytes;
      let j = i;
      for (; j + 2 <= D; j += 2) {
        const o = <usize>j << 3;
        v128.store(a + o, f64x2.add(v128.load(a + o), f64x2.mul(vs, v128.load(u + o))));
      }
      for (; j < D; j++) {
        const o = <usize>j << 3;
        store<f64>(a + o, load<f64>(a + o) + s * load<f64>(u + o));
      }
    }
  }
}
