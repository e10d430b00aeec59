// TypeScript twin of assembly/jpeg.ts: the pixel stages of JPEG decoding as libjpeg-turbo computes them (its default
// "islow" IDCT, "fancy" chroma upsampling and YCbCr → RGB), integer for integer, so that pixprep's decoder
// (src/image/jpeg.ts) gives PIL's bytes. The entropy decoding stays in src/image/jpeg.ts; these are the loops
// over every sample.

// jidctint.c's constants: FIX(x) = round(x · 2^13); CONST_BITS 13, PASS1_BITS 2.
const F_0_298 = 2446, F_0_390 = 3196, F_0_541 = 4433, F_0_765 = 6270, F_0_899 = 7373, F_1_175 = 9633,
  F_1_501 = 12299, F_1_847 = 15137, F_1_961 = 16069, F_2_053 = 16819, F_2_562 = 20995, F_3_072 = 25172;

/** libjpeg's range limit after the IDCT: (x + 128) clamped, with its table's wrap-around for |x| ≥ 512. */
function rangeLimit(x: number): number {
  const i = x & 1023;
  return i < 128 ? i + 128 : i < 512 ? 255 : i < 896 ? 0 : i - 896;
}

const ws = new Int32Array(64);

/**
 * The accurate integer IDCT (jidctint.c jpeg_idct_islow) of blocksPerLine × blocksPerColumn blocks of 64
 * coefficients (natural order, not yet dequantized; quant is the table in natural order) into a plane of
 * blocksPerLine · 8 samples per row.
 */
