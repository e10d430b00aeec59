// TypeScript twin of assembly/warp.ts: the geometric half of augmentation, the readable specification.
//
// For every output pixel (r, c) of every image, the input position is the affine map Keras hands to
// scipy.ndimage.affine_transform (docs/keras-semantics.md, "Augmentation"):
//   y = (r'·m00 + s0) + c'·m01,   x = (r'·m10 + s1) + c'·m11
// with r' = H−1−r under a vertical flip and c' = W−1−c under a horizontal one (Keras flips after the warp, which is
// the same as reading the warped image at the mirrored pixel). scipy computes this in float64; pixprep computes it
// in float32, which is what lets the kernel take four pixels per SIMD instruction (about 4× the float64 kernel it
// replaced, measured in bench/cases/augment.ts): the row term r'·m00 + s0 once per row in float64, rounded to
// float32; the column term c'·f32(m01) in float32; one float32 sum. Every float32 operation is written out below
// (f32 = Math.fround) so that the WASM kernel, doing the same operations lane by lane, gives the same bits.
//
// Accuracy against scipy (warpTolerance states it; the tests and the bench check it): each rounding above is at
// most u = 2⁻²⁴ relative, so a coordinate is off by at most δ = u·(|R| + 2|C| + |y|) (R the row term, C the column
// term), plus u·n where 'reflect' or 'wrap' maps it (a float64 step on the float32 value, rounded once). Bilinear
// sampling is Lipschitz with constant L = the largest difference between two pixels, so the value is off by at most
// L·(δy + δx), plus the float32 arithmetic of the three interpolations (≤ 12u·max|pixel|). For 28×28 digits
// (coordinates within ±60) that is below 255·2·300u ≈ 0.01 of 255. Order 0 picks the nearer sample; where a
// coordinate lies within δ of a midpoint (k + 0.5) either neighbour is a correct answer.
//
// Sampling, as scipy's order 0 and order 1 splines with scipy's fill modes (mapCoordinate below): a coordinate
// outside [0, n−1] is cval under 'constant', clamped under 'nearest', mapped back under 'reflect' and 'wrap'; then it
// is clamped into [0, n−1], which is scipy's rule for the taps too (a tap beyond the last sample reads the last
// sample, so between n−1 and n under 'reflect' the value is the last sample's). Bilinear is the lerp of two lerps,
// out of taps (y0, y0 + 1) with y0 = min(⌊y⌋, n − 2), so both taps lie inside the image and no read goes past it.
// The value is then scaled by the per-channel affine map of standardize: out = f32(f32(v·mul[c]) + add[c]).
//
// params holds WARP_PARAMS float64 per image: m00, m01, s0, m10, m11, s1, flipHorizontal, flipVertical.

/** Fill modes, as the kernels number them. */
export const FILL_MODES = ['nearest', 'constant', 'reflect', 'wrap'] as const;
export type FillMode = (typeof FILL_MODES)[number];
export const WARP_PARAMS = 8;

const f32 = Math.fround;

/**
 * scipy's map_coordinate for a coordinate outside [0, n−1], under 'reflect' (2) or 'wrap' (3), in float64.
 * 'reflect' is half-sample symmetric (d c b a | a b c d | d c b a); 'wrap' is scipy's historical wrap, whose period
 * is n − 1 (the first and last samples overlap), not n. The result lies in (−1, n).
 */
export function mapCoordinate(x: number, n: number, mode: number): number {
  if (n <= 1) return 0;
  if (mode === 2) {
    const s2 = 2 * n;
    if (x < 0) {
      if (x < -s2) x = s2 * Math.trunc(-x / s2) + x;
      return x < -n ? x + s2 : -x - 1;
    }
    x -= s2 * Math.trunc(x / s2);
    return x >= n ? s2 - x - 1 : x;
  }
  const sz = n - 1;
  return x < 0 ? x + sz * (Math.trunc(-x / sz) + 1) : x - sz * Math.trunc(x / sz);
}

/** Keeps x in [0, last]; NaN becomes 0 (the WASM kernel's pmax/pmin do the same). */
function clampCoordinate(x: number, last: number): number {
  x = 0 < x ? x : 0;
  return last < x ? last : x;
}

type Pixels = Uint8Array | Float32Array;

