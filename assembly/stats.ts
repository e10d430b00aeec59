// Statistics in one pass: per channel count, mean, M2 (sum of squared deviations), min, max and the number of
// non-finite values, for interleaved channels (NHWC, C in {1, 2, 3, 4}); and per image mean and std.
//
// Output, per channel c, six f64 at out + 48 * c: [count, mean, m2, min, max, nonFinite]. (count, mean, m2) is the
// form that merges exactly across chunks (Chan et al.); the TypeScript side does the merging.
//
// Accuracy: u8 input is summed in integer lanes (u16 sums, u32 squares) and flushed to f64 before they can
// overflow, so its sums are exact. f32 input is promoted to f64 lanes and shifted by the first value of each channel,
// so huge values do not overflow and a large common offset does not cancel the variance away.
//
// The SIMD passes work per "position": a byte (u8) or lane (f32) offset inside a group whose length is a multiple of
// C, so each position always holds one channel. C = 3 needs 48-byte (u8) or 12-float (f32) groups; the group is
// walked as three strided passes over a cache-sized block, each pass with one set of accumulators in registers.

const FIELDS = 6;
const SUM: usize = memory.data(48 * 8, 16);     // per position, f64
const SQ: usize = memory.data(48 * 8, 16);      // per position, f64
const MIN_U8: usize = memory.data(48, 16);      // per position
const MAX_U8: usize = memory.data(48, 16);
const MIN_F32: usize = memory.data(12 * 4, 16); // per position
const MAX_F32: usize = memory.data(12 * 4, 16);
const BAD: usize = memory.data(12 * 4, 16);     // per position, i32
const SHIFT: usize = memory.data(12 * 8, 16);   // per position, f64
const SPILL: usize = memory.data(16 * 4, 16);   // a v128 stored to read its lanes with a variable index
const ONE_IMAGE: usize = memory.data(FIELDS * 8, 16);

// u8: at most 256 loads per pass, so a u16 lane (256 * 255 < 65536) and a u32 square lane cannot overflow.
const U8_PASS = 256;
const F32_BLOCK = 1024;

function u8Pass(ptr: usize, stride: usize, count: i32, pos: usize): void {
  let s0 = i16x8.splat(0), s1 = i16x8.splat(0);
  let q0 = i32x4.splat(0), q1 = i32x4.splat(0), q2 = i32x4.splat(0), q3 = i32x4.splat(0);
  let mn = v128.load(MIN_U8 + pos), mx = v128.load(MAX_U8 + pos);
  let p = ptr;
  for (let k = 0; k < count; k++) {
    const b = v128.load(p);
    p += stride;
    const lo = i16x8.extend_low_i8x16_u(b);
    const hi = i16x8.extend_high_i8x16_u(b);
    s0 = i16x8.add(s0, lo);
    s1 = i16x8.add(s1, hi);
    q0 = i32x4.add(q0, i32x4.extmul_low_i16x8_u(lo, lo));
    q1 = i32x4.add(q1, i32x4.extmul_high_i16x8_u(lo, lo));
    q2 = i32x4.add(q2, i32x4.extmul_low_i16x8_u(hi, hi));
    q3 = i32x4.add(q3, i32x4.extmul_high_i16x8_u(hi, hi));
    mn = i8x16.min_u(mn, b);
    mx = i8x16.max_u(mx, b);
  }
  v128.store(MIN_U8 + pos, mn);
  v128.store(MAX_U8 + pos, mx);
  v128.store(SPILL, s0, 0);
  v128.store(SPILL, s1, 16);
  for (let j: usize = 0; j < 16; j++) {
    const at = SUM + ((pos + j) << 3);
    store<f64>(at, load<f64>(at) + <f64>load<u16>(SPILL + (j << 1)));
  }
  v128.store(SPILL, q0, 0);
  v128.store(SPILL, q1, 16);
  v128.store(SPILL, q2, 32);
  v128.store(SPILL, q3, 48);
  for (let j: usize = 0; j < 16; j++) {
    const at = SQ + ((pos + j) << 3);
    store<f64>(at, load<f64>(at) + <f64>load<u32>(SPILL + (j << 2)));
  }
}

