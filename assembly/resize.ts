// PIL's resampling on 8-bit images (src/kernels/resize.ts is the twin and says what each kernel computes). The
// tables come from TypeScript (src/image/resample-tables.ts), so the wasm and js backends agree bit for bit.
// The vertical pass, where most of the arithmetic is, runs 16 bytes of a row at a time: u8 widened to i32x4,
// multiplied by the splatted weight and summed in i32 exactly as the scalar loop does.

const PRECISION_BITS: i32 = 22;

@inline function clip8(ss: i32): u8 {
  if (ss >= 1 << (PRECISION_BITS + 8)) return 255;
  if (ss <= 0) return 0;
  return <u8>(ss >> PRECISION_BITS);
}

// Specialised by channel count outside the pixel loop (each loop then has one shape of load and store). Three
// channels move as one u32 where the fourth byte is harmless: inside the input (a source row below the lowest one
// read follows it) and inside the output (the next pixel overwrites it; the last pixel of a row is stored exactly).
export function resizeNearestU8(out: usize, input: usize, rows: usize, cols: usize, outHeight: i32, outWidth: i32,
  inWidth: i32, channels: i32): void {
  const ch = <usize>channels;
  let lowest: i32 = -1;
  for (let y = 0; y < outHeight; y++) lowest = max(lowest, load<i32>(rows + (<usize>y << 2)));
  for (let y = 0; y < outHeight; y++) {
    const r = load<i32>(rows + (<usize>y << 2));
    const rowOut = out + <usize>y * <usize>outWidth * ch;
    if (r < 0) {
      memory.fill(rowOut, 0, <usize>outWidth * ch);
      continue;
    }
    const rowIn = input + <usize>r * <usize>inWidth * ch;
    if (channels == 3) {
      const wide = r < lowest ? outWidth - 1 : 0;
      let x = 0;
      for (; x < wide; x++) {
        const c = load<i32>(cols + (<usize>x << 2));
        const o = rowOut + <usize>x * 3;
        if (c < 0) store<u32>(o, 0);
        else store<u32>(o, load<u32>(rowIn + <usize>c * 3));
      }
      for (; x < outWidth; x++) {
        const c = load<i32>(cols + (<usize>x << 2));
        const o = rowOut + <usize>x * 3;
        if (c < 0) {
          store<u16>(o, 0);
          store<u8>(o + 2, 0);
        } else {
          const s = rowIn + <usize>c * 3;
          store<u16>(o, load<u16>(s));
          store<u8>(o + 2, load<u8>(s + 2));
        }
      }
    } else if (channels == 1) {
      for (let x = 0; x < outWidth; x++) {
        const c = load<i32>(cols + (<usize>x << 2));
        store<u8>(rowOut + <usize>x, c < 0 ? 0 : load<u8>(rowIn + <usize>c));
      }
    } else if (channels == 4) {
      for (let x = 0; x < outWidth; x++) {
        const c = load<i32>(cols + (<usize>x << 2));
        store<u32>(rowOut + (<usize>x << 2), c < 0 ? 0 : load<u32>(rowIn + (<usize>c << 2)));
      }
    } else {
      for (let x = 0; x < outWidth; x++) {
        const c = load<i32>(cols + (<usize>x << 2));
        const o = rowOut + <usize>x * ch;
        if (c < 0) memory.fill(o, 0, ch);
        else memory.copy(o, rowIn + <usize>c * ch, ch);
      }
    }
  }
}

export function resampleHorizontalU8(out: usize, input: usize, bounds: usize, weights: usize, taps: i32, rows: i32,
  firstRow: i32, inWidth: i32, outWidth: i32, channels: i32): void {
  const ch = <usize>channels;
  for (let y = 0; y < rows; y++) {
    const rowIn = input + <usize>(firstRow + y) * <usize>inWidth * ch;
    const rowOut = out + <usize>y * <usize>outWidth * ch;
    for (let x = 0; x < outWidth; x++) {
      const xmin = load<i32>(bounds + (<usize>x << 3));
      const count = load<i32>(bounds + (<usize>x << 3) + 4);
      const w = weights + ((<usize>x * <usize>taps) << 2);
      const src = rowIn + <usize>xmin * ch;
      for (let c: usize = 0; c < ch; c++) {
        let ss: i32 = 1 << (PRECISION_BITS - 1);
        for (let i = 0; i < count; i++) {
          ss += <i32>load<u8>(src + <usize>i * ch + c) * load<i32>(w + (<usize>i << 2));
        }
        store<u8>(rowOut + <usize>x * ch + c, clip8(ss));
      }
    }
  }
}

export function resampleVerticalU8(out: usize, input: usize, bounds: usize, weights: usize, taps: i32, outHeight: i32,
  rowLength: i32): void {
  const n = <usize>rowLength;
  const vectorEnd = n & ~(<usize>15);
  const round = i32x4.splat(1 << (PRECISION_BITS - 1));
  const zero = i32x4.splat(0);
  const top = i32x4.splat(255);
  for (let y = 0; y < outHeight; y++) {
    const ymin = load<i32>(bounds + (<usize>y << 3));
    const count = load<i32>(bounds + (<usize>y << 3) + 4);
    const w = weights + ((<usize>y * <usize>taps) << 2);
    const first = input + <usize>ymin * n;
    const rowOut = out + <usize>y * n;
    for (let j: usize = 0; j < vectorEnd; j += 16) {
      let s0 = round, s1 = round, s2 = round, s3 = round;
      for (let i = 0; i < count; i++) {
        const k = i32x4.splat(load<i32>(w + (<usize>i << 2)));
        const v = v128.load(first + <usize>i * n + j);
        const lo = i16x8.extend_low_i8x16_u(v);
        const hi = i16x8.extend_high_i8x16_u(v);
        s0 = i32x4.add(s0, i32x4.mul(i32x4.extend_low_i16x8_u(lo), k));
        s1 = i32x4.add(s1, i32x4.mul(i32x4.extend_high_i16x8_u(lo), k));
        s2 = i32x4.add(s2, i32x4.mul(i32x4.extend_low_i16x8_u(hi), k));
        s3 = i32x4.add(s3, i32x4.mul(i32x4.extend_high_i16x8_u(hi), k));
      }
      // clip8: shift, then clamp to 0..255 (a sum ≥ 2^30 shifts to ≥ 256 and clamps to 255; a sum ≤ 0 to ≤ 0).
      s0 = i32x4.min_s(i32x4.max_s(i32x4.shr_s(s0, PRECISION_BITS), zero), top);
      s1 = i32x4.min_s(i32x4.max_s(i32x4.shr_s(s1, PRECISION_BITS), zero), top);
      s2 = i32x4.min_s(i32x4.max_s(i32x4.shr_s(s2, PRECISION_BITS), zero), top);
      s3 = i32x4.min_s(i32x4.max_s(i32x4.shr_s(s3, PRECISION_BITS), zero), top);
      v128.store(rowOut + j, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(s0, s1), i16x8.narrow_i32x4_s(s2, s3)));
    }
    for (let j = vectorEnd; j < n; j++) {
      let ss: i32 = 1 << (PRECISION_BITS - 1);
      for (let i = 0; i < count; i++) ss += <i32>load<u8>(first + <usize>i * n + j) * load<i32>(w + (<usize>i << 2));
      store<u8>(rowOut + j, clip8(ss));
    }
  }
}
