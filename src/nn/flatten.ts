// Flatten: NHWC is already row-major per sample, so the output is the input itself (the model gives both one
// buffer) and the same order as Keras' channels_last Flatten, which keeps exported Dense weights valid.
import type { Kernels } from '../kernels/types.js';
import { Layer, type LayerViews } from './layer.js';
import { checkOptions, shape } from './options.js';

export interface FlattenOptions {
  inputShape?: number[];
  name?: string;
}

export class Flatten extends Layer {
  readonly className = 'Flatten';

  constructor(options: FlattenOptions = {}) {
    const o = checkOptions('Flatten', options, ['inputShape', 'name']);
    super(o.name === undefined ? undefined : String(o.name),
      o.inputShape === undefined ? undefined : shape('Flatten', 'inputShape', o.inputShape));
  }

  override get aliasesInput(): boolean {
    return true;
  }

  protected outputShapeFor(input: readonly number[]): number[] {
    return [input.reduce((a, b) => a * b, 1)];
  }

  forward(_k: Kernels, out: Float32Array, input: Float32Array, _v: LayerViews, batch: number): void {
    if (out !== input) out.set(input.subarray(0, batch * this.inputSize));
  }

  backward(_k: Kernels, dInput: Float32Array | null, dOut: Float32Array, _out: Float32Array, _input: Float32Array,
    _v: LayerViews, batch: number): void {
    if (dInput !== null && dInput !== dOut) dInput.set(dOut.subarray(0, batch * this.inputSize));
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, ...(this.declaredInputShape ? { inputShape: [...this.declaredInputShape] } : {}) };
  }

  kerasConfig(): Record<string, unknown> {
    return { name: this.name, trainable: true, dtype: 'float32', data_format: 'channels_last' };
  }
}
