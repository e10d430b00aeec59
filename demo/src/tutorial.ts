// The tutorial's recipe, in one place so the browser's worker and the Node test run the very same code: scale the
// digits with one of the three scalings, train the small CNN on seeded batches, report the test accuracy.
import {
  Conv2D, Dense, Flatten, ImageDataGenerator, MaxPooling2D, Sequential,
  type BatchLogs, type DataSet, type EpochLogs, type ImageDataGeneratorOptions, type LabeledImages,
} from '../../src/index.js';

export type Scaling = 'normalize' | 'center' | 'standardize';

/** The tutorial's three scalings: normalize to [0, 1], center raw pixels, standardize raw pixels. */
export const SCALINGS: Record<Scaling, ImageDataGeneratorOptions> = {
  normalize: { rescale: 1 / 255 },
  center: { featurewiseCenter: true },
  standardize: { featurewiseCenter: true, featurewiseStdNormalization: true },
};

export interface TrainSettings {
  scaling: Scaling;
  epochs: number;
  batchSize: number;
  /** Train on the first `limit` training images (the test set stays whole); Infinity for all. */
  limit: number;
  seed: number;
}

/** `pixprep train`'s defaults, so the page trains what the command trains. */
export const DEFAULT_SETTINGS: TrainSettings = { scaling: 'standardize', epochs: 5, batchSize: 64, limit: Infinity, seed: 1 };

export interface TrainCallbacks {
  onBatchEnd?: (epoch: number, batch: number, batches: number, logs: BatchLogs) => void;
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void;
}

export interface TrainResult {
  model: Sequential;
  generator: ImageDataGenerator;
  testAccuracy: number;
  testLoss: number;
  trainImages: number;
}

/** Conv2D 32 3×3 relu, MaxPool 2, Conv2D 64 3×3 relu, MaxPool 2, Flatten, Dense 64 relu, Dense 10 softmax. */
export function tutorialModel(seed: number): Sequential {
  const model = new Sequential([
    new Conv2D({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
    new MaxPooling2D({ poolSize: 2 }),
    new Conv2D({ filters: 64, kernelSize: 3, activation: 'relu' }),
    new MaxPooling2D({ poolSize: 2 }),
    new Flatten(),
    new Dense({ units: 64, activation: 'relu' }),
    new Dense({ units: 10, activation: 'softmax' }),
  ], { seed });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** The first `limit` training images, as `pixprep train --limit` takes them (the loader interleaves the digits). */
export function firstImages(set: LabeledImages, limit: number): LabeledImages {
  const [n, h, w, c] = set.x.shape;
  const k = Math.min(n, limit);
  return { x: { data: set.x.data.subarray(0, k * h * w * c), shape: [k, h, w, c] }, y: set.y.subarray(0, k) };
}

/** Fits the scaling on the training images, trains the tutorial CNN, and evaluates it on the whole test set. */
export async function trainTutorial(data: DataSet, settings: TrainSettings, callbacks: TrainCallbacks = {}): Promise<TrainResult> {
  const train = firstImages(data.train, settings.limit);
  const generator = new ImageDataGenerator(SCALINGS[settings.scaling]);
  generator.fit(train.x);
  const trainFlow = generator.flow(train.x, train.y, { batchSize: settings.batchSize, seed: settings.seed });
  const testFlow = generator.flow(data.test.x, data.test.y, { batchSize: settings.batchSize, shuffle: false });
  const model = tutorialModel(settings.seed);
  let epoch = 0;
  const history = await model.fit(trainFlow, {
    epochs: settings.epochs,
    validationData: testFlow,
    verbose: 0,
    onBatchEnd: (batch, logs) => callbacks.onBatchEnd?.(epoch, batch, trainFlow.length, logs),
    onEpochEnd: (e, logs) => {
      epoch = e + 1;
      callbacks.onEpochEnd?.(e, logs);
    },
  });
  return {
    model,
    generator,
    testAccuracy: history.valAccuracy[history.valAccuracy.length - 1],
    testLoss: history.valLoss[history.valLoss.length - 1],
    trainImages: train.x.shape[0],
  };
}