export function jpegIdctIslow(out: Uint8Array, coefficients: Int32Array, quant: Int32Array, blocksPerLine: number,
  blocksPerColumn: number): void {
  const stride = blocksPerLine * 8;
  const q = quant;
  for (let br = 0; br < blocksPerColumn; br++) {
    for (let bc = 0; bc < blocksPerLine; bc++) {
      const c0 = (br * blocksPerLine + bc) * 64;
      const offset = br * 8 * stride + bc * 8;
      for (let col = 0; col < 8; col++) {
        const i = c0 + col;
        const coef = coefficients;
        if (coef[i + 8] === 0 && coef[i + 16] === 0 && coef[i + 24] === 0 && coef[i + 32] === 0 && coef[i + 40] === 0 &&
          coef[i + 48] === 0 && coef[i + 56] === 0) {
          // The full computation with every AC term 0: libjpeg's (dc << PASS1_BITS) wherever no i32 wraps (every
          // real image), and the wasm SIMD kernel's value (it has no shortcut) everywhere.
          const dc = (((coef[i] * q[col]) << 13) + 1024) >> 11;
          for (let r = 0; r < 8; r++) ws[r * 8 + col] = dc;
          continue;
        }
        let z2 = coef[i + 16] * q[col + 16];
        let z3 = coef[i + 48] * q[col + 48];
        let z1 = Math.imul(z2 + z3, F_0_541);
        let tmp2 = z1 + Math.imul(z3, -F_1_847);
        let tmp3 = z1 + Math.imul(z2, F_0_765);
        z2 = coef[i] * q[col];
        z3 = coef[i + 32] * q[col + 32];
        let tmp0 = (z2 + z3) << 13;
        let tmp1 = (z2 - z3) << 13;
        const tmp10 = tmp0 + tmp3;
        const tmp13 = tmp0 - tmp3;
        const tmp11 = tmp1 + tmp2;
        const tmp12 = tmp1 - tmp2;
        tmp3 = coef[i + 8] * q[col + 8];
        tmp2 = coef[i + 24] * q[col + 24];
        tmp1 = coef[i + 40] * q[col + 40];
        tmp0 = coef[i + 56] * q[col + 56];
        let z4 = tmp1 + tmp3;
        z3 = tmp0 + tmp2;
        z2 = tmp1 + tmp2;
        z1 = tmp0 + tmp3;
        const z5 = Math.imul(z3 + z4, F_1_175);
        tmp3 = Math.imul(tmp3, F_1_501);
        tmp2 = Math.imul(tmp2, F_3_072);
        tmp1 = Math.imul(tmp1, F_2_053);
        tmp0 = Math.imul(tmp0, F_0_298);
        z4 = Math.imul(z4, -F_0_390) + z5;
        z3 = Math.imul(z3, -F_1_961) + z5;
        z1 = Math.imul(z1, -F_0_899);
        z2 = Math.imul(z2, -F_2_562);
        tmp3 += z1 + z4;
        tmp2 += z2 + z3;
        tmp1 += z2 + z4;
        tmp0 += z1 + z3;
        ws[col] = (tmp10 + tmp3 + 1024) >> 11;
        ws[56 + col] = (tmp10 - tmp3 + 1024) >> 11;
        ws[8 + col] = (tmp11 + tmp2 + 1024) >> 11;
        ws[48 + col] = (tmp11 - tmp2 + 1024) >> 11;
        ws[16 + col] = (tmp12 + tmp1 + 1024) >> 11;
        ws[40 + col] = (tmp12 - tmp1 + 1024) >> 11;
        ws[24 + col] = (tmp13 + tmp0 + 1024) >> 11;
        ws[32 + col] = (tmp13 - tmp0 + 1024) >> 11;
      }
      for (let row = 0; row < 8; row++) {
        const w = row * 8;
        const o = offset + row * stride;
        if (ws[w + 1] === 0 && ws[w + 2] === 0 && ws[w + 3] === 0 && ws[w + 4] === 0 && ws[w + 5] === 0 && ws[w + 6] === 0 && ws[w + 7] === 0) {
          const dc = rangeLimit(((ws[w] << 13) + 131072) >> 18); // libjpeg's (ws + 16) >> 5 unless it wraps
          for (let k = 0; k < 8; k++) out[o + k] = dc;
          continue;
        }
        let z2 = ws[w + 2];
        let z3 = ws[w + 6];
        let z1 = Math.imul(z2 + z3, F_0_541);
        let tmp0 = (ws[w] + ws[w + 4]) << 13;
        let tmp3 = z1 + Math.imul(z2, F_0_765);
        let tmp1 = (ws[w] - ws[w + 4]) << 13;
        let tmp2 = z1 + Math.imul(z3, -F_1_847);
        const tmp10 = tmp0 + tmp3;
        const tmp13 = tmp0 - tmp3;
        const tmp11 = tmp1 + tmp2;
        const tmp12 = tmp1 - tmp2;
        tmp3 = ws[w + 1];
        tmp2 = ws[w + 3];
        tmp1 = ws[w + 5];
        tmp0 = ws[w + 7];
        let z4 = tmp1 + tmp3;
        z3 = tmp0 + tmp2;
        z2 = tmp1 + tmp2;
        z1 = tmp0 + tmp3;
        const z5 = Math.imul(z3 + z4, F_1_175);
        tmp3 = Math.imul(tmp3, F_1_501);
        tmp2 = Math.imul(tmp2, F_3_072);
        tmp1 = Math.imul(tmp1, F_2_053);
        tmp0 = Math.imul(tmp0, F_0_298);
        z4 = Math.imul(z4, -F_0_390) + z5;
        z3 = Math.imul(z3, -F_1_961) + z5;
        z2 = Math.imul(z2, -F_2_562);
        z1 = Math.imul(z1, -F_0_899);
        tmp3 += z1 + z4;
        tmp2 += z2 + z3;
        tmp1 += z2 + z4;
        tmp0 += z1 + z3;
        // DESCALE by CONST_BITS + PASS1_BITS + 3 = 18.
        out[o] = rangeLimit((tmp10 + tmp3 + 131072) >> 18);
        out[o + 7] = rangeLimit((tmp10 - tmp3 + 131072) >> 18);
        out[o + 1] = rangeLimit((tmp11 + tmp2 + 131072) >> 18);
        out[o + 6] = rangeLimit((tmp11 - tmp2 + 131072) >> 18);
        out[o + 2] = rangeLimit((tmp12 + tmp1 + 131072) >> 18);
        out[o + 5] = rangeLimit((tmp12 - tmp1 + 131072) >> 18);
        out[o + 3] = rangeLimit((tmp13 + tmp0 + 131072) >> 18);
        out[o + 4] = rangeLimit((tmp13 - tmp0 + 131072) >> 18);
      }
    }
  }
}

