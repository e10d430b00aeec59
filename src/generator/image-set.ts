// What pixprep accepts as images, checked once at the API edge: `{ data, shape }` with a typed array, or an ndarray
// view (data + shape + stride + offset, possibly non-contiguous). Everything past this file sees an ImageSource:
// n images of h·w·c values each, in the caller's layout (channels last or first), read without copying or mutating
// the caller's array until a batch gathers its images into kernel memory.

import { describeValue } from '../errors.js';

export type PixelArray = Uint8Array | Uint8ClampedArray | Float32Array | Float64Array;
export type DataFormat = 'channelsLast' | 'channelsFirst';

/** A batch of images or a whole set: `{ data, shape }`, shape [n, height, width, channels] (channels last). */
export interface ImageSet<T extends PixelArray = PixelArray> {
  data: T;
  shape: readonly number[];
}

/** An ndarray-like view (scijs ndarray): data, shape, stride, offset. */
export interface NdarrayLike {
  data: PixelArray;
  shape: readonly number[];
  stride: readonly number[];
  offset: number;
}

export type ImageInput = ImageSet | NdarrayLike;

const KINDS = 'a Uint8Array, Uint8ClampedArray, Float32Array or Float64Array';

export function describeShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a plain Array';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

export function isPixelArray(value: unknown): value is PixelArray {
  return value instanceof Uint8Array || value instanceof Uint8ClampedArray || value instanceof Float32Array || value instanceof Float64Array;
}

/** True for integer pixels, which the kernels read as bytes (Uint8ClampedArray shares Uint8Array's bytes). */
export function isBytes(data: PixelArray): data is Uint8Array | Uint8ClampedArray {
  return data instanceof Uint8Array || data instanceof Uint8ClampedArray;
}

export class ImageSource {
  readonly imageSize: number;

  private constructor(
    readonly data: PixelArray,
    readonly shape: readonly number[],
    readonly dataFormat: DataFormat,
    readonly n: number,
    readonly height: number,
    readonly width: number,
    readonly channels: number,
    /** Element strides of the 4 axes in the caller's order, and the offset of element [0,0,0,0]. */
    private readonly stride: readonly number[],
    private readonly offset: number,
    /** True when image i is data[offset + i·imageSize .. +imageSize) in the caller's layout. */
    readonly contiguous: boolean,
    /** 1 + the furthest element of data the images reach: data must stay at least this long. */
    private readonly extent: number,
  ) {
    this.imageSize = height * width * channels;
  }

  /**
   * Checks `x` and wraps it. `where` names the call in messages ("fit", "flow", "standardize").
   * `allowSingleImage` accepts rank 3 (one image) as a batch of one. `anyChannels` lifts the 1, 3 or 4 channels
   * rule (the network takes any number of channels; the generator's statistics and ZCA need image channels).
   */
  static from(x: unknown, where: string, dataFormat: DataFormat, allowSingleImage = false, anyChannels = false): ImageSource {
    if (x === null || typeof x !== 'object' || !('data' in x) || !('shape' in x)) {
      throw new TypeError(`${where}: x must be an image set { data, shape } or an ndarray. Received: ${typeName(x)}`);
    }
    const { data, shape: rawShape } = x as { data: unknown; shape: unknown };
    if (!isPixelArray(data)) {
      throw new TypeError(`${where}: x.data must be ${KINDS}. Received: ${typeName(data)}`);
    }
    // Array.from turns holes into undefined, which `some` then sees (it skips holes).
    if (!Array.isArray(rawShape) || Array.from(rawShape).some((d) => !Number.isInteger(d) || d < 0)) {
      throw new TypeError(`${where}: x.shape must be an array of non-negative integers. Received: ${describeValue(rawShape)}`);
    }
    let shape: number[] = Array.from(rawShape);
    const single = allowSingleImage && shape.length === 3;
    if (single) shape = [1, ...shape];
    if (shape.length !== 4) {
      const layout = dataFormat === 'channelsLast' ? '[n, height, width, channels]' : '[n, channels, height, width]';
      throw new RangeError(`${where}: x should have rank 4 ${layout}. Got array with shape: ${describeValue(rawShape)}`);
    }
    const [n, a, b, c] = shape;
    const [height, width, channels] = dataFormat === 'channelsLast' ? [a, b, c] : [b, c, a];
    if (!anyChannels && channels !== 1 && channels !== 3 && channels !== 4) {
      const axis = dataFormat === 'channelsLast' ? 'last axis' : 'axis 1 (channelsFirst)';
      throw new RangeError(
        `${where}: expected 1, 3 or 4 channels on the ${axis} (grayscale, RGB or RGBA). ` +
          `Received: ${channels} channels in shape ${describeShape(rawShape)}`,
      );
    }
    if (n === 0 || height === 0 || width === 0 || channels === 0) {
      throw new RangeError(`${where}: x is empty (shape ${describeShape(rawShape)}); at least one image of at least one pixel is needed`);
    }
    const total = n * height * width * channels;
    const denseStride = [a * b * c, b * c, c, 1];
    if ('stride' in x && (x as NdarrayLike).stride !== undefined) {
      const view = x as NdarrayLike;
      const offset = view.offset ?? 0;
      let stride = Array.isArray(view.stride) ? Array.from(view.stride) : [];
      if (single) stride = [0, ...stride];
      if (stride.length !== 4 || stride.some((s) => !Number.isInteger(s)) || !Number.isInteger(offset)) {
        throw new TypeError(
          `${where}: ndarray stride/offset must be integers, one stride per axis. Received: stride ${describeValue(view.stride)}, offset ${describeValue(offset)}`,
        );
      }
      // The furthest elements the view can reach must lie inside data.
      let lo = offset;
      let hi = offset;
      shape.forEach((d, i) => {
        if (stride[i] > 0) hi += (d - 1) * stride[i];
        else lo += (d - 1) * stride[i];
      });
      if (lo < 0 || hi >= data.length) {
        throw new RangeError(`${where}: ndarray view reaches outside its data (elements ${lo}..${hi} of ${data.length})`);
      }
      const contiguous = stride.every((s, i) => s === denseStride[i] || shape[i] === 1);
      return new ImageSource(data, Array.from(rawShape), dataFormat, n, height, width, channels, stride, offset, contiguous, hi + 1);
    }
    if (data.length !== total) {
      throw new RangeError(
        `${where}: x.data has ${data.length} elements but shape ${describeShape(rawShape)} needs ${total}`,
      );
    }
    return new ImageSource(data, Array.from(rawShape), dataFormat, n, height, width, channels, denseStride, 0, true, total);
  }

