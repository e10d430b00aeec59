// Augmentation's geometry: every output pixel reads the input at Keras' inverse affine map, mapped into the image by
// the fill mode and sampled by scipy's order 0 (nearest) or order 1 (bilinear) spline, then scaled per channel by the
// affine map of standardize. src/kernels/warp.ts is the specification, with the formulas, where they come from and
// the accuracy bound; this file does the same float32 operations in the same order, so both give the same bits.
//
// Speed: coordinates in float32 give four output pixels per f32x4 (the float64 kernel before this one had two per
// f64x2 and converted every tap to float64). Taps are kept inside the image (the lower tap at most n − 2), so no read
// goes past it and the border needs no separate path: 'nearest' is a clamp, 'constant' a select; only 'reflect' and
// 'wrap' take the scalar path, for the groups of four where a coordinate falls outside. One function per (mode,
// order), with no test of either and no call in its loops; tap addresses through float32 and the bits of 2^23
// instead of trunc_sat and i32x4.mul; the loops' vectors read from static memory rather than splatted (V8 rebuilds
// a splat of a constant in every iteration). Then three changes measured on the bench's warp case
// (bench/cases/augment.ts; scripts/profile-warp.mjs: CPU time, builds alternated on a loaded machine, same bits):
//   - Two passes (planeRows): the first computes, for up to CHUNK groups of four pixels, the tap addresses and the
//     fractions into a record; the second gathers and interpolates. In one pass every gather waited for its own
//     address arithmetic (about 70 cycles of dependent instructions a group, more than the out-of-order window
//     overlaps); now the gathers' addresses are plain loads of what the first pass stored. ~1.3× alone.
//   - A byte plane of bilinear taps becomes a plane of quads (QUAD_PLANE): the four taps of a pixel in one u32, one
//     32-bit lane load per pixel where bytes took two 16-bit lane loads and float32 copies two 64-bit ones. ~1.03×
//     over the float32 copy it replaced.
//   - Each pass reads its vectors from static memory once, before its loop, into locals: V8 keeps what fits in
//     registers, where a load inside the loop is repeated in every iteration (the loop's stores might have changed
//     it). ~1.05×.
// Tried and not kept (no gain beyond the noise, ±4%): eight pixels per iteration (one pass, or the first pass with
// its constants read once for both halves), the column terms c'·m01 as a per-plane table (+0–2.5% once the
// constants were in registers), records spanning rows (one second pass per 256 groups), the four lane loads as two
// chains. Removing one vector operation from a group (clamp, scaling, coordinates) gained about 2% each: the loops
// are bound by their ~80 instructions per four pixels, most of which the specification's arithmetic fixes. The machine code was read with
// `node --perf-prof` + `perf inject --jit` + `perf annotate` (release Node has no --print-wasm-code output).
//
// params: 8 f64 per image: m00, m01, s0, m10, m11, s1, flipHorizontal, flipVertical.
// mode: 0 nearest, 1 constant, 2 reflect (half-sample), 3 wrap (scipy's historical wrap, period n − 1).
// Layout: interleaved channels (NHWC) or planar (NCHW); C in 1..4. Pointers are byte offsets; nothing is allocated.

import { scratch } from './thread-scratch';

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

