// The pixel stages of JPEG decoding as libjpeg-turbo computes them (src/kernels/jpeg.ts is the twin and says what
// each kernel computes and why): the islow IDCT (i32x4 lanes), fancy upsampling (16 outputs a step), YCbCr → RGB (16 pixels
// at a time). The integer arithmetic is the specification: every SIMD form here gives the scalar code's bytes.

const F_0_298: i32 = 2446, F_0_390: i32 = 3196, F_0_541: i32 = 4433, F_0_765: i32 = 6270, F_0_899: i32 = 7373,
  F_1_175: i32 = 9633, F_1_501: i32 = 12299, F_1_847: i32 = 15137, F_1_961: i32 = 16069, F_2_053: i32 = 16819,
  F_2_562: i32 = 20995, F_3_072: i32 = 25172;

// The IDCT's 8×8 workspaces: after pass 1, its transpose, the pass-2 output and its transpose (i32, 256 bytes each).
const ws = memory.data(1024, 16);

@inline function k4(c: i32): v128 {
  return i32x4.splat(c);
}

/**
 * One islow pass on four independent 1-D transforms at once (lanes): the eight inputs x_k = load(src + k·32) (times
 * the quantization table's load(q + k·32) in pass 1), jidctint.c's even and odd parts in i32x4 arithmetic (it wraps
 * as the scalar i32 code does), the outputs descaled by `shift` with rounding into dst + k·32. Pass 2 adds libjpeg's
 * range limit: (x & 1023) through its table is ((x + 512) & 1023) − 512 + 128 clamped to 0..255 (the clamp is done
 * by the saturating narrows that store the bytes).
 */
