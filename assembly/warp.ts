// Augmentation's geometry: every output pixel reads the input at Keras' inverse affine map, mapped into the image by
// the fill mode and sampled by scipy's order 0 (nearest) or order 1 (bilinear) spline, then scaled per channel by the
// affine map of standardize. src/kernels/warp.ts is the specification, with the formulas and where they come from;
// this file does the same float64 operations in the same order, so both backends give the same float32 bits.
//
// params: 8 f64 per image: m00, m01, s0, m10, m11, s1, flipHorizontal, flipVertical.
// mode: 0 nearest, 1 constant, 2 reflect (half-sample), 3 wrap (scipy's historical wrap, period n − 1).
// Layout: interleaved channels (NHWC) or planar (NCHW); C in 1..4. Pointers are byte offsets; nothing is allocated.

const PARAM_BYTES: usize = 8 * 8;

// scipy's map_coordinate (see the TypeScript twin); returns −1 for "outside, use cval".
@inline function mapCoordinate(x: f64, n: i32, mode: i32): f64 {
  const len = <f64>n;
  if (x < 0) {
    if (mode == 0) return 0;
    if (mode == 1) return -1;
    if (n <= 1) return 0;
    if (mode == 2) {
      const s2 = 2 * len;
      if (x < -s2) x = s2 * Math.trunc(-x / s2) + x;
      return x < -len ? x + s2 : -x - 1;
    }
    const sz = len - 1;
    return x + sz * (Math.trunc(-x / sz) + 1);
  }
  if (x > len - 1) {
    if (mode == 0) return len - 1;
    if (mode == 1) return -1;
    if (n <= 1) return 0;
    if (mode == 2) {
      const s2 = 2 * len;
      x -= s2 * Math.trunc(x / s2);
      return x >= len ? s2 - x - 1 : x;
    }
    const sz = len - 1;
    return x - sz * Math.trunc(x / sz);
  }
  return x;
}

@inline function clampIndex(i: i32, n: i32): i32 {
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}

@inline function pixel<T>(input: usize, index: i32): f64 {
  return <f64>load<T>(input + (<usize>index << alignof<T>()));
}

// One output pixel, every channel: the scalar path (edges, fill modes, order 0, several channels).
@inline function warpPixel<T>(
  o: usize, input: usize, base: i32, y: f64, x: f64, height: i32, width: i32, channels: i32, rowStride: i32,
  colStride: i32, chStride: i32, mode: i32, order: i32, fill: f32, mul: usize, add: usize,
): void {
  y = mapCoordinate(y, height, mode);
  x = mapCoordinate(x, width, mode);
  if (!(y > -1) || !(x > -1)) {
    for (let ch = 0; ch < channels; ch++) {
      const k = <usize>ch << 2;
      store<f32>(o + <usize>(ch * chStride) * 4, fill * load<f32>(mul + k) + load<f32>(add + k));
    }
    return;
  }
  if (order == 0) {
    const at = base + clampIndex(<i32>Math.floor(y + 0.5), height) * rowStride + clampIndex(<i32>Math.floor(x + 0.5), width) * colStride;
    for (let ch = 0; ch < channels; ch++) {
      const k = <usize>ch << 2;
      const v = <f32>pixel<T>(input, at + ch * chStride);
      store<f32>(o + <usize>(ch * chStride) * 4, v * load<f32>(mul + k) + load<f32>(add + k));
    }
    return;
  }
  const fy = Math.floor(y);
  const fx = Math.floor(x);
  const y0 = <i32>fy;
  const x0 = <i32>fx;
  const wy0 = 1 - (y - fy);
  const wy1 = 1 - wy0;
  const wx0 = 1 - (x - fx);
  const wx1 = 1 - wx0;
  const r0 = base + clampIndex(y0, height) * rowStride;
  const r1 = base + clampIndex(y0 + 1, height) * rowStride;
  const c0 = clampIndex(x0, width) * colStride;
  const c1 = clampIndex(x0 + 1, width) * colStride;
  for (let ch = 0; ch < channels; ch++) {
    const k = ch * chStride;
    let t: f64 = 0;
    t += pixel<T>(input, r0 + c0 + k) * wy0 * wx0;
    t += pixel<T>(input, r0 + c1 + k) * wy0 * wx1;
    t += pixel<T>(input, r1 + c0 + k) * wy1 * wx0;
    t += pixel<T>(input, r1 + c1 + k) * wy1 * wx1;
    const q = <usize>ch << 2;
    store<f32>(o + <usize>k * 4, <f32>t * load<f32>(mul + q) + load<f32>(add + q));
  }
}