/**
 * libjpeg's h2v2 "fancy" upsampling (jdsample.c h2v2_fancy_upsample) of a plane (stride samples per row, its real
 * size inWidth × inHeight, inWidth > 2) to width × height (at most twice the real size; outStride samples per row
 * of out): a triangle filter, 9/16,
 * 3/16, 3/16, 1/16, with rounding biases 8 and 7 alternating; the rows beyond the edges repeat the edge rows.
 * h2v1 (vertical factor 1) is the same filter in one dimension (jdsample.c h2v1_fancy_upsample, biases 1 and 2).
 */
export function jpegUpsampleFancy(out: Uint8Array, outStride: number, plane: Uint8Array, stride: number, inWidth: number,
  inHeight: number, width: number, height: number, vertical: boolean): void {
  const dw = inWidth;
  for (let y = 0; y < height; y++) {
    const o = y * outStride;
    if (!vertical) {
      const r = y * stride;
      let v = plane[r];
      out[o] = v;
      if (1 < width) out[o + 1] = (v * 3 + plane[r + 1] + 2) >> 2;
      for (let x = 1; x < dw - 1; x++) {
        v = plane[r + x] * 3;
        if (2 * x < width) out[o + 2 * x] = (v + plane[r + x - 1] + 1) >> 2;
        if (2 * x + 1 < width) out[o + 2 * x + 1] = (v + plane[r + x + 1] + 2) >> 2;
      }
      v = plane[r + dw - 1];
      if (2 * dw - 2 < width) out[o + 2 * dw - 2] = (v * 3 + plane[r + dw - 2] + 1) >> 2;
      if (2 * dw - 1 < width) out[o + 2 * dw - 1] = v;
      continue;
    }
    const inRow = y >> 1;
    const farRow = (y & 1) === 0 ? inRow - 1 : inRow + 1;
    const near = Math.min(inRow, inHeight - 1) * stride;
    const far = Math.min(Math.max(farRow, 0), inHeight - 1) * stride;
    let thisSum = plane[near] * 3 + plane[far];
    let nextSum = plane[near + 1] * 3 + plane[far + 1];
    out[o] = (thisSum * 4 + 8) >> 4;
    if (1 < width) out[o + 1] = (thisSum * 3 + nextSum + 7) >> 4;
    let lastSum = thisSum;
    thisSum = nextSum;
    for (let x = 2; x < dw; x++) {
      nextSum = plane[near + x] * 3 + plane[far + x];
      if (2 * x - 2 < width) out[o + 2 * x - 2] = (thisSum * 3 + lastSum + 8) >> 4;
      if (2 * x - 1 < width) out[o + 2 * x - 1] = (thisSum * 3 + nextSum + 7) >> 4;
      lastSum = thisSum;
      thisSum = nextSum;
    }
    if (2 * dw - 2 < width) out[o + 2 * dw - 2] = (thisSum * 3 + lastSum + 8) >> 4;
    if (2 * dw - 1 < width) out[o + 2 * dw - 1] = (thisSum * 4 + 7) >> 4;
  }
}

/**
 * YCbCr → RGB as jdcolor.c: R = Y + ((91881 (Cr − 128) + 32768) >> 16), G = Y + ((−22554 (Cb − 128) − 46802
 * (Cr − 128) + 32768) >> 16), B = Y + ((116130 (Cb − 128) + 32768) >> 16), each clamped to 0..255 (its tables
 * hold exactly these integers: FIX(1.402) = 91881, FIX(0.34414) = 22554, FIX(0.71414) = 46802, FIX(1.772) = 116130).
 * y/cb/cr are full-size planes of `stride` samples per row; out is width × height RGB, interleaved.
 */
export function jpegYccToRgb(out: Uint8Array, y: Uint8Array, cb: Uint8Array, cr: Uint8Array, width: number, height: number,
  stride: number): void {
  for (let row = 0; row < height; row++) {
    for (let x = 0, i = row * stride, o = row * width * 3; x < width; x++, i++, o += 3) {
      const l = y[i];
      const b = cb[i] - 128;
      const r = cr[i] - 128;
      const R = l + ((91881 * r + 32768) >> 16);
      const G = l + ((-22554 * b - 46802 * r + 32768) >> 16);
      const B = l + ((116130 * b + 32768) >> 16);
      out[o] = R < 0 ? 0 : R > 255 ? 255 : R;
      out[o + 1] = G < 0 ? 0 : G > 255 ? 255 : G;
      out[o + 2] = B < 0 ? 0 : B > 255 ? 255 : B;
    }
  }
}