@inline function islowPass(dst: usize, src: usize, q: usize, pass1: bool): void {
  let x0 = v128.load(src), x1 = v128.load(src, 32), x2 = v128.load(src, 64), x3 = v128.load(src, 96);
  let x4 = v128.load(src, 128), x5 = v128.load(src, 160), x6 = v128.load(src, 192), x7 = v128.load(src, 224);
  if (pass1) {
    x0 = i32x4.mul(x0, v128.load(q)); x1 = i32x4.mul(x1, v128.load(q, 32));
    x2 = i32x4.mul(x2, v128.load(q, 64)); x3 = i32x4.mul(x3, v128.load(q, 96));
    x4 = i32x4.mul(x4, v128.load(q, 128)); x5 = i32x4.mul(x5, v128.load(q, 160));
    x6 = i32x4.mul(x6, v128.load(q, 192)); x7 = i32x4.mul(x7, v128.load(q, 224));
  }
  // Even part.
  let z1 = i32x4.mul(i32x4.add(x2, x6), k4(F_0_541));
  let tmp2 = i32x4.add(z1, i32x4.mul(x6, k4(-F_1_847)));
  let tmp3 = i32x4.add(z1, i32x4.mul(x2, k4(F_0_765)));
  let tmp0 = i32x4.shl(i32x4.add(x0, x4), 13);
  let tmp1 = i32x4.shl(i32x4.sub(x0, x4), 13);
  const tmp10 = i32x4.add(tmp0, tmp3);
  const tmp13 = i32x4.sub(tmp0, tmp3);
  const tmp11 = i32x4.add(tmp1, tmp2);
  const tmp12 = i32x4.sub(tmp1, tmp2);
  // Odd part.
  let z4 = i32x4.add(x5, x1);
  let z3 = i32x4.add(x7, x3);
  let z2 = i32x4.add(x5, x3);
  z1 = i32x4.add(x7, x1);
  const z5 = i32x4.mul(i32x4.add(z3, z4), k4(F_1_175));
  tmp3 = i32x4.mul(x1, k4(F_1_501));
  tmp2 = i32x4.mul(x3, k4(F_3_072));
  tmp1 = i32x4.mul(x5, k4(F_2_053));
  tmp0 = i32x4.mul(x7, k4(F_0_298));
  z4 = i32x4.add(i32x4.mul(z4, k4(-F_0_390)), z5);
  z3 = i32x4.add(i32x4.mul(z3, k4(-F_1_961)), z5);
  z1 = i32x4.mul(z1, k4(-F_0_899));
  z2 = i32x4.mul(z2, k4(-F_2_562));
  tmp3 = i32x4.add(tmp3, i32x4.add(z1, z4));
  tmp2 = i32x4.add(tmp2, i32x4.add(z2, z3));
  tmp1 = i32x4.add(tmp1, i32x4.add(z2, z4));
  tmp0 = i32x4.add(tmp0, i32x4.add(z1, z3));
  const round = k4(pass1 ? 1024 : 131072);
  const shift = pass1 ? 11 : 18;
  let y0 = i32x4.shr_s(i32x4.add(i32x4.add(tmp10, tmp3), round), shift);
  let y7 = i32x4.shr_s(i32x4.add(i32x4.sub(tmp10, tmp3), round), shift);
  let y1 = i32x4.shr_s(i32x4.add(i32x4.add(tmp11, tmp2), round), shift);
  let y6 = i32x4.shr_s(i32x4.add(i32x4.sub(tmp11, tmp2), round), shift);
  let y2 = i32x4.shr_s(i32x4.add(i32x4.add(tmp12, tmp1), round), shift);
  let y5 = i32x4.shr_s(i32x4.add(i32x4.sub(tmp12, tmp1), round), shift);
  let y3 = i32x4.shr_s(i32x4.add(i32x4.add(tmp13, tmp0), round), shift);
  let y4 = i32x4.shr_s(i32x4.add(i32x4.sub(tmp13, tmp0), round), shift);
  if (!pass1) {
    const mask = k4(1023), bias = k4(512), centre = k4(384);
    y0 = i32x4.sub(v128.and(i32x4.add(y0, bias), mask), centre);
    y1 = i32x4.sub(v128.and(i32x4.add(y1, bias), mask), centre);
    y2 = i32x4.sub(v128.and(i32x4.add(y2, bias), mask), centre);
    y3 = i32x4.sub(v128.and(i32x4.add(y3, bias), mask), centre);
    y4 = i32x4.sub(v128.and(i32x4.add(y4, bias), mask), centre);
    y5 = i32x4.sub(v128.and(i32x4.add(y5, bias), mask), centre);
    y6 = i32x4.sub(v128.and(i32x4.add(y6, bias), mask), centre);
    y7 = i32x4.sub(v128.and(i32x4.add(y7, bias), mask), centre);
  }
  v128.store(dst, y0); v128.store(dst, y1, 32); v128.store(dst, y2, 64); v128.store(dst, y3, 96);
  v128.store(dst, y4, 128); v128.store(dst, y5, 160); v128.store(dst, y6, 192); v128.store(dst, y7, 224);
}

/** The 8×8 i32 matrix at src (rows of 32 bytes) transposed into dst, as four 4×4 transposes of lanes. */
@inline function transpose8(dst: usize, src: usize): void {
  for (let bi = 0; bi < 2; bi++) {
    for (let bj = 0; bj < 2; bj++) {
      const s = src + <usize>(bi * 128 + bj * 16);
      const a0 = v128.load(s), a1 = v128.load(s, 32), a2 = v128.load(s, 64), a3 = v128.load(s, 96);
      const t0 = i32x4.shuffle(a0, a1, 0, 4, 1, 5);
      const t1 = i32x4.shuffle(a2, a3, 0, 4, 1, 5);
      const t2 = i32x4.shuffle(a0, a1, 2, 6, 3, 7);
      const t3 = i32x4.shuffle(a2, a3, 2, 6, 3, 7);
      const d = dst + <usize>(bj * 128 + bi * 16);
      v128.store(d, i64x2.shuffle(t0, t1, 0, 2));
      v128.store(d, i64x2.shuffle(t0, t1, 1, 3), 32);
      v128.store(d, i64x2.shuffle(t2, t3, 0, 2), 64);
      v128.store(d, i64x2.shuffle(t2, t3, 1, 3), 96);
    }
  }
}

