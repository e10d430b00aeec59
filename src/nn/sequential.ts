/// <reference lib="esnext.disposable" preserve="true" />
// Sequential: the Keras-shaped facade over the engine (engine.ts, fit-loop.ts). It checks options and data up front,
// with messages that name the option and the value, builds the engine when the input shape is known, and follows
// the memory rule (src/runtime/ownership.ts): dispose(), [Symbol.dispose], a finalizer backstop, and an error on use
// after dispose.
import { currentBackend } from '../runtime/backend.js';
import { Ownership } from '../runtime/ownership.js';
import type { Layer } from './layer.js';
import { isBatchSource, type ArrayData, type BatchSource, type ImageTensor } from './batch-source.js';
import { createEngine, evaluateLoop, freeEngine, predictLoop, reserve, setOptimizer, type Engine } from './engine.js';
import { fitLoop, fitOptions } from './fit-loop.js';
import { capacityFor, checkLabels, toPredictSource, toSource } from './inputs.js';
import { toLossName, type LossName } from './losses.js';
import { toOptimizer, type Optimizer } from './optimizers.js';
import { checkOptions, invalid, nonNegativeInt, positiveInt, shape } from './options.js';
import { parseModel, serializeModel, type ModelJSON } from './serialize.js';
import { claimLayers, releaseLayers, summaryTable } from './stack.js';
import { toTfjsArtifacts, type TfjsArtifacts, type TfjsExportOptions } from './tfjs.js';
import { toOnnx, type OnnxExportOptions } from './onnx.js';
import type {
  CompileConfig, CompileOptions, EvaluateOptions, FitOptions, History, ModelSnapshot, OptimizerState, PredictOptions,
  SequentialOptions,
} from './types.js';
import * as weights from './weights.js';

export class Sequential {
  readonly layers: readonly Layer[];
  readonly name: string;
  readonly seed: number;
  /** Opaque data saved with the model (the CLI stores the generator's statistics here). */
  metadata: Record<string, unknown> | undefined;
  /** The engine's state, in a holder the finalizer can free without keeping the model alive. */
  private readonly memory: { engine: Engine | null } = { engine: null };
  private readonly ownership: Ownership;
  private readonly token = {};
  private compiled: { optimizer: Optimizer; loss: LossName; metrics: string[] } | null = null;
  private training = false;

  constructor(layers: Layer[], options: SequentialOptions = {}) {
    const o = checkOptions('Sequential', options, ['seed', 'name']);
    this.seed = o.seed === undefined ? 0 : nonNegativeInt('Sequential', 'seed', o.seed);
    this.name = o.name === undefined ? 'sequential' : String(o.name);
    this.layers = claimLayers(layers, this.token);
    const memory = this.memory;
    this.ownership = new Ownership('Sequential', this, () => {
      if (memory.engine !== null) freeEngine(memory.engine);
      memory.engine = null;
    });
    const declared = this.layers[0].declaredInputShape;
    if (declared !== undefined) this.build(declared);
  }

  /** Fixes the input shape, checks every layer against it, allocates and initialises the parameters. */
  build(inputShape: readonly number[]): void {
    this.ownership.check();
    if (this.memory.engine !== null) {
      if (!sameShape(this.inputShape, inputShape)) {
        throw new RangeError(`Sequential: the model is built for inputs [${this.inputShape.join(', ')}]. Received: [${inputShape.join(', ')}]`);
      }
      return;
    }
    let s = shape('Sequential', 'inputShape', inputShape);
    for (const layer of this.layers) s = layer.build(s);
    const e = createEngine(currentBackend(), this.layers, this.seed);
    this.memory.engine = e;
    if (this.compiled !== null) setOptimizer(e, this.compiled.optimizer);
  }

  get built(): boolean {
    return this.memory.engine !== null;
  }

  /** The per-sample input shape, e.g. [28, 28, 1]. */
  get inputShape(): number[] {
    return this.engine().layers[0].inputShape;
  }

  /** The per-sample output shape, e.g. [10]. */
  get outputShape(): number[] {
    return this.engine().layers[this.layers.length - 1].outputShape;
  }

  /** Which backend's heap holds the parameters ('wasm-relaxed-simd', 'wasm-simd' or 'js'). */
  get backendName(): string {
    return this.memory.engine?.backend.name ?? 'none';
  }

  countParams(): number {
    return this.engine().arena.count;
  }

  getWeights(): Float32Array[] {
    return weights.getWeights(this.engine().arena);
  }

  setWeights(values: ArrayLike<number>[]): void {
    weights.setWeights(this.engine().arena, this.layers, values);
  }

  /** All weights as one flat copy, in getWeights' order (the layout of TF.js' weights.bin). */
  getWeightsFlat(): Float32Array {
    return this.engine().arena.params.view.slice();
  }

