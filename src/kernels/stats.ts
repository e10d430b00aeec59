// TypeScript twin of assembly/stats.ts: per-channel and per-image moments, written the plain way (float64, two
// passes: the mean first, then the squared deviations from it). The wasm kernel gets the same numbers in one pass.
import { MOMENT_FIELDS } from './types.js';

type Pixels = Uint8Array | Float32Array;

function moments(out: Float64Array, input: Pixels, n: number, channels: number): void {
  const count = Math.floor(n / channels);
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    let nonFinite = 0;
    for (let i = c; i < n; i += channels) {
      const x = input[i];
      sum += x;
      if (x < min) min = x;
      if (x > max) max = x;
      if (!Number.isFinite(x)) nonFinite++;
    }
    const mean = count > 0 ? sum / count : 0;
    let m2 = 0;
    if (count > 0) for (let i = c; i < n; i += channels) m2 += (input[i] - mean) ** 2;
    out.set([count, mean, m2, min, max, nonFinite], c * MOMENT_FIELDS);
  }
}

export function momentsU8(out: Float64Array, input: Uint8Array, n: number, channels: number): void {
  moments(out, input, n, channels);
}

export function momentsF32(out: Float64Array, input: Float32Array, n: number, channels: number): void {
  moments(out, input, n, channels);
}

function sampleMoments(out: Float64Array, input: Pixels, nImages: number, imageSize: number): void {
  const one = new Float64Array(MOMENT_FIELDS);
  for (let i = 0; i < nImages; i++) {
    moments(one, input.subarray(i * imageSize, (i + 1) * imageSize), imageSize, 1);
    out[2 * i] = one[1];
    out[2 * i + 1] = Math.sqrt(one[2] / imageSize);
  }
}

export function sampleMomentsU8(out: Float64Array, input: Uint8Array, nImages: number, imageSize: number): void {
  sampleMoments(out, input, nImages, imageSize);
}

export function sampleMomentsF32(out: Float64Array, input: Float32Array, nImages: number, imageSize: number): void {
  sampleMoments(out, input, nImages, imageSize);
}
