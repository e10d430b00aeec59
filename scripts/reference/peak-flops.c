// Peak fp32 arithmetic of one core, registers only: 512-bit FMA (what MLAS runs) against 128-bit multiplies and adds
// (what WebAssembly SIMD without relaxed SIMD compiles to), and 256-bit (AVX2) and 128-bit (relaxed SIMD's
// f32x4.relaxed_madd) FMA. Twelve (eight pairs for mul + add) independent register chains, enough to cover the
// latencies; CPU time of the thread, so other processes' turns do not count.
//   gcc -O2 -march=native -o /tmp/peak-flops scripts/reference/peak-flops.c && /tmp/peak-flops
// (an x86-64 CPU with AVX-512F and FMA; docs/onnx-gap.md reads its output).
#include <immintrin.h>
#include <stdio.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
#define R8(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7)
#define R12(M) R8(M) M(8) M(9) M(10) M(11)
__attribute__((noinline)) double fma512(long it) {
  __m512 x = _mm512_set1_ps(1.0000001f), y = _mm512_set1_ps(1e-9f);
#define D(i) __m512 a##i = _mm512_set1_ps(i);
  R12(D)
#undef D
  double t = now();
  for (long k = 0; k < it; k++) {
#define F(i) a##i = _mm512_fmadd_ps(a##i, x, y);
    R12(F)
#undef F
  }
  t = now() - t;
  __m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)), _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
  s = _mm512_add_ps(s, _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11)));
  volatile float sink = _mm512_reduce_add_ps(s); (void)sink;
  return it * 12.0 * 16 * 2 / t / 1e9;
}
__attribute__((noinline)) double fma256(long it) {
  __m256 x = _mm256_set1_ps(1.0000001f), y = _mm256_set1_ps(1e-9f);
#define D(i) __m256 a##i = _mm256_set1_ps(i);
  R12(D)
#undef D
  double t = now();
  for (long k = 0; k < it; k++) {
#define F(i) a##i = _mm256_fmadd_ps(a##i, x, y);
    R12(F)
#undef F
  }
  t = now() - t;
  __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)), _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
  s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11)));
  float o[8]; _mm256_storeu_ps(o, s); volatile float sink = o[0]; (void)sink;
  return it * 12.0 * 8 * 2 / t / 1e9;
}
__attribute__((noinline)) double fma128(long it) {
  __m128 x = _mm_set1_ps(1.0000001f), y = _mm_set1_ps(1e-9f);
#define D(i) __m128 a##i = _mm_set1_ps(i);
  R12(D)
#undef D
  double t = now();
  for (long k = 0; k < it; k++) {
#define F(i) a##i = _mm_fmadd_ps(a##i, x, y);
    R12(F)
#undef F
  }
  t = now() - t;
  __m128 s = _mm_add_ps(_mm_add_ps(_mm_add_ps(a0, a1), _mm_add_ps(a2, a3)), _mm_add_ps(_mm_add_ps(a4, a5), _mm_add_ps(a6, a7)));
  s = _mm_add_ps(s, _mm_add_ps(_mm_add_ps(a8, a9), _mm_add_ps(a10, a11)));
  float o[4]; _mm_storeu_ps(o, s); volatile float sink = o[0]; (void)sink;
  return it * 12.0 * 4 * 2 / t / 1e9;
}
__attribute__((noinline)) double muladd128(long it) {
  __m128 x = _mm_set1_ps(1.0000001f);
#define D(i) __m128 b##i = _mm_set1_ps(i + 1), a##i = _mm_set1_ps(i);
  R8(D)
#undef D
  double t = now();
  for (long k = 0; k < it; k++) {
#define F(i) b##i = _mm_mul_ps(b##i, x); a##i = _mm_add_ps(a##i, b##i);
    R8(F)
#undef F
  }
  t = now() - t;
  __m128 s = _mm_add_ps(_mm_add_ps(_mm_add_ps(a0, a1), _mm_add_ps(a2, a3)), _mm_add_ps(_mm_add_ps(a4, a5), _mm_add_ps(a6, a7)));
  s = _mm_add_ps(s, _mm_add_ps(_mm_add_ps(b0, b1), _mm_add_ps(b2, b3)));
  s = _mm_add_ps(s, _mm_add_ps(_mm_add_ps(b4, b5), _mm_add_ps(b6, b7)));
  float o[4]; _mm_storeu_ps(o, s); volatile float sink = o[0]; (void)sink;
  return it * 8.0 * 2 * 4 / t / 1e9;
}
int main(void) {
  for (int r = 0; r < 7; r++) {
    double a = fma512(100000000), c = fma256(100000000), d = fma128(100000000), b = muladd128(100000000);
    printf("GFLOP/s (thread CPU time): 512-bit FMA %.1f, 256-bit FMA %.1f, 128-bit FMA %.1f, 128-bit mul + add %.1f; "
      "512-bit FMA / 128-bit mul + add %.2f\n", a, c, d, b, a / b);
  }
}