  setWeightsFlat(flat: Float32Array): void {
    weights.setWeightsFlat(this.engine().arena, flat);
  }

  /** Names and shapes of the weights in getWeights' order: "conv2d/kernel" [3, 3, 1, 32], ... */
  weightSpecs(): { name: string; shape: number[] }[] {
    this.engine();
    return weights.weightSpecs(this.layers);
  }

  compile(options: CompileOptions = {}): void {
    this.ownership.check();
    const o = checkOptions('compile', options, ['optimizer', 'loss', 'metrics']);
    const optimizer = toOptimizer(o.optimizer ?? 'adam');
    const loss = toLossName(o.loss ?? 'categoricalCrossentropy');
    if (loss === undefined) invalid('compile', 'loss', "'categoricalCrossentropy' or 'sparseCategoricalCrossentropy'", o.loss);
    const metrics = o.metrics ?? [];
    if (!Array.isArray(metrics) || metrics.some((m) => m !== 'accuracy' && m !== 'acc')) {
      invalid('compile', 'metrics', "a list of metric names (pixprep has 'accuracy')", metrics);
    }
    const last = this.layers[this.layers.length - 1];
    if (last.className !== 'Dense' || last.activation !== 'softmax') {
      throw new RangeError(`compile: loss '${loss}' needs a last Dense layer with activation 'softmax' (pixprep fuses ` +
        `the two). Received: last layer ${last.name} (${last.className}) with activation '${last.activation}'`);
    }
    this.compiled = { optimizer, loss, metrics: metrics.map(() => 'accuracy') };
    if (this.memory.engine !== null) setOptimizer(this.memory.engine, optimizer);
  }

  /** The optimizer's state (steps taken, each slot in the weights' layout), to resume training; null before a step. */
  getOptimizerState(): OptimizerState | null {
    const e = this.memory.engine;
    this.ownership.check();
    return e === null || this.compiled === null || e.step === 0 ? null : weights.getOptimizerSlots(e.arena, e.step);
  }

  /** Restores what getOptimizerState returned, on a compiled, built model with the same optimizer and weights layout. */
  setOptimizerState(state: { step: number; slots: ArrayLike<number>[] }): void {
    const { optimizer } = this.requireCompiled('setOptimizerState');
    const e = this.engine();
    weights.setOptimizerSlots(e.arena, optimizer.className, optimizer.slots, state);
    e.step = state.step;
  }

  /** The compile configuration, for saving. */
  get compileConfig(): CompileConfig | null {
    const c = this.compiled;
    return c === null ? null : {
      optimizer: { className: c.optimizer.className, config: c.optimizer.getConfig() }, loss: c.loss, metrics: [...c.metrics],
    };
  }

  async fit(data: BatchSource | ArrayData, options: FitOptions = {}): Promise<History> {
    const where = 'fit';
    const { loss } = this.requireCompiled(where);
    if (this.training) {
      throw new Error('fit: this model is already training (an earlier fit call has not finished); await it before calling fit again');
    }
    const { settings, batchSize, shuffle, validationData } = fitOptions(where, options);
    const batchesSeen = this.memory.engine?.step ?? 0;
    const source = toSource(where, data, { batchSize, shuffle, withLabels: true, seed: this.seed, batchesSeen });
    const e = this.engineFor(where, source);
    checkLabels(where, loss, source, e.classes);
    let validation: BatchSource | null = null;
    if (validationData !== undefined) {
      const vWhere = `${where} (validationData)`;
      // Arrays are validated in batches of the training batch size, as Keras' validation_batch_size defaults.
      const vBatch = isBatchSource(validationData) ? undefined : source.batchSize;
      validation = toSource(vWhere, validationData, { batchSize: vBatch, shuffle: false, withLabels: true, seed: 0, batchesSeen: 0 });
      this.engineFor(vWhere, validation);
      checkLabels(vWhere, loss, validation, e.classes);
    }
    // One capacity for training and validation batches, so the second epoch allocates nothing.
    reserve(e, Math.max(capacityFor(source), validation === null ? 0 : capacityFor(validation)));
    this.training = true;
    try {
      return await fitLoop(where, e, source, validation, settings);
    } finally {
      this.training = false;
    }
  }

  /** Mean loss and accuracy over the data (batches of 32 for arrays, as Keras). */
  evaluate(data: BatchSource | ArrayData, options: EvaluateOptions = {}): { loss: number; accuracy: number } {
    const where = 'evaluate';
    const o = checkOptions(where, options, ['batchSize']);
    const { loss } = this.requireCompiled(where);
    const batchSize = o.batchSize === undefined ? undefined : positiveInt(where, 'batchSize', o.batchSize);
    const source = toSource(where, data, { batchSize, shuffle: false, withLabels: true, seed: 0, batchesSeen: 0 });
    const e = this.engineFor(where, source);
    checkLabels(where, loss, source, e.classes);
    reserve(e, capacityFor(source));
    return evaluateLoop(where, e, source);
  }

