// Pixel scaling: one affine map per channel, out[i] = in[i] * mul[i % C] + add[i % C], u8 or f32 in, f32 out.
// One channel is the plain map x * mul + add (rescale alone, each plane of a channelsFirst image).
// Normalize (mul = 1/255, add = 0), center and standardize (mul = rescale/(std+eps), add = -mean/(std+eps)) are all
// this one kernel; the generator folds its options into (mul, add) in float64 before calling it.
//
// Layout: interleaved channels (NHWC), C in {1, 2, 3, 4}, n a multiple of C. All pointers are byte offsets into
// linear memory; nothing is allocated. v128 loads and stores may be unaligned (wasm allows it, V8 emits movdqu).

// The SIMD loop works on groups of 12 elements (three f32x4 vectors): 12 is a multiple of every supported C, so
// lane j of vector k in a group always holds channel (4k + j) % C, and three coefficient vectors cover all cases.
@inline function laneCoefficients(coef: usize, channels: i32, k: i32): v128 {
  const base = 4 * k;
  return f32x4(
    load<f32>(coef + (<usize>((base + 0) % channels) << 2)),
    load<f32>(coef + (<usize>((base + 1) % channels) << 2)),
    load<f32>(coef + (<usize>((base + 2) % channels) << 2)),
    load<f32>(coef + (<usize>((base + 3) % channels) << 2)),
  );
}

@inline function u8x4ToF32(bytes: v128, quarter: i32): v128 {
  // Widen u8 -> u16 -> u32 -> f32; `quarter` picks which 4 of the 16 bytes. The words are 0..255, so the signed
  // conversion (one cvtdq2ps on x86) gives the same floats as the unsigned one (a long sequence under V8).
  const half = quarter < 2 ? i16x8.extend_low_i8x16_u(bytes) : i16x8.extend_high_i8x16_u(bytes);
  const words = (quarter & 1) == 0 ? i32x4.extend_low_i16x8_u(half) : i32x4.extend_high_i16x8_u(half);
  return f32x4.convert_i32x4_s(words);
}

/** out[i] = in[i] * mul[i % C] + add[i % C], in f32 arithmetic. u8 in, interleaved channels. */
export function affineU8(out: usize, input: usize, n: i32, channels: i32, mul: usize, add: usize): void {
  const m0 = laneCoefficients(mul, channels, 0), m1 = laneCoefficients(mul, channels, 1), m2 = laneCoefficients(mul, channels, 2);
  const a0 = laneCoefficients(add, channels, 0), a1 = laneCoefficients(add, channels, 1), a2 = laneCoefficients(add, channels, 2);
  let i = 0;
  // 48 bytes = four groups of 12: vector k of the 12 below uses coefficients k % 3.
  for (; i + 48 <= n; i += 48) {
    const src = input + <usize>i;
    const dst = out + (<usize>i << 2);
    const b0 = v128.load(src, 0);
    const b1 = v128.load(src, 16);
    const b2 = v128.load(src, 32);
    v128.store(dst, f32x4.add(f32x4.mul(u8x4ToF32(b0, 0), m0), a0), 0);
    v128.store(dst, f32x4.add(f32x4.mul(u8x4ToF32(b0, 1), m1), a1), 16);
    v128.store(dst, f32x4.add(f32x4.mul(u8x4ToF32(b0, 2), m2), a2), 32);
    v128.store(dst, f32x4.add(f32x4.mul(u8x4ToF32(b0, 3), m0), a0), 48);
    v128.store(dst, f32x4.add(f32x4.mul(u8x4ToF32(b1, 0), m1), a1), 64);
    v128.store(dst, f32x4.add(f32x4.mul(u8x4ToF32(b1, 1), m2), a2), 80);
    v128.store(dst, f32x4.add(f32x4.mul(u8x4ToF32(b1, 2), m0), a0), 96);
    v128.store(dst, f32x4.add(f32x4.mul(u8x4ToF32(b1, 3), m1), a1), 112);
    v128.store(dst, f32x4.add(f32x4.mul(u8x4ToF32(b2, 0), m2), a2), 128);
    v128.store(dst, f32x4.add(f32x4.mul(u8x4ToF32(b2, 1), m0), a0), 144);
    v128.store(dst, f32x4.add(f32x4.mul(u8x4ToF32(b2, 2), m1), a1), 160);
    v128.store(dst, f32x4.add(f32x4.mul(u8x4ToF32(b2, 3), m2), a2), 176);
  }
  for (; i < n; i++) {
    const c = <usize>(i % channels) << 2;
    store<f32>(out + (<usize>i << 2), <f32>load<u8>(input + <usize>i) * load<f32>(mul + c) + load<f32>(add + c));
  }
}

/** out[i] = in[i] * mul[i % C] + add[i % C], in f32 arithmetic. f32 in (out may equal input), interleaved channels. */
export function affineF32(out: usize, input: usize, n: i32, channels: i32, mul: usize, add: usize): void {
  const m0 = laneCoefficients(mul, channels, 0), m1 = laneCoefficients(mul, channels, 1), m2 = laneCoefficients(mul, channels, 2);
  const a0 = laneCoefficients(add, channels, 0), a1 = laneCoefficients(add, channels, 1), a2 = laneCoefficients(add, channels, 2);
  let i = 0;
  for (; i + 12 <= n; i += 12) {
    const p = <usize>i << 2;
    const x0 = v128.load(input + p, 0);
    const x1 = v128.load(input + p, 16);
    const x2 = v128.load(input + p, 32);
    v128.store(out + p, f32x4.add(f32x4.mul(x0, m0), a0), 0);
    v128.store(out + p, f32x4.add(f32x4.mul(x1, m1), a1), 16);
    v128.store(out + p, f32x4.add(f32x4.mul(x2, m2), a2), 32);
  }
  for (; i < n; i++) {
    const c = <usize>(i % channels) << 2;
    const p = <usize>i << 2;
    store<f32>(out + p, load<f32>(input + p) * load<f32>(mul + c) + load<f32>(add + c));
  }
}
