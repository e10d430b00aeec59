/// <reference lib="esnext.disposable" preserve="true" />
// Sequential: the Keras-shaped facade over the engine (engine.ts, fit-loop.ts): compile, fit, evaluate, predict,
// summary, toJSON/fromJSON and the exporters, dispose. Options are checked in call-options.ts and data in inputs.ts
// before anything runs; the layers, the built engine, the weights and the memory rule are ModelState's
// (model-state.ts), which this class extends.
import type { Layer } from './layer.js';
import { isPreparedSource, type ArrayData, type BatchSource, type ImageTensor, type PreparedSource } from './batch-source.js';
import { evaluatePrepared, predictPrepared } from './prepared-loops.js';
import { evaluateLoop, predictLoop, reserve, setOptimizer, type Engine } from './engine.js';
import { fitLoop } from './fit-loop.js';
import { batchOptions, compileOptions, fitOptions } from './call-options.js';
import {
  capacityFor, checkImageShape, checkLabels, toPredictSource, toSource, validationRequest, type SourceRequest,
} from './inputs.js';
import type { LossName } from './losses.js';
import { ModelState } from './model-state.js';
import { parseModel, serializeModel, type ModelJSON } from './serialize.js';
import { restoreModel } from './restore.js';
import { releaseLayers, summaryTable } from './stack.js';
import { toTfjsArtifacts, type TfjsArtifacts, type TfjsExportOptions } from './tfjs.js';
import { toOnnx, type OnnxExportOptions } from './onnx.js';
import type { CompileOptions, EvaluateOptions, FitOptions, History, ModelSnapshot, PredictOptions, SequentialOptions } from './types.js';

export class Sequential extends ModelState {
  /** Opaque data saved with the model (the CLI stores the generator's statistics here). */
  metadata: Record<string, unknown> | undefined;
  private training = false;

  constructor(layers: Layer[], options: SequentialOptions = {}) {
    super(layers, options);
    const declared = this.layers[0].declaredInputShape;
    if (declared !== undefined) this.build(declared);
  }

  compile(options: CompileOptions = {}): void {
    this.ownership.check();
    this.compiled = compileOptions(options, this.layers);
    if (this.memory.engine !== null) setOptimizer(this.memory.engine, this.compiled.optimizer);
  }

  async fit(data: BatchSource | ArrayData, options: FitOptions = {}): Promise<History> {
    const where = 'fit';
    const { loss } = this.requireCompiled(where);
    if (this.training) {
      throw new Error('fit: this model is already training (an earlier fit call has not finished); await it before calling fit again');
    }
    const { settings, batchSize, shuffle, validationData, dataFormat } = fitOptions(where, options);
    const batchesSeen = this.memory.engine?.step ?? 0;
    const { source, e } = this.checked(where, data, { batchSize, shuffle, withLabels: true, seed: this.seed, batchesSeen, dataFormat }, loss);
    const validation = validationData === undefined ? null : this.checked(`${where} (validationData)`, validationData,
      validationRequest(validationData, source.batchSize, dataFormat), loss).source;
    // One capacity for training and validation batches, so the second epoch allocates nothing.
    reserve(e, Math.max(capacityFor(source), validation === null ? 0 : capacityFor(validation)));
    this.training = true;
    try {
      return await fitLoop(where, e, source, validation, settings);
    } finally {
      this.training = false;
    }
  }

  /**
   * Mean loss and accuracy over the data (batches of 32 for arrays, as Keras). Over image files (a source that
   * decodes, such as flowFromDirectory's iterator) the result is a promise.
   */
  evaluate(data: PreparedSource, options?: EvaluateOptions): Promise<{ loss: number; accuracy: number }>;
  evaluate(data: BatchSource | ArrayData, options?: EvaluateOptions): { loss: number; accuracy: number };
  evaluate(data: BatchSource | ArrayData, options: EvaluateOptions = {}): { loss: number; accuracy: number } | Promise<{ loss: number; accuracy: number }> {
    const where = 'evaluate';
    const { batchSize, dataFormat } = batchOptions(where, options);
    const { loss } = this.requireCompiled(where);
    const { source, e } = this.checked(where, data, { batchSize, shuffle: false, withLabels: true, seed: 0, batchesSeen: 0, dataFormat }, loss);
    reserve(e, capacityFor(source));
    return isPreparedSource(source) ? evaluatePrepared(where, e, source) : evaluateLoop(where, e, source);
  }

  /**
   * The last layer's outputs (probabilities for a softmax model), shape [samples, units]. Over image files (a source
   * that decodes, made with shuffle: false) the result is a promise.
   */
  predict(x: PreparedSource, options?: PredictOptions): Promise<{ data: Float32Array; shape: [number, number] }>;
  predict(x: ImageTensor | BatchSource, options?: PredictOptions): { data: Float32Array; shape: [number, number] };
  predict(x: ImageTensor | BatchSource, options: PredictOptions = {}): { data: Float32Array; shape: [number, number] } | Promise<{ data: Float32Array; shape: [number, number] }> {
    const where = 'predict';
    this.ownership.check();
    const { batchSize, dataFormat } = batchOptions(where, options);
    const source = toPredictSource(where, x, batchSize, dataFormat);
    const e = this.engineFor(where, source);
    reserve(e, capacityFor(source));
    const shaped = (data: Float32Array) => ({ data, shape: [data.length / e.classes, e.classes] as [number, number] });
    if (isPreparedSource(source)) return predictPrepared(where, e, source).then(shaped);
    return shaped(predictLoop(where, e, source));
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
    return restoreModel(new Sequential(parsed.layers, { seed: parsed.seed, name: parsed.name }), parsed);
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

  /** The data as a source, checked against the model (built from it when needed) and the loss. */
  private checked(where: string, data: unknown, request: SourceRequest, loss: LossName): { source: BatchSource; e: Engine } {
    const source = toSource(where, data, request);
    const e = this.engineFor(where, source);
    checkLabels(where, loss, source, e.classes);
    return { source, e };
  }

  /** Builds the model from the data when needed, and checks that the data's images are what the model takes. */
  private engineFor(where: string, source: BatchSource): Engine {
    if (this.memory.engine === null) this.build([...source.imageShape]);
    checkImageShape(where, this.inputShape, source.imageShape, `the model's first layer (${this.layers[0].name}) expects`);
    return this.engine();
  }
}
