// A fitted ImageDataGenerator's scaling as constants an exported model can carry: y = x·mul[c] + add[c] per
// channel (float32, the very coefficients the generator's affine kernel uses, so that the exported graph's Mul then
// Add rounds as pixprep does), then, with ZCA, flat(y)·W. Only what is the same for every image can be baked in:
// samplewise steps depend on each image's own statistics and a preprocessingFunction is arbitrary code, so both are
// refused by name. The generator is read through its public scalingPlan (the plan standardize and flow run), so this
// file needs no import of the generator: the network does not depend on it.

export interface BakedScaling {
  /** Per channel, float32. */
  mul: Float32Array;
  add: Float32Array;
  /** The ZCA matrix (D×D, D = h·w·c, rows and columns in NHWC order), or null. */
  zca: Float32Array | null;
}

/** What is read from a generator (ImageDataGenerator satisfies it). */
interface ScalingPlanSource {
  options: { readonly dataFormat?: unknown; readonly preprocessingFunction?: unknown };
  scalingPlan(where: string, channels: number, shape: readonly [number, number, number]): {
    rescale: number;
    samplewiseCenter: boolean;
    samplewiseStdNormalization: boolean;
    featureMean: Float64Array | null;
    featureStd: Float64Array | null;
    zca: { view: Float32Array } | null;
  };
}

// The generator's std guard (src/generator/pipeline.ts EPSILON): divide by std + 1e-6, as Keras does.
const EPSILON = 1e-6;

export function bakedScaling(where: string, generator: unknown, inputShape: readonly number[]): BakedScaling {
  const g = generator as Partial<ScalingPlanSource> | null;
  if (g === null || typeof g !== 'object' || typeof g.scalingPlan !== 'function' || typeof g.options !== 'object') {
    throw new TypeError(`${where}: \`preprocessing\` must be a fitted ImageDataGenerator. Received: ${describe(generator)}`);
  }
  if (inputShape.length !== 3) {
    throw new RangeError(`${where}: \`preprocessing\` needs a model whose input is images [height, width, channels]. ` +
      `Received a model with input shape [${inputShape.join(', ')}]`);
  }
  const options = g.options!;
  if (options.preprocessingFunction != null) {
    throw new Error(`${where}: the generator's \`preprocessingFunction\` is JavaScript code, which cannot be baked into ` +
      'an exported model; export without `preprocessing` and run the function before the model');
  }
  if (options.dataFormat === 'channelsFirst') {
    throw new Error(`${where}: the generator uses dataFormat 'channelsFirst', but exported models take images ` +
      "[n, height, width, channels]; use a generator with dataFormat 'channelsLast' (the same statistics apply)");
  }
  const [h, w, c] = inputShape;
  const plan = g.scalingPlan!(where, c, [h, w, c]);
  if (plan.samplewiseCenter || plan.samplewiseStdNormalization) {
    const option = plan.samplewiseCenter ? 'samplewiseCenter' : 'samplewiseStdNormalization';
    throw new Error(`${where}: the generator's \`${option}\` scales each image by its own statistics, which cannot be ` +
      'baked into an exported model as constants; export without `preprocessing` or use featurewise options');
  }
  const mul = new Float32Array(c);
  const add = new Float32Array(c);
  for (let ch = 0; ch < c; ch++) {
    // The generator's fold (src/generator/pipeline.ts applyAffine) without the samplewise terms, in float64.
    const M = plan.featureMean ? plan.featureMean[ch] : 0;
    const D = plan.featureStd ? plan.featureStd[ch] + EPSILON : 1;
    mul[ch] = plan.rescale / D;
    add[ch] = -M / D;
  }
  return { mul, add, zca: plan.zca ? plan.zca.view.slice() : null };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return `${typeof value} ${String(value).slice(0, 40)}`;
  return `an object of class ${(value as object).constructor?.name ?? 'Object'}`;
}
