// TypeScript twin of assembly/resize.ts: PIL's resampling (libImaging/Resample.c, Geometry.c) on 8-bit images.
// The tables (which source pixel, which weights) are computed once in float64 by src/image/resample-tables.ts, so
// both backends see the same integers and give bit-identical output; the kernels only gather and accumulate.
//
// Fixed point as in PIL: weights are integers scaled by 2^22 (RESAMPLE_PRECISION_BITS), each sum starts at 2^21
// (rounding) and is clipped to 0..255 after an arithmetic shift right by 22. A sum fits in int32: |weights| sum to
// under 1.25 · 2^22 for bicubic, times 255.

export const RESAMPLE_PRECISION_BITS = 22;

function clip8(ss: number): number {
  if (ss >= 1 << (RESAMPLE_PRECISION_BITS + 8)) return 255;
  if (ss <= 0) return 0;
  return ss >> RESAMPLE_PRECISION_BITS;
}

/**
 * Nearest neighbour: out[y][x] = input[rows[y]][cols[x]] (all channels), or 0 where rows[y] or cols[x] is −1
 * (outside the source, as PIL leaves it). input is inWidth pixels wide.
 */
export function resizeNearestU8(out: Uint8Array, input: Uint8Array, rows: Int32Array, cols: Int32Array,
  outHeight: number, outWidth: number, inWidth: number, channels: number): void {
  for (let y = 0; y < outHeight; y++) {
    const r = rows[y];
    for (let x = 0; x < outWidth; x++) {
      const c = cols[x];
      const o = (y * outWidth + x) * channels;
      const s = (r * inWidth + c) * channels;
      for (let k = 0; k < channels; k++) out[o + k] = r < 0 || c < 0 ? 0 : input[s + k];
    }
  }
}

/**
 * Horizontal pass: for each of `rows` rows (source rows firstRow + y) and output column x, with xmin = bounds[2x],
 * count = bounds[2x + 1]: out[y][x][c] = clip8(2^21 + Σ_{i < count} input[firstRow + y][xmin + i][c] · weights[x·taps + i]).
 */
export function resampleHorizontalU8(out: Uint8Array, input: Uint8Array, bounds: Int32Array, weights: Int32Array,
  taps: number, rows: number, firstRow: number, inWidth: number, outWidth: number, channels: number): void {
  for (let y = 0; y < rows; y++) {
    const rowIn = (firstRow + y) * inWidth * channels;
    for (let x = 0; x < outWidth; x++) {
      const xmin = bounds[2 * x];
      const count = bounds[2 * x + 1];
      const w = x * taps;
      for (let c = 0; c < channels; c++) {
        let ss = 1 << (RESAMPLE_PRECISION_BITS - 1);
        for (let i = 0; i < count; i++) ss += input[rowIn + (xmin + i) * channels + c] * weights[w + i];
        out[(y * outWidth + x) * channels + c] = clip8(ss);
      }
    }
  }
}

/**
 * Vertical pass over rows of rowLength bytes (width · channels): with ymin = bounds[2y], count = bounds[2y + 1],
 * out[y][j] = clip8(2^21 + Σ_{i < count} input[ymin + i][j] · weights[y·taps + i]).
 */
export function resampleVerticalU8(out: Uint8Array, input: Uint8Array, bounds: Int32Array, weights: Int32Array,
  taps: number, outHeight: number, rowLength: number): void {
  for (let y = 0; y < outHeight; y++) {
    const ymin = bounds[2 * y];
    const count = bounds[2 * y + 1];
    const w = y * taps;
    for (let j = 0; j < rowLength; j++) {
      let ss = 1 << (RESAMPLE_PRECISION_BITS - 1);
      for (let i = 0; i < count; i++) ss += input[(ymin + i) * rowLength + j] * weights[w + i];
      out[y * rowLength + j] = clip8(ss);
    }
  }
}
