// The pixel stages of JPEG decoding as libjpeg-turbo computes them (src/kernels/jpeg.ts is the twin and says what
// each kernel computes and why): the islow IDCT, fancy upsampling, YCbCr → RGB. Scalar i32 code: the integer
// arithmetic is the specification, and V8's JIT already runs the TypeScript twin well; wasm wins by having no
// bounds checks and no deoptimisation on these loops.

const F_0_298: i32 = 2446, F_0_390: i32 = 3196, F_0_541: i32 = 4433, F_0_765: i32 = 6270, F_0_899: i32 = 7373,
  F_1_175: i32 = 9633, F_1_501: i32 = 12299, F_1_847: i32 = 15137, F_1_961: i32 = 16069, F_2_053: i32 = 16819,
  F_2_562: i32 = 20995, F_3_072: i32 = 25172;

@inline function rangeLimit(x: i32): u8 {
  const i = x & 1023;
  return <u8>(i < 128 ? i + 128 : i < 512 ? 255 : i < 896 ? 0 : i - 896);
}

// The IDCT's 8×8 workspace between its two passes.
const ws = memory.data(256, 16);

@inline function coefAt(c: usize, k: i32): i32 {
  return load<i32>(c + (<usize>k << 2));
}
@inline function qAt(q: usize, k: i32): i32 {
  return load<i32>(q + (<usize>k << 2));
}
@inline function wsGet(k: i32): i32 {
  return load<i32>(ws + (<usize>k << 2));
}
@inline function wsSet(k: i32, v: i32): void {
  store<i32>(ws + (<usize>k << 2), v);
}