// u32 stands for a plane of quads (QUADS below): each u32 holds the four bilinear taps of one pixel as bytes.
@inline function isQuad<T>(): bool {
  return isInteger<T>() && sizeof<T>() == 4;
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
  if (isQuad<T>()) {
    // One plane (channels 1): the quad at (y0, x0) holds the four taps (QUADS below).
    const q = load<u32>(input + (<usize>a << 2));
    const v00 = <f32>(q & 255), v01 = <f32>((q >> 8) & 255), v10 = <f32>((q >> 16) & 255), v11 = <f32>(q >> 24);
    const top = v00 + fx * (v01 - v00);
    const bottom = v10 + fx * (v11 - v10);
    const v = top + fy * (bottom - top);
    store<f32>(o, v * load<f32>(mul) + load<f32>(add));
    return;
  }
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

// The vectors the loops below use, kept in (thread-local) static memory and read with a v128.load before each loop:
// V8 does not keep a splat of a constant made before a loop in a register, it rebuilds it in every iteration
// (several instructions each); a loaded value it keeps, where it has a register. Written once per plane (rows: once
// per row).
const CONSTS: usize = memory.data(16 * 16, 16);

// What pass 1 of a row leaves for pass 2, per group of four pixels, for up to CHUNK groups at a time (a row of up to
// 4·CHUNK pixels; longer rows are done in chunks): the taps' byte addresses, the fractions fy and fx (or, for a
// group that 'reflect' or 'wrap' sends down the scalar path, its coordinates y and x), and which lanes lie inside.
const CHUNK = 64;
const LANES: usize = memory.data(CHUNK * 64, 16);
const LANE_AT = 0, LANE_FY = 16, LANE_FX = 32, LANE_INSIDE = 48;
const LAST_ROW = 0, LAST_COL = 16, TOP_ROW = 32, LEFT_COL = 48, WIDTH = 64, BIAS = 80, M01 = 96, M11 = 112, MUL = 128,
  ADD = 144, FILL = 160, STEP = 176, MAGIC = 192, BYTE = 208, ROW_Y = 224, ROW_X = 240;

// The plane index i = row·width + col of four taps, as byte addresses: i is computed in float32 (exact: both are
// integers and i < 2^23, which warp() checks) and turned into an integer by adding 2^23, whose float32 bit pattern is
// then 0x4B000000 + i. BIAS is splat(src − 0x4B000000), times 4 for float32 images (the shift drops the exponent
// bits: (0x4B000000 + i) << 2 = 0x2C000000 + 4i modulo 2^32). Three instructions where trunc_sat (about eight on
// x64 for each coordinate) and i32x4.mul (a slow one) took nineteen.
@inline function tapAddresses<T>(row: v128, col: v128, width: v128, magic: v128, bias: v128): v128 {
  const index = f32x4.add(f32x4.add(f32x4.mul(row, width), col), magic);
  return i32x4.add(sizeof<T>() == 1 ? index : i32x4.shl(index, 2), bias);
}

// Order 0: the byte addresses of the nearer samples of four clamped coordinates.
@inline function nearestAddresses<T>(y: v128, x: v128, width: v128, magic: v128, bias: v128): v128 {
  const half = f32x4.splat(0.5);
  return tapAddresses<T>(f32x4.floor(f32x4.add(y, half)), f32x4.floor(f32x4.add(x, half)), width, magic, bias);
}

// Four output pixels, order 0: the samples at four byte addresses.
@inline function nearestTaps<T>(a0: usize, a1: usize, a2: usize, a3: usize): v128 {
  if (sizeof<T>() == 1) {
    let q = v128.load8_lane(a0, i32x4.splat(0), 0);
    q = v128.load8_lane(a1, q, 4);
    q = v128.load8_lane(a2, q, 8);
    q = v128.load8_lane(a3, q, 12);
    return f32x4.convert_i32x4_s(q);
  }
  let q = v128.load32_zero(a0);
  q = v128.load32_lane(a1, q, 1);
  q = v128.load32_lane(a2, q, 2);
  return v128.load32_lane(a3, q, 3);
}

// Four output pixels, order 1: the lerp of two lerps of the taps (y0, y0 + 1) × (x0, x0 + 1), with y0 and x0 kept at
// most n − 2 so that every tap lies inside the plane (bilinearCorner). a0..a3 are the byte addresses of the taps
// (y0, x0); `down` is the byte distance to the next row (0 for one row).
@inline function bilinearTaps<T>(a0: usize, a1: usize, a2: usize, a3: usize, down: usize, fy: v128, fx: v128, byte: v128): v128 {
  let t00: v128, t01: v128, t10: v128, t11: v128;
  if (isQuad<T>()) {
    let q = v128.load32_zero(a0);
    q = v128.load32_lane(a1, q, 1);
    q = v128.load32_lane(a2, q, 2);
    q = v128.load32_lane(a3, q, 3);
    t00 = f32x4.convert_i32x4_s(v128.and(q, byte));
    t01 = f32x4.convert_i32x4_s(v128.and(i32x4.shr_u(q, 8), byte));
    t10 = f32x4.convert_i32x4_s(v128.and(i32x4.shr_u(q, 16), byte));
    t11 = f32x4.convert_i32x4_s(i32x4.shr_u(q, 24));
  } else if (sizeof<T>() == 1) {
    // Each pair of taps (x0, x0 + 1) is one 16-bit lane load: the upper row's in lanes 0..3, the lower row's in 4..7
    // (+47% over byte loads). Widened to 32 bits, a lane holds x0's byte + 256 · (x0 + 1)'s byte: a mask and a shift
    // split them, with no shuffle (whose mask V8 rebuilds in every iteration).
    let q = v128.load16_lane(a0, i32x4.splat(0), 0);
    q = v128.load16_lane(a1, q, 1);
    q = v128.load16_lane(a2, q, 2);
    q = v128.load16_lane(a3, q, 3);
    q = v128.load16_lane(a0 + down, q, 4);
    q = v128.load16_lane(a1 + down, q, 5);
    q = v128.load16_lane(a2 + down, q, 6);
    q = v128.load16_lane(a3 + down, q, 7);
    const upper = i32x4.extend_low_i16x8_u(q);
    const lower = i32x4.extend_high_i16x8_u(q);
    // Signed conversion: the same for 0..255, and one instruction where the unsigned one is several.
    t00 = f32x4.convert_i32x4_s(v128.and(upper, byte));
    t01 = f32x4.convert_i32x4_s(i32x4.shr_u(upper, 8));
    t10 = f32x4.convert_i32x4_s(v128.and(lower, byte));
    t11 = f32x4.convert_i32x4_s(i32x4.shr_u(lower, 8));
  } else {
    const zero = f32x4.splat(0);
    let p = v128.load64_lane(a0, zero, 0);
    p = v128.load64_lane(a1, p, 1);
    let q = v128.load64_lane(a2, zero, 0);
    q = v128.load64_lane(a3, q, 1);
    t00 = i32x4.shuffle(p, q, 0, 2, 4, 6);
    t01 = i32x4.shuffle(p, q, 1, 3, 5, 7);
    p = v128.load64_lane(a0 + down, zero, 0);
    p = v128.load64_lane(a1 + down, p, 1);
    q = v128.load64_lane(a2 + down, zero, 0);
    q = v128.load64_lane(a3 + down, q, 1);
    t10 = i32x4.shuffle(p, q, 0, 2, 4, 6);
    t11 = i32x4.shuffle(p, q, 1, 3, 5, 7);
  }
  const top = f32x4.add(t00, f32x4.mul(fx, f32x4.sub(t01, t00)));
  const bottom = f32x4.add(t10, f32x4.mul(fx, f32x4.sub(t11, t10)));
  return f32x4.add(top, f32x4.mul(fy, f32x4.sub(bottom, top)));
}


// One plane of one image (one channel: the whole image when C = 1, or one plane of a planar image), row by row, four
// output pixels at a time; the last width % 4 pixels of a row take the scalar path (warpPixel). Inlined into one
// function per (mode, order) below, both constant, so that the inner loop holds no test of either and no call.
@inline function planeRows<T>(
  out: usize, input: usize, base: i32, height: i32, width: i32, m00: f64, m01: f32, s0: f64, m10: f64, m11: f32, s1: f64,
  flipH: bool, flipV: bool, mode: i32, order: i32, fill: f32, mul: usize, add: usize,
): void {
  const src = input + (<usize>base << alignof<T>());
  const k = scratch(CONSTS);
  const scale = load<f32>(mul), shift = load<f32>(add);
  v128.store(k, f32x4.splat(<f32>(height - 1)), LAST_ROW);
  v128.store(k, f32x4.splat(<f32>(width - 1)), LAST_COL);
  v128.store(k, f32x4.splat(<f32>max(height - 2, 0)), TOP_ROW);
  v128.store(k, f32x4.splat(<f32>(width - 2)), LEFT_COL);
  v128.store(k, f32x4.splat(<f32>width), WIDTH);
  v128.store(k, i32x4.splat(sizeof<T>() == 1 ? <i32>src - 0x4B000000 : <i32>src - 0x2C000000), BIAS);
  v128.store(k, f32x4.splat(m01), M01);
  v128.store(k, f32x4.splat(m11), M11);
  v128.store(k, f32x4.splat(scale), MUL);
  v128.store(k, f32x4.splat(shift), ADD);
  v128.store(k, f32x4.splat(fill * scale + shift), FILL);
  v128.store(k, f32x4.splat(flipH ? -4 : 4), STEP);
  v128.store(k, f32x4.splat(8388608), MAGIC);
  v128.store(k, i32x4.splat(255), BYTE);
  const down: usize = height > 1 ? <usize>width << alignof<T>() : 0;
  const first = flipH ? f32x4(<f32>(width - 1), <f32>(width - 2), <f32>(width - 3), <f32>(width - 4)) : f32x4(0, 1, 2, 3);
  const groups = width >> 2;
  const zero = f32x4.splat(0);
  const lanes = scratch(LANES);
  for (let r = 0; r < height; r++) {
    const rr = <f64>(flipV ? height - 1 - r : r);
    const rowY = <f32>(rr * m00 + s0);
    const rowX = <f32>(rr * m10 + s1);
    v128.store(k, f32x4.splat(rowY), ROW_Y);
    v128.store(k, f32x4.splat(rowX), ROW_X);
    const row = out + (<usize>(base + r * width) << 2);
    let cols = first;
    for (let g0 = 0; g0 < groups; g0 += CHUNK) {
      const n = min(CHUNK, groups - g0);
      // Pass 1: where each group's four pixels read, with no load that depends on it. The vectors are read before
      // the loop: V8 keeps those it has registers for (a load in the loop is repeated in every iteration, as the
      // loop's stores might have changed it).
      const rowYs = v128.load(k, ROW_Y), rowXs = v128.load(k, ROW_X), m01s = v128.load(k, M01), m11s = v128.load(k, M11);
      const lastRow = v128.load(k, LAST_ROW), lastCol = v128.load(k, LAST_COL), step = v128.load(k, STEP);
      const topRow = v128.load(k, TOP_ROW), leftCol = v128.load(k, LEFT_COL);
      const widths = v128.load(k, WIDTH), magic = v128.load(k, MAGIC), bias = v128.load(k, BIAS);
      for (let j = 0; j < n; j++, cols = f32x4.add(cols, step)) {
        const l = lanes + (<usize>j << 6);
        let y = f32x4.add(rowYs, f32x4.mul(cols, m01s));
        let x = f32x4.add(rowXs, f32x4.mul(cols, m11s));
        // Which lanes lie inside the image: 'nearest' (the default) never asks, its clamp below is the whole rule.
        if (mode != 0) {
          const inside = v128.and(
            v128.and(f32x4.ge(y, zero), f32x4.le(y, lastRow)),
            v128.and(f32x4.ge(x, zero), f32x4.le(x, lastCol)),
          );
          v128.store(l, inside, LANE_INSIDE);
          if (mode >= 2 && !i32x4.all_true(inside)) {
            // The scalar path's input (pass 2): the coordinates themselves.
            v128.store(l, y, LANE_FY);
            v128.store(l, x, LANE_FX);
            continue;
          }
        }
        y = f32x4.pmin(f32x4.pmax(zero, y), lastRow);
        x = f32x4.pmin(f32x4.pmax(zero, x), lastCol);
        if (order == 0) {
          v128.store(l, nearestAddresses<T>(y, x, widths, magic, bias), LANE_AT);
        } else {
          // pmin, not min: one instruction (min's NaN and ±0 rules cost several, and cannot occur here)
          const y0 = f32x4.pmin(f32x4.floor(y), topRow);
          const x0 = f32x4.pmin(f32x4.floor(x), leftCol);
          v128.store(l, tapAddresses<T>(y0, x0, widths, magic, bias), LANE_AT);
          v128.store(l, f32x4.sub(y, y0), LANE_FY);
          v128.store(l, f32x4.sub(x, x0), LANE_FX);
        }
      }
      // Pass 2: the taps, their lerps and the scaling.
      const o0 = row + (<usize>g0 << 4);
      const scales = v128.load(k, MUL), shifts = v128.load(k, ADD), byte = v128.load(k, BYTE), fills = v128.load(k, FILL);
      for (let j = 0; j < n; j++) {
        const l = lanes + (<usize>j << 6);
        const o = o0 + (<usize>j << 4);
        if (mode >= 2 && !i32x4.all_true(v128.load(l, LANE_INSIDE))) {
          for (let lane = 0; lane < 4; lane++) {
            const q = <usize>lane << 2;
            warpPixel<T>(o + q, input, base, load<f32>(l + q, LANE_FY), load<f32>(l + q, LANE_FX), height, width, 1, width,
              1, 1, mode, order, fill, mul, add);
          }
          continue;
        }
        const a0 = <usize>load<u32>(l, LANE_AT), a1 = <usize>load<u32>(l, LANE_AT + 4);
        const a2 = <usize>load<u32>(l, LANE_AT + 8), a3 = <usize>load<u32>(l, LANE_AT + 12);
        let v = order == 0
          ? nearestTaps<T>(a0, a1, a2, a3)
          : bilinearTaps<T>(a0, a1, a2, a3, down, v128.load(l, LANE_FY), v128.load(l, LANE_FX), byte);
        v = f32x4.add(f32x4.mul(v, scales), shifts);
        if (mode == 1) v = v128.bitselect(v, fills, v128.load(l, LANE_INSIDE));
        v128.store(o, v);
      }
    }
    for (let c = groups << 2; c < width; c++) {
      const cc = <f32>(flipH ? width - 1 - c : c);
      warpPixel<T>(row + (<usize>c << 2), input, base, rowY + cc * m01, rowX + cc * m11, height, width, 1, width, 1, 1,
        mode, order, fill, mul, add);
    }
  }
}

function planeNearestBilinear<T>(
  out: usize, input: usize, base: i32, height: i32, width: i32, m00: f64, m01: f32, s0: f64, m10: f64, m11: f32, s1: f64,
  flipH: bool, flipV: bool, fill: f32, mul: usize, add: usize,
): void {
  planeRows<T>(out, input, base, height, width, m00, m01, s0, m10, m11, s1, flipH, flipV, 0, 1, fill, mul, add);
}

function planeConstantBilinear<T>(
  out: usize, input: usize, base: i32, height: i32, width: i32, m00: f64, m01: f32, s0: f64, m10: f64, m11: f32, s1: f64,
  flipH: bool, flipV: bool, fill: f32, mul: usize, add: usize,
): void {
  planeRows<T>(out, input, base, height, width, m00, m01, s0, m10, m11, s1, flipH, flipV, 1, 1, fill, mul, add);
}

function planeNearestNearest<T>(
  out: usize, input: usize, base: i32, height: i32, width: i32, m00: f64, m01: f32, s0: f64, m10: f64, m11: f32, s1: f64,
  flipH: bool, flipV: bool, fill: f32, mul: usize, add: usize,
): void {
  planeRows<T>(out, input, base, height, width, m00, m01, s0, m10, m11, s1, flipH, flipV, 0, 0, fill, mul, add);
}

function planeConstantNearest<T>(
  out: usize, input: usize, base: i32, height: i32, width: i32, m00: f64, m01: f32, s0: f64, m10: f64, m11: f32, s1: f64,
  flipH: bool, flipV: bool, fill: f32, mul: usize, add: usize,
): void {
  planeRows<T>(out, input, base, height, width, m00, m01, s0, m10, m11, s1, flipH, flipV, 1, 0, fill, mul, add);
}

// 'reflect' and 'wrap': the vector path where all four coordinates of a group lie inside, the scalar one elsewhere.
function planeMapped<T>(
  out: usize, input: usize, base: i32, height: i32, width: i32, m00: f64, m01: f32, s0: f64, m10: f64, m11: f32, s1: f64,
  flipH: bool, flipV: bool, mode: i32, order: i32, fill: f32, mul: usize, add: usize,
): void {
  planeRows<T>(out, input, base, height, width, m00, m01, s0, m10, m11, s1, flipH, flipV, mode, order, fill, mul, add);
}

/** One plane through the function made for its mode and order. Needs width ≥ 2 (tap pairs) and a plane < 2^23. */
@inline function warpPlane<T>(
  out: usize, input: usize, base: i32, height: i32, width: i32, m00: f64, m01: f32, s0: f64, m10: f64, m11: f32, s1: f64,
  flipH: bool, flipV: bool, mode: i32, order: i32, fill: f32, mul: usize, add: usize,
): void {
  if (mode >= 2) planeMapped<T>(out, input, base, height, width, m00, m01, s0, m10, m11, s1, flipH, flipV, mode, order, fill, mul, add);
  else if (order == 1) {
    if (mode == 0) planeNearestBilinear<T>(out, input, base, height, width, m00, m01, s0, m10, m11, s1, flipH, flipV, fill, mul, add);
    else planeConstantBilinear<T>(out, input, base, height, width, m00, m01, s0, m10, m11, s1, flipH, flipV, fill, mul, add);
  } else if (mode == 0) planeNearestNearest<T>(out, input, base, height, width, m00, m01, s0, m10, m11, s1, flipH, flipV, fill, mul, add);
  else planeConstantNearest<T>(out, input, base, height, width, m00, m01, s0, m10, m11, s1, flipH, flipV, fill, mul, add);
}

// A byte plane of up to QUAD_PLANE pixels is turned into quads here first, for order 1 (bilinear): the loop then
// reads the four taps of a pixel with one 32-bit lane load. Larger planes (over 64 KiB of quads, per thread) read
// their bytes in place (two 16-bit lane loads a pixel), and so does order 0 (one tap a pixel).
const QUAD_PLANE = 16384;
const QUADS: usize = memory.data(QUAD_PLANE * 4, 16);

/**
 * The quads of a byte plane: dst[i] = b[i] | b[i + 1] << 8 | b[i + d] << 16 | b[i + d + 1] << 24 (d = width, or 0 for
 * one row), for every i whose pixel can be a pair's lower tap (row ≤ height − 2, column ≤ width − 2): the others
 * are never read. Sixteen at a time: four byte loads and eight interleaves.
 */
function planeToQuads(dst: usize, src: usize, height: i32, width: i32): void {
  const down = height > 1 ? width : 0;
  const n = max(height - 2, 0) * width + width - 1;
  const plane = height * width;
  let i = 0;
  for (; i + 17 + down <= plane; i += 16) {
    const s = src + <usize>i;
    const a = v128.load(s), b = v128.load(s, 1);
    const c = v128.load(s + <usize>down), d = v128.load(s + <usize>down, 1);
    const abLo = i8x16.shuffle(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const abHi = i8x16.shuffle(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    const cdLo = i8x16.shuffle(c, d, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const cdHi = i8x16.shuffle(c, d, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    const o = dst + (<usize>i << 2);
    v128.store(o, i16x8.shuffle(abLo, cdLo, 0, 8, 1, 9, 2, 10, 3, 11), 0);
    v128.store(o, i16x8.shuffle(abLo, cdLo, 4, 12, 5, 13, 6, 14, 7, 15), 16);
    v128.store(o, i16x8.shuffle(abHi, cdHi, 0, 8, 1, 9, 2, 10, 3, 11), 32);
    v128.store(o, i16x8.shuffle(abHi, cdHi, 4, 12, 5, 13, 6, 14, 7, 15), 48);
  }
  for (; i < n; i++) {
    const s = src + <usize>i;
    store<u32>(dst + (<usize>i << 2), <u32>load<u8>(s) | <u32>load<u8>(s, 1) << 8 | <u32>load<u8>(s + <usize>down) << 16 |
      <u32>load<u8>(s + <usize>down, 1) << 24);
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
  // One channel, or planes: the vector path, plane by plane (each plane is a one-channel image); a plane of 2^23
  // pixels or more (tapAddresses' float32 index would not be exact) takes the scalar path below.
  const byPlane = (channels == 1 || planar) && width >= 2 && plane < (1 << 23);
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
        const at = base + ch * plane;
        if (sizeof<T>() == 1 && order == 1 && plane <= QUAD_PLANE) {
          // Bytes: the plane as quads once, then the quad loop reads the four taps of a pixel with one load (input
          // shifted so that input + 4·at is the quad of the image's pixel at: the same offsets as the image's own).
          const quads = scratch(QUADS);
          planeToQuads(quads, input + <usize>at, height, width);
          warpPlane<u32>(out, quads - (<usize>at << 2), at, height, width, m00, m01, s0, m10, m11, s1, flipH, flipV, mode,
            order, fill, mul + k, add + k);
        } else {
          warpPlane<T>(out, input, at, height, width, m00, m01, s0, m10, m11, s1, flipH, flipV, mode, order, fill,
            mul + k, add + k);
        }
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