// One channel (grayscale): every byte is the same channel, so adjacent bytes may be summed together: pairwise adds
// for the sum and i32x4.dot_i16x8_s (a·a + b·b per lane, values ≤ 255 so the signed form is exact) for the squares
// take half the instructions of the per-position pass. Flushes into position 0 only.
function u8PassGray(ptr: usize, count: i32): void {
  let s = i32x4.splat(0), q0 = i32x4.splat(0), q1 = i32x4.splat(0);
  let mn = v128.load(MIN_U8), mx = v128.load(MAX_U8);
  let p = ptr;
  for (let k = 0; k < count; k++) {
    const b = v128.load(p);
    p += 16;
    s = i32x4.add(s, i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(b)));
    const lo = i16x8.extend_low_i8x16_u(b);
    const hi = i16x8.extend_high_i8x16_u(b);
    q0 = i32x4.add(q0, i32x4.dot_i16x8_s(lo, lo));
    q1 = i32x4.add(q1, i32x4.dot_i16x8_s(hi, hi));
    mn = i8x16.min_u(mn, b);
    mx = i8x16.max_u(mx, b);
  }
  v128.store(MIN_U8, mn);
  v128.store(MAX_U8, mx);
  const q = i32x4.add(q0, q1);
  // count ≤ 256: a lane holds at most 256·4·255 (sum) and 256·4·65025 (squares), far inside i32.
  const sum = <f64>(i32x4.extract_lane(s, 0) + i32x4.extract_lane(s, 1) + i32x4.extract_lane(s, 2) + i32x4.extract_lane(s, 3));
  const sq = <f64>i32x4.extract_lane(q, 0) + <f64>i32x4.extract_lane(q, 1) + <f64>i32x4.extract_lane(q, 2) + <f64>i32x4.extract_lane(q, 3);
  store<f64>(SUM, load<f64>(SUM) + sum);
  store<f64>(SQ, load<f64>(SQ) + sq);
}

function f32Pass(ptr: usize, stride: usize, count: i32, pos: usize): void {
  const kLo = v128.load(SHIFT + (pos << 3), 0);
  const kHi = v128.load(SHIFT + (pos << 3), 16);
  let sumLo = f64x2.splat(0), sumHi = f64x2.splat(0), sqLo = f64x2.splat(0), sqHi = f64x2.splat(0);
  let mn = v128.load(MIN_F32 + (pos << 2)), mx = v128.load(MAX_F32 + (pos << 2));
  let bad = v128.load(BAD + (pos << 2));
  let p = ptr;
  for (let k = 0; k < count; k++) {
    const v = v128.load(p);
    p += stride;
    const lo = f64x2.sub(f64x2.promote_low_f32x4(v), kLo);
    const hi = f64x2.sub(f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)), kHi);
    sumLo = f64x2.add(sumLo, lo);
    sumHi = f64x2.add(sumHi, hi);
    sqLo = f64x2.add(sqLo, f64x2.mul(lo, lo));
    sqHi = f64x2.add(sqHi, f64x2.mul(hi, hi));
    mn = f32x4.pmin(mn, v);
    mx = f32x4.pmax(mx, v);
    const d = f32x4.sub(v, v); // 0 for finite values, NaN for NaN and +-Infinity
    bad = i32x4.sub(bad, f32x4.ne(d, d));
  }
  v128.store(MIN_F32 + (pos << 2), mn);
  v128.store(MAX_F32 + (pos << 2), mx);
  v128.store(BAD + (pos << 2), bad);
  const s = SUM + (pos << 3);
  const q = SQ + (pos << 3);
  v128.store(s, f64x2.add(v128.load(s, 0), sumLo), 0);
  v128.store(s, f64x2.add(v128.load(s, 16), sumHi), 16);
  v128.store(q, f64x2.add(v128.load(q, 0), sqLo), 0);
  v128.store(q, f64x2.add(v128.load(q, 16), sqHi), 16);
}

