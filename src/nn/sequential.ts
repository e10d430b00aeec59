// Sequential: a stack of layers with Keras' compile/fit/evaluate/predict/summary. The public side reads like Keras
// (options checked up front, messages that name the option and the value); the inside is llm.c's loop: one forward
// through the layers into a preallocated activation arena, the fused softmax cross-entropy, one backward
// accumulating into the gradient block, one optimizer call over all parameters.
import { Random } from '../random.js';
import { getBackend, type Backend } from '../runtime/backend.js';
import { ParameterArena, Workspace, type WorkspaceViews } from './arenas.js';
import { EMPTY_F32, EMPTY_I32, Layer } from './layer.js';
import {
  ArraySource, checkImages, isArrayData, isBatchSource, type ArrayData, type BatchSource, type ImageTensor,
} from './batch-source.js';
import { Optimizer, toOptimizer, type OptimizerConfig } from './optimizers.js';
import { checkLabelWidth, countCorrect, indicesToOneHot, toLossName, type LossName } from './losses.js';
import { Progress, type LogWriter } from './progress.js';
import { bool, checkOptions, func, invalid, nonNegativeInt, oneOf, positiveInt, shape } from './options.js';
import { serializeModel, parseModel, type ModelJSON } from './serialize.js';
import { toTfjsArtifacts, type TfjsArtifacts } from './tfjs.js';

export interface SequentialOptions {
  /** Seeds weight initialisation and the shuffling of array data. Default 0: pixprep is deterministic. */
  seed?: number;
  name?: string;
}

export interface CompileOptions {
  optimizer?: 'adam' | 'sgd' | Optimizer;
  loss?: LossName | 'categorical_crossentropy' | 'sparse_categorical_crossentropy';
  metrics?: string[];
}

export interface EpochLogs {
  loss: number;
  accuracy: number;
  valLoss?: number;
  valAccuracy?: number;
  /** Training images per second this epoch (forward, backward and update; not validation). */
  imagesPerSecond: number;
  seconds: number;
}

export interface BatchLogs {
  loss: number;
  accuracy: number;
  size: number;
}

export interface FitOptions {
  epochs?: number;
  /** For array data only (a flow iterator has its own). Default 32. */
  batchSize?: number;
  validationData?: BatchSource | ArrayData;
  /** 0 silent, 1 a progress bar on a TTY (one line per epoch otherwise), 2 one line per epoch. Default 1. */
  verbose?: 0 | 1 | 2;
  /** Shuffle array data each epoch (seeded by the model's seed). Default true. */
  shuffle?: boolean;
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void | Promise<void>;
  onBatchEnd?: (batch: number, logs: BatchLogs) => void;
  /** Receives each progress line instead of stdout/console (tests, apps). */
  log?: LogWriter;
}

export interface History {
  epoch: number[];
  loss: number[];
  accuracy: number[];
  valLoss: number[];
  valAccuracy: number[];
  imagesPerSecond: number[];
}

export interface EvaluateOptions {
  batchSize?: number;
}

export interface PredictOptions {
  batchSize?: number;
}

interface Compiled {
  optimizer: Optimizer;
  loss: LossName;
  metrics: string[];
}