export function jpegIdctIslow(out: usize, coefficients: usize, quant: usize, blocksPerLine: i32, blocksPerColumn: i32): void {
  const stride = <usize>blocksPerLine * 8;
  for (let br = 0; br < blocksPerColumn; br++) {
    for (let bc = 0; bc < blocksPerLine; bc++) {
      const block = coefficients + ((<usize>(br * blocksPerLine + bc) * 64) << 2);
      const offset = out + <usize>br * 8 * stride + <usize>bc * 8;
      for (let col = 0; col < 8; col++) {
        const c = block + (<usize>col << 2);
        if ((load<i32>(c, 32) | load<i32>(c, 64) | load<i32>(c, 96) | load<i32>(c, 128) | load<i32>(c, 160) |
          load<i32>(c, 192) | load<i32>(c, 224)) == 0) {
          const dc = (coefAt(c, 0) * qAt(quant, col)) << 2;
          for (let r = 0; r < 8; r++) wsSet(r * 8 + col, dc);
          continue;
        }
        let z2 = coefAt(c, 16) * qAt(quant, col + 16);
        let z3 = coefAt(c, 48) * qAt(quant, col + 48);
        let z1 = (z2 + z3) * F_0_541;
        let tmp2 = z1 + z3 * -F_1_847;
        let tmp3 = z1 + z2 * F_0_765;
        z2 = coefAt(c, 0) * qAt(quant, col);
        z3 = coefAt(c, 32) * qAt(quant, col + 32);
        let tmp0 = (z2 + z3) << 13;
        let tmp1 = (z2 - z3) << 13;
        const tmp10 = tmp0 + tmp3;
        const tmp13 = tmp0 - tmp3;
        const tmp11 = tmp1 + tmp2;
        const tmp12 = tmp1 - tmp2;
        tmp3 = coefAt(c, 8) * qAt(quant, col + 8);
        tmp2 = coefAt(c, 24) * qAt(quant, col + 24);
        tmp1 = coefAt(c, 40) * qAt(quant, col + 40);
        tmp0 = coefAt(c, 56) * qAt(quant, col + 56);
        let z4 = tmp1 + tmp3;
        z3 = tmp0 + tmp2;
        z2 = tmp1 + tmp2;
        z1 = tmp0 + tmp3;
        const z5 = (z3 + z4) * F_1_175;
        tmp3 = tmp3 * F_1_501;
        tmp2 = tmp2 * F_3_072;
        tmp1 = tmp1 * F_2_053;
        tmp0 = tmp0 * F_0_298;
        z4 = z4 * -F_0_390 + z5;
        z3 = z3 * -F_1_961 + z5;
        z1 = z1 * -F_0_899;
        z2 = z2 * -F_2_562;
        tmp3 += z1 + z4;
        tmp2 += z2 + z3;
        tmp1 += z2 + z4;
        tmp0 += z1 + z3;
        wsSet(col, (tmp10 + tmp3 + 1024) >> 11);
        wsSet(56 + col, (tmp10 - tmp3 + 1024) >> 11);
        wsSet(8 + col, (tmp11 + tmp2 + 1024) >> 11);
        wsSet(48 + col, (tmp11 - tmp2 + 1024) >> 11);
        wsSet(16 + col, (tmp12 + tmp1 + 1024) >> 11);
        wsSet(40 + col, (tmp12 - tmp1 + 1024) >> 11);
        wsSet(24 + col, (tmp13 + tmp0 + 1024) >> 11);
        wsSet(32 + col, (tmp13 - tmp0 + 1024) >> 11);
      }
      for (let row = 0; row < 8; row++) {
        const w = row * 8;
        const o = offset + <usize>row * stride;
        if ((wsGet(w + 1) | wsGet(w + 2) | wsGet(w + 3) | wsGet(w + 4) | wsGet(w + 5) | wsGet(w + 6) | wsGet(w + 7)) == 0) {
          const dc = rangeLimit((wsGet(w) + 16) >> 5);
          memory.fill(o, dc, 8);
          continue;
        }
        let z2 = wsGet(w + 2);
        let z3 = wsGet(w + 6);
        let z1 = (z2 + z3) * F_0_541;
        let tmp0 = (wsGet(w) + wsGet(w + 4)) << 13;
        let tmp3 = z1 + z2 * F_0_765;
        let tmp1 = (wsGet(w) - wsGet(w + 4)) << 13;
        let tmp2 = z1 + z3 * -F_1_847;
        const tmp10 = tmp0 + tmp3;
        const tmp13 = tmp0 - tmp3;
        const tmp11 = tmp1 + tmp2;
        const tmp12 = tmp1 - tmp2;
        tmp3 = wsGet(w + 1);
        tmp2 = wsGet(w + 3);
        tmp1 = wsGet(w + 5);
        tmp0 = wsGet(w + 7);
        let z4 = tmp1 + tmp3;
        z3 = tmp0 + tmp2;
        z2 = tmp1 + tmp2;
        z1 = tmp0 + tmp3;
        const z5 = (z3 + z4) * F_1_175;
        tmp3 = tmp3 * F_1_501;
        tmp2 = tmp2 * F_3_072;
        tmp1 = tmp1 * F_2_053;
        tmp0 = tmp0 * F_0_298;
        z4 = z4 * -F_0_390 + z5;
        z3 = z3 * -F_1_961 + z5;
        z2 = z2 * -F_2_562;
        z1 = z1 * -F_0_899;
        tmp3 += z1 + z4;
        tmp2 += z2 + z3;
        tmp1 += z2 + z4;
        tmp0 += z1 + z3;
        store<u8>(o, rangeLimit((tmp10 + tmp3 + 131072) >> 18));
        store<u8>(o, rangeLimit((tmp10 - tmp3 + 131072) >> 18), 7);
        store<u8>(o, rangeLimit((tmp11 + tmp2 + 131072) >> 18), 1);
        store<u8>(o, rangeLimit((tmp11 - tmp2 + 131072) >> 18), 6);
        store<u8>(o, rangeLimit((tmp12 + tmp1 + 131072) >> 18), 2);
        store<u8>(o, rangeLimit((tmp12 - tmp1 + 131072) >> 18), 5);
        store<u8>(o, rangeLimit((tmp13 + tmp0 + 131072) >> 18), 3);
        store<u8>(o, rangeLimit((tmp13 - tmp0 + 131072) >> 18), 4);
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
      for (let x = 1; x < dw - 1; x++) {
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
    let nextSum = px(near, 1) * 3 + px(far, 1);
    put(o, 0, width, (thisSum * 4 + 8) >> 4);
    put(o, 1, width, (thisSum * 3 + nextSum + 7) >> 4);
    let lastSum = thisSum;
    thisSum = nextSum;
    // Interior columns: both outputs always inside the row when 2x - 1 < width.
    let x = 2;
    for (; x < dw && 2 * x - 1 < width; x++) {
      nextSum = px(near, x) * 3 + px(far, x);
      store<u8>(o + <usize>(2 * x - 2), <u8>((thisSum * 3 + lastSum + 8) >> 4));
      store<u8>(o + <usize>(2 * x - 1), <u8>((thisSum * 3 + nextSum + 7) >> 4));
      lastSum = thisSum;
      thisSum = nextSum;
    }
    for (; x < dw; x++) {
      nextSum = px(near, x) * 3 + px(far, x);
      put(o, 2 * x - 2, width, (thisSum * 3 + lastSum + 8) >> 4);
      put(o, 2 * x - 1, width, (thisSum * 3 + nextSum + 7) >> 4);
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
