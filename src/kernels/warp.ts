// TypeScript twin of assembly/warp.ts: the geometric half of augmentation, the readable specification.
//
// For every output pixel (r, c) of every image, the input position is the affine map Keras hands to
// scipy.ndimage.affine_transform (docs/keras-semantics.md, "Augmentation"):
//   y = (r'·m00 + c'·m01) + s0,   x = (r'·m10 + c'·m11) + s1
// with r' = H−1−r under a vertical flip and c' = W−1−c under a horizontal one (Keras flips after the warp, which is
// the same as reading the warped image at the mirrored pixel). The position is mapped into the image by the fill
// mode and sampled with scipy's order 0 or 1 spline, in float64 and in scipy's order of operations, so that the
// value matches scipy's for float32 images bit for bit; only then is it rounded to float32 and scaled by the
// per-channel affine map of standardize: out = f32(f32(v)·mul[c]) + add[c] (mul = 1, add = 0 for the raw warp).
//
// params holds WARP_PARAMS float64 per image: m00, m01, s0, m10, m11, s1, flipHorizontal, flipVertical.

/** Fill modes, as the kernels number them. */
export const FILL_MODES = ['nearest', 'constant', 'reflect', 'wrap'] as const;
export type FillMode = (typeof FILL_MODES)[number];
export const WARP_PARAMS = 8;

/**
 * scipy's map_coordinate: a coordinate outside [0, n−1] brought back by the mode; −1 means "use cval" (constant).
 * 'reflect' is half-sample symmetric (d c b a | a b c d | d c b a); 'wrap' is scipy's historical wrap, whose period is
 * n − 1 (the first and last samples overlap), not n.
 */
export function mapCoordinate(x: number, n: number, mode: number): number {
  if (x < 0) {
    if (mode === 0) return 0;
    if (mode === 1) return -1;
    if (n <= 1) return 0;
    if (mode === 2) {
      const s2 = 2 * n;
      if (x < -s2) x = s2 * Math.trunc(-x / s2) + x;
      return x < -n ? x + s2 : -x - 1;
    }
    const sz = n - 1;
    return x + sz * (Math.trunc(-x / sz) + 1);
  }
  if (x > n - 1) {
    if (mode === 0) return n - 1;
    if (mode === 1) return -1;
    if (n <= 1) return 0;
    if (mode === 2) {
      const s2 = 2 * n;
      x -= s2 * Math.trunc(x / s2);
      return x >= n ? s2 - x - 1 : x;
    }
    const sz = n - 1;
    return x - sz * Math.trunc(x / sz);
  }
  return x;
}

// After mapCoordinate a tap can fall at most one sample outside (reflect maps into (−1, n)); clamping it is scipy's
// half-sample reflection there, and for the other modes it only touches taps whose weight is 0.
function clamp(i: number, n: number): number {
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}

type Pixels = Uint8Array | Float32Array;

function warp(
  out: Float32Array, input: Pixels, params: Float64Array, nImages: number, height: number, width: number, channels: number,
  planar: boolean, mode: number, order: number, cval: number, mul: Float32Array, add: Float32Array,
): void {
  const f32 = Math.fround;
  const plane = height * width;
  const size = plane * channels;
  // Index of (row, col, channel) within one image, in the layout of input and out.
  const stride = planar ? { row: width, col: 1, ch: plane } : { row: width * channels, col: channels, ch: 1 };
  for (let img = 0; img < nImages; img++) {
    const p = img * WARP_PARAMS;
    const [m00, m01, s0, m10, m11, s1] = params.subarray(p, p + 6);
    const flipH = params[p + 6] !== 0;
    const flipV = params[p + 7] !== 0;
    const base = img * size;
    for (let r = 0; r < height; r++) {
      const rr = flipV ? height - 1 - r : r;
      for (let c = 0; c < width; c++) {
        const cc = flipH ? width - 1 - c : c;
        const y = mapCoordinate(rr * m00 + cc * m01 + s0, height, mode);
        const x = mapCoordinate(rr * m10 + cc * m11 + s1, width, mode);
        const o = base + r * stride.row + c * stride.col;
        if (!(y > -1) || !(x > -1)) {
          for (let ch = 0; ch < channels; ch++) out[o + ch * stride.ch] = f32(f32(f32(cval) * mul[ch]) + add[ch]);
          continue;
        }
        if (order === 0) {
          const at = base + clamp(Math.floor(y + 0.5), height) * stride.row + clamp(Math.floor(x + 0.5), width) * stride.col;
          for (let ch = 0; ch < channels; ch++) out[o + ch * stride.ch] = f32(f32(input[at + ch * stride.ch] * mul[ch]) + add[ch]);
          continue;
        }
        // scipy's order-1 weights: w0 = 1 − frac, w1 = 1 − w0; taps summed row-major from t = 0.
        const y0 = Math.floor(y);
        const x0 = Math.floor(x);
        const wy0 = 1 - (y - y0);
        const wy1 = 1 - wy0;
        const wx0 = 1 - (x - x0);
        const wx1 = 1 - wx0;
        const r0 = base + clamp(y0, height) * stride.row;
        const r1 = base + clamp(y0 + 1, height) * stride.row;
        const c0 = clamp(x0, width) * stride.col;
        const c1 = clamp(x0 + 1, width) * stride.col;
        for (let ch = 0; ch < channels; ch++) {
          const k = ch * stride.ch;
          let t = 0;
          t += input[r0 + c0 + k] * wy0 * wx0;
          t += input[r0 + c1 + k] * wy0 * wx1;
          t += input[r1 + c0 + k] * wy1 * wx0;
          t += input[r1 + c1 + k] * wy1 * wx1;
          out[o + k] = f32(f32(f32(t) * mul[ch]) + add[ch]);
        }
      }
    }
  }
}

/** Warps nImages byte images (NHWC, or NCHW when planar) into out, float32, scaled by mul/add per channel. */
export function warpU8(
  out: Float32Array, input: Uint8Array, params: Float64Array, nImages: number, height: number, width: number,
  channels: number, planar: boolean, mode: number, order: number, cval: number, mul: Float32Array, add: Float32Array,
): void {
  warp(out, input, params, nImages, height, width, channels, planar, mode, order, cval, mul, add);
}

/** warpU8 for float32 images. */
export function warpF32(
  out: Float32Array, input: Float32Array, params: Float64Array, nImages: number, height: number, width: number,
  channels: number, planar: boolean, mode: number, order: number, cval: number, mul: Float32Array, add: Float32Array,
): void {
  warp(out, input, params, nImages, height, width, channels, planar, mode, order, cval, mul, add);
}
