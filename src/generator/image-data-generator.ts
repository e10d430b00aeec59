// ImageDataGenerator: Keras' pixel scaling (KERAS_SEMANTICS.md) on pixprep's kernels.
//   fit / partialFit → per-channel statistics (kernels: moments*, float64, mergeable)
//   standardize      → scaled copy of the input (pipeline.ts: one fused affine pass)
//   flow             → seeded, shuffled batches through the same pipeline (flow.ts)
// Departures from Keras, on purpose: featurewise options before fit throw instead of warning; statistics merge
// across chunks (streaming fit); integer pixels are scaled straight into the float batch, never copied whole.
import { getBackend } from '../runtime/backend.js';
import { scratchFor } from '../runtime/scratch.js';
import { MOMENT_FIELDS } from '../kernels/types.js';
import { FlowIterator, type FlowOptions } from './flow.js';
import { ImageSource, type ImageInput, type ImageSet } from './image-set.js';
import type { LabelInput } from './labels.js';
import { Moments } from './moments.js';
import { resolveOptions, type ImageDataGeneratorOptions, type ResolvedOptions } from './options.js';
import { scaleImages, type ScalingPlan } from './pipeline.js';

// Images per statistics round: ~1 MiB of input, copied into kernel memory while it is still in cache.
const FIT_CHUNK_BYTES = 1 << 20;
const JSON_FORMAT = 'pixprep.ImageDataGenerator';
const JSON_VERSION = 1;

export interface GeneratorStatistics {
  /** Values per channel seen by fit (images · height · width). */
  count: number;
  mean: Float64Array;
  std: Float64Array;
  min: Float64Array;
  max: Float64Array;
}

export interface ImageDataGeneratorJSON {
  format: typeof JSON_FORMAT;
  version: number;
  options: Omit<ResolvedOptions, 'preprocessingFunction'>;
  statistics: { channels: number; count: number[]; mean: number[]; m2: number[]; min: number[]; max: number[] } | null;
}

export class ImageDataGenerator {
  readonly options: Readonly<ResolvedOptions>;
  private moments: Moments | null = null;

  constructor(options?: ImageDataGeneratorOptions) {
    this.options = Object.freeze(resolveOptions(options));
  }

  /** Computes the per-channel statistics of x (after rescale, as Keras since 2.9), replacing earlier ones. */
  fit(x: ImageInput): this {
    const fitted = this.statisticsOf(x, 'fit');
    this.moments = fitted;
    return this;
  }

  /** Folds x into the statistics: fitting chunk by chunk gives the statistics of all the chunks together. */
  partialFit(x: ImageInput): this {
    const chunk = this.statisticsOf(x, 'partialFit');
    if (this.moments !== null && this.moments.channels !== chunk.channels) {
      throw new RangeError(`partialFit: x has ${chunk.channels} channels but the generator was fit on ${this.moments.channels}`);
    }
    this.moments = this.moments === null ? chunk : this.moments.merge(chunk);
    return this;
  }

  /** Per-channel mean of the fitted data (after rescale), or null before fit. */
  get mean(): Float32Array | null {
    return this.moments ? Float32Array.from(this.moments.mean) : null;
  }

  /** Per-channel population std of the fitted data (after rescale), or null before fit. */
  get std(): Float32Array | null {
    return this.moments ? Float32Array.from(this.moments.mean, (_, c) => this.moments!.std(c)) : null;
  }

  /** The fitted statistics in float64, with min and max; null before fit. */
  get statistics(): GeneratorStatistics | null {
    const m = this.moments;
    if (m === null) return null;
    return {
      count: m.count[0],
      mean: m.mean.slice(),
      std: Float64Array.from(m.mean, (_, c) => m.std(c)),
      min: m.min.slice(),
      max: m.max.slice(),
    };
  }

  /** Scales x (a batch, or one image of rank 3) into a new float32 array of the same shape; x is untouched. */
  standardize(x: ImageInput): ImageSet<Float32Array> {
    const source = ImageSource.from(x, 'standardize', this.options.dataFormat, true);
    const plan = this.scalingPlan('standardize', source.channels);
    const data = new Float32Array(source.n * source.imageSize);
    scaleImages(getBackend(), plan, source, null, 0, source.n, data, 0);
    return { data, shape: Array.from(x.shape) };
  }

  /** Batches of (x, y) scaled by this generator; see FlowIterator. */
  flow(x: ImageInput, y?: LabelInput | null, options?: FlowOptions): FlowIterator {
    const source = ImageSource.from(x, 'flow', this.options.dataFormat);
    const plan = this.scalingPlan('flow', source.channels);
    return new FlowIterator(getBackend(), plan, source, y ?? null, this.options.validationSplit, options);
  }

  /** Options (without preprocessingFunction, which cannot be serialised) and statistics, for reuse in an app. */
  toJSON(): ImageDataGeneratorJSON {
    const { preprocessingFunction: _, ...options } = this.options;
    const m = this.moments;
    return {
      format: JSON_FORMAT,
      version: JSON_VERSION,
      options,
      statistics: m && {
        channels: m.channels,
        count: Array.from(m.count),
        mean: Array.from(m.mean),
        m2: Array.from(m.m2),
        min: Array.from(m.min),
        max: Array.from(m.max),
      },
    };
  }

