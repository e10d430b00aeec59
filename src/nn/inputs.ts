// What fit, evaluate and predict accept as data, checked before the first step: a flow iterator (any BatchSource)
// or arrays { x, y }, which become an ArraySource so that the engine has one path. Labels are checked here in full
// (every class index of array data against the model's classes), so that bad data fails before any weight moves.
import { ArraySource, isArrayData, isBatchSource, type ArrayData, type BatchSource, type ImageTensor } from './batch-source.js';
import { checkLabelWidth, type LossName } from './losses.js';

export const DEFAULT_BATCH = 32;

export interface SourceRequest {
  batchSize: number | undefined;
  shuffle: boolean;
  withLabels: boolean;
  /** Seeds array data's epoch order, with the batches seen so far (the model's steps). */
  seed: number;
  batchesSeen: number;
}

export function toSource(where: string, data: unknown, r: SourceRequest): BatchSource {
  if (isBatchSource(data)) {
    if (r.batchSize !== undefined) {
      throw new TypeError(`${where}: \`batchSize\` applies to array data only; the flow iterator has its own batchSize`);
    }
    checkSource(where, data);
    return data;
  }
  if (isArrayData(data)) {
    if (r.withLabels && data.y === undefined) throw new TypeError(`${where}: array data needs labels \`y\``);
    return new ArraySource(where, data as ArrayData, r.batchSize ?? DEFAULT_BATCH, r.shuffle, r.seed, r.batchesSeen);
  }
  throw new TypeError(`${where}: data must be a flow iterator (BatchSource) or { x: {data, shape}, y }`);
}

/** predict's input: images, or a flow that keeps its order. */
export function toPredictSource(where: string, x: ImageTensor | BatchSource, batchSize: number | undefined): BatchSource {
  if (isBatchSource(x)) {
    // Keras predicts on a shuffling generator and returns rows in an order nobody can match to the samples.
    if (x.shuffle === true) {
      throw new Error(`${where}: the flow shuffles its samples, so the rows of the predictions could not be matched ` +
        'to them; predict on a flow made with { shuffle: false } (or on the images)');
    }
    return toSource(where, x, { batchSize, shuffle: false, withLabels: false, seed: 0, batchesSeen: 0 });
  }
  return new ArraySource(where, { x }, batchSize ?? DEFAULT_BATCH, false, 0);
}

/** The labels suit the loss and the model's classes; array data's class indices are all checked now. */
export function checkLabels(where: string, loss: LossName, source: BatchSource, classes: number): void {
  checkLabelWidth(where, loss, source.labelWidth, classes);
  if (source instanceof ArraySource) source.checkClasses(where, classes);
}

/** The batch capacity a source needs: a batch larger than the data is one batch of all of it (as in Keras). */
export function capacityFor(source: BatchSource): number {
  return Math.min(source.batchSize, source.sampleCount);
}

function checkSource(where: string, s: BatchSource): void {
  if ((s as { dataFormat?: unknown }).dataFormat === 'channelsFirst') {
    throw new RangeError(`${where}: the model takes channels-last images [height, width, channels]; ` +
      "the flow iterator yields channelsFirst (create the generator with dataFormat: 'channelsLast')");
  }
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
