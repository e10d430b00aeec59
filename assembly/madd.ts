// c + a·b on f32x4. The strict build (the default) multiplies then adds, two roundings, the same on every engine; the
// relaxed-SIMD build (asconfig target "relaxed") lets the engine fuse them (one rounding where the CPU has FMA),
// which halves the arithmetic of every multiply-accumulate loop. Addition commutes exactly, so the strict form
// gives the same bits as the `f32x4.add(c, f32x4.mul(a, b))` it replaces.
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}