  static fromJSON(json: unknown, extra?: Pick<ImageDataGeneratorOptions, 'preprocessingFunction'>): ImageDataGenerator {
    const where = 'ImageDataGenerator.fromJSON';
    const j = (typeof json === 'string' ? JSON.parse(json) : json) as Partial<ImageDataGeneratorJSON> | null;
    if (j === null || typeof j !== 'object' || j.format !== JSON_FORMAT) {
      throw new TypeError(`${where}: expected an object with format "${JSON_FORMAT}". Received format: ${JSON.stringify((j as { format?: unknown } | null)?.format)}`);
    }
    if (j.version !== JSON_VERSION) throw new RangeError(`${where}: unsupported version ${JSON.stringify(j.version)} (this pixprep reads version ${JSON_VERSION})`);
    if (j.options === null || typeof j.options !== 'object') throw new TypeError(`${where}: missing field \`options\``);
    const gen = new ImageDataGenerator({ ...j.options, ...extra });
    const s = j.statistics;
    if (s === undefined) throw new TypeError(`${where}: missing field \`statistics\` (null when not fit)`);
    if (s !== null) {
      const c = s.channels;
      if (c !== 1 && c !== 3 && c !== 4) throw new RangeError(`${where}: statistics.channels must be 1, 3 or 4. Received: ${JSON.stringify(c)}`);
      const m = new Moments(c);
      for (const field of ['count', 'mean', 'm2', 'min', 'max'] as const) {
        const values = s[field];
        if (!Array.isArray(values) || values.length !== c || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
          throw new TypeError(`${where}: statistics.${field} must be an array of ${c} finite numbers. Received: ${JSON.stringify(values)}`);
        }
        m[field].set(values);
      }
      if (m.count.some((n) => n <= 0) || m.m2.some((v) => v < 0)) {
        throw new RangeError(`${where}: statistics.count must be positive and statistics.m2 non-negative`);
      }
      gen.moments = m;
    }
    return gen;
  }

  /** The folded scaling steps; throws if a featurewise step is asked for before fit or on other channels. */
  scalingPlan(where: string, channels: number): ScalingPlan {
    const o = this.options;
    const featurewise = o.featurewiseCenter || o.featurewiseStdNormalization;
    if (featurewise && this.moments === null) {
      const option = o.featurewiseCenter ? 'featurewiseCenter' : 'featurewiseStdNormalization';
      throw new Error(
        `${where}: this ImageDataGenerator specifies \`${option}\`, but it has not been fit on any training data. ` +
          'Call `.fit(x)` or `.partialFit(x)` first.',
      );
    }
    if (featurewise && this.moments!.channels !== channels) {
      throw new RangeError(`${where}: x has ${channels} channels but the generator was fit on ${this.moments!.channels}`);
    }
    const m = this.moments;
    return {
      rescale: o.rescale ?? 1,
      samplewiseCenter: o.samplewiseCenter,
      samplewiseStdNormalization: o.samplewiseStdNormalization,
      featureMean: o.featurewiseCenter ? m!.mean.slice() : null,
      featureStd: o.featurewiseStdNormalization ? Float64Array.from(m!.mean, (_, c) => m!.std(c)) : null,
      preprocessingFunction: o.preprocessingFunction,
    };
  }

  private statisticsOf(x: ImageInput, where: string): Moments {
    const source = ImageSource.from(x, where, this.options.dataFormat);
    const backend = getBackend();
    const C = source.channels;
    const size = source.imageSize;
    const bytes = source.bytes;
    const chunk = Math.max(1, Math.floor(FIT_CHUNK_BYTES / (size * (bytes ? 1 : 4))));
    const scratch = scratchFor(backend.heap);
    const stagingBlock = scratch.get(bytes ? 'fit.u8' : 'fit.f32', bytes ? 'u8' : 'f32', Math.min(chunk, source.n) * size);
    const fieldsBlock = scratch.get('fit.fields', 'f64', MOMENT_FIELDS * C);
    const raw = new Moments(C);
    const planar = source.dataFormat === 'channelsFirst';
    const plane = source.height * source.width;
    for (let start = 0; start < source.n; start += chunk) {
      const end = Math.min(source.n, start + chunk);
      const staging = stagingBlock.view.subarray(0, (end - start) * size);
      const fields = fieldsBlock.view;
      source.gather(staging, null, start, end);
      if (!planar) {
        moments(backend.kernels, fields, staging, staging.length, C);
        for (let c = 0; c < C; c++) mergeFields(raw, c, fields, c);
        continue;
      }
      for (let i = 0; i < end - start; i++) {
        for (let c = 0; c < C; c++) {
          const from = i * size + c * plane;
          moments(backend.kernels, fields, staging.subarray(from, from + plane), plane, 1);
          mergeFields(raw, c, fields, 0);
        }
      }
    }
    for (let c = 0; c < C; c++) {
      if (raw.nonFinite[c] > 0) {
        throw new RangeError(`${where}: x contains ${raw.nonFinite[c]} NaN or Infinity values in channel ${c}; statistics would be meaningless`);
      }
    }
    return raw.scaled(this.options.rescale ?? 1);
  }
}

function moments(kernels: ReturnType<typeof getBackend>['kernels'], out: Float64Array, x: Uint8Array | Float32Array, n: number, channels: number): void {
  if (x instanceof Uint8Array) kernels.momentsU8(out, x, n, channels);
  else kernels.momentsF32(out, x, n, channels);
}

function mergeFields(into: Moments, c: number, fields: Float64Array, fc: number): void {
  const f = fc * MOMENT_FIELDS;
  into.mergeChannel(c, fields[f], fields[f + 1], fields[f + 2], fields[f + 3], fields[f + 4], fields[f + 5]);
}
