// One run of the Keras pixel-scaling tutorial, the code `pixprep train`, `pixprep compare` and the browser demo's
// worker all call: scale the training images one way, train the tutorial's CNN on the generator's seeded batches,
// evaluate on the test set. Browser-safe (no node: imports); saving the model is the command's job.
import { ImageDataGenerator } from './generator/image-data-generator.js';
import { AUGMENTATION_DEFAULTS, type AugmentationOptions } from './generator/augment-options.js';
import type { DataSet } from './data/types.js';
import type { Sequential } from './nn/sequential.js';
import type { BatchLogs, EpochLogs, History } from './nn/types.js';
import { checkTutorialInput, firstImages, scalingOptions, tutorialModel, type Scaling, type TutorialScaling } from './tutorial.js';

export interface TutorialSettings {
  scaling: Scaling;
  epochs: number;
  batchSize: number;
  /** Seeds the weights and the batch order. */
  seed: number;
  /** zcaEpsilon for the 'zca' scaling (pixels in [0, 1]); default 0.1. */
  zcaEpsilon?: number;
  /** Random transforms of the training images (the test images are never transformed); null or absent: none. */
  augment?: AugmentationOptions | null;
  /** Train on the first `limit` training images (the test set stays whole); absent or Infinity: all. */
  limit?: number;
  /**
   * Evaluate the test set after every epoch (fit's validationData, for a plot); the result's test figures are then
   * the last epoch's. Otherwise the test set is evaluated once, after training.
   */
  testEachEpoch?: boolean;
}

/** `pixprep train`'s defaults, which the demo page uses too. */
export const TUTORIAL_DEFAULTS: Readonly<{ scaling: TutorialScaling; epochs: number; batchSize: number; seed: number }> =
  Object.freeze({ scaling: 'standardize', epochs: 5, batchSize: 64, seed: 1 });

export interface TutorialHooks {
  /** The tutorial's own lines (data ranges, batch shape, statistics, test accuracy); absent: nothing is computed for them. */
  print?: (line: string) => void;
  /** fit's verbose: 0 silent, 1 Keras' progress (a bar on a terminal, else a line per epoch). Default 0. */
  verbose?: 0 | 1;
  /** After each training batch: the epoch (from 0), the batch (from 0), batches per epoch, the batch's logs. */
  onBatchEnd?: (epoch: number, batch: number, batches: number, logs: BatchLogs) => void;
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void;
}

export interface TutorialRun {
  /** The trained model and the fitted generator: the caller owns them (dispose() when done). */
  model: Sequential;
  generator: ImageDataGenerator;
  history: History;
  testAccuracy: number;
  testLoss: number;
  trainImages: number;
  testImages: number;
  /** The fitted per-channel mean and std the batches were scaled with, or null where the scaling uses none. */
  mean: number[] | null;
  std: number[] | null;
}

const f3 = (v: number) => v.toFixed(3);

/**
 * The number of classes: the largest label + 1. A loop, not `Math.max(...labels)`: a spread passes every label as
 * an argument, and an EMNIST-sized set (131,600 labels) overflows the call stack.
 */
export function classCount(...labelSets: readonly ArrayLike<number>[]): number {
  let largest = -1;
  for (const labels of labelSets) {
    for (let i = 0; i < labels.length; i++) if (labels[i] > largest) largest = labels[i];
  }
  return largest + 1;
}

/** The min over channels' minima and the max over channels' maxima, as `min=…, max=…`. */
function range(stats: { min: ArrayLike<number>; max: ArrayLike<number> }): string {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < stats.min.length; i++) lo = Math.min(lo, stats.min[i]);
  for (let i = 0; i < stats.max.length; i++) hi = Math.max(hi, stats.max[i]);
  return `min=${f3(lo)}, max=${f3(hi)}`;
}

function valuesRange(values: Float32Array): string {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return `min=${f3(lo)}, max=${f3(hi)}`;
}

export async function runTutorial(data: DataSet, s: TutorialSettings, hooks: TutorialHooks = {}): Promise<TutorialRun> {
  const print = hooks.print;
  const train = s.limit === undefined || s.limit === Infinity ? data.train : firstImages(data.train, s.limit);
  const test = data.test;
  const [, h, w, c] = train.x.shape;
  // Before any work: images the network cannot take are the data's fault, said in the data's terms.
  checkTutorialInput(h, w);
  const classes = classCount(train.y, test.y);
  if (print) {
    print(`Train ${range(new ImageDataGenerator().fit(train.x).statistics!)}`);
    print(`Test ${range(new ImageDataGenerator().fit(test.x).statistics!)}`);
  }

  const augment = s.augment ?? null;
  const generator = new ImageDataGenerator({ ...scalingOptions(s.scaling, s.zcaEpsilon), ...augment });
  const o = generator.options;
  if (o.featurewiseCenter || o.featurewiseStdNormalization || o.zcaWhitening) generator.fit(train.x);
  if (augment) print?.(`Augmentation: ${JSON.stringify(augment)}`);
  const trainFlow = generator.flow(train.x, train.y, { batchSize: s.batchSize, seed: s.seed });
  // The test images are scaled with the same statistics and never transformed.
  const plain = augment ? ImageDataGenerator.fromJSON({ ...generator.toJSON(), options: { ...o, ...AUGMENTATION_DEFAULTS } }) : generator;
  const testFlow = plain.flow(test.x, test.y, { batchSize: s.batchSize, shuffle: false });
  const stats = generator.statistics;
  const mean = o.featurewiseCenter && stats ? Array.from(stats.mean) : null;
  const std = o.featurewiseStdNormalization && stats ? Array.from(stats.std) : null;
  if (print) {
    print(`Batches train=${trainFlow.length}, test=${testFlow.length}`);
    const first = trainFlow.at(0).x;
    print(`Batch shape=[${first.shape.join(', ')}], ${valuesRange(first.data)}`);
    if (mean) print(`Mean=${mean.map(f3).join(', ')}` + (std ? `, Std=${std.map(f3).join(', ')}` : ''));
  }

  const model = tutorialModel({ inputShape: [h, w, c], classes, seed: s.seed });
  try {
    let epoch = 0;
    const { onBatchEnd, onEpochEnd } = hooks;
    // No `log` writer: on a terminal, verbose 1 draws Keras' progress bar; elsewhere it prints one line per epoch.
    const history = await model.fit(trainFlow, {
      epochs: s.epochs,
      verbose: hooks.verbose ?? 0,
      ...(s.testEachEpoch ? { validationData: testFlow } : {}),
      ...(onBatchEnd ? { onBatchEnd: (batch: number, logs: BatchLogs) => onBatchEnd(epoch, batch, trainFlow.length, logs) } : {}),
      onEpochEnd: (e: number, logs: EpochLogs) => {
        epoch = e + 1;
        onEpochEnd?.(e, logs);
      },
    });
    const { loss, accuracy } = s.testEachEpoch
      ? { loss: history.valLoss[history.valLoss.length - 1], accuracy: history.valAccuracy[history.valAccuracy.length - 1] }
      : model.evaluate(testFlow);
    print?.(`Test Accuracy: ${(accuracy * 100).toFixed(3)}`);
    return {
      model, generator, history, testAccuracy: accuracy, testLoss: loss,
      trainImages: train.y.length, testImages: test.y.length, mean, std,
    };
  } catch (error) {
    model.dispose();
    generator.dispose();
    throw error;
  } finally {
    // Kernel memory back at once (compare trains several times in one process); the model and generator stay.
    trainFlow.dispose();
    testFlow.dispose();
    if (plain !== generator) plain.dispose();
  }
}
