// Augmentation's geometry: every output pixel reads the input at Keras' inverse affine map, mapped into the image by
// the fill mode and sampled by scipy's order 0 (nearest) or order 1 (bilinear) spline, then scaled per channel by the
// affine map of standardize. src/kernels/warp.ts is the specification, with the formulas, where they come from and
// the accuracy bound; this file does the same float32 operations in the same order, so both give the same bits.
//
// Speed: coordinates in float32 give four output pixels per f32x4 (the float64 kernel before this one had two per
// f64x2 and converted every tap to float64); for bytes, each pair of taps (x0, x0 + 1) is one 16-bit lane load, eight
// of them fill one v128 with the 16 taps of four pixels, one shuffle sorts them and they widen to f32 four at a
// time (measured +47% over byte-by-byte loads). Taps are kept inside the image (the lower tap at most n − 2), so
// no read goes past it and the border needs no separate path: 'nearest' is a clamp, 'constant' a select; only
// 'reflect' and 'wrap' take the scalar path, for the groups of four where a coordinate falls outside.
//
// params: 8 f64 per image: m00, m01, s0, m10, m11, s1, flipHorizontal, flipVertical.
// mode: 0 nearest, 1 constant, 2 reflect (half-sample), 3 wrap (scipy's historical wrap, period n − 1).
// Layout: interleaved channels (NHWC) or planar (NCHW); C in 1..4. Pointers are byte offsets; nothing is allocated.

const PARAM_BYTES: usize = 8 * 8;

// scipy's map_coordinate for a coordinate outside [0, n − 1] under 'reflect' (2) or 'wrap' (3), in float64.
@inline function mapCoordinate(x: f64, n: i32, mode: i32): f64 {
  if (n <= 1) return 0;
  const len = <f64>n;
  if (mode == 2) {
    const s2 = 2 * len;
    if (x < 0) {
      if (x < -s2) x = s2 * Math.trunc(-x / s2) + x;
      return x < -len ? x + s2 : -x - 1;
    }
    x -= s2 * Math.trunc(x / s2);
    return x >= len ? s2 - x - 1 : x;
  }
  const sz = len - 1;
  return x < 0 ? x + sz * (Math.trunc(-x / sz) + 1) : x - sz * Math.trunc(x / sz);
}

@inline function clampCoordinate(x: f32, last: f32): f32 {
  x = 0 < x ? x : 0;
  return last < x ? last : x;
}

@inline function pixel<T>(input: usize, index: i32): f32 {
  return <f32>load<T>(input + (<usize>index << alignof<T>()));
}

// One output pixel, every channel, from its float32 coordinates (y, x): the scalar path (row tails, several
// interleaved channels, 'reflect' and 'wrap' outside the image). Strides are in elements; base is the image's.
function warpPixel<T>(
  o: usize, input: usize, base: i32, y: f32, x: f32, height: i32, width: i32, channels: i32, rowStride: i32,
  colStride: i32, chStride: i32, mode: i32, order: i32, fill: f32, mul: usize, add: usize,
): void {
  const lastRow = <f32>(height - 1);
  const lastCol = <f32>(width - 1);
  const inside = y >= 0 && y <= lastRow && x >= 0 && x <= lastCol;
  if (!inside) {
    if (mode == 1) {
      for (let ch = 0; ch < channels; ch++) {
        const k = <usize>ch << 2;
        store<f32>(o + <usize>(ch * chStride) * 4, fill * load<f32>(mul + k) + load<f32>(add + k));
      }
      return;
    }
    if (mode >= 2) {
      if (!(y >= 0 && y <= lastRow)) y = <f32>mapCoordinate(<f64>y, height, mode);
      if (!(x >= 0 && x <= lastCol)) x = <f32>mapCoordinate(<f64>x, width, mode);
    }
  }
  y = clampCoordinate(y, lastRow);
  x = clampCoordinate(x, lastCol);
  if (order == 0) {
    const at = base + <i32>Mathf.floor(y + 0.5) * rowStride + <i32>Mathf.floor(x + 0.5) * colStride;
    for (let ch = 0; ch < channels; ch++) {
      const k = <usize>ch << 2;
      store<f32>(o + <usize>(ch * chStride) * 4, pixel<T>(input, at + ch * chStride) * load<f32>(mul + k) + load<f32>(add + k));
    }
    return;
  }
  const y0 = min(<i32>Mathf.floor(y), max(height - 2, 0));
  const x0 = min(<i32>Mathf.floor(x), max(width - 2, 0));
  const fy = y - <f32>y0;
  const fx = x - <f32>x0;
  const nextRow = height > 1 ? rowStride : 0;
  const nextCol = width > 1 ? colStride : 0;
  const a = base + y0 * rowStride + x0 * colStride;
  for (let ch = 0; ch < channels; ch++) {
    const k = a + ch * chStride;
    const v00 = pixel<T>(input, k), v01 = pixel<T>(input, k + nextCol);
    const v10 = pixel<T>(input, k + nextRow), v11 = pixel<T>(input, k + nextRow + nextCol);
    const top = v00 + fx * (v01 - v00);
    const bottom = v10 + fx * (v11 - v10);
    const v = top + fy * (bottom - top);
    const q = <usize>ch << 2;
    store<f32>(o + <usize>(ch * chStride) * 4, v * load<f32>(mul + q) + load<f32>(add + q));
  }
}

