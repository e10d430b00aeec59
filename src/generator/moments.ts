// Per-channel statistics that merge exactly: (count, mean, M2) per channel, plus min, max and non-finite counts.
// Chan et al.'s pairwise update combines two chunks into the statistics of both, which is what makes
// `partialFit` (streaming fit) give the same mean and std as one `fit` over everything.
import { MOMENT_FIELDS } from '../kernels/types.js';

export class Moments {
  readonly count: Float64Array;
  readonly mean: Float64Array;
  readonly m2: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly nonFinite: Float64Array;

  constructor(readonly channels: number) {
    this.count = new Float64Array(channels);
    this.mean = new Float64Array(channels);
    this.m2 = new Float64Array(channels);
    this.min = new Float64Array(channels).fill(Infinity);
    this.max = new Float64Array(channels).fill(-Infinity);
    this.nonFinite = new Float64Array(channels);
  }

  /** From a kernel's output: six fields per channel (count, mean, m2, min, max, nonFinite). */
  static fromKernel(fields: Float64Array, channels: number): Moments {
    const m = new Moments(channels);
    for (let c = 0; c < channels; c++) {
      const f = c * MOMENT_FIELDS;
      m.count[c] = fields[f];
      m.mean[c] = fields[f + 1];
      m.m2[c] = fields[f + 2];
      m.min[c] = fields[f + 3];
      m.max[c] = fields[f + 4];
      m.nonFinite[c] = fields[f + 5];
    }
    return m;
  }

  clone(): Moments {
    const m = new Moments(this.channels);
    for (const field of ['count', 'mean', 'm2', 'min', 'max', 'nonFinite'] as const) m[field].set(this[field]);
    return m;
  }

  /** Folds `other` into this (Chan et al. 1979). */
  merge(other: Moments): this {
    if (other.channels !== this.channels) {
      throw new Error(`cannot merge statistics of ${other.channels} channels into statistics of ${this.channels} channels`);
    }
    for (let c = 0; c < this.channels; c++) {
      this.mergeChannel(c, other.count[c], other.mean[c], other.m2[c], other.min[c], other.max[c], other.nonFinite[c]);
    }
    return this;
  }

  /** Folds one chunk's statistics of channel c into this. */
  mergeChannel(c: number, count: number, mean: number, m2: number, min: number, max: number, nonFinite: number): void {
    const na = this.count[c];
    if (count === 0) return;
    const n = na + count;
    const delta = mean - this.mean[c];
    this.mean[c] += delta * (count / n);
    this.m2[c] += m2 + delta * delta * ((na * count) / n);
    this.count[c] = n;
    this.min[c] = Math.min(this.min[c], min);
    this.max[c] = Math.max(this.max[c], max);
    this.nonFinite[c] += nonFinite;
  }

  /** The statistics of r·x given those of x (rescaling before the statistics, as Keras' fit does). */
  scaled(r: number): Moments {
    const m = new Moments(this.channels);
    for (let c = 0; c < this.channels; c++) {
      m.count[c] = this.count[c];
      m.mean[c] = this.mean[c] * r;
      m.m2[c] = this.m2[c] * r * r;
      m.min[c] = r >= 0 ? this.min[c] * r : this.max[c] * r;
      m.max[c] = r >= 0 ? this.max[c] * r : this.min[c] * r;
      m.nonFinite[c] = this.nonFinite[c];
    }
    return m;
  }

  /** Population variance per channel (ddof 0, as numpy's and Keras' std). */
  variance(c: number): number {
    return this.count[c] > 0 ? this.m2[c] / this.count[c] : NaN;
  }

  std(c: number): number {
    return Math.sqrt(this.variance(c));
  }
}