  /**
   * Throws when the caller's data no longer holds the images: its buffer was transferred (detached) or resized
   * after the call that took it. Without this the platform would fail inside a copy with a message about an
   * ArrayBuffer the caller never named.
   */
  checkAttached(where: string): void {
    if (this.data.length < this.extent) {
      throw new Error(
        `${where}: x.data (a ${this.data.constructor.name} of ${this.extent} values when flow() was called) now holds ` +
          `${this.data.length}: its buffer was transferred (detached) or resized. Keep the images' array as it was ` +
          'while the flow is used, or make a new flow.',
      );
    }
  }

  get bytes(): boolean {
    return isBytes(this.data);
  }

  /** Image i's values in the caller's layout, as a subarray (contiguous sources only). */
  image(i: number): PixelArray {
    const start = this.offset + i * this.imageSize;
    return this.data.subarray(start, start + this.imageSize);
  }

  /**
   * Copies images indices[from..to) like gather, but always channels-last [height, width, channels], the network's
   * input order, whatever the caller's layout: a channelsFirst source is transposed on the way, read through its
   * strides (ndarray views included). Values are gather's: the same float32 of each pixel, only their order differs.
   */
  gatherChannelsLast(out: Float32Array, indices: ArrayLike<number> | null, from: number, to: number): void {
    if (this.dataFormat === 'channelsLast') {
      this.gather(out, indices, from, to);
      return;
    }
    const [s0, sc, sh, sw] = this.stride;
    const { height, width, channels, data } = this;
    let o = 0;
    for (let k = from; k < to; k++) {
      const base = this.offset + (indices === null ? k : indices[k]) * s0;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const at = base + y * sh + x * sw;
          for (let c = 0; c < channels; c++) out[o++] = data[at + c * sc];
        }
      }
    }
  }

  /**
   * Copies images indices[from..to) (or images from..to when indices is null) into out, dense, in the caller's
   * layout. Float64 pixels are converted to float32 on the way, as Keras converts its input to float32.
   */
  gather(out: Uint8Array | Float32Array | Float64Array, indices: ArrayLike<number> | null, from: number, to: number): void {
    const size = this.imageSize;
    if (this.contiguous) {
      if (indices === null) out.set(this.data.subarray(this.offset + from * size, this.offset + to * size));
      else for (let k = from; k < to; k++) out.set(this.image(indices[k]), (k - from) * size);
      return;
    }
    const [s0, s1, s2, s3] = this.stride;
    const [d1, d2, d3] = this.dataFormat === 'channelsLast'
      ? [this.height, this.width, this.channels]
      : [this.channels, this.height, this.width];
    const data = this.data;
    let o = 0;
    for (let k = from; k < to; k++) {
      const base = this.offset + (indices === null ? k : indices[k]) * s0;
      for (let i1 = 0; i1 < d1; i1++) {
        for (let i2 = 0; i2 < d2; i2++) {
          let at = base + i1 * s1 + i2 * s2;
          for (let i3 = 0; i3 < d3; i3++, at += s3) out[o++] = data[at];
        }
      }
    }
  }
}
