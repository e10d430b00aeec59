// The tables PIL computes before it resamples (libImaging/Resample.c precompute_coeffs + normalize_coeffs_8bpc, and
// Geometry.c ImagingScaleAffine for nearest), in float64 exactly as PIL does, so that the integer kernels
// (src/kernels/resize.ts, assembly/resize.ts) reproduce PIL's bytes.
import { RESAMPLE_PRECISION_BITS } from '../kernels/resize.js';

/** A resampling filter: its support (half-width, in source pixels at scale 1) and its kernel. */
interface Filter { support: number; kernel(x: number): number }

const BILINEAR: Filter = {
  support: 1,
  kernel: (x) => {
    const a = Math.abs(x);
    return a < 1 ? 1 - a : 0;
  },
};

// Keys' cubic with a = −0.5, as PIL writes it.
const BICUBIC: Filter = {
  support: 2,
  kernel: (x) => {
    const a = -0.5;
    const t = Math.abs(x);
    if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
    if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
    return 0;
  },
};

export const FILTERS = { bilinear: BILINEAR, bicubic: BICUBIC } as const;

/** For each output pixel: first source pixel and count (bounds), and `taps` integer weights (scaled by 2^22). */
export interface ResampleTable { bounds: Int32Array; weights: Int32Array; taps: number }

/**
 * PIL's precompute_coeffs: output pixel i of outSize covers the source span [in0, in1) scaled; its centre is
 * in0 + (i + 0.5) · scale, and the filter is widened by the scale when shrinking (antialiasing).
 */
export function resampleTable(inSize: number, in0: number, in1: number, outSize: number, filter: Filter): ResampleTable {
  const scale = (in1 - in0) / outSize;
  const filterScale = Math.max(1, scale);
  const support = filter.support * filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * taps);
  const k = new Float64Array(taps);
  const one = 1 << RESAMPLE_PRECISION_BITS;
  for (let i = 0; i < outSize; i++) {
    const center = in0 + (i + 0.5) * scale;
    const ss = 1 / filterScale;
    // C's (int) cast truncates toward zero.
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const count = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let sum = 0;
    for (let x = 0; x < count; x++) {
      k[x] = filter.kernel((x + xmin - center + 0.5) * ss);
      sum += k[x];
    }
    for (let x = 0; x < count; x++) {
      const w = sum !== 0 ? k[x] / sum : k[x];
      weights[i * taps + x] = w < 0 ? Math.trunc(-0.5 + w * one) : Math.trunc(0.5 + w * one);
    }
    bounds[2 * i] = xmin;
    bounds[2 * i + 1] = Math.max(0, count);
  }
  return { bounds, weights, taps };
}

/**
 * PIL's nearest resize (ImagingScaleAffine): the source coordinate starts at in0 + scale / 2 and grows by `scale`
 * per output pixel (accumulated, as PIL does, so that rounding matches), then truncates; −1 where it falls outside.
 */
export function nearestTable(inSize: number, in0: number, in1: number, outSize: number): Int32Array {
  const scale = (in1 - in0) / outSize;
  const table = new Int32Array(outSize);
  let at = in0 + scale * 0.5;
  for (let i = 0; i < outSize; i++) {
    const v = at < 0 ? -1 : Math.trunc(at);
    table[i] = v >= 0 && v < inSize ? v : -1;
    at += scale;
  }
  return table;
}