function warp<T>(
  out: usize, input: usize, params: usize, nImages: i32, height: i32, width: i32, channels: i32, planar: bool,
  mode: i32, order: i32, cval: f64, mul: usize, add: usize,
): void {
  const plane = height * width;
  const size = plane * channels;
  const rowStride = planar ? width : width * channels;
  const colStride = planar ? 1 : channels;
  const chStride = planar ? plane : 1;
  const fill = <f32>cval;
  // One-channel bilinear (MNIST's case) takes two pixels at a time in f64x2 where all four taps of both lie inside
  // the image: the fill mode cannot matter there, and each lane does the scalar path's float64 operations in the
  // same order, so the results are the same bits.
  const pairs = channels == 1 && order == 1;
  const one = f64x2.splat(1);
  const zero = f64x2.splat(0);
  const lastRow = f64x2.splat(<f64>(height - 1));
  const lastCol = f64x2.splat(<f64>(width - 1));
  const mul0 = f32x4.splat(load<f32>(mul));
  const add0 = f32x4.splat(load<f32>(add));
  for (let img = 0; img < nImages; img++) {
    const p = params + <usize>img * PARAM_BYTES;
    const m00 = load<f64>(p, 0), m01 = load<f64>(p, 8), s0 = load<f64>(p, 16);
    const m10 = load<f64>(p, 24), m11 = load<f64>(p, 32), s1 = load<f64>(p, 40);
    const flipH = load<f64>(p, 48) != 0;
    const flipV = load<f64>(p, 56) != 0;
    const base = img * size;
    const vm01 = f64x2.splat(m01), vm11 = f64x2.splat(m11), vs0 = f64x2.splat(s0), vs1 = f64x2.splat(s1);
    // Column numbers c' of a pair (c, c + 1), and their step: reversed under a horizontal flip.
    const step = f64x2.splat(flipH ? -2 : 2);
    for (let r = 0; r < height; r++) {
      const rr = <f64>(flipV ? height - 1 - r : r);
      const ry = rr * m00;
      const rx = rr * m10;
      let c = 0;
      if (pairs) {
        const vry = f64x2.splat(ry), vrx = f64x2.splat(rx);
        let cols = flipH ? f64x2(<f64>(width - 1), <f64>(width - 2)) : f64x2(0, 1);
        for (; c + 2 <= width; c += 2, cols = f64x2.add(cols, step)) {
          const yv = f64x2.add(f64x2.add(vry, f64x2.mul(cols, vm01)), vs0);
          const xv = f64x2.add(f64x2.add(vrx, f64x2.mul(cols, vm11)), vs1);
          const o = out + (<usize>(base + r * rowStride + c) << 2);
          const inside = v128.and(
            v128.and(f64x2.ge(yv, zero), f64x2.lt(yv, lastRow)),
            v128.and(f64x2.ge(xv, zero), f64x2.lt(xv, lastCol)),
          );
          if (!i64x2.all_true(inside)) {
            warpPixel<T>(o, input, base, f64x2.extract_lane(yv, 0), f64x2.extract_lane(xv, 0), height, width, 1, rowStride, 1, 1, mode, order, fill, mul, add);
            warpPixel<T>(o + 4, input, base, f64x2.extract_lane(yv, 1), f64x2.extract_lane(xv, 1), height, width, 1, rowStride, 1, 1, mode, order, fill, mul, add);
            continue;
          }
          const fy = f64x2.floor(yv);
          const fx = f64x2.floor(xv);
          const wy0 = f64x2.sub(one, f64x2.sub(yv, fy));
          const wy1 = f64x2.sub(one, wy0);
          const wx0 = f64x2.sub(one, f64x2.sub(xv, fx));
          const wx1 = f64x2.sub(one, wx0);
          const at = i32x4.add(
            i32x4.mul(i32x4.trunc_sat_f64x2_s_zero(fy), i32x4.splat(rowStride)),
            i32x4.add(i32x4.trunc_sat_f64x2_s_zero(fx), i32x4.splat(base)),
          );
          const a = i32x4.extract_lane(at, 0);
          const b = i32x4.extract_lane(at, 1);
          let v00: v128, v01: v128, v10: v128, v11: v128;
          if (sizeof<T>() == 1) {
            // Bytes: each tap pair (x0, x0 + 1) is one 16-bit lane load (the pair is inside the image here), the
            // eight bytes are put in lane order by one shuffle and widened to f64 (exact) four at a time.
            let q = v128.load16_lane(input + <usize>a, zero, 0);
            q = v128.load16_lane(input + <usize>b, q, 1);
            q = v128.load16_lane(input + <usize>(a + rowStride), q, 2);
            q = v128.load16_lane(input + <usize>(b + rowStride), q, 3);
            q = i8x16.shuffle(q, q, 0, 2, 1, 3, 4, 6, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15);
            const words = i16x8.extend_low_i8x16_u(q);
            const top = i32x4.extend_low_i16x8_u(words);
            const bottom = i32x4.extend_high_i16x8_u(words);
            v00 = f64x2.convert_low_i32x4_u(top);
            v01 = f64x2.convert_low_i32x4_u(i8x16.shuffle(top, top, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7));
            v10 = f64x2.convert_low_i32x4_u(bottom);
            v11 = f64x2.convert_low_i32x4_u(i8x16.shuffle(bottom, bottom, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7));
          } else {
            v00 = f64x2(pixel<T>(input, a), pixel<T>(input, b));
            v01 = f64x2(pixel<T>(input, a + 1), pixel<T>(input, b + 1));
            v10 = f64x2(pixel<T>(input, a + rowStride), pixel<T>(input, b + rowStride));
            v11 = f64x2(pixel<T>(input, a + rowStride + 1), pixel<T>(input, b + rowStride + 1));
          }
          let t = f64x2.add(zero, f64x2.mul(f64x2.mul(v00, wy0), wx0));
          t = f64x2.add(t, f64x2.mul(f64x2.mul(v01, wy0), wx1));
          t = f64x2.add(t, f64x2.mul(f64x2.mul(v10, wy1), wx0));
          t = f64x2.add(t, f64x2.mul(f64x2.mul(v11, wy1), wx1));
          const scaled = f32x4.add(f32x4.mul(f32x4.demote_f64x2_zero(t), mul0), add0);
          v128.store64_lane(o, scaled, 0);
        }
      }
      for (; c < width; c++) {
        const cc = <f64>(flipH ? width - 1 - c : c);
        const o = out + (<usize>(base + r * rowStride + c * colStride) << 2);
        warpPixel<T>(o, input, base, ry + cc * m01 + s0, rx + cc * m11 + s1, height, width, channels, rowStride, colStride,
          chStride, mode, order, fill, mul, add);
      }
    }
  }
}

/** Warps nImages byte images into out (f32), scaled by mul/add per channel; see the file comment. */
export function warpU8(
  out: usize, input: usize, params: usize, nImages: i32, height: i32, width: i32, channels: i32, planar: bool,
  mode: i32, order: i32, cval: f64, mul: usize, add: usize,
): void {
  warp<u8>(out, input, params, nImages, height, width, channels, planar, mode, order, cval, mul, add);
}

/** warpU8 for f32 images. */
export function warpF32(
  out: usize, input: usize, params: usize, nImages: i32, height: i32, width: i32, channels: i32, planar: bool,
  mode: i32, order: i32, cval: f64, mul: usize, add: usize,
): void {
  warp<f32>(out, input, params, nImages, height, width, channels, planar, mode, order, cval, mul, add);
}