  /** The last layer's outputs (probabilities for a softmax model), shape [samples, units]. */
  predict(x: ImageTensor | BatchSource, options: PredictOptions = {}): { data: Float32Array; shape: [number, number] } {
    const where = 'predict';
    this.ownership.check();
    const o = checkOptions(where, options, ['batchSize']);
    const batchSize = o.batchSize === undefined ? undefined : positiveInt(where, 'batchSize', o.batchSize);
    const source = toPredictSource(where, x, batchSize);
    const e = this.engineFor(where, source);
    reserve(e, capacityFor(source));
    const data = predictLoop(where, e, source);
    return { data, shape: [data.length / e.classes, e.classes] };
  }

  /** A Keras-style table: layer (type), output shape, parameter count, and the totals. */
  summary(): string {
    this.engine();
    return summaryTable(this.name, this.layers);
  }

  /** What the exporters read: the layers, a copy of the weights, the compile config and optimizer state. */
  snapshot(): ModelSnapshot {
    return {
      name: this.name, seed: this.seed, inputShape: this.inputShape, layers: this.layers, weightSpecs: this.weightSpecs(),
      weights: this.getWeightsFlat(), compile: this.compileConfig, optimizerState: this.getOptimizerState(), metadata: this.metadata,
    };
  }

  /** pixprep's own format: architecture, compile config, metadata and weights (base64 float32) in one JSON. */
  toJSON(): ModelJSON {
    return serializeModel(this.snapshot());
  }

  /** Rebuilds a model saved by toJSON (an object or its JSON text); predictions are bit-identical on one backend. */
  static fromJSON(json: ModelJSON | string): Sequential {
    const parsed = parseModel(json);
    const model = new Sequential(parsed.layers, { seed: parsed.seed, name: parsed.name });
    // The model holds kernel memory from build on: a document that fails a later check must not leave it behind.
    try {
      model.build(parsed.inputShape);
      if (parsed.weights.length !== model.countParams()) {
        throw new RangeError(`Sequential.fromJSON: the weights hold ${parsed.weights.length} values but the architecture ` +
          `has ${model.countParams()}`);
      }
      model.setWeightsFlat(parsed.weights);
      if (parsed.compile !== null) model.compile(parsed.compile);
      if (parsed.optimizerState !== null) {
        if (parsed.compile === null) throw new Error('Sequential.fromJSON: `optimizerState` without `compile`');
        model.setOptimizerState(parsed.optimizerState);
      }
    } catch (e) {
      model.dispose();
      throw e;
    }
    model.metadata = parsed.metadata;
    return model;
  }

  /** The TensorFlow.js Layers format: topology, weight specs and the weights' bytes (see tf.io.fromMemory). */
  toTfjsArtifacts(options?: TfjsExportOptions): TfjsArtifacts {
    return toTfjsArtifacts(this.snapshot(), options);
  }

  /**
   * The model as an ONNX file's bytes (opset 17; input images [n, h, w, c], output [n, units]). With
   * `preprocessing: generator` the graph takes raw pixels (uint8 by default) and applies the generator's scaling.
   */
  toOnnx(options?: OnnxExportOptions): Uint8Array {
    return toOnnx(this.snapshot(), options);
  }

  /** Returns the model's kernel memory; any later use throws "Sequential: used after dispose()". */
  dispose(): void {
    if (this.ownership.disposed) return;
    this.ownership.dispose();
    releaseLayers(this.layers, this.token);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  private engine(): Engine {
    this.ownership.check();
    if (this.memory.engine === null) {
      throw new Error(`Sequential ${this.name}: the model is not built yet: give the first layer an \`inputShape\` ` +
        'or call fit/evaluate/predict (or build(inputShape)) first');
    }
    return this.memory.engine;
  }

  private requireCompiled(where: string): { optimizer: Optimizer; loss: LossName } {
    this.ownership.check();
    if (this.compiled === null) {
      throw new Error(`${where}: the model must be compiled first: call model.compile({ optimizer, loss, metrics })`);
    }
    return this.compiled;
  }

  /** Builds the model from the data when needed, and checks that the data's images are what the model takes. */
  private engineFor(where: string, source: BatchSource): Engine {
    if (this.memory.engine === null) this.build([...source.imageShape]);
    const expected = this.inputShape;
    if (!sameShape(expected, source.imageShape)) {
      throw new RangeError(`${where}: the data's images have shape [${source.imageShape.join(', ')}] but the ` +
        `model's first layer (${this.layers[0].name}) expects [${expected.join(', ')}]`);
    }
    return this.engine();
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
