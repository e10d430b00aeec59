// One error class and one wording for an unknown option, wherever options are read: the generator (constructor,
// fromJSON, fit, flow, applyTransform), the layers, the model (constructor, compile, fit, evaluate, predict), the
// optimizers and the exporters. Each place is pinned here; the suggestion rules are pinned at the end.
import { describe, expect, it } from 'vitest';
import { Adam, Conv2D, Dense, Flatten, ImageDataGenerator, MaxPooling2D, SGD, Sequential, UnknownOptionError, tutorialModel } from '../src/index.js';
import { suggest } from '../src/unknown-option-error.js';

const GENERATOR = 'rescale, featurewiseCenter, featurewiseStdNormalization, samplewiseCenter, samplewiseStdNormalization, ' +
  'zcaWhitening, zcaEpsilon, preprocessingFunction, validationSplit, dataFormat, dtype, rotationRange, widthShiftRange, ' +
  'heightShiftRange, brightnessRange, shearRange, zoomRange, channelShiftRange, fillMode, cval, horizontalFlip, ' +
  'verticalFlip, interpolationOrder';

/** The error `f` throws, checked to be an UnknownOptionError (a TypeError) with exactly `message`. */
function expectUnknown(f: () => unknown, message: string): UnknownOptionError {
  let thrown: unknown = null;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(UnknownOptionError);
  expect(thrown).toBeInstanceOf(TypeError);
  expect((thrown as Error).name).toBe('UnknownOptionError');
  expect((thrown as Error).message).toBe(message);
  return thrown as UnknownOptionError;
}

async function expectUnknownAsync(f: () => Promise<unknown>, message: string): Promise<void> {
  const thrown = await f().then(() => null, (e: unknown) => e);
  expect(thrown).toBeInstanceOf(UnknownOptionError);
  expect((thrown as Error).message).toBe(message);
}

const images = { data: new Uint8Array(4 * 12 * 12), shape: [4, 12, 12, 1] };
const labels = Uint8Array.of(0, 1, 2, 3);

describe('UnknownOptionError, in the generator', () => {
  it('the constructor and fromJSON', () => {
    const e = expectUnknown(() => new ImageDataGenerator({ featurewiseCentre: true } as never),
      `ImageDataGenerator: unknown option \`featurewiseCentre\`. Did you mean \`featurewiseCenter\`? Known options: ${GENERATOR}`);
    expect(e.option).toBe('featurewiseCentre');
    expect(e.suggestion).toBe('featurewiseCenter');
    expect(e.known).toEqual(GENERATOR.split(', '));
    const json = new ImageDataGenerator().toJSON();
    expectUnknown(() => ImageDataGenerator.fromJSON({ ...json, options: { ...json.options, zca_whitening: true } } as never),
      `ImageDataGenerator.fromJSON: the field \`options\`: unknown option \`zca_whitening\`. Did you mean \`zcaWhitening\`? Known options: ${GENERATOR}`);
  });

  it('fit, flow and applyTransform', () => {
    const g = new ImageDataGenerator();
    expectUnknown(() => g.fit(images, { round: 2 } as never),
      'fit: unknown option `round`. Did you mean `rounds`? Known options: augment, rounds, seed');
    expectUnknown(() => g.flow(images, labels, { batch_size: 2 } as never),
      'flow: unknown option `batch_size`. Did you mean `batchSize`? Known options: batchSize, shuffle, seed, subset, sampleWeight');
    expectUnknown(() => g.applyTransform({ data: new Float32Array(144), shape: [12, 12, 1] }, { rotation: 3 } as never),
      'applyTransform: unknown transform parameter `rotation`. Known transform parameters: theta, tx, ty, shear, zx, zy, ' +
      'flipHorizontal, flipVertical, channelShiftIntensity, brightness');
  });
});

