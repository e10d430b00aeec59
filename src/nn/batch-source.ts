// Where a model's batches come from: the generator's flow iterator (anything with this interface), or arrays
// given to fit/evaluate/predict, which get the same interface here so the training loop has one path.
import { Random } from '../random.js';

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

/** Images as a flat NHWC float32 array and its shape [n, height, width, channels]. */
export interface ImageTensor {
  data: Float32Array;
  shape: readonly number[];
}

/** Class indices, or one-hot rows {data, shape: [n, classes]}. */
export type Labels = Uint8Array | Int32Array | number[] | { data: Float32Array; shape: readonly number[] };

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

/** Checks an {data, shape} image tensor; returns its sample count and per-sample shape. */
export function checkImages(where: string, name: string, x: unknown): { n: number; imageShape: [number, number, number] } {
  const t = x as ImageTensor;
  if (t === null || typeof t !== 'object' || !(t.data instanceof Float32Array)) {
    throw new TypeError(`${where}: \`${name}.data\` must be a Float32Array (scale raw bytes to floats first)`);
  }
  const s = t.shape;
  if (!Array.isArray(s) || s.length !== 4 || !s.every((v) => Number.isInteger(v) && v >= 0) || s.slice(1).some((v) => v < 1)) {
    throw new RangeError(`${where}: \`${name}.shape\` must be [samples, height, width, channels]. ` +
      `Received: ${JSON.stringify(s)}`);
  }
  const size = s[0] * s[1] * s[2] * s[3];
  if (t.data.length !== size) {
    throw new RangeError(`${where}: \`${name}.data\` has ${t.data.length} values but shape [${s.join(', ')}] needs ${size}`);
  }
  return { n: s[0], imageShape: [s[1], s[2], s[3]] };
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
  private readonly order: Int32Array;
  private readonly images: Float32Array;
  /** A copy taken at construction: later changes by the caller do not leak into training. */
  private readonly labels: Float64Array | Float32Array | null;
  readonly shuffle: boolean;

  constructor(where: string, data: ArrayData, readonly batchSize: number, shuffle: boolean, private readonly seed: number,
    private batchesSeen = 0) {
    const { n, imageShape } = checkImages(where, 'x', data.x);
    if (n === 0) throw new RangeError(`${where}: \`x\` has no samples (shape [${data.x.shape.join(', ')}])`);
    this.sampleCount = n;
    this.imageShape = imageShape;
    this.images = data.x.data;
    this.length = Math.ceil(n / batchSize);
    const y = data.y;
    if (y === undefined) {
      this.labels = null;
      this.labelWidth = 0;
    } else if (y instanceof Uint8Array || y instanceof Int32Array || Array.isArray(y)) {
      if (y.length !== n) throw new RangeError(`${where}: \`y\` has ${y.length} labels but \`x\` has ${n} samples`);
      this.labels = Float64Array.from(y as ArrayLike<number>);
      this.labelWidth = 1;
    } else if (y !== null && typeof y === 'object' && y.data instanceof Float32Array && Array.isArray(y.shape)) {
      if (y.shape.length !== 2 || y.shape[0] !== n || !(y.shape[1] >= 1) || y.data.length !== y.shape[0] * y.shape[1]) {
        throw new RangeError(`${where}: one-hot \`y\` must have shape [${n}, classes] matching its data. ` +
          `Received: shape ${JSON.stringify(y.shape)} with ${y.data.length} values`);
      }
      this.labels = y.data.slice();
      this.labelWidth = y.shape[1];
    } else {
      throw new TypeError(`${where}: \`y\` must be class indices (Uint8Array, Int32Array or number[]) ` +
        'or one-hot rows {data: Float32Array, shape: [samples, classes]}');
    }
    this.order = new Int32Array(n);
    this.shuffle = shuffle;
    this.reorder();
  }

  /** Every class index is an integer in [0, classes): checked before the first step, so no weight moves on bad data. */
  checkClasses(where: string, classes: number): void {
    const labels = this.labels;
    if (labels === null || this.labelWidth !== 1) return;
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i];
      if (!(Number.isInteger(label) && label >= 0 && label < classes)) {
        throw new RangeError(`${where}: \`y[${i}]\` is ${label}, not a class index in [0, ${classes})`);
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
    const [h, w, c] = this.imageShape;
    const size = h * w * c;
    const width = this.labelWidth;
    for (let j = 0; j < count; j++) {
      const s = this.order[start + j];
      x.set(this.images.subarray(s * size, (s + 1) * size), j * size);
      if (y !== null && this.labels !== null) {
        for (let q = 0; q < width; q++) y[j * width + q] = this.labels[s * width + q];
      }
    }
    return count;
  }

  onEpochEnd(): void {
    this.batchesSeen += this.length;
    if (this.shuffle) this.reorder();
  }
}
