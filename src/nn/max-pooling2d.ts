// MaxPooling2D ('valid' windows): forward keeps each window's maximum; backward passes dOut to the window's first
// element equal to it, which is the element the forward chose (src/kernels/pool.ts), so nothing is stored between
// the passes. After a relu layer, the backward also applies that relu's derivative (src/nn/relu-fusion.ts).
import type { Kernels } from '../kernels/types.js';
import { Layer, type LayerViews } from './layer.js';
import { checkOptions, invalid, pair, shape } from './options.js';

export interface MaxPooling2DOptions {
  poolSize?: number | [number, number];
  strides?: number | [number, number];
  padding?: 'valid';
  inputShape?: [number, number, number];
  name?: string;
}

const OPTIONS = ['poolSize', 'strides', 'padding', 'inputShape', 'name'];

export class MaxPooling2D extends Layer {
  readonly className = 'MaxPooling2D';
  readonly poolSize: number;
  readonly stride: number;
  /** The layer below is a relu whose derivative this backward applies (src/nn/relu-fusion.ts). Set by the model. */
  masksRelu = false;
  private outH = 0;
  private outW = 0;

  constructor(options: MaxPooling2DOptions = {}) {
    const where = 'MaxPooling2D';
    const o = checkOptions(where, options, OPTIONS);
    super(o.name === undefined ? undefined : String(o.name),
      o.inputShape === undefined ? undefined : shape(where, 'inputShape', o.inputShape, 3));
    // The kernel pools square windows moved by one stride in both directions.
    const pool = pair(where, 'poolSize', o.poolSize ?? 2);
    if (pool[0] !== pool[1]) invalid(where, 'poolSize', 'square', o.poolSize);
    const strides = pair(where, 'strides', o.strides ?? pool[0]);
    if (strides[0] !== strides[1]) invalid(where, 'strides', 'equal in both directions', o.strides);
    if ((o.padding ?? 'valid') !== 'valid') invalid(where, 'padding', "'valid'", o.padding);
    this.poolSize = pool[0];
    this.stride = strides[0];
  }

  protected outputShapeFor(input: readonly number[]): number[] {
    if (input.length !== 3) {
      throw new RangeError(`MaxPooling2D ${this.name}: expects inputs of shape [height, width, channels]. ` +
        `Received: [${input.join(', ')}]`);
    }
    const [h, w, c] = input;
    this.outH = Math.floor((h - this.poolSize) / this.stride) + 1;
    this.outW = Math.floor((w - this.poolSize) / this.stride) + 1;
    if (this.outH < 1 || this.outW < 1) {
      throw new RangeError(`MaxPooling2D ${this.name}: a ${this.poolSize}×${this.poolSize} pool does not fit an input of ${h}×${w}`);
    }
    return [this.outH, this.outW, c];
  }

  forward(k: Kernels, out: Float32Array, input: Float32Array, v: LayerViews, batch: number): void {
    const [h, w, c] = this.inputShape;
    k.maxPoolForward(out, input, batch, h, w, c, this.poolSize, this.stride, this.outH, this.outW);
  }

  backward(k: Kernels, dInput: Float32Array | null, dOut: Float32Array, out: Float32Array, input: Float32Array,
    _v: LayerViews, batch: number): void {
    if (dInput === null) return;
    const [h, w, c] = this.inputShape;
    k.maxPoolBackward(dInput, dOut, input, out, batch, h, w, c, this.poolSize, this.stride, this.outH, this.outW,
      this.masksRelu);
  }

  getConfig(): Record<string, unknown> {
    return {
      name: this.name, poolSize: this.poolSize, strides: this.stride,
      ...(this.declaredInputShape ? { inputShape: [...this.declaredInputShape] } : {}),
    };
  }

  kerasConfig(): Record<string, unknown> {
    return {
      name: this.name, trainable: true, dtype: 'float32', pool_size: [this.poolSize, this.poolSize],
      strides: [this.stride, this.stride], padding: 'valid', data_format: 'channels_last',
    };
  }
}