@inline function loadNearest<T>(input: usize, at: v128): v128 {
  const a0 = <usize>i32x4.extract_lane(at, 0), a1 = <usize>i32x4.extract_lane(at, 1);
  const a2 = <usize>i32x4.extract_lane(at, 2), a3 = <usize>i32x4.extract_lane(at, 3);
  if (sizeof<T>() == 1) {
    let q = v128.load8_lane(input + a0, i32x4.splat(0), 0);
    q = v128.load8_lane(input + a1, q, 4);
    q = v128.load8_lane(input + a2, q, 8);
    q = v128.load8_lane(input + a3, q, 12);
    return f32x4.convert_i32x4_s(q);
  }
  let q = v128.load32_lane(input + (a0 << 2), i32x4.splat(0), 0);
  q = v128.load32_lane(input + (a1 << 2), q, 1);
  q = v128.load32_lane(input + (a2 << 2), q, 2);
  return v128.load32_lane(input + (a3 << 2), q, 3);
}

// One plane of one image (one channel: the whole image when C = 1, or one plane of a planar image), four output
// pixels at a time; the last width % 4 pixels of a row take the scalar path. Needs width ≥ 2 (tap pairs).
function warpPlane<T>(
  out: usize, input: usize, base: i32, height: i32, width: i32, m00: f64, m01: f32, s0: f64, m10: f64, m11: f32, s1: f64,
  flipH: bool, flipV: bool, mode: i32, order: i32, fill: f32, mul: usize, add: usize,
): void {
  const zero = f32x4.splat(0);
  const half = f32x4.splat(0.5);
  const lastRow = f32x4.splat(<f32>(height - 1));
  const lastCol = f32x4.splat(<f32>(width - 1));
  const topRow = f32x4.splat(<f32>max(height - 2, 0));
  const leftCol = f32x4.splat(<f32>(width - 2));
  const down: usize = height > 1 ? <usize>width : 0;
  const vm01 = f32x4.splat(m01), vm11 = f32x4.splat(m11);
  const vmul = f32x4.splat(load<f32>(mul)), vadd = f32x4.splat(load<f32>(add));
  const vfill = f32x4.splat(fill * load<f32>(mul) + load<f32>(add));
  const vstride = i32x4.splat(width), vbase = i32x4.splat(base);
  const step = f32x4.splat(flipH ? -4 : 4);
  const first = flipH ? f32x4(<f32>(width - 1), <f32>(width - 2), <f32>(width - 3), <f32>(width - 4)) : f32x4(0, 1, 2, 3);
  for (let r = 0; r < height; r++) {
    const rr = <f64>(flipV ? height - 1 - r : r);
    const rowY = <f32>(rr * m00 + s0);
    const rowX = <f32>(rr * m10 + s1);
    const vy = f32x4.splat(rowY), vx = f32x4.splat(rowX);
    const row = out + (<usize>(base + r * width) << 2);
    let cols = first;
    let c = 0;
    for (; c + 4 <= width; c += 4, cols = f32x4.add(cols, step)) {
      let y = f32x4.add(vy, f32x4.mul(cols, vm01));
      let x = f32x4.add(vx, f32x4.mul(cols, vm11));
      const o = row + (<usize>c << 2);
      // Which lanes lie inside the image: 'nearest' (the default) never asks, its clamp below is the whole rule.
      let inside = zero;
      if (mode != 0) {
        inside = v128.and(
          v128.and(f32x4.ge(y, zero), f32x4.le(y, lastRow)),
          v128.and(f32x4.ge(x, zero), f32x4.le(x, lastCol)),
        );
      }
      if (mode >= 2 && !i32x4.all_true(inside)) {
        warpPixel<T>(o, input, base, f32x4.extract_lane(y, 0), f32x4.extract_lane(x, 0), height, width, 1, width, 1, 1, mode, order, fill, mul, add);
        warpPixel<T>(o + 4, input, base, f32x4.extract_lane(y, 1), f32x4.extract_lane(x, 1), height, width, 1, width, 1, 1, mode, order, fill, mul, add);
        warpPixel<T>(o + 8, input, base, f32x4.extract_lane(y, 2), f32x4.extract_lane(x, 2), height, width, 1, width, 1, 1, mode, order, fill, mul, add);
        warpPixel<T>(o + 12, input, base, f32x4.extract_lane(y, 3), f32x4.extract_lane(x, 3), height, width, 1, width, 1, 1, mode, order, fill, mul, add);
        continue;
      }
      y = f32x4.pmin(f32x4.pmax(zero, y), lastRow);
      x = f32x4.pmin(f32x4.pmax(zero, x), lastCol);
      let v: v128;
      if (order == 0) {
        const at = i32x4.add(
          i32x4.mul(i32x4.trunc_sat_f32x4_s(f32x4.floor(f32x4.add(y, half))), vstride),
          i32x4.add(i32x4.trunc_sat_f32x4_s(f32x4.floor(f32x4.add(x, half))), vbase),
        );
        v = loadNearest<T>(input, at);
      } else {
        // pmin, not min: one instruction (min's NaN and ±0 rules cost several, and cannot occur here)
        const y0 = f32x4.pmin(f32x4.floor(y), topRow);
        const x0 = f32x4.pmin(f32x4.floor(x), leftCol);
        const fy = f32x4.sub(y, y0);
        const fx = f32x4.sub(x, x0);
        const at = i32x4.add(
          i32x4.mul(i32x4.trunc_sat_f32x4_s(y0), vstride),
          i32x4.add(i32x4.trunc_sat_f32x4_s(x0), vbase),
        );
        const a0 = <usize>i32x4.extract_lane(at, 0), a1 = <usize>i32x4.extract_lane(at, 1);
        const a2 = <usize>i32x4.extract_lane(at, 2), a3 = <usize>i32x4.extract_lane(at, 3);
        let t00: v128, t01: v128, t10: v128, t11: v128;
        if (sizeof<T>() == 1) {
          const b0 = input + a0, b1 = input + a1, b2 = input + a2, b3 = input + a3;
          // Two chains of lane loads (upper and lower row), so that the second does not wait for the first.
          let u = v128.load16_lane(b0, zero, 0);
          let l = v128.load16_lane(b0 + down, zero, 0);
          u = v128.load16_lane(b1, u, 1);
          l = v128.load16_lane(b1 + down, l, 1);
          u = v128.load16_lane(b2, u, 2);
          l = v128.load16_lane(b2 + down, l, 2);
          u = v128.load16_lane(b3, u, 3);
          l = v128.load16_lane(b3 + down, l, 3);
          // bytes: x0 x1 of pixels 0..3 on the upper row, then on the lower row → v00 v01 v10 v11, four bytes each
          const q = i8x16.shuffle(u, l, 0, 2, 4, 6, 1, 3, 5, 7, 16, 18, 20, 22, 17, 19, 21, 23);
          const upper = i16x8.extend_low_i8x16_u(q);
          const lower = i16x8.extend_high_i8x16_u(q);
          // Signed conversion: the same for 0..255, and one instruction where the unsigned one is several.
          t00 = f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(upper));
          t01 = f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_u(upper));
          t10 = f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(lower));
          t11 = f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_u(lower));
        } else {
          const b0 = input + (a0 << 2), b1 = input + (a1 << 2), b2 = input + (a2 << 2), b3 = input + (a3 << 2);
          const d = down << 2;
          let p = v128.load64_lane(b0, zero, 0);
          p = v128.load64_lane(b1, p, 1);
          let q = v128.load64_lane(b2, zero, 0);
          q = v128.load64_lane(b3, q, 1);
          t00 = i32x4.shuffle(p, q, 0, 2, 4, 6);
          t01 = i32x4.shuffle(p, q, 1, 3, 5, 7);
          p = v128.load64_lane(b0 + d, zero, 0);
          p = v128.load64_lane(b1 + d, p, 1);
          q = v128.load64_lane(b2 + d, zero, 0);
          q = v128.load64_lane(b3 + d, q, 1);
          t10 = i32x4.shuffle(p, q, 0, 2, 4, 6);
          t11 = i32x4.shuffle(p, q, 1, 3, 5, 7);
        }
        const top = f32x4.add(t00, f32x4.mul(fx, f32x4.sub(t01, t00)));
        const bottom = f32x4.add(t10, f32x4.mul(fx, f32x4.sub(t11, t10)));
        v = f32x4.add(top, f32x4.mul(fy, f32x4.sub(bottom, top)));
      }
      v = f32x4.add(f32x4.mul(v, vmul), vadd);
      if (mode == 1) v = v128.bitselect(v, vfill, inside);
      v128.store(o, v);
    }
    for (; c < width; c++) {
      const cc = <f32>(flipH ? width - 1 - c : c);
      warpPixel<T>(row + (<usize>c << 2), input, base, rowY + cc * m01, rowX + cc * m11, height, width, 1, width, 1, 1,
        mode, order, fill, mul, add);
    }
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
  // One channel, or planes: the vector path, plane by plane (each plane is a one-channel image).
  const byPlane = (channels == 1 || planar) && width >= 2;
  for (let img = 0; img < nImages; img++) {
    const p = params + <usize>img * PARAM_BYTES;
    const m00 = load<f64>(p, 0), s0 = load<f64>(p, 16), m10 = load<f64>(p, 24), s1 = load<f64>(p, 40);
    const m01 = <f32>load<f64>(p, 8), m11 = <f32>load<f64>(p, 32);
    const flipH = load<f64>(p, 48) != 0;
    const flipV = load<f64>(p, 56) != 0;
    const base = img * size;
    if (byPlane) {
      for (let ch = 0; ch < channels; ch++) {
        const k = <usize>ch << 2;
        warpPlane<T>(out, input, base + ch * plane, height, width, m00, m01, s0, m10, m11, s1, flipH, flipV, mode, order,
          fill, mul + k, add + k);
      }
      continue;
    }
    for (let r = 0; r < height; r++) {
      const rr = <f64>(flipV ? height - 1 - r : r);
      const rowY = <f32>(rr * m00 + s0);
      const rowX = <f32>(rr * m10 + s1);
      for (let c = 0; c < width; c++) {
        const cc = <f32>(flipH ? width - 1 - c : c);
        const o = out + (<usize>(base + r * rowStride + c * colStride) << 2);
        warpPixel<T>(o, input, base, rowY + cc * m01, rowX + cc * m11, height, width, channels, rowStride, colStride,
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
