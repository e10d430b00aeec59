// `pixprep train`: one run of the tutorial (src/tutorial-run.ts, the code the demo runs too), printed as the
// tutorial prints it through `print`, optionally saved, and summed up as the figures --json and compare report.
import { saveModel } from '../nn/io-node.js';
import { backend, getThreads } from '../runtime/backend.js';
import type { DataSet } from '../data/types.js';
import type { Scaling } from '../tutorial.js';
import { runTutorial, type TutorialHooks } from '../tutorial-run.js';
import type { AugmentationOptions } from '../generator/augment-options.js';

export { classCount } from '../tutorial-run.js';

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
  /** How many threads the kernels ran on (PIXPREP_THREADS, else the default: the cores). */
  threads: number;
  /** The augmentation the training images had, or null. */
  augment: AugmentationOptions | null;
}

/**
 * Trains once. `print` gets the tutorial's lines (null: none, as for --json); `onBatchEnd` follows the training
 * batch by batch (compare's progress line).
 */
export async function trainOnce(data: DataSet, s: TrainSettings, print: ((line: string) => void) | null,
  onBatchEnd?: TutorialHooks['onBatchEnd']): Promise<TrainResult> {
  const started = performance.now();
  const augment = s.augment ?? null;
  const run = await runTutorial(data, s, { print: print ?? undefined, verbose: s.verbose, onBatchEnd });
  const { model, generator } = run;
  try {
    if (s.save !== null) {
      model.metadata = { generator: generator.toJSON(), scaling: s.scaling };
      await saveModel(model, s.save);
      print?.(`Saved model and generator statistics to ${s.save}`);
    }
  } finally {
    // Kernel memory back for the next run (compare trains three times in one process).
    model.dispose();
    generator.dispose();
  }
  const perEpoch = run.history.imagesPerSecond;
  return {
    scaling: s.scaling,
    epochs: s.epochs,
    batchSize: s.batchSize,
    seed: s.seed,
    trainImages: run.trainImages,
    testImages: run.testImages,
    mean: run.mean,
    std: run.std,
    testAccuracy: run.testAccuracy,
    testLoss: run.testLoss,
    trainImagesPerSecond: perEpoch.length ? perEpoch.reduce((a, b) => a + b, 0) / perEpoch.length : 0,
    seconds: (performance.now() - started) / 1000,
    backend,
    threads: getThreads(),
    augment,
  };
}
