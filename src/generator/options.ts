// ImageDataGenerator options: Keras' names in camelCase, Keras' defaults, each checked up front with a message
// that names the option, what was expected and what was received. An unknown name is an error, so a typo
// (`featurewiseCentre`) cannot silently leave data unscaled.
import type { DataFormat } from './image-set.js';
import { describeValue } from '../errors.js';
import { AUGMENTATION_DEFAULTS, resolveAugmentation, type AugmentationOptions } from './augment-options.js';
import { checkOptionNames } from '../unknown-option-error.js';

/** One image as the preprocessing function sees it: a copy, float32, in the generator's data format. */
export interface ImageView {
  data: Float32Array;
  shape: [number, number, number];
}

export interface ImageDataGeneratorOptions extends AugmentationOptions {
  /** Multiplies every pixel first (e.g. 1/255). Omitted or null: no rescaling. */
  rescale?: number | null;
  featurewiseCenter?: boolean;
  featurewiseStdNormalization?: boolean;
  samplewiseCenter?: boolean;
  samplewiseStdNormalization?: boolean;
  /**
   * Runs on each image before anything else; returns the new image (same size) or modifies and returns its input.
   * Any `{ data: Float32Array }` of the right size is taken, so another generator's `standardize(image)` can be returned.
   */
  preprocessingFunction?: ((image: ImageView) => Float32Array | { readonly data: Float32Array; readonly shape?: readonly number[] }) | null;
  /** Whitens with W = U·diag(1/sqrt(S + zcaEpsilon))·Uᵀ of the fitted images' covariance; implies featurewiseCenter. */
  zcaWhitening?: boolean;
  zcaEpsilon?: number;
  /** Fraction of the samples reserved for subset 'validation' in flow: the FIRST floor(n * split), as Keras. */
  validationSplit?: number;
  dataFormat?: DataFormat;
  dtype?: 'float32';
}

export type ResolvedOptions = Required<Omit<ImageDataGeneratorOptions, 'rescale' | 'preprocessingFunction'>> & {
  rescale: number | null;
  preprocessingFunction: ImageDataGeneratorOptions['preprocessingFunction'];
};

export const DEFAULT_OPTIONS: ResolvedOptions = {
  rescale: null,
  featurewiseCenter: false,
  featurewiseStdNormalization: false,
  samplewiseCenter: false,
  samplewiseStdNormalization: false,
  zcaWhitening: false,
  zcaEpsilon: 1e-6,
  preprocessingFunction: null,
  validationSplit: 0,
  dataFormat: 'channelsLast',
  dtype: 'float32',
  ...AUGMENTATION_DEFAULTS,
};

const BOOLEANS = ['featurewiseCenter', 'featurewiseStdNormalization', 'samplewiseCenter', 'samplewiseStdNormalization', 'zcaWhitening'] as const;

export function resolveOptions(options: unknown): ResolvedOptions {
  if (options === undefined) return { ...DEFAULT_OPTIONS };
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`ImageDataGenerator: options must be an object. Received: ${describeValue(options)}`);
  }
  const given = options as Record<string, unknown>;
  checkOptionNames('ImageDataGenerator', given, Object.keys(DEFAULT_OPTIONS));
  const out: ResolvedOptions = { ...DEFAULT_OPTIONS, ...resolveAugmentation(given) };
  for (const name of BOOLEANS) {
    const v = given[name];
    if (v === undefined) continue;
    if (typeof v !== 'boolean') throw new TypeError(`\`${name}\` must be true or false. Received: ${name}=${describeValue(v)}`);
    out[name] = v;
  }
  if (given.rescale !== undefined && given.rescale !== null) {
    const r = given.rescale;
    if (typeof r !== 'number' || !Number.isFinite(r) || r === 0) {
      throw new RangeError(`\`rescale\` must be a finite, non-zero number (omit it for no rescaling). Received: rescale=${describeValue(r)}`);
    }
    out.rescale = r;
  }
  const pf = given.preprocessingFunction;
  if (pf !== undefined && pf !== null) {
    if (typeof pf !== 'function') throw new TypeError(`\`preprocessingFunction\` must be a function. Received: ${describeValue(pf)}`);
    out.preprocessingFunction = pf as ResolvedOptions['preprocessingFunction'];
  }
  if (given.validationSplit !== undefined) {
    const s = given.validationSplit;
    if (typeof s !== 'number' || !(s >= 0 && s < 1)) {
      throw new RangeError(`\`validationSplit\` must be a number in [0, 1). Received: validationSplit=${describeValue(s)}`);
    }
    out.validationSplit = s;
  }
  if (given.dataFormat !== undefined) {
    if (given.dataFormat !== 'channelsLast' && given.dataFormat !== 'channelsFirst') {
      throw new RangeError(`\`dataFormat\` must be 'channelsLast' or 'channelsFirst'. Received: dataFormat=${describeValue(given.dataFormat)}`);
    }
    out.dataFormat = given.dataFormat;
  }
  if (given.zcaEpsilon !== undefined) {
    const e = given.zcaEpsilon;
    if (typeof e !== 'number' || !Number.isFinite(e) || e <= 0) {
      throw new RangeError(`\`zcaEpsilon\` must be a positive finite number. Received: zcaEpsilon=${describeValue(e)}`);
    }
    out.zcaEpsilon = e;
  }
  if (out.zcaWhitening) {
    // Keras overrides these two with a warning and goes on; pixprep asks for a consistent request instead.
    if (given.featurewiseCenter === false) {
      throw new Error('`zcaWhitening` centres the data on its per-channel mean: it cannot be combined with featurewiseCenter=false');
    }
    if (out.featurewiseStdNormalization) {
      throw new Error('`zcaWhitening` replaces std normalization (Keras turns featurewiseStdNormalization off): remove featurewiseStdNormalization');
    }
    if (out.dataFormat === 'channelsFirst') {
      throw new Error("`zcaWhitening` supports dataFormat 'channelsLast' only");
    }
    out.featurewiseCenter = true;
  }
  if (given.dtype !== undefined && given.dtype !== 'float32') {
    throw new RangeError(`\`dtype\` must be 'float32' (pixprep's batches are float32). Received: dtype=${describeValue(given.dtype)}`);
  }
  return out;
}