describe('UnknownOptionError, in the network', () => {
  it('the layers and optimizers', () => {
    expectUnknown(() => new Conv2D({ filters: 2, kernelSize: 3, kernel_initializer: 'x' } as never),
      'Conv2D: unknown option `kernel_initializer`. Known options: filters, kernelSize, strides, padding, activation, useBias, inputShape, name');
    expectUnknown(() => new Dense({ units: 2, activations: 'relu' } as never),
      'Dense: unknown option `activations`. Did you mean `activation`? Known options: units, activation, useBias, inputShape, name');
    expectUnknown(() => new MaxPooling2D({ pool_size: 2 } as never),
      'MaxPooling2D: unknown option `pool_size`. Did you mean `poolSize`? Known options: poolSize, strides, padding, inputShape, name');
    expectUnknown(() => new Flatten({ dataFormat: 'channelsLast' } as never),
      'Flatten: unknown option `dataFormat`. Known options: inputShape, name');
    expectUnknown(() => new Adam({ lr: 0.1 } as never),
      'Adam: unknown option `lr`. Did you mean `learningRate`? Known options: learningRate, beta1, beta2, epsilon');
    expectUnknown(() => new SGD({ momentum: 0.9 } as never), 'SGD: unknown option `momentum`. Known options: learningRate');
  });

  it('the model: constructor, compile, fit, evaluate, predict, and the exporters', async () => {
    expectUnknown(() => new Sequential([new Dense({ units: 2, inputShape: [3] })], { sed: 1 } as never),
      'Sequential: unknown option `sed`. Did you mean `seed`? Known options: seed, name');
    using model = tutorialModel({ inputShape: [12, 12, 1], classes: 4 });
    expectUnknown(() => model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metric: ['accuracy'] } as never),
      'compile: unknown option `metric`. Did you mean `metrics`? Known options: optimizer, loss, metrics');
    await expectUnknownAsync(() => model.fit({ x: images, y: labels }, { epoch: 1 } as never),
      'fit: unknown option `epoch`. Did you mean `epochs`? Known options: epochs, batchSize, validationData, verbose, ' +
      'shuffle, onEpochEnd, onBatchEnd, log, dataFormat');
    expectUnknown(() => model.evaluate({ x: images, y: labels }, { batch_size: 2 } as never),
      'evaluate: unknown option `batch_size`. Did you mean `batchSize`? Known options: batchSize, dataFormat');
    expectUnknown(() => model.predict(images, { verbose: 0 } as never), 'predict: unknown option `verbose`. Known options: batchSize, dataFormat');
    expectUnknown(() => model.toTfjsArtifacts({ preprocess: null } as never),
      'toTfjsArtifacts: unknown option `preprocess`. Did you mean `preprocessing`? Known options: preprocessing');
    // A saved layer's config with an unknown name: the same error, said from fromJSON (its fields kept).
    const saved = model.toJSON();
    saved.layers[5].config = { ...saved.layers[5].config, unit: 4 };
    const e = expectUnknown(() => Sequential.fromJSON(saved),
      'Sequential.fromJSON: layers[5].config: Dense: unknown option `unit`. Did you mean `units`? Known options: units, ' +
      'activation, useBias, inputShape, name');
    expect([e.where, e.option, e.suggestion]).toEqual(['Sequential.fromJSON: layers[5].config: Dense', 'unit', 'units']);
    expectUnknown(() => model.toOnnx({ inputType: 'uint8' } as never),
      'toOnnx: unknown option `inputType`. Did you mean `inputDtype`? Known options: preprocessing, inputDtype');
  });
});

describe('suggest', () => {
  const known = ['batchSize', 'shuffle', 'seed', 'featurewiseCenter', 'featurewiseStdNormalization', 'learningRate'];
  it("Keras' snake_case and other capitalisations", () => {
    expect(suggest('batch_size', known)).toBe('batchSize');
    expect(suggest('BATCHSIZE', known)).toBe('batchSize');
    expect(suggest('featurewise_std_normalization', known)).toBe('featurewiseStdNormalization');
  });
  it('one or two letters off, the closest first; short names only one off', () => {
    expect(suggest('shufle', known)).toBe('shuffle');
    expect(suggest('featurewiseCentre', known)).toBe('featurewiseCenter');
    expect(suggest('sed', known)).toBe('seed');
    expect(suggest('sd', known)).toBeNull(); // two off, and too short to guess from
    expect(suggest('batchSizes', ['batchSize', 'batchSizesX'])).toBe('batchSize');
  });
  it("an unfinished name, Keras' lr, and nothing when nothing is close", () => {
    expect(suggest('featurewiseStdNorm', known)).toBe('featurewiseStdNormalization');
    expect(suggest('featurewise', known)).toBeNull(); // begins two known names
    expect(suggest('lr', known)).toBe('learningRate');
    expect(suggest('lr', ['optimizer', 'loss'])).toBeNull();
    expect(suggest('momentum', known)).toBeNull();
    expect(suggest('', known)).toBeNull();
  });
});
