// Labels as pixprep accepts them: class indices (Uint8Array, Int32Array, any integer typed array or number[]) or
// one-hot rows { data: Float32Array, shape: [n, k] }. Checked and copied once, read per batch; the caller's array
// is never mutated and never read again.
import { describeValue, kindOf } from '../errors.js';

export type LabelIndices = Uint8Array | Uint16Array | Uint32Array | Int8Array | Int16Array | Int32Array | number[];
export interface OneHotLabels {
  data: Float32Array | Float64Array;
  shape: readonly number[];
}
export type LabelInput = LabelIndices | OneHotLabels;

const INDEX_ARRAYS = [Uint8Array, Uint16Array, Uint32Array, Int8Array, Int16Array, Int32Array];
/** Batches carry class indices as Int32Array: a Uint32 label of 2^31 or more would wrap negative. */
const MAX_CLASS = 2 ** 31 - 1;

export class Labels {
  private constructor(
    readonly n: number,
    /** 1 for class indices, k for one-hot rows of k. */
    readonly width: number,
    /** The caller's labels, copied: Int32Array class indices or Float32Array one-hot rows. */
    private readonly values: Int32Array | Float32Array,
  ) {}

  /**
   * Checks every label now and keeps a copy (labels are small): a later change to the caller's array cannot leak
   * into batches, and a bad label is found before the first batch rather than at its own.
   */
  static from(y: unknown, where: string): Labels {
    if (Array.isArray(y) || INDEX_ARRAYS.some((T) => y instanceof T)) {
      const given = y as ArrayLike<unknown>;
      const values = new Int32Array(given.length);
      for (let i = 0; i < given.length; i++) {
        const v = given[i];
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
          const kind = typeof v === 'number' ? '' : ` (${kindOf(v)})`;
          throw new RangeError(`${where}: class labels must be non-negative integers. Received: ${describeValue(v)}${kind} at index ${i}`);
        }
        if (v > MAX_CLASS) {
          throw new RangeError(`${where}: class labels must be below 2^31 (${MAX_CLASS + 1}). Received: ${v} at index ${i}`);
        }
        values[i] = v;
      }
      return new Labels(values.length, 1, values);
    }
    if (y !== null && typeof y === 'object' && 'data' in y && 'shape' in y) {
      const { data, shape } = y as OneHotLabels;
      if (!(data instanceof Float32Array || data instanceof Float64Array)) {
        throw new TypeError(`${where}: one-hot labels need y.data as a Float32Array or Float64Array. Received: ${describeValue(data)}`);
      }
      if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
        throw new RangeError(`${where}: one-hot labels should have y.shape [n, numClasses]. Received shape: ${describeValue(shape)}`);
      }
      if (data.length !== shape[0] * shape[1]) {
        throw new RangeError(`${where}: one-hot labels have ${data.length} values in y.data but shape [${shape.join(', ')}] needs ${shape[0] * shape[1]}`);
      }
      const values = Float32Array.from(data);
      for (let i = 0; i < values.length; i++) {
        // A Float64 value beyond float32's range became Infinity in the copy: say which it was.
        if (!Number.isFinite(values[i])) throw new RangeError(`${where}: one-hot labels must be finite float32 values. Received: ${data[i]} at index ${i} of y.data`);
      }
      return new Labels(shape[0], shape[1], values);
    }
    throw new TypeError(
      `${where}: y must be class indices (an integer typed array or number[]) or one-hot { data, shape: [n, k] }. Received: ${describeValue(y)}`,
    );
  }

  /** Class of sample i (the argmax of a one-hot row). */
  classOf(i: number): number {
    if (this.width === 1) return this.values[i];
    let best = 0;
    for (let j = 1; j < this.width; j++) if (this.values[i * this.width + j] > this.values[i * this.width + best]) best = j;
    return best;
  }

  /** Writes the labels of samples indices[from..to) into out as floats, `width` values each. */
  gather(out: Float32Array, indices: ArrayLike<number>, from: number, to: number): void {
    const w = this.width;
    for (let k = from; k < to; k++) {
      const src = indices[k] * w;
      for (let j = 0; j < w; j++) out[(k - from) * w + j] = this.values[src + j];
    }
  }

  /** The labels of samples indices[from..to) in the caller's form: Int32Array indices or one-hot rows. */
  slice(indices: ArrayLike<number>, from: number, to: number): Int32Array | { data: Float32Array; shape: [number, number] } {
    if (this.width === 1) {
      const out = new Int32Array(to - from);
      for (let k = from; k < to; k++) out[k - from] = this.values[indices[k]];
      return out;
    }
    const data = new Float32Array((to - from) * this.width);
    this.gather(data, indices, from, to);
    return { data, shape: [to - from, this.width] };
  }
}

/** One-hot encoding of class indices, as Keras' to_categorical. numClasses defaults to max(labels) + 1. */
export function toCategorical(labels: LabelIndices, numClasses?: number): { data: Float32Array; shape: [number, number] } {
  const parsed = Labels.from(labels, 'toCategorical');
  if (parsed.width !== 1) throw new TypeError('toCategorical: labels must be class indices, not one-hot rows');
  let k = numClasses;
  if (k === undefined) {
    k = 0;
    for (let i = 0; i < parsed.n; i++) k = Math.max(k, parsed.classOf(i) + 1);
  } else if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(`toCategorical: numClasses must be a positive integer. Received: ${describeValue(numClasses)}`);
  }
  let data: Float32Array;
  try {
    data = new Float32Array(parsed.n * k);
  } catch (cause) {
    throw new RangeError(`toCategorical: ${parsed.n} labels × ${k} classes is more one-hot values than one Float32Array can hold`, { cause });
  }
  for (let i = 0; i < parsed.n; i++) {
    const c = parsed.classOf(i);
    if (c >= k) throw new RangeError(`toCategorical: labels must be integers in [0, ${k}). Received: ${c} at index ${i} with numClasses=${k}`);
    data[i * k + c] = 1;
  }
  return { data, shape: [parsed.n, k] };
}
