// Sequential.fromJSON's second half: a new model given a parsed document's weights, compile configuration and
// optimizer state, each checked against the architecture. The model is passed in (not imported), so this module
// and the facade do not import each other.
import type { ParsedModel } from './serialize.js';
import type { CompileOptions } from './types.js';

/** What restoring needs of a model. */
export interface Restorable {
  metadata: Record<string, unknown> | undefined;
  build(inputShape: readonly number[]): void;
  countParams(): number;
  setWeightsFlat(flat: Float32Array): void;
  compile(options: CompileOptions): void;
  setOptimizerState(state: { step: number; slots: ArrayLike<number>[] }): void;
  dispose(): void;
}

/** Builds `model` for the document and loads it; on any failure the model is disposed (it holds kernel memory). */
export function restoreModel<M extends Restorable>(model: M, parsed: ParsedModel): M {
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
