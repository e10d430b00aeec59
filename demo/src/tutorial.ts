// The tutorial's recipe, in one place so the browser's worker and the Node test run the very same code: scale the
// digits with one of the three scalings, train the small CNN on seeded batches, report the test accuracy.
import {
  ImageDataGenerator, TUTORIAL_SCALINGS, firstImages, tutorialModel,
  type BatchLogs, type DataSet, type EpochLogs, type Sequential, type TutorialScaling,
} from '../../src/index.js';

export type Scaling = TutorialScaling;

/** The tutorial's three scalings (normalize to [0, 1], center raw pixels, standardize raw pixels), as pixprep defines them. */
export const SCALINGS = TUTORIAL_SCALINGS;

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

/** Fits the scaling on the training images, trains the tutorial CNN, and evaluates it on the whole test set. */
export async function trainTutorial(data: DataSet, settings: TrainSettings, callbacks: TrainCallbacks = {}): Promise<TrainResult> {
  const train = firstImages(data.train, settings.limit);
  const generator = new ImageDataGenerator(SCALINGS[settings.scaling]);
  generator.fit(train.x);
  const trainFlow = generator.flow(train.x, train.y, { batchSize: settings.batchSize, seed: settings.seed });
  const testFlow = generator.flow(data.test.x, data.test.y, { batchSize: settings.batchSize, shuffle: false });
  const model = tutorialModel({ seed: settings.seed });
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