const DEFAULT_BATCH = 32;

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export class Sequential {
  readonly layers: readonly Layer[];
  readonly name: string;
  readonly seed: number;
  /** Opaque data saved with the model (the CLI stores the generator's statistics here). */
  metadata: Record<string, unknown> | undefined;
  private backend: Backend | null = null;
  private parameters: ParameterArena | null = null;
  private workspace: Workspace | null = null;
  private cached: WorkspaceViews | null = null;
  private compiled: Compiled | null = null;
  private step = 0;

  constructor(layers: Layer[], options: SequentialOptions = {}) {
    const o = checkOptions('Sequential', options, ['seed', 'name']);
    if (!Array.isArray(layers) || layers.length === 0) {
      throw new TypeError('Sequential: `layers` must be a non-empty array of layers');
    }
    layers.forEach((layer, i) => {
      if (!(layer instanceof Layer)) {
        throw new TypeError(`Sequential: layers[${i}] is not a layer (Conv2D, MaxPooling2D, Flatten, Dense)`);
      }
    });
    if (new Set(layers).size !== layers.length) throw new TypeError('Sequential: the same layer object appears twice');
    this.seed = o.seed === undefined ? 0 : nonNegativeInt('Sequential', 'seed', o.seed);
    this.name = o.name === undefined ? 'sequential' : String(o.name);
    this.layers = [...layers];
    nameLayers(this.layers);
    layers.forEach((layer, i) => {
      if (layer.activation === 'softmax' && i !== layers.length - 1) {
        throw new RangeError(`Sequential: layer ${layer.name} has activation 'softmax', which pixprep supports only ` +
          'on the last layer (fused with the cross-entropy loss)');
      }
    });
    const declared = this.layers[0].declaredInputShape;
    if (declared !== undefined) this.build(declared);
  }

  // ---------------------------------------------------------------------------------------------- building

  /** Fixes the input shape, checks every layer against it, allocates and initialises the parameters. */
  build(inputShape: readonly number[]): void {
    if (this.parameters !== null) {
      const expected = this.inputShape;
      if (!sameShape(expected, inputShape)) {
        throw new RangeError(`Sequential: the model is built for inputs [${expected.join(', ')}]. Received: [${inputShape.join(', ')}]`);
      }
      return;
    }
    let s = shape('Sequential', 'inputShape', inputShape);
    for (const layer of this.layers) {
      s = layer.build(s);
    }
    this.backend = getBackend();
    this.parameters = new ParameterArena(this.backend.heap, this.layers);
    const rng = new Random(this.seed);
    const views = this.freshParameterViews();
    this.layers.forEach((layer, i) => layer.initialize(views[i], rng));
  }

  get built(): boolean {
    return this.parameters !== null;
  }

  /** The per-sample input shape, e.g. [28, 28, 1]. */
  get inputShape(): number[] {
    return this.builtLayers()[0].inputShape;
  }

  /** The per-sample output shape, e.g. [10]. */
  get outputShape(): number[] {
    const layers = this.builtLayers();
    return layers[layers.length - 1].outputShape;
  }

  /** Which backend's heap holds the parameters ('wasm-relaxed-simd', 'wasm-simd' or 'js'). */
  get backendName(): string {
    return this.backend?.name ?? 'none';
  }

  countParams(): number {
    return this.arena().count;
  }

  private builtLayers(): readonly Layer[] {
    if (this.parameters === null) {
      throw new Error(`Sequential ${this.name}: the model is not built yet: give the first layer an \`inputShape\` ` +
        'or call fit/evaluate/predict (or build(inputShape)) first');
    }
    return this.layers;
  }

  private arena(): ParameterArena {
    this.builtLayers();
    return this.parameters as ParameterArena;
  }

  private freshParameterViews() {
    const arena = this.arena();
    const params = arena.params.view;
    const grads = arena.grads.view;
    return arena.ranges.map(([kernel, bias]) => ({
      kernel: params.subarray(kernel.start, kernel.start + kernel.length),
      bias: params.subarray(bias.start, bias.start + bias.length),
      dKernel: grads.subarray(kernel.start, kernel.start + kernel.length),
      dBias: grads.subarray(bias.start, bias.start + bias.length),
      scratch: EMPTY_F32,
      ints: EMPTY_I32,
    }));
  }

  // ---------------------------------------------------------------------------------------------- weights

  /** Copies of the weights in Keras' order (per layer: kernel, then bias). */
  getWeights(): Float32Array[] {
    const arena = this.arena();
    const params = arena.params.view;
    const out: Float32Array[] = [];
    for (const [kernel, bias] of arena.ranges) {
      if (kernel.length) out.push(params.slice(kernel.start, kernel.start + kernel.length));
      if (bias.length) out.push(params.slice(bias.start, bias.start + bias.length));
    }
    return out;
  }

  /** Sets the weights from arrays in getWeights' order and sizes. */
  setWeights(weights: ArrayLike<number>[]): void {
    const arena = this.arena();
    const specs = this.weightSpecs();
    if (!Array.isArray(weights) || weights.length !== specs.length) {
      throw new RangeError(`setWeights: expected ${specs.length} arrays (${specs.map((s) => s.name).join(', ')}). ` +
        `Received: ${Array.isArray(weights) ? weights.length : typeof weights}`);
    }
    const params = arena.params.view;
    let offset = 0;
    specs.forEach((spec, i) => {
      const size = spec.shape.reduce((a, b) => a * b, 1);
      if (weights[i].length !== size) {
        throw new RangeError(`setWeights: ${spec.name} needs ${size} values [${spec.shape.join(', ')}]. Received: ${weights[i].length}`);
      }
      params.set(weights[i], offset);
      offset += size;
    });
  }

  /** All weights as one flat copy, in getWeights' order (the layout of TF.js' weights.bin). */
  getWeightsFlat(): Float32Array {
    return this.arena().params.view.slice();
  }

  setWeightsFlat(flat: Float32Array): void {
    const arena = this.arena();
    if (flat.length !== arena.count) {
      throw new RangeError(`setWeightsFlat: the model has ${arena.count} weights. Received: ${flat.length}`);
    }
    arena.params.view.set(flat);
  }

  /** Names and shapes of the weights in getWeights' order: "conv2d/kernel" [3, 3, 1, 32], ... */
  weightSpecs(): { name: string; shape: number[] }[] {
    return this.builtLayers().flatMap((layer) =>
      layer.paramSpecs().map((p) => ({ name: `${layer.name}/${p.name}`, shape: [...p.shape] })));
  }

  // ---------------------------------------------------------------------------------------------- compile

  compile(options: CompileOptions = {}): void {
    const o = checkOptions('compile', options, ['optimizer', 'loss', 'metrics']);
    const optimizer = toOptimizer(o.optimizer ?? 'adam');
    const loss = toLossName(o.loss ?? 'categoricalCrossentropy');
    if (loss === undefined) {
      invalid('compile', 'loss', "'categoricalCrossentropy' or 'sparseCategoricalCrossentropy'", o.loss);
    }
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
    this.step = 0;
    if (this.parameters !== null) this.parameters.setSlots(optimizer.slots);
    this.cached = null; // the cached views hold the previous optimizer's slots
  }

  /**
   * The optimizer's state, to resume training where it stopped (Keras saves it with the model): the steps taken
   * and each slot (Adam: m, then v) as one copy in the weights' layout. Null before the first training step.
   */
  getOptimizerState(): { step: number; slots: Float32Array[] } | null {
    if (this.compiled === null || this.step === 0 || this.parameters === null) return null;
    return { step: this.step, slots: this.parameters.slots.map((slot) => slot.view.slice()) };
  }

  /** Restores what getOptimizerState returned, on a compiled, built model with the same optimizer and weights layout. */
  setOptimizerState(state: { step: number; slots: ArrayLike<number>[] }): void {
    const where = 'setOptimizerState';
    const compiled = this.requireCompiled(where);
    if (state === null || typeof state !== 'object') throw new TypeError(`${where}: expected { step, slots }. Received: ${state}`);
    if (!Number.isSafeInteger(state.step) || state.step < 1) {
      throw new RangeError(`${where}: \`step\` must be a positive integer. Received: ${state.step}`);
    }
    const arena = this.arena();
    const n = compiled.optimizer.slots;
    if (!Array.isArray(state.slots) || state.slots.length !== n) {
      throw new RangeError(`${where}: ${compiled.optimizer.className} keeps ${n} slots. ` +
        `Received: ${Array.isArray(state.slots) ? state.slots.length : typeof state.slots}`);
    }
    state.slots.forEach((slot, i) => {
      if (slot?.length !== arena.count) {
        throw new RangeError(`${where}: slot ${i} needs ${arena.count} values (one per weight). Received: ${slot?.length}`);
      }
    });
    if (arena.slots.length !== n) arena.setSlots(n);
    state.slots.forEach((slot, i) => arena.slots[i].view.set(slot));
    this.step = state.step;
    this.cached = null;
  }

  /** The compile configuration, for saving. */
  get compileConfig(): { optimizer: OptimizerConfig; loss: LossName; metrics: string[] } | null {
    const c = this.compiled;
    return c === null ? null : {
      optimizer: { className: c.optimizer.className, config: c.optimizer.getConfig() }, loss: c.loss, metrics: [...c.metrics],
    };
  }

  private requireCompiled(where: string): Compiled {
    if (this.compiled === null) {
      throw new Error(`${where}: the model must be compiled first: call model.compile({ optimizer, loss, metrics })`);
    }
    return this.compiled;
  }

  // ---------------------------------------------------------------------------------------------- the loop

  /** The buffers for batches of up to `capacity` samples: reused while big enough, else replaced once. */
  private ensureWorkspace(capacity: number): void {
    const ws = this.workspace;
    if (ws !== null && ws.capacity >= capacity) return;
    ws?.free();
    this.cached = null;
    const arena = this.arena();
    this.workspace = new Workspace(arena.heap, capacity, this.layers, this.outputShape.reduce((a, b) => a * b, 1));
  }

  private views(): WorkspaceViews {
    const arena = this.arena();
    if (this.cached === null || this.cached.buffer !== arena.heap.memory.buffer) {
      this.cached = (this.workspace as Workspace).views(arena);
    }
    return this.cached;
  }

  private forward(v: WorkspaceViews, count: number): void {
    const k = (this.backend as Backend).kernels;
    const layers = this.layers;
    for (let i = 0; i < layers.length; i++) layers[i].forward(k, v.acts[i + 1], v.acts[i], v.layers[i], count);
  }

  private backward(v: WorkspaceViews, count: number): void {
    const k = (this.backend as Backend).kernels;
    const layers = this.layers;
    for (let i = layers.length - 1; i >= 0; i--) {
      layers[i].backward(k, v.dActs[i], v.dActs[i + 1] as Float32Array, v.acts[i + 1], v.acts[i], v.layers[i], count);
    }
  }

  /** Reads batch i of `source` into the input and target buffers; returns its sample count. */
  private loadBatch(where: string, source: BatchSource, i: number, v: WorkspaceViews, withLabels: boolean): number {
    const classes = this.outputSize();
    const width = source.labelWidth;
    const y = !withLabels ? null : width === 1 ? (this.workspace as Workspace).labelIndices : v.targets;
    // A source may allocate from the heap while writing (and grow it): views are re-read after the call.
    const count = source.batchInto(i, v.acts[0], y);
    if (!Number.isInteger(count) || count < 1 || count > source.batchSize) {
      throw new RangeError(`${where}: batchInto(${i}) returned ${count} samples; expected 1..${source.batchSize}`);
    }
    const fresh = this.views();
    if (withLabels && width === 1) {
      indicesToOneHot(where, fresh.targets, (this.workspace as Workspace).labelIndices, count, classes, i);
    }
    return count;
  }

  private outputSize(): number {
    return this.outputShape.reduce((a, b) => a * b, 1);
  }

  /** Forward and loss on one loaded batch; with `train`, also backward and one optimizer step. */
  private runBatch(v: WorkspaceViews, count: number, train: boolean): { loss: number; correct: number } {
    const backend = this.backend as Backend;
    const classes = this.outputSize();
    const compiled = this.compiled as Compiled;
    this.forward(v, count);
    const dLogits = train ? v.dActs[this.layers.length] : null;
    const loss = backend.kernels.softmaxCrossEntropy(v.probs, dLogits, v.acts[this.layers.length], v.targets, count, classes);
    const correct = countCorrect(v.probs, v.targets, count, classes);
    if (train && Number.isFinite(loss)) {
      v.grads.fill(0);
      this.backward(v, count);
      this.step++;
      compiled.optimizer.apply(backend.kernels, v.params, v.grads, v.slots, v.params.length, this.step);
    }
    return { loss, correct };
  }

  private toSource(where: string, data: unknown, batchSize: number | undefined, shuffle: boolean, withLabels: boolean): BatchSource {
    if (isBatchSource(data)) {
      if (batchSize !== undefined) {
        throw new TypeError(`${where}: \`batchSize\` applies to array data only; the flow iterator has its own batchSize`);
      }
      checkSource(where, data);
      return data;
    }
    if (isArrayData(data)) {
      if (withLabels && data.y === undefined) throw new TypeError(`${where}: array data needs labels \`y\``);
      return new ArraySource(where, data, batchSize ?? DEFAULT_BATCH, shuffle, this.seed, this.step);
    }
    throw new TypeError(`${where}: data must be a flow iterator (BatchSource) or { x: {data, shape}, y }`);
  }

  /** Builds the model from the data when needed, and checks that the data's images are what the model takes. */
  private checkInput(where: string, source: BatchSource): void {
    if (this.parameters === null) this.build([...source.imageShape]);
    const expected = this.inputShape;
    if (!sameShape(expected, source.imageShape)) {
      throw new RangeError(`${where}: the data's images have shape [${source.imageShape.join(', ')}] but the ` +
        `model's first layer (${this.layers[0].name}) expects [${expected.join(', ')}]`);
    }
  }

  private checkLabels(where: string, source: BatchSource): void {
    checkLabelWidth(where, (this.compiled as Compiled).loss, source.labelWidth, this.outputSize());
  }

  async fit(data: BatchSource | ArrayData, options: FitOptions = {}): Promise<History> {
    const where = 'fit';
    const o = checkOptions(where, options,
      ['epochs', 'batchSize', 'validationData', 'verbose', 'shuffle', 'onEpochEnd', 'onBatchEnd', 'log']);
    const compiled = this.requireCompiled(where);
    const epochs = o.epochs === undefined ? 1 : positiveInt(where, 'epochs', o.epochs);
    const batchSize = o.batchSize === undefined ? undefined : positiveInt(where, 'batchSize', o.batchSize);
    const verbose = o.verbose === undefined ? 1 : oneOfNumbers(where, 'verbose', o.verbose, [0, 1, 2]);
    const shuffle = o.shuffle === undefined ? true : bool(where, 'shuffle', o.shuffle);
    const onEpochEnd = o.onEpochEnd === undefined ? undefined : func<FitOptions['onEpochEnd']>(where, 'onEpochEnd', o.onEpochEnd);
    const onBatchEnd = o.onBatchEnd === undefined ? undefined : func<FitOptions['onBatchEnd']>(where, 'onBatchEnd', o.onBatchEnd);
    const log = o.log === undefined ? undefined : func<LogWriter>(where, 'log', o.log);

    const source = this.toSource(where, data, batchSize, shuffle, true);
    this.checkInput(where, source);
    this.checkLabels(where, source);
    let validation: BatchSource | null = null;
    if (o.validationData !== undefined) {
      // Arrays are validated in batches of the training batch size, as Keras' validation_batch_size defaults.
      const validationBatch = isBatchSource(o.validationData) ? undefined : source.batchSize;
      validation = this.toSource(`${where} (validationData)`, o.validationData, validationBatch, false, true);
      this.checkInput(`${where} (validationData)`, validation);
      this.checkLabels(`${where} (validationData)`, validation);
    }
    const arena = this.arena();
    if (arena.slots.length !== compiled.optimizer.slots) {
      arena.setSlots(compiled.optimizer.slots);
      this.cached = null;
    }
    // One capacity for training and validation batches, so the second epoch allocates nothing.
    this.ensureWorkspace(Math.max(source.batchSize, validation?.batchSize ?? 0));

    const history: History = { epoch: [], loss: [], accuracy: [], valLoss: [], valAccuracy: [], imagesPerSecond: [] };
    const progress = new Progress(verbose, epochs, source.length, log);
    for (let epoch = 0; epoch < epochs; epoch++) {
      progress.epochStart(epoch);
      const started = now();
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      for (let i = 0; i < source.length; i++) {
        const count = this.loadBatch(where, source, i, this.views(), true);
        const result = this.runBatch(this.views(), count, true);
        if (!Number.isFinite(result.loss)) {
          progress.abort();
          throw new Error(`fit: the loss became ${result.loss} at epoch ${epoch + 1}, batch ${i + 1} of ${source.length}; ` +
            "training stopped before that batch's update. Check the data for non-finite values or lower the learning rate");
        }
        lossSum += result.loss * count;
        correct += result.correct;
        seen += count;
        progress.batchEnd(i, lossSum / seen, correct / seen);
        onBatchEnd?.(i, { loss: result.loss, accuracy: result.correct / count, size: count });
      }
      const trainSeconds = (now() - started) / 1000;
      const logs: EpochLogs = {
        loss: lossSum / seen, accuracy: correct / seen, imagesPerSecond: seen / Math.max(trainSeconds, 1e-9), seconds: 0,
      };
      if (validation !== null) {
        const val = this.evaluateSource(`${where} (validationData)`, validation);
        logs.valLoss = val.loss;
        logs.valAccuracy = val.accuracy;
      }
      logs.seconds = (now() - started) / 1000;
      history.epoch.push(epoch);
      history.loss.push(logs.loss);
      history.accuracy.push(logs.accuracy);
      history.imagesPerSecond.push(logs.imagesPerSecond);
      if (validation !== null) {
        history.valLoss.push(logs.valLoss as number);
        history.valAccuracy.push(logs.valAccuracy as number);
      }
      progress.epochEnd(epoch, logs);
      source.onEpochEnd();
      await onEpochEnd?.(epoch, logs);
      // Once per epoch, let timers and I/O run (progress output, a browser's event loop).
      await yieldToEventLoop();
    }
    return history;
  }

  private evaluateSource(where: string, source: BatchSource): { loss: number; accuracy: number } {
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    for (let i = 0; i < source.length; i++) {
      const count = this.loadBatch(where, source, i, this.views(), true);
      const result = this.runBatch(this.views(), count, false);
      lossSum += result.loss * count;
      correct += result.correct;
      seen += count;
    }
    return { loss: lossSum / seen, accuracy: correct / seen };
  }

  /** Mean loss and accuracy over the data (batches of 32 for arrays, as Keras). */
  evaluate(data: BatchSource | ArrayData, options: EvaluateOptions = {}): { loss: number; accuracy: number } {
    const where = 'evaluate';
    const o = checkOptions(where, options, ['batchSize']);
    this.requireCompiled(where);
    const batchSize = o.batchSize === undefined ? undefined : positiveInt(where, 'batchSize', o.batchSize);
    const source = this.toSource(where, data, batchSize, false, true);
    this.checkInput(where, source);
    this.checkLabels(where, source);
    this.ensureWorkspace(source.batchSize);
    return this.evaluateSource(where, source);
  }

  /** The last layer's outputs (probabilities for a softmax model), shape [samples, units]. */
  predict(x: ImageTensor | BatchSource, options: PredictOptions = {}): { data: Float32Array; shape: [number, number] } {
    const where = 'predict';
    const o = checkOptions(where, options, ['batchSize']);
    const batchSize = o.batchSize === undefined ? undefined : positiveInt(where, 'batchSize', o.batchSize);
    let source: BatchSource;
    if (isBatchSource(x)) {
      // Keras predicts on a shuffling generator and returns rows in an order nobody can match to the samples.
      if (x.shuffle === true) {
        throw new Error(`${where}: the flow shuffles its samples, so the rows of the predictions could not be matched ` +
          'to them; predict on a flow made with { shuffle: false } (or on the images)');
      }
      source = this.toSource(where, x, batchSize, false, false);
    } else {
      checkImages(where, 'x', x);
      source = new ArraySource(where, { x }, batchSize ?? DEFAULT_BATCH, false, 0);
    }
    this.checkInput(where, source);
    this.ensureWorkspace(source.batchSize);
    const units = this.outputSize();
    const out = new Float32Array(source.sampleCount * units);
    const backend = this.backend as Backend;
    const softmax = this.layers[this.layers.length - 1].activation === 'softmax';
    this.views().targets.fill(0);
    let row = 0;
    for (let i = 0; i < source.length; i++) {
      const count = this.loadBatch(where, source, i, this.views(), false);
      const v = this.views();
      this.forward(v, count);
      const logits = v.acts[this.layers.length];
      // With zero targets the fused kernel is a plain, stable softmax (its loss is ignored).
      if (softmax) backend.kernels.softmaxCrossEntropy(v.probs, null, logits, v.targets, count, units);
      const result = softmax ? v.probs : logits;
      if (row + count > source.sampleCount) {
        throw new RangeError(`${where}: the source gave more samples than its sampleCount (${source.sampleCount})`);
      }
      out.set(result.subarray(0, count * units), row * units);
      row += count;
    }
    return { data: out, shape: [row, units] };
  }

  // ---------------------------------------------------------------------------------------------- reporting

  /** A Keras-style table: layer (type), output shape, parameter count, and the totals. */
  summary(): string {
    const layers = this.builtLayers();
    const names = layers.map((layer) => `${layer.name} (${layer.className})`);
    const shapes = layers.map((layer) => `(None, ${layer.outputShape.join(', ')})`);
    // Keras' column widths, widened (not wrapped) for long names.
    const widths = [Math.max(29, ...names.map((n) => n.length + 2)), Math.max(26, ...shapes.map((n) => n.length + 2)), 10];
    const row = (cells: string[]) => cells.map((c, i) => ` ${c}`.padEnd(widths[i])).join('').trimEnd();
    const rule = (ch: string) => ch.repeat(widths[0] + widths[1] + widths[2]);
    const lines = [`Model: "${this.name}"`, rule('_'), row(['Layer (type)', 'Output Shape', 'Param #']), rule('=')];
    layers.forEach((layer, i) => lines.push(row([names[i], shapes[i], String(layer.paramCount)])));
    const total = this.countParams();
    const kb = ((total * 4) / 1024).toFixed(2);
    lines.push(rule('='), `Total params: ${total} (${kb} KB)`, `Trainable params: ${total} (${kb} KB)`,
      'Non-trainable params: 0 (0.00 Byte)', rule('_'));
    return lines.join('\n');
  }

  // ---------------------------------------------------------------------------------------------- saving

  /** pixprep's own format: architecture, compile config, metadata and weights (base64 float32) in one JSON. */
  toJSON(): ModelJSON {
    return serializeModel(this);
  }

  /** Rebuilds a model saved by toJSON (an object or its JSON text); predictions are bit-identical on one backend. */
  static fromJSON(json: ModelJSON | string): Sequential {
    const parsed = parseModel(json);
    const model = new Sequential(parsed.layers, { seed: parsed.seed, name: parsed.name });
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
    model.metadata = parsed.metadata;
    return model;
  }

  /** The TensorFlow.js Layers format: topology, weight specs and the weights' bytes (see tf.io.fromMemory). */
  toTfjsArtifacts(): TfjsArtifacts {
    return toTfjsArtifacts(this);
  }

  /** Returns the model's heap blocks; the model is unusable afterwards. */
  dispose(): void {
    this.workspace?.free();
    this.parameters?.free();
    this.workspace = null;
    this.parameters = null;
    this.cached = null;
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function now(): number {
  return performance.now();
}

function oneOfNumbers<T extends number>(where: string, name: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) invalid(where, name, `one of ${allowed.join(', ')}`, value);
  return value as T;
}

function checkSource(where: string, s: BatchSource): void {
  if ((s as { dataFormat?: unknown }).dataFormat === 'channelsFirst') {
    throw new RangeError(`${where}: the model takes channels-last images [height, width, channels]; ` +
      "the flow iterator yields channelsFirst (create the generator with dataFormat: 'channelsLast')");
  }
  const shapeOk = Array.isArray(s.imageShape) && s.imageShape.length === 3 &&
    s.imageShape.every((v) => Number.isInteger(v) && v >= 1);
  if (!shapeOk) throw new RangeError(`${where}: the source's imageShape must be [height, width, channels]. Received: ${JSON.stringify(s.imageShape)}`);
  if (!Number.isInteger(s.batchSize) || s.batchSize < 1) {
    throw new RangeError(`${where}: the source's batchSize must be a positive integer. Received: ${s.batchSize}`);
  }
  if (!Number.isInteger(s.sampleCount) || s.sampleCount < 1) {
    throw new RangeError(`${where}: the source has no samples (sampleCount ${s.sampleCount})`);
  }
  if (s.length !== Math.ceil(s.sampleCount / s.batchSize)) {
    throw new RangeError(`${where}: the source's length ${s.length} is not ceil(sampleCount / batchSize) = ` +
      `${Math.ceil(s.sampleCount / s.batchSize)}`);
  }
  if (!Number.isInteger(s.labelWidth) || s.labelWidth < 0) {
    throw new RangeError(`${where}: the source's labelWidth must be a non-negative integer. Received: ${s.labelWidth}`);
  }
}

/** Keras-style default names: conv2d, conv2d_1, max_pooling2d, flatten, dense, dense_1, ... unique per model. */
function nameLayers(layers: readonly Layer[]): void {
  const base: Record<string, string> = {
    Conv2D: 'conv2d', MaxPooling2D: 'max_pooling2d', Flatten: 'flatten', Dense: 'dense',
  };
  const used = new Set<string>();
  for (const layer of layers) {
    if (layer.name !== undefined) {
      if (used.has(layer.name)) throw new RangeError(`Sequential: two layers are named '${layer.name}'`);
      used.add(layer.name);
    }
  }
  const counts: Record<string, number> = {};
  for (const layer of layers) {
    if (layer.name !== undefined) continue;
    const b = base[layer.className];
    let name: string;
    do {
      const c = counts[b] ?? 0;
      counts[b] = c + 1;
      name = c === 0 ? b : `${b}_${c}`;
    } while (used.has(name));
    layer.name = name;
    used.add(name);
  }
}
