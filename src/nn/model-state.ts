/// <reference lib="esnext.disposable" preserve="true" />
// What a model holds, apart from how it trains: its layers, the engine built for an input shape (parameters,
// gradients, optimizer slots, workspace), the compile choice, and reading and writing the weights and the
// optimizer state in Keras' order. Sequential (the Keras facade: fit, evaluate, predict, summary, export) extends
// it. The memory rule (src/runtime/ownership.ts) starts here: the engine sits in a holder the finalizer can free
// without keeping the model alive, and every use after dispose() throws "Sequential: used after dispose()".
import { currentBackend } from '../runtime/backend.js';
import { Ownership } from '../runtime/ownership.js';
import type { Compiled } from './call-options.js';
import { compileConfig } from './call-options.js';
import { createEngine, freeEngine, setOptimizer, type Engine } from './engine.js';
import { sameShape } from './inputs.js';
import type { Layer } from './layer.js';
import { checkOptions, nonNegativeInt, shape } from './options.js';
import { claimLayers } from './stack.js';
import type { CompileConfig, OptimizerState } from './types.js';
import * as weights from './weights.js';

export abstract class ModelState {
  readonly layers: readonly Layer[];
  readonly name: string;
  readonly seed: number;
  /** The engine's state, in a holder the finalizer can free without keeping the model alive. */
  protected readonly memory: { engine: Engine | null } = { engine: null };
  protected readonly ownership: Ownership;
  protected readonly token = {};
  protected compiled: Compiled | null = null;

  /** Checks the options, and claims the layers (a layer belongs to one model). */
  protected constructor(layers: unknown, options: unknown) {
    const o = checkOptions('Sequential', options, ['seed', 'name']);
    this.seed = o.seed === undefined ? 0 : nonNegativeInt('Sequential', 'seed', o.seed);
    this.name = o.name === undefined ? 'sequential' : String(o.name);
    this.layers = claimLayers(layers, this.token);
    const memory = this.memory;
    this.ownership = new Ownership('Sequential', this, () => {
      if (memory.engine !== null) freeEngine(memory.engine);
      memory.engine = null;
    });
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
    return this.compiled === null ? null : compileConfig(this.compiled);
  }

  /** The engine, or an error saying how to build the model. */
  protected engine(): Engine {
    this.ownership.check();
    if (this.memory.engine === null) {
      throw new Error(`Sequential ${this.name}: the model is not built yet: give the first layer an \`inputShape\` ` +
        'or call fit/evaluate/predict (or build(inputShape)) first');
    }
    return this.memory.engine;
  }

  protected requireCompiled(where: string): Compiled {
    this.ownership.check();
    if (this.compiled === null) {
      throw new Error(`${where}: the model must be compiled first: call model.compile({ optimizer, loss, metrics })`);
    }
    return this.compiled;
  }
}
