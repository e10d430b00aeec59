// One run of the tutorial: scale the data one way, train the CNN on the generator's batches, evaluate on the test
// set. Prints what the tutorial prints (same formats) through `print`, and returns the figures for --json/compare.
import { ImageDataGenerator } from '../generator/image-data-generator.js';
import { saveModel } from '../nn/io-node.js';
import { backend } from '../runtime/backend.js';
import type { DataSet } from '../data/types.js';
import { checkTutorialInput, scalingOptions, tutorialModel, type Scaling } from '../tutorial.js';
import { AUGMENTATION_DEFAULTS, type AugmentationOptions } from '../generator/augment-options.js';

export interface TrainSettings {
  scaling: Scaling;
  epochs: number;
  batchSize: number;
  seed: number;
  zcaEpsilon: number;
  save: string | null;
  /** 0 silent (--json, compare), 1 Keras-style progress. */
  verbose: 0 | 1;
  /** Random transforms of the training images (the test images are never transformed); null or absent: none. */
  augment?: AugmentationOptions | null;
}

export interface TrainResult {
  scaling: Scaling;
  epochs: number;
  batchSize: number;
  seed: number;
  trainImages: number;
  testImages: number;
  mean: number[] | null;
  std: number[] | null;
  testAccuracy: number;
  testLoss: number;
  trainImagesPerSecond: number;
  seconds: number;
  backend: string;
  /** The augmentation the training images had, or null. */
  augment: AugmentationOptions | null;
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

export async function trainOnce(data: DataSet, s: TrainSettings, print: (line: string) => void): Promise<TrainResult> {
  const started = performance.now();
  const { train, test } = data;
  const [, h, w, c] = train.x.shape;
  // Before any work: images the network cannot take are the data's fault, said in the data's terms.
  checkTutorialInput(h, w);
  const classes = classCount(train.y, test.y);
  const rawTrain = new ImageDataGenerator().fit(train.x).statistics!;
  const rawTest = new ImageDataGenerator().fit(test.x).statistics!;
  print(`Train ${range(rawTrain)}`);
  print(`Test ${range(rawTest)}`);

  const augment = s.augment ?? null;
  const generator = new ImageDataGenerator({ ...scalingOptions(s.scaling, s.zcaEpsilon), ...augment });
  const o = generator.options;
  if (o.featurewiseCenter || o.featurewiseStdNormalization || o.zcaWhitening) generator.fit(train.x);
  if (augment) print(`Augmentation: ${JSON.stringify(augment)}`);
  const trainFlow = generator.flow(train.x, train.y, { batchSize: s.batchSize, seed: s.seed });
  // The test images are scaled with the same statistics and never transformed.
  const plain = augment ? ImageDataGenerator.fromJSON({ ...generator.toJSON(), options: { ...o, ...AUGMENTATION_DEFAULTS } }) : generator;
  const testFlow = plain.flow(test.x, test.y, { batchSize: s.batchSize, shuffle: false });
  print(`Batches train=${trainFlow.length}, test=${testFlow.length}`);
  const first = trainFlow.at(0).x;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of first.data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  print(`Batch shape=[${first.shape.join(', ')}], min=${f3(lo)}, max=${f3(hi)}`);
  const stats = generator.statistics;
  const mean = o.featurewiseCenter && stats ? Array.from(stats.mean) : null;
  const std = o.featurewiseStdNormalization && stats ? Array.from(stats.std) : null;
  if (mean) print(`Mean=${mean.map(f3).join(', ')}` + (std ? `, Std=${std.map(f3).join(', ')}` : ''));

  const model = tutorialModel({ inputShape: [h, w, c], classes, seed: s.seed });
  // No `log` writer: on a terminal, fit draws Keras' progress bar; elsewhere it prints one line per epoch.
  const history = await model.fit(trainFlow, { epochs: s.epochs, verbose: s.verbose });
  const { loss, accuracy } = model.evaluate(testFlow);
  print(`Test Accuracy: ${(accuracy * 100).toFixed(3)}`);
  if (s.save !== null) {
    model.metadata = { generator: generator.toJSON(), scaling: s.scaling };
    await saveModel(model, s.save);
    print(`Saved model and generator statistics to ${s.save}`);
  }
  // Kernel memory back for the next run (compare trains three times in one process).
  trainFlow.dispose();
  testFlow.dispose();
  model.dispose();
  const perEpoch = history.imagesPerSecond;
  return {
    scaling: s.scaling,
    epochs: s.epochs,
    batchSize: s.batchSize,
    seed: s.seed,
    trainImages: train.y.length,
    testImages: test.y.length,
    mean,
    std,
    testAccuracy: accuracy,
    testLoss: loss,
    trainImagesPerSecond: perEpoch.length ? perEpoch.reduce((a, b) => a + b, 0) / perEpoch.length : 0,
    seconds: (performance.now() - started) / 1000,
    backend,
    augment,
  };
}
