// Where a model's batches come from: the generator's flow iterator (anything with this interface), or arrays
// given to fit/evaluate/predict, which get the same interface here so the training loop has one path. Arrays are
// read through the generator's own input path (image-set.ts, labels.ts): the network accepts what flow accepts
// (every pixel type, ndarray views, every integer label type, one-hot rows), with the same messages.
import { Random } from '../random.js';
import { ImageSource, type DataFormat, type ImageInput } from '../generator/image-set.js';
import { Labels as LabelSet, type LabelInput } from '../generator/labels.js';

export interface BatchSource {
  /** Batches per epoch: ceil(sampleCount / batchSize). */
  readonly length: number;
  readonly batchSize: number;
  readonly sampleCount: number;
  /** [height, width, channels], channels last. */
  readonly imageShape: readonly [number, number, number];
  /** 0: no labels; 1: class indices; k: one-hot (or soft) rows of k. */
  readonly labelWidth: number;
  /** True when the order of samples changes from epoch to epoch (a shuffling flow); predict refuses such a source. */
  readonly shuffle?: boolean;
  /** Writes batch i of the current epoch into x (and its labels into y); returns the batch's sample count. */
  batchInto(i: number, x: Float32Array, y: Float32Array | null): number;
  /** Reshuffles for the next epoch, like Keras' Sequence.on_epoch_end. */
  onEpochEnd(): void;
}

/**
 * A source whose batches must be fetched first (image files: flowFromDirectory's iterator): prepare(i) reads and
 * decodes batch i (and the next few, ahead) and resolves to its sample count (0 when every file in it was skipped);
 * batchInto(i) then runs synchronously as for arrays. fit, evaluate and predict await prepare before each batch.
 */
export interface PreparedSource extends BatchSource {
  prepare(i: number): Promise<number>;
  /** Messages to show at the end of an epoch (files skipped with onError 'skip'); each handed out once. */
  takeWarnings?(): string[];
}

export function isPreparedSource(value: unknown): value is PreparedSource {
  return isBatchSource(value) && typeof (value as PreparedSource).prepare === 'function';
}

/** Images for the network: what the generator's flow accepts (a typed array with its shape, or an ndarray view). */
export type ImageTensor = ImageInput;

/** Class indices (any integer typed array or number[]), or one-hot rows {data, shape: [n, classes]}. */
export type Labels = LabelInput;

export interface ArrayData {
  x: ImageTensor;
  y?: Labels;
}

export function isBatchSource(value: unknown): value is BatchSource {
  return value !== null && typeof value === 'object' && typeof (value as BatchSource).batchInto === 'function';
}

export function isArrayData(value: unknown): value is ArrayData {
  return value !== null && typeof value === 'object' && 'x' in value;
}

/**
 * Arrays as a BatchSource, shuffled each epoch when asked. Like the flow (and Keras' Iterator), each epoch's order
 * is drawn from seed + the batches seen before it, counted from `batchesSeen` (the model's training steps so far):
 * so a second fit call does not repeat the first one's order, and a model restored with its optimizer state
 * continues with the order an uninterrupted run would have used.
 */
export class ArraySource implements BatchSource {
  readonly length: number;
  readonly sampleCount: number;
  readonly imageShape: readonly [number, number, number];
  readonly labelWidth: number;
  readonly shuffle: boolean;
  private readonly order: Int32Array;
  private readonly images: ImageSource;
  /** A copy taken at construction: later changes by the caller do not leak into training. */
  private readonly labels: LabelSet | null;

  /** `dataFormat`: the layout of data.x; batches are always channels last, the network's order. */
  constructor(where: string, data: ArrayData, readonly batchSize: number, shuffle: boolean, private readonly seed: number,
    private batchesSeen = 0, dataFormat: DataFormat = 'channelsLast') {
    const images = ImageSource.from(data.x, where, dataFormat, false, true);
    const n = images.n;
    this.images = images;
    this.sampleCount = n;
    this.imageShape = [images.height, images.width, images.channels];
    this.length = Math.ceil(n / batchSize);
    this.labels = data.y === undefined ? null : LabelSet.from(snapshot(data.y), where);
    if (this.labels !== null && this.labels.n !== n) {
      throw new RangeError(`${where}: \`x\` (images tensor) and \`y\` (labels) should have the same length. ` +
        `Found: x.shape = [${images.shape.join(', ')}], y length = ${this.labels.n}`);
    }
    this.labelWidth = this.labels?.width ?? 0;
    this.order = new Int32Array(n);
    this.shuffle = shuffle;
    this.reorder();
  }

  /** Every class index is below `classes`: checked before the first step, so no weight moves on bad data. */
  checkClasses(where: string, classes: number): void {
    const labels = this.labels;
    if (labels === null || labels.width !== 1) return;
    for (let i = 0; i < labels.n; i++) {
      const label = labels.classOf(i);
      if (label >= classes) {
        throw new RangeError(`${where}: class labels must be integers in [0, ${classes}) for a model with ${classes} ` +
          `outputs. Received: ${label} at index ${i}`);
      }
    }
  }

  private reorder(): void {
    for (let i = 0; i < this.order.length; i++) this.order[i] = i;
    if (this.shuffle) new Random(this.seed + this.batchesSeen).shuffle(this.order);
  }

  batchInto(i: number, x: Float32Array, y: Float32Array | null): number {
    const start = i * this.batchSize;
    const count = Math.min(this.batchSize, this.sampleCount - start);
    this.images.gatherChannelsLast(x, this.order, start, start + count);
    if (y !== null && this.labels !== null) this.labels.gather(y, this.order, start, start + count);
    return count;
  }

  onEpochEnd(): void {
    this.batchesSeen += this.length;
    if (this.shuffle) this.reorder();
  }
}

/** A copy of the labels (they are small), so that the caller changing them later changes nothing here. */
function snapshot(y: unknown): unknown {
  if (Array.isArray(y)) return y.slice();
  if (ArrayBuffer.isView(y) && !(y instanceof DataView)) return (y as unknown as Uint8Array).slice();
  if (y !== null && typeof y === 'object' && 'data' in y && 'shape' in y) {
    const { data, shape } = y as { data: unknown; shape: unknown };
    return { data: ArrayBuffer.isView(data) && !(data instanceof DataView) ? (data as Float32Array).slice() : data, shape: Array.isArray(shape) ? [...shape] : shape };
  }
  return y;
}
