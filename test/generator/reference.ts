// Keras' ImageDataGenerator scaling written plainly in float64, following docs/keras-semantics.md step by step,
// independent of src/: the yardstick for fit and standardize.

export interface KerasOptions {
  rescale?: number;
  featurewiseCenter?: boolean;
  featurewiseStdNormalization?: boolean;
  samplewiseCenter?: boolean;
  samplewiseStdNormalization?: boolean;
}

/** fit(): per-channel mean and population std of x * rescale, channels last, in float64. */
export function kerasFit(x: ArrayLike<number>, channels: number, rescale = 1) {
  const mean = new Float64Array(channels);
  const std = new Float64Array(channels);
  const count = x.length / channels;
  for (let i = 0; i < x.length; i++) mean[i % channels] += x[i] * rescale;
  for (let c = 0; c < channels; c++) mean[c] /= count;
  for (let i = 0; i < x.length; i++) std[i % channels] += (x[i] * rescale - mean[i % channels]) ** 2;
  for (let c = 0; c < channels; c++) std[c] = Math.sqrt(std[c] / count);
  return { mean, std };
}

/** standardize() of each image, in Keras' order; returns float64 results and, per value, the size of its terms. */
export function kerasStandardize(
  x: ArrayLike<number>, imageSize: number, channels: number, o: KerasOptions, fitted?: { mean: Float64Array; std: Float64Array },
) {
  const out = new Float64Array(x.length);
  const magnitude = new Float64Array(x.length);
  for (let start = 0; start < x.length; start += imageSize) {
    const img = Array.from({ length: imageSize }, (_, j) => x[start + j] * (o.rescale ?? 1));
    let a = 0;
    let b = 1;
    const m = img.reduce((s, v) => s + v, 0) / imageSize;
    const sd = Math.sqrt(img.reduce((s, v) => s + (v - m) ** 2, 0) / imageSize);
    if (o.samplewiseCenter) a = m;
    if (o.samplewiseStdNormalization) b = sd + 1e-6;
    for (let j = 0; j < imageSize; j++) {
      const c = j % channels;
      let v = img[j];
      v -= a;
      v /= b;
      const M = o.featurewiseCenter ? fitted!.mean[c] : 0;
      const D = o.featurewiseStdNormalization ? fitted!.std[c] + 1e-6 : 1;
      v -= M;
      v /= D;
      out[start + j] = v;
      magnitude[start + j] = Math.abs(img[j] / (b * D)) + Math.abs((a / b + M) / D);
    }
  }
  return { out, magnitude };
}

/** Float32 evaluation of a two-term affine map is exact to a few ulps of the terms' magnitude. */
export function f32Tolerance(magnitude: number): number {
  return 4 * 2 ** -24 * magnitude + 1e-30;
}
