// Dense: Y (batch × units) = X (batch × in) · W (in × units) + b, W stored as Keras stores it.
// Backward: dW += Xᵀ·dY, dBias += Σ dY, dX = dY·Wᵀ. 'softmax' is left to the loss kernel, fused with
// cross-entropy, so this layer's output is the logits and its dOut the logits' gradient.
import type { Kernels } from '../kernels/types.js';
import {
  Layer, activationBackward, activationForward, KERAS_GLOROT_UNIFORM, KERAS_ZEROS,
  type Activation, type LayerViews, type ParamSpec,
} from './layer.js';
import { bool, checkOptions, oneOf, positiveInt, shape } from './options.js';

export interface DenseOptions {
  units: number;
  activation?: 'relu' | 'softmax' | 'linear';
  useBias?: boolean;
  inputShape?: [number];
  name?: string;
}

const OPTIONS = ['units', 'activation', 'useBias', 'inputShape', 'name'];

export class Dense extends Layer {
  readonly className = 'Dense';
  readonly units: number;
  readonly useBias: boolean;

  constructor(options: DenseOptions) {
    const where = 'Dense';
    const o = checkOptions(where, options, OPTIONS);
    if (o.units === undefined) throw new TypeError('Dense: `units` is required');
    super(o.name === undefined ? undefined : String(o.name),
      o.inputShape === undefined ? undefined : shape(where, 'inputShape', o.inputShape, 1));
    this.units = positiveInt(where, 'units', o.units);
    this.activation = oneOf(where, 'activation', o.activation ?? 'linear', ['relu', 'softmax', 'linear'] as const) as Activation;
    this.useBias = bool(where, 'useBias', o.useBias ?? true);
  }

  protected outputShapeFor(input: readonly number[]): number[] {
    if (input.length !== 1) {
      throw new RangeError(`Dense ${this.name}: expects flat inputs of shape [features] (add a Flatten layer before it). ` +
        `Received: [${input.join(', ')}]`);
    }
    return [this.units];
  }

  override paramSpecs(): ParamSpec[] {
    const specs: ParamSpec[] = [{ name: 'kernel', shape: [this.inputShape[0], this.units] }];
    if (this.useBias) specs.push({ name: 'bias', shape: [this.units] });
    return specs;
  }

  protected override fans(): [number, number] {
    return [this.inputShape[0], this.units];
  }

  forward(k: Kernels, out: Float32Array, input: Float32Array, v: LayerViews, batch: number): void {
    const n = this.inputShape[0];
    k.gemm(out, input, v.kernel, batch, this.units, n, false, false, false);
    if (this.useBias) k.biasAdd(out, v.bias, batch, this.units);
    activationForward(k, this.activation, out, batch * this.units);
  }

  backward(k: Kernels, dInput: Float32Array | null, dOut: Float32Array, out: Float32Array, input: Float32Array,
    v: LayerViews, batch: number): void {
    const n = this.inputShape[0];
    if (!this.dOutMasked) activationBackward(k, this.activation, dOut, out, batch * this.units);
    k.gemm(v.dKernel, input, dOut, n, this.units, batch, true, false, true);
    if (this.useBias) k.biasGrad(v.dBias, dOut, batch, this.units);
    if (dInput !== null) k.gemm(dInput, dOut, v.kernel, batch, n, this.units, false, true, false);
  }

  getConfig(): Record<string, unknown> {
    return {
      name: this.name, units: this.units, activation: this.activation, useBias: this.useBias,
      ...(this.declaredInputShape ? { inputShape: [...this.declaredInputShape] } : {}),
    };
  }

  kerasConfig(): Record<string, unknown> {
    return {
      name: this.name, trainable: true, dtype: 'float32', units: this.units, activation: this.activation,
      use_bias: this.useBias, kernel_initializer: KERAS_GLOROT_UNIFORM, bias_initializer: KERAS_ZEROS,
      kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null,
      kernel_constraint: null, bias_constraint: null,
    };
  }
}