// jidctint.c's islow in i32x4 lanes, bit-exact with the scalar code of the twin (the same i32 operations in the
// same order; libjpeg's DC-only shortcuts give the full computation's result, so none is needed): pass 1 on four
// columns at a time, a transpose, pass 2 on four rows at a time, a transpose back, bytes by saturating narrows.
export function jpegIdctIslow(out: usize, coefficients: usize, quant: usize, blocksPerLine: i32, blocksPerColumn: i32): void {
  const stride = <usize>blocksPerLine * 8;
  const w1 = ws, w2 = ws + 256, w3 = ws + 512, w4 = ws + 768;
  for (let br = 0; br < blocksPerColumn; br++) {
    for (let bc = 0; bc < blocksPerLine; bc++) {
      const block = coefficients + ((<usize>(br * blocksPerLine + bc) * 64) << 2);
      const o = out + <usize>br * 8 * stride + <usize>bc * 8;
      islowPass(w1, block, quant, true);
      islowPass(w1 + 16, block + 16, quant + 16, true);
      transpose8(w2, w1);
      islowPass(w3, w2, 0, false);
      islowPass(w3 + 16, w2 + 16, 0, false);
      transpose8(w4, w3);
      for (let r = 0; r < 8; r += 2) {
        const row = w4 + <usize>r * 32;
        const lo = i16x8.narrow_i32x4_s(v128.load(row), v128.load(row, 16));
        const hi = i16x8.narrow_i32x4_s(v128.load(row, 32), v128.load(row, 48));
        const bytes = i8x16.narrow_i16x8_u(lo, hi);
        store<u64>(o + <usize>r * stride, i64x2.extract_lane(bytes, 0));
        store<u64>(o + <usize>(r + 1) * stride, i64x2.extract_lane(bytes, 1));
      }
    }
  }
}

@inline function px(p: usize, i: i32): i32 {
  return <i32>load<u8>(p + <usize>i);
}
@inline function put(o: usize, i: i32, width: i32, v: i32): void {
  if (i < width) store<u8>(o + <usize>i, <u8>v);
}

// Eight input samples → sixteen outputs per step where the whole step lies inside the row (1 ≤ x, x + 8 < inWidth,
// 2x + 16 ≤ width): the twin's formulas on i16x8 column sums (at most 4·1020 + 8, exact), the even and odd outputs
// interleaved by one shuffle. The first columns, the last ones and rows narrower than a step run the scalar code.
@inline function sums(near: usize, far: usize, x: i32): v128 {
  const n = v128.load8x8_u(near + <usize>x);
  return i16x8.add(i16x8.add(i16x8.add(n, n), n), v128.load8x8_u(far + <usize>x));
}
@inline function interleave(even: v128, odd: v128): v128 {
  return i8x16.shuffle(i8x16.narrow_i16x8_u(even, odd), even, 0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15);
}