@inline function field(out: usize, c: i32, f: i32): usize {
  return out + ((<usize>(c * FIELDS + f)) << 3);
}

function startChannels(out: usize, channels: i32): void {
  for (let c = 0; c < channels; c++) {
    store<f64>(field(out, c, 1), 0);
    store<f64>(field(out, c, 2), 0);
    store<f64>(field(out, c, 3), Infinity);
    store<f64>(field(out, c, 4), -Infinity);
    store<f64>(field(out, c, 5), 0);
  }
}

// Fields 1 and 2 hold the (shifted) sum and sum of squares until here; turn them into mean and M2.
function finishChannels(out: usize, n: i32, channels: i32, shift: usize): void {
  const count = <f64>(n / channels);
  for (let c = 0; c < channels; c++) {
    const sum = load<f64>(field(out, c, 1));
    const sq = load<f64>(field(out, c, 2));
    const k = shift == 0 ? 0.0 : load<f64>(SHIFT + (<usize>c << 3));
    store<f64>(field(out, c, 0), count);
    if (count > 0) {
      store<f64>(field(out, c, 1), k + sum / count);
      store<f64>(field(out, c, 2), max(0.0, sq - sum * (sum / count)));
    }
  }
}

/** Per-channel moments of n u8 values with `channels` interleaved channels (n a multiple of channels). */
export function momentsU8(out: usize, input: usize, n: i32, channels: i32): void {
  const group = channels == 3 ? 48 : 16;
  memory.fill(SUM, 0, 48 * 8);
  memory.fill(SQ, 0, 48 * 8);
  memory.fill(MIN_U8, 255, 48);
  memory.fill(MAX_U8, 0, 48);
  const groups = n / group;
  for (let g = 0; g < groups; g += U8_PASS) {
    const count = min(U8_PASS, groups - g);
    const base = input + <usize>g * group;
    if (channels == 3) {
      u8Pass(base, 48, count, 0);
      u8Pass(base + 16, 48, count, 16);
      u8Pass(base + 32, 48, count, 32);
    } else if (channels == 1) {
      u8PassGray(base, count);
    } else {
      u8Pass(base, 16, count, 0);
    }
  }
  startChannels(out, channels);
  if (groups > 0) {
    for (let pos = 0; pos < group; pos++) {
      const c = pos % channels;
      store<f64>(field(out, c, 1), load<f64>(field(out, c, 1)) + load<f64>(SUM + (<usize>pos << 3)));
      store<f64>(field(out, c, 2), load<f64>(field(out, c, 2)) + load<f64>(SQ + (<usize>pos << 3)));
      store<f64>(field(out, c, 3), min(load<f64>(field(out, c, 3)), <f64>load<u8>(MIN_U8 + <usize>pos)));
      store<f64>(field(out, c, 4), max(load<f64>(field(out, c, 4)), <f64>load<u8>(MAX_U8 + <usize>pos)));
    }
  }
  for (let i = groups * group; i < n; i++) {
    const c = i % channels;
    const x = <f64>load<u8>(input + <usize>i);
    store<f64>(field(out, c, 1), load<f64>(field(out, c, 1)) + x);
    store<f64>(field(out, c, 2), load<f64>(field(out, c, 2)) + x * x);
    store<f64>(field(out, c, 3), min(load<f64>(field(out, c, 3)), x));
    store<f64>(field(out, c, 4), max(load<f64>(field(out, c, 4)), x));
  }
  finishChannels(out, n, channels, 0);
}

