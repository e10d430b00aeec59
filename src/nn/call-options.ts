// The options of compile, fit, evaluate and predict, checked before anything runs, in Keras' message shape (the
// call, the option, what was expected and what was received): Sequential reads them through these functions.
import type { DataFormat } from '../generator/image-set.js';
import type { FitSettings } from './fit-loop.js';
import { dataFormatOption } from './inputs.js';
import type { Layer } from './layer.js';
import { toLossName, type LossName } from './losses.js';
import { toOptimizer, type Optimizer } from './optimizers.js';
import { bool, checkOptions, func, invalid, positiveInt } from './options.js';
import type { ArrayData, BatchSource } from './batch-source.js';
import type { CompileConfig, FitOptions, LogWriter } from './types.js';

export interface Compiled {
  optimizer: Optimizer;
  loss: LossName;
  metrics: string[];
}

/** compile's options; the last layer must be the Dense softmax that pixprep fuses with the loss. */
export function compileOptions(options: unknown, layers: readonly Layer[]): Compiled {
  const o = checkOptions('compile', options, ['optimizer', 'loss', 'metrics']);
  const optimizer = toOptimizer(o.optimizer ?? 'adam');
  const loss = toLossName(o.loss ?? 'categoricalCrossentropy');
  if (loss === undefined) invalid('compile', 'loss', "'categoricalCrossentropy' or 'sparseCategoricalCrossentropy'", o.loss);
  const metrics = o.metrics ?? [];
  if (!Array.isArray(metrics) || metrics.some((m) => m !== 'accuracy' && m !== 'acc')) {
    invalid('compile', 'metrics', "a list of metric names (pixprep has 'accuracy')", metrics);
  }
  const last = layers[layers.length - 1];
  if (last.className !== 'Dense' || last.activation !== 'softmax') {
    throw new RangeError(`compile: loss '${loss}' needs a last Dense layer with activation 'softmax' (pixprep fuses ` +
      `the two). Received: last layer ${last.name} (${last.className}) with activation '${last.activation}'`);
  }
  return { optimizer, loss, metrics: metrics.map(() => 'accuracy') };
}

/** The compile configuration as saved. */
export function compileConfig(c: Compiled): CompileConfig {
  return { optimizer: { className: c.optimizer.className, config: c.optimizer.getConfig() }, loss: c.loss, metrics: [...c.metrics] };
}

/** fit's options. */
export function fitOptions(where: string, options: unknown): {
  settings: FitSettings; batchSize: number | undefined; shuffle: boolean; validationData: BatchSource | ArrayData | undefined;
  dataFormat: DataFormat | undefined;
} {
  const o = checkOptions(where, options,
    ['epochs', 'batchSize', 'validationData', 'verbose', 'shuffle', 'onEpochEnd', 'onBatchEnd', 'log', 'dataFormat']);
  const verbose = o.verbose ?? 1;
  if (verbose !== 0 && verbose !== 1 && verbose !== 2) invalid(where, 'verbose', 'one of 0, 1, 2', verbose);
  return {
    settings: {
      epochs: o.epochs === undefined ? 1 : positiveInt(where, 'epochs', o.epochs),
      verbose,
      onEpochEnd: o.onEpochEnd === undefined ? undefined : func<FitOptions['onEpochEnd']>(where, 'onEpochEnd', o.onEpochEnd),
      onBatchEnd: o.onBatchEnd === undefined ? undefined : func<FitOptions['onBatchEnd']>(where, 'onBatchEnd', o.onBatchEnd),
      log: o.log === undefined ? undefined : func<LogWriter>(where, 'log', o.log),
    },
    batchSize: o.batchSize === undefined ? undefined : positiveInt(where, 'batchSize', o.batchSize),
    shuffle: o.shuffle === undefined ? true : bool(where, 'shuffle', o.shuffle),
    validationData: o.validationData as BatchSource | ArrayData | undefined,
    dataFormat: dataFormatOption(where, o.dataFormat),
  };
}

/** evaluate's and predict's options. */
export function batchOptions(where: string, options: unknown): { batchSize: number | undefined; dataFormat: DataFormat | undefined } {
  const o = checkOptions(where, options, ['batchSize', 'dataFormat']);
  return {
    batchSize: o.batchSize === undefined ? undefined : positiveInt(where, 'batchSize', o.batchSize),
    dataFormat: dataFormatOption(where, o.dataFormat),
  };
}