function warp(
  out: Float32Array, input: Pixels, params: Float64Array, nImages: number, height: number, width: number, channels: number,
  planar: boolean, mode: number, order: number, cval: number, mul: Float32Array, add: Float32Array,
): void {
  const plane = height * width;
  const size = plane * channels;
  // Index of (row, col, channel) within one image, in the layout of input and out.
  const stride = planar ? { row: width, col: 1, ch: plane } : { row: width * channels, col: channels, ch: 1 };
  const lastRow = height - 1;
  const lastCol = width - 1;
  // The lower tap of a pair is at most n − 2 (both taps inside); a 1-pixel side has one tap, read twice.
  const topRow = Math.max(height - 2, 0);
  const leftCol = Math.max(width - 2, 0);
  const nextRow = height > 1 ? stride.row : 0;
  const nextCol = width > 1 ? stride.col : 0;
  for (let img = 0; img < nImages; img++) {
    const p = img * WARP_PARAMS;
    const m00 = params[p], s0 = params[p + 2], m10 = params[p + 3], s1 = params[p + 5];
    const m01 = f32(params[p + 1]);
    const m11 = f32(params[p + 4]);
    const flipH = params[p + 6] !== 0;
    const flipV = params[p + 7] !== 0;
    const base = img * size;
    for (let r = 0; r < height; r++) {
      const rr = flipV ? height - 1 - r : r;
      const rowY = f32(rr * m00 + s0);
      const rowX = f32(rr * m10 + s1);
      for (let c = 0; c < width; c++) {
        const cc = flipH ? width - 1 - c : c;
        let y = f32(rowY + f32(cc * m01));
        let x = f32(rowX + f32(cc * m11));
        const o = base + r * stride.row + c * stride.col;
        // Written as the kernel's vector test: NaN counts as outside.
        const inside = y >= 0 && y <= lastRow && x >= 0 && x <= lastCol;
        if (!inside) {
          if (mode === 1) {
            for (let ch = 0; ch < channels; ch++) out[o + ch * stride.ch] = f32(f32(f32(cval) * mul[ch]) + add[ch]);
            continue;
          }
          if (mode >= 2) {
            if (!(y >= 0 && y <= lastRow)) y = f32(mapCoordinate(y, height, mode));
            if (!(x >= 0 && x <= lastCol)) x = f32(mapCoordinate(x, width, mode));
          }
        }
        y = clampCoordinate(y, lastRow);
        x = clampCoordinate(x, lastCol);
        if (order === 0) {
          const at = base + Math.floor(f32(y + 0.5)) * stride.row + Math.floor(f32(x + 0.5)) * stride.col;
          for (let ch = 0; ch < channels; ch++) out[o + ch * stride.ch] = f32(f32(input[at + ch * stride.ch] * mul[ch]) + add[ch]);
          continue;
        }
        const y0 = Math.min(Math.floor(y), topRow);
        const x0 = Math.min(Math.floor(x), leftCol);
        const fy = f32(y - y0);
        const fx = f32(x - x0);
        const a = base + y0 * stride.row + x0 * stride.col;
        for (let ch = 0; ch < channels; ch++) {
          const k = a + ch * stride.ch;
          const v00 = input[k], v01 = input[k + nextCol], v10 = input[k + nextRow], v11 = input[k + nextRow + nextCol];
          const top = f32(v00 + f32(fx * f32(v01 - v00)));
          const bottom = f32(v10 + f32(fx * f32(v11 - v10)));
          const v = f32(top + f32(fy * f32(bottom - top)));
          out[o + ch * stride.ch] = f32(f32(v * mul[ch]) + add[ch]);
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

const U = 2 ** -24;

/**
 * The largest error of the float32 coordinates of one image's map (params[at ..]), per axis: the file comment's
 * δ = u·(|R| + 2|C| + |y|) ≤ u·(2·max|R| + 3·max|C|), plus u·n under 'reflect' and 'wrap', with 1% added for the
 * second-order terms. The tests and the bench check the kernels against float64 warps with it.
 */
export function warpCoordinateError(params: ArrayLike<number>, at: number, height: number, width: number, mode: number): { y: number; x: number } {
  const axis = (m0: number, m1: number, s: number, n: number) => {
    const row = Math.max(Math.abs(s), Math.abs((height - 1) * m0 + s));
    const col = (width - 1) * Math.abs(m1);
    return 1.01 * U * (2 * row + 3 * col + (mode >= 2 ? n : 0));
  };
  return { y: axis(params[at], params[at + 1], params[at + 2], height), x: axis(params[at + 3], params[at + 4], params[at + 5], width) };
}

/**
 * The largest |kernel − float64 warp| of a bilinear sample (unscaled): L·(δy + δx) for the coordinates, L the
 * largest difference between two input values, plus 12u·max|input| for the three float32 interpolations and the
 * final rounding. Where the warp is discontinuous (order 0 between two samples, the edge of 'constant', the seam of
 * 'wrap') a coordinate within δ of the jump may land on either side: checks take the value at any point within δ.
 */
export function warpValueError(spread: number, maxAbs: number, e: { y: number; x: number }): number {
  return spread * (e.y + e.x) + 12 * U * maxAbs;
}
