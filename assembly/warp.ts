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
  for (let img = 0; img < nImages; img++) {
    const p = params + <usize>img * PARAM_BYTES;
    const m00 = load<f64>(p, 0), m01 = load<f64>(p, 8), s0 = load<f64>(p, 16);
    const m10 = load<f64>(p, 24), m11 = load<f64>(p, 32), s1 = load<f64>(p, 40);
    const flipH = load<f64>(p, 48) != 0;
    const flipV = load<f64>(p, 56) != 0;
    const base = img * size;
    for (let r = 0; r < height; r++) {
      const rr = <f64>(flipV ? height - 1 - r : r);
      for (let c = 0; c < width; c++) {
        const cc = <f64>(flipH ? width - 1 - c : c);
        const y = mapCoordinate(rr * m00 + cc * m01 + s0, height, mode);
        const x = mapCoordinate(rr * m10 + cc * m11 + s1, width, mode);
        const o = out + (<usize>(base + r * rowStride + c * colStride) << 2);
        if (!(y > -1) || !(x > -1)) {
          for (let ch = 0; ch < channels; ch++) {
            const k = <usize>ch << 2;
            store<f32>(o + <usize>(ch * chStride) * 4, fill * load<f32>(mul + k) + load<f32>(add + k));
          }
          continue;
        }
        if (order == 0) {
          const at = base + clampIndex(<i32>Math.floor(y + 0.5), height) * rowStride + clampIndex(<i32>Math.floor(x + 0.5), width) * colStride;
          for (let ch = 0; ch < channels; ch++) {
            const k = <usize>ch << 2;
            const v = <f32>pixel<T>(input, at + ch * chStride);
            store<f32>(o + <usize>(ch * chStride) * 4, v * load<f32>(mul + k) + load<f32>(add + k));
          }
          continue;
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
