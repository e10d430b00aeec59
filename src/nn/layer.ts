// What every layer is: a shape rule (build), its parameters' shapes, and a forward/backward pair over flat arrays
// owned by the model (llm.c style: outputs first, then inputs, then sizes; nothing allocated inside a layer).
import type { Kernels } from '../kernels/types.js';
import type { Random } from '../random.js';

export type LayerClassName = 'Conv2D' | 'MaxPooling2D' | 'Flatten' | 'Dense';
export type Activation = 'relu' | 'linear' | 'softmax';

export interface ParamSpec {
  readonly name: 'kernel' | 'bias';
  readonly shape: readonly number[];
}

/**
 * One layer's views into the model's arenas. `kernel` and `bias` (and their gradients) are slices of the one
 * parameter block; `scratch` and `ints` are the layer's share of the per-batch scratch blocks (im2col columns,
 * Winograd planes; no layer uses `ints` today). The model rebuilds these views only when the heap's buffer changes.
 */
export interface LayerViews {
  kernel: Float32Array;
  bias: Float32Array;
  dKernel: Float32Array;
  dBias: Float32Array;
  scratch: Float32Array;
  ints: Int32Array;
}

export const EMPTY_F32 = new Float32Array(0);
export const EMPTY_I32 = new Int32Array(0);

export abstract class Layer {
  abstract readonly className: LayerClassName;
  /** Set by the `name` option or, when absent, by the model (conv2d, conv2d_1, ... as Keras names them). */
  name: string | undefined;
  /** The per-sample input shape the layer was declared with (first layer), if any. */
  readonly declaredInputShape: readonly number[] | undefined;
  activation: Activation = 'linear';
  /**
   * True when the layer above applies this layer's relu derivative to dOut in its own backward (a MaxPooling2D right
   * after a relu layer: src/nn/relu-fusion.ts), so backward skips its mask sweep. Set by the model.
   */
  dOutMasked = false;
  /** The layer after this one in its model (null: the last, or not in a model). Set by the model. */
  next: Layer | null = null;
  /** The model this layer belongs to (an opaque token, never the model itself: a finalizer must not be kept from it). */
  owner: object | null = null;
  private built: { input: number[]; output: number[] } | null = null;

  protected constructor(name: string | undefined, inputShape: readonly number[] | undefined) {
    this.name = name;
    this.declaredInputShape = inputShape;
  }

  /** Fixes the layer's per-sample input shape; returns its output shape. Throws for shapes it cannot take. */
  build(inputShape: readonly number[]): number[] {
    const output = this.outputShapeFor(inputShape);
    this.built = { input: [...inputShape], output };
    return [...output];
  }

  get isBuilt(): boolean {
    return this.built !== null;
  }

  get inputShape(): number[] {
    if (this.built === null) throw new Error(`pixprep internal error: layer ${this.name} used before build`);
    return this.built.input;
  }

  get outputShape(): number[] {
    if (this.built === null) throw new Error(`pixprep internal error: layer ${this.name} used before build`);
    return this.built.output;
  }

  get inputSize(): number {
    return this.inputShape.reduce((a, b) => a * b, 1);
  }

  get outputSize(): number {
    return this.outputShape.reduce((a, b) => a * b, 1);
  }

  /** True when the output is the input itself (Flatten): the model gives both the same buffer. */
  get aliasesInput(): boolean {
    return false;
  }

  protected abstract outputShapeFor(inputShape: readonly number[]): number[];

  /** Kernel then bias, in the order Keras and TF.js store them. Empty for layers without parameters. */
  paramSpecs(): ParamSpec[] {
    return [];
  }

  get paramCount(): number {
    return this.paramSpecs().reduce((sum, p) => sum + p.shape.reduce((a, b) => a * b, 1), 0);
  }

  /** Floats and ints of scratch needed for a batch of `batch` samples. */
  scratchFloats(_batch: number): number {
    return 0;
  }

  scratchInts(_batch: number): number {
    return 0;
  }

  /** Glorot-uniform kernel from (fanIn, fanOut), zero bias, as Keras initialises Dense and Conv2D. */
  initialize(views: LayerViews, rng: Random): void {
    const fans = this.fans();
    if (fans === null) return;
    const limit = Math.sqrt(6 / (fans[0] + fans[1]));
    const kernel = views.kernel;
    for (let i = 0; i < kernel.length; i++) kernel[i] = rng.uniform(-limit, limit);
    views.bias.fill(0);
  }

  protected fans(): [number, number] | null {
    return null;
  }

  /**
   * out = layer(input) for `batch` samples. A layer with activation 'softmax' writes the logits: the softmax is
   * applied by the loss kernel, fused with cross-entropy (and by the model at inference).
   */
  abstract forward(k: Kernels, out: Float32Array, input: Float32Array, v: LayerViews, batch: number): void;

  /**
   * Accumulates parameter gradients into v.dKernel / v.dBias and writes dInput (skipped when null: the first
   * layer's input needs no gradient). May overwrite dOut (the relu mask is applied in place). For 'softmax', dOut
   * is the gradient with respect to the logits. When fusesNextBackward(), the engine passes the next layer's dOut
   * and output as nextDOut and nextOut (and dOut, never written then, is not to be read).
   */
  abstract backward(k: Kernels, dInput: Float32Array | null, dOut: Float32Array, out: Float32Array,
    input: Float32Array, v: LayerViews, batch: number, nextDOut?: Float32Array | null, nextOut?: Float32Array | null): void;

  /**
   * True when backward can also do the next layer's backward, from that layer's dOut and output (`above`) instead
   * of the gradient it would write for this one: a first Conv2D under a MaxPooling2D (src/nn/conv2d.ts). The engine
   * asks only of a first layer (no input gradient), and then skips the next layer's backward.
   */
  fusesNextBackward(): boolean {
    return false;
  }

  /** The options that rebuild this layer (pixprep's own format). */
  abstract getConfig(): Record<string, unknown>;

  /** The layer's config in Keras/TF.js Layers JSON (snake_case). */
  abstract kerasConfig(): Record<string, unknown>;
}

/** Applies the activation in place after the affine part of Dense/Conv2D. */
export function activationForward(k: Kernels, activation: Activation, out: Float32Array, n: number): void {
  if (activation === 'relu') k.reluForward(out, out, n);
}

/** Masks dOut in place by relu's derivative (output > 0). Callers skip it when their dOutMasked is set. */
export function activationBackward(k: Kernels, activation: Activation, dOut: Float32Array, out: Float32Array, n: number): void {
  if (activation === 'relu') k.reluBackward(dOut, dOut, out, n);
}

/** Keras' initializer configs, for the TF.js topology (informational there: weights are loaded afterwards). */
export const KERAS_GLOROT_UNIFORM = { class_name: 'GlorotUniform', config: { seed: null } };
export const KERAS_ZEROS = { class_name: 'Zeros', config: {} };
