// The profiling scripts' input data: n float32 values s/2³² − offset from a linear congruential sequence seeded by
// `seed` (the same seed, the same values, with no dependency on pixprep's own Random).
export function seededFloats(n, seed, offset = 0) {
  let s = seed >>> 0;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - offset;
  }
  return a;
}
