// Float64 linear algebra for ZCA's eigendecomposition (src/linalg/eigen.ts): the Givens rotations of the implicit
// QL sweeps, the O(n³) part of the algorithm, on f64x2 lanes. Same operations in the same order per element as the
// TypeScript twin, so the results are bit-identical.

/**
 * Applies rotations i = m−1, m−2, …, l to the rows of the n×n row-major z: rotation i maps rows (i, i+1) to
 * (c·z_i − s·z_{i+1}, s·z_i + c·z_{i+1}) with c = cosines[i], s = sines[i]. Rotations are chained four at a time
 * so that the row carried from one to the next stays in registers.
 */
export function rotateRowsF64(z: usize, n: i32, l: i32, m: i32, cosines: usize, sines: usize): void {
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