export function jpegUpsampleFancy(out: usize, outStride: i32, plane: usize, stride: i32, inWidth: i32, inHeight: i32,
  width: i32, height: i32, vertical: bool): void {
  const dw = inWidth;
  for (let y = 0; y < height; y++) {
    const o = out + <usize>y * <usize>outStride;
    if (!vertical) {
      const r = plane + <usize>y * <usize>stride;
      let v = px(r, 0);
      put(o, 0, width, v);
      put(o, 1, width, (v * 3 + px(r, 1) + 2) >> 2);
      let x = 1;
      for (; x + 8 < dw && 2 * x + 16 <= width; x += 8) {
        const c = v128.load8x8_u(r + <usize>x);
        const c3 = i16x8.add(i16x8.add(c, c), c);
        const even = i16x8.shr_u(i16x8.add(i16x8.add(c3, v128.load8x8_u(r + <usize>(x - 1))), i16x8.splat(1)), 2);
        const odd = i16x8.shr_u(i16x8.add(i16x8.add(c3, v128.load8x8_u(r + <usize>(x + 1))), i16x8.splat(2)), 2);
        v128.store(o + <usize>(2 * x), interleave(even, odd));
      }
      for (; x < dw - 1; x++) {
        v = px(r, x) * 3;
        put(o, 2 * x, width, (v + px(r, x - 1) + 1) >> 2);
        put(o, 2 * x + 1, width, (v + px(r, x + 1) + 2) >> 2);
      }
      v = px(r, dw - 1);
      put(o, 2 * dw - 2, width, (v * 3 + px(r, dw - 2) + 1) >> 2);
      put(o, 2 * dw - 1, width, v);
      continue;
    }
    const inRow = y >> 1;
    const farRow = (y & 1) == 0 ? inRow - 1 : inRow + 1;
    const near = plane + <usize>min(inRow, inHeight - 1) * <usize>stride;
    const far = plane + <usize>min(max(farRow, 0), inHeight - 1) * <usize>stride;
    let thisSum = px(near, 0) * 3 + px(far, 0);
    put(o, 0, width, (thisSum * 4 + 8) >> 4);
    put(o, 1, width, (thisSum * 3 + px(near, 1) * 3 + px(far, 1) + 7) >> 4);
    // Output pair x (columns 2x, 2x + 1) from the column sums at x − 1, x, x + 1.
    let x = 1;
    for (; x + 8 < dw && 2 * x + 16 <= width; x += 8) {
      const c = sums(near, far, x);
      const c3 = i16x8.add(i16x8.add(c, c), c);
      const even = i16x8.shr_u(i16x8.add(i16x8.add(c3, sums(near, far, x - 1)), i16x8.splat(8)), 4);
      const odd = i16x8.shr_u(i16x8.add(i16x8.add(c3, sums(near, far, x + 1)), i16x8.splat(7)), 4);
      v128.store(o + <usize>(2 * x), interleave(even, odd));
    }
    let lastSum = px(near, x - 1) * 3 + px(far, x - 1);
    thisSum = px(near, x) * 3 + px(far, x);
    for (; x < dw - 1; x++) {
      const nextSum = px(near, x + 1) * 3 + px(far, x + 1);
      put(o, 2 * x, width, (thisSum * 3 + lastSum + 8) >> 4);
      put(o, 2 * x + 1, width, (thisSum * 3 + nextSum + 7) >> 4);
      lastSum = thisSum;
      thisSum = nextSum;
    }
    put(o, 2 * dw - 2, width, (thisSum * 3 + lastSum + 8) >> 4);
    put(o, 2 * dw - 1, width, (thisSum * 4 + 7) >> 4);
  }
}

@inline function clamp8(v: i32): u8 {
  return <u8>(v < 0 ? 0 : v > 255 ? 255 : v);
}

@inline function chR(y: v128, r: v128): v128 {
  return i32x4.add(y, i32x4.shr_s(i32x4.add(i32x4.mul(r, i32x4.splat(91881)), i32x4.splat(32768)), 16));
}
@inline function chG(y: v128, b: v128, r: v128): v128 {
  return i32x4.add(y, i32x4.shr_s(i32x4.add(i32x4.add(i32x4.mul(b, i32x4.splat(-22554)), i32x4.mul(r, i32x4.splat(-46802))),
    i32x4.splat(32768)), 16));
}
@inline function chB(y: v128, b: v128): v128 {
  return i32x4.add(y, i32x4.shr_s(i32x4.add(i32x4.mul(b, i32x4.splat(116130)), i32x4.splat(32768)), 16));
}
/** Four i32x4 → 16 bytes, saturating to 0..255 (the clamp of libjpeg's range_limit). */
@inline function pack(a: v128, b: v128, c: v128, d: v128): v128 {
  return i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(a, b), i16x8.narrow_i32x4_s(c, d));
}
@inline function centred(v: v128): v128 {
  return i32x4.sub(v, i32x4.splat(128));
}