/** Per-channel moments of n f32 values with `channels` interleaved channels (n a multiple of channels). */
export function momentsF32(out: usize, input: usize, n: i32, channels: i32): void {
  const group = channels == 3 ? 12 : 4;
  for (let c = 0; c < channels; c++) {
    const first = n >= channels ? <f64>load<f32>(input + (<usize>c << 2)) : 0.0;
    store<f64>(SHIFT + (<usize>c << 3), isFinite(first) ? first : 0.0);
  }
  for (let pos = channels; pos < group; pos++) {
    store<f64>(SHIFT + (<usize>pos << 3), load<f64>(SHIFT + (<usize>(pos % channels) << 3)));
  }
  memory.fill(SUM, 0, 12 * 8);
  memory.fill(SQ, 0, 12 * 8);
  memory.fill(BAD, 0, 12 * 4);
  for (let pos = 0; pos < 12; pos++) {
    store<f32>(MIN_F32 + (<usize>pos << 2), Infinity);
    store<f32>(MAX_F32 + (<usize>pos << 2), -Infinity);
  }
  const groups = n / group;
  for (let g = 0; g < groups; g += F32_BLOCK) {
    const count = min(F32_BLOCK, groups - g);
    const base = input + ((<usize>g * group) << 2);
    if (channels == 3) {
      f32Pass(base, 48, count, 0);
      f32Pass(base + 16, 48, count, 4);
      f32Pass(base + 32, 48, count, 8);
    } else {
      f32Pass(base, 16, count, 0);
    }
  }
  startChannels(out, channels);
  if (groups > 0) {
    for (let pos = 0; pos < group; pos++) {
      const c = pos % channels;
      store<f64>(field(out, c, 1), load<f64>(field(out, c, 1)) + load<f64>(SUM + (<usize>pos << 3)));
      store<f64>(field(out, c, 2), load<f64>(field(out, c, 2)) + load<f64>(SQ + (<usize>pos << 3)));
      const lo = <f64>load<f32>(MIN_F32 + (<usize>pos << 2));
      const hi = <f64>load<f32>(MAX_F32 + (<usize>pos << 2));
      if (lo < load<f64>(field(out, c, 3))) store<f64>(field(out, c, 3), lo);
      if (hi > load<f64>(field(out, c, 4))) store<f64>(field(out, c, 4), hi);
      store<f64>(field(out, c, 5), load<f64>(field(out, c, 5)) + <f64>load<i32>(BAD + (<usize>pos << 2)));
    }
  }
  for (let i = groups * group; i < n; i++) {
    const c = i % channels;
    const v = <f64>load<f32>(input + (<usize>i << 2));
    const x = v - load<f64>(SHIFT + (<usize>c << 3));
    store<f64>(field(out, c, 1), load<f64>(field(out, c, 1)) + x);
    store<f64>(field(out, c, 2), load<f64>(field(out, c, 2)) + x * x);
    if (v < load<f64>(field(out, c, 3))) store<f64>(field(out, c, 3), v);
    if (v > load<f64>(field(out, c, 4))) store<f64>(field(out, c, 4), v);
    if (!isFinite(v)) store<f64>(field(out, c, 5), load<f64>(field(out, c, 5)) + 1);
  }
  finishChannels(out, n, channels, 1);
}

/** Mean and population std of each image (all its values, channels together): out[2i] = mean, out[2i+1] = std. */
export function sampleMomentsU8(out: usize, input: usize, nImages: i32, imageSize: i32): void {
  for (let i = 0; i < nImages; i++) {
    momentsU8(ONE_IMAGE, input + <usize>i * imageSize, imageSize, 1);
    const o = out + (<usize>i << 4);
    store<f64>(o, load<f64>(ONE_IMAGE, 8));
    store<f64>(o, Math.sqrt(load<f64>(ONE_IMAGE, 16) / <f64>imageSize), 8);
  }
}

/** Mean and population std of each image of f32 values: out[2i] = mean, out[2i+1] = std. */
export function sampleMomentsF32(out: usize, input: usize, nImages: i32, imageSize: i32): void {
  for (let i = 0; i < nImages; i++) {
    momentsF32(ONE_IMAGE, input + ((<usize>i * imageSize) << 2), imageSize, 1);
    const o = out + (<usize>i << 4);
    store<f64>(o, load<f64>(ONE_IMAGE, 8));
    store<f64>(o, Math.sqrt(load<f64>(ONE_IMAGE, 16) / <f64>imageSize), 8);
  }
}
