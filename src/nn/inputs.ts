// What fit, evaluate and predict accept as data, checked before the first step: a flow iterator (any BatchSource)
// or arrays { x, y } (channels last, or channelsFirst with the dataFormat option, as the generator takes them), which
// become an ArraySource so that the engine has one path. A channelsFirst flow's batches are transposed on the way in. Labels are checked here in full
// (every class index of array data against the model's classes), so that bad data fails before any weight moves.
import { ArraySource, isArrayData, isBatchSource, type ArrayData, type BatchSource, type ImageTensor } from './batch-source.js';
import type { DataFormat } from '../generator/image-set.js';
import { ChannelsLastSource } from './channels-last-source.js';
import { checkLabelWidth, type LossName } from './losses.js';
import { oneOf } from './options.js';

export const DEFAULT_BATCH = 32;

export interface SourceRequest {
  batchSize: number | undefined;
  shuffle: boolean;
  withLabels: boolean;
  /** Seeds array data's epoch order, with the batches seen so far (the model's steps). */
  seed: number;
  batchesSeen: number;
  /** The layout of array data's images (undefined: channelsLast); a flow iterator has its own. */
  dataFormat?: DataFormat;
}

/** The `dataFormat` option of fit, evaluate and predict, checked. */
export function dataFormatOption(where: string, value: unknown): DataFormat | undefined {
  return value === undefined ? undefined : oneOf<DataFormat>(where, 'dataFormat', value, ['channelsLast', 'channelsFirst']);
}

export function toSource(where: string, data: unknown, r: SourceRequest): BatchSource {
  if (isBatchSource(data)) {
    if (r.batchSize !== undefined) {
      throw new TypeError(`${where}: \`batchSize\` applies to array data only; the flow iterator has its own batchSize`);
    }
    if (r.dataFormat !== undefined) {
      throw new TypeError(`${where}: \`dataFormat\` applies to array data only; the flow iterator has its generator's dataFormat`);
    }
    checkSource(where, data);
    return (data as { dataFormat?: unknown }).dataFormat === 'channelsFirst' ? new ChannelsLastSource(data) : data;
  }
  if (isArrayData(data)) {
    if (r.withLabels && data.y === undefined) throw new TypeError(`${where}: array data needs labels \`y\``);
    return new ArraySource(where, data as ArrayData, r.batchSize ?? DEFAULT_BATCH, r.shuffle, r.seed, r.batchesSeen, r.dataFormat);
  }
  throw new TypeError(`${where}: data must be a flow iterator (BatchSource) or { x: {data, shape}, y }`);
}

/**
 * fit's validationData: arrays in batches of the training batch size (Keras' validation_batch_size default) and
 * in fit's dataFormat; a flow iterator as it is.
 */
export function validationRequest(data: unknown, trainBatchSize: number, dataFormat: DataFormat | undefined): SourceRequest {
  const arrays = !isBatchSource(data);
  return {
    batchSize: arrays ? trainBatchSize : undefined, shuffle: false, withLabels: true, seed: 0, batchesSeen: 0,
    dataFormat: arrays ? dataFormat : undefined,
  };
}

/** predict's input: images, or a flow that keeps its order. */
export function toPredictSource(where: string, x: ImageTensor | BatchSource, batchSize: number | undefined,
  dataFormat: DataFormat | undefined): BatchSource {
  if (isBatchSource(x)) {
    // Keras predicts on a shuffling generator and returns rows in an order nobody can match to the samples.
    if (x.shuffle === true) {
      throw new Error(`${where}: the flow shuffles its samples, so the rows of the predictions could not be matched ` +
        'to them; predict on a flow made with { shuffle: false } (or on the images)');
    }
    return toSource(where, x, { batchSize, shuffle: false, withLabels: false, seed: 0, batchesSeen: 0, dataFormat });
  }
  return new ArraySource(where, { x }, batchSize ?? DEFAULT_BATCH, false, 0, 0, dataFormat);
}

/** The labels suit the loss and the model's classes; array data's class indices are all checked now. */
export function checkLabels(where: string, loss: LossName, source: BatchSource, classes: number): void {
  checkLabelWidth(where, loss, source.labelWidth, classes);
  if (source instanceof ArraySource) source.checkClasses(where, classes);
}

/** Throws unless `given` is the model's input shape `expected`, saying `what` the expected shape is. */
export function checkImageShape(where: string, expected: readonly number[], given: readonly number[], what: string): void {
  if (sameShape(expected, given)) return;
  throw new RangeError(`${where}: the data's images have shape [${given.join(', ')}] but ${what} [${expected.join(', ')}]`);
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** The batch capacity a source needs: a batch larger than the data is one batch of all of it (as in Keras). */
export function capacityFor(source: BatchSource): number {
  return Math.min(source.batchSize, source.sampleCount);
}

function checkSource(where: string, s: BatchSource): void {
  const shapeOk = Array.isArray(s.imageShape) && s.imageShape.length === 3 &&
    s.imageShape.every((v) => Number.isInteger(v) && v >= 1);
  if (!shapeOk) throw new RangeError(`${where}: the source's imageShape must be [height, width, channels]. Received: ${JSON.stringify(s.imageShape)}`);
  if (!Number.isInteger(s.batchSize) || s.batchSize < 1) {
    throw new RangeError(`${where}: the source's batchSize must be a positive integer. Received: ${s.batchSize}`);
  }
  if (!Number.isInteger(s.sampleCount) || s.sampleCount < 1) {
    throw new RangeError(`${where}: the source has no samples (sampleCount ${s.sampleCount})`);
  }
  if (s.length !== Math.ceil(s.sampleCount / s.batchSize)) {
    throw new RangeError(`${where}: the source's length ${s.length} is not ceil(sampleCount / batchSize) = ` +
      `${Math.ceil(s.sampleCount / s.batchSize)}`);
  }
  if (!Number.isInteger(s.labelWidth) || s.labelWidth < 0) {
    throw new RangeError(`${where}: the source's labelWidth must be a non-negative integer. Received: ${s.labelWidth}`);
  }
}