// 16 pixels at a time: the three planes widened to i32 (exact: every intermediate is under 2^24), the formulas
// of the scalar tail, then R, G, B interleaved into 48 bytes by two shuffles per output vector.
export function jpegYccToRgb(out: usize, y: usize, cb: usize, cr: usize, width: i32, height: i32, stride: i32): void {
  for (let row = 0; row < height; row++) {
    const rowIn = <usize>row * <usize>stride;
    let o = out + <usize>row * <usize>width * 3;
    let x = 0;
    for (; x + 16 <= width; x += 16, o += 48) {
      const i = rowIn + <usize>x;
      const Y = v128.load(y + i);
      const B = v128.load(cb + i);
      const R = v128.load(cr + i);
      const yl = i16x8.extend_low_i8x16_u(Y), yh = i16x8.extend_high_i8x16_u(Y);
      const bl = i16x8.extend_low_i8x16_u(B), bh = i16x8.extend_high_i8x16_u(B);
      const rl = i16x8.extend_low_i8x16_u(R), rh = i16x8.extend_high_i8x16_u(R);
      const y0 = i32x4.extend_low_i16x8_u(yl), y1 = i32x4.extend_high_i16x8_u(yl);
      const y2 = i32x4.extend_low_i16x8_u(yh), y3 = i32x4.extend_high_i16x8_u(yh);
      const b0 = centred(i32x4.extend_low_i16x8_u(bl)), b1 = centred(i32x4.extend_high_i16x8_u(bl));
      const b2 = centred(i32x4.extend_low_i16x8_u(bh)), b3 = centred(i32x4.extend_high_i16x8_u(bh));
      const r0 = centred(i32x4.extend_low_i16x8_u(rl)), r1 = centred(i32x4.extend_high_i16x8_u(rl));
      const r2 = centred(i32x4.extend_low_i16x8_u(rh)), r3 = centred(i32x4.extend_high_i16x8_u(rh));
      const vr = pack(chR(y0, r0), chR(y1, r1), chR(y2, r2), chR(y3, r3));
      const vg = pack(chG(y0, b0, r0), chG(y1, b1, r1), chG(y2, b2, r2), chG(y3, b3, r3));
      const vb = pack(chB(y0, b0), chB(y1, b1), chB(y2, b2), chB(y3, b3));
      // out0 = R0 G0 B0 R1 G1 B1 R2 G2 B2 R3 G3 B3 R4 G4 B4 R5
      const t0 = i8x16.shuffle(vr, vg, 0, 16, 0, 1, 17, 0, 2, 18, 0, 3, 19, 0, 4, 20, 0, 5);
      v128.store(o, i8x16.shuffle(t0, vb, 0, 1, 16, 3, 4, 17, 6, 7, 18, 9, 10, 19, 12, 13, 20, 15));
      // out1 = G5 B5 R6 G6 B6 R7 G7 B7 R8 G8 B8 R9 G9 B9 R10 G10
      const t1 = i8x16.shuffle(vr, vg, 21, 0, 6, 22, 0, 7, 23, 0, 8, 24, 0, 9, 25, 0, 10, 26);
      v128.store(o + 16, i8x16.shuffle(t1, vb, 0, 21, 2, 3, 22, 5, 6, 23, 8, 9, 24, 11, 12, 25, 14, 15));
      // out2 = B10 R11 G11 B11 R12 G12 B12 R13 G13 B13 R14 G14 B14 R15 G15 B15
      const t2 = i8x16.shuffle(vr, vg, 0, 11, 27, 0, 12, 28, 0, 13, 29, 0, 14, 30, 0, 15, 31, 0);
      v128.store(o + 32, i8x16.shuffle(t2, vb, 26, 1, 2, 27, 4, 5, 28, 7, 8, 29, 10, 11, 30, 13, 14, 31));
    }
    for (; x < width; x++, o += 3) {
      const i = rowIn + <usize>x;
      const l = <i32>load<u8>(y + i);
      const b = <i32>load<u8>(cb + i) - 128;
      const r = <i32>load<u8>(cr + i) - 128;
      store<u8>(o, clamp8(l + ((91881 * r + 32768) >> 16)));
      store<u8>(o, clamp8(l + ((-22554 * b - 46802 * r + 32768) >> 16)), 1);
      store<u8>(o, clamp8(l + ((116130 * b + 32768) >> 16)), 2);
    }
  }
}
