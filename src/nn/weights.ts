// Reading and writing the weights of a parameter arena in Keras' order (per layer: kernel, then bias): the layout
// of the arena itself, of Keras' get_weights and of TF.js' weights.bin.
import type { ParameterArena } from './arenas.js';
import type { Layer } from './layer.js';
import type { OptimizerState } from './types.js';

/** Names and shapes of the weights in order: "conv2d/kernel" [3, 3, 1, 32], ... */
export function weightSpecs(layers: readonly Layer[]): { name: string; shape: number[] }[] {
  return layers.flatMap((layer) => layer.paramSpecs().map((p) => ({ name: `${layer.name}/${p.name}`, shape: [...p.shape] })));
}

/** Copies of the weights, one array per kernel or bias. */
export function getWeights(arena: ParameterArena): Float32Array[] {
  const params = arena.params.view;
  const out: Float32Array[] = [];
  for (const [kernel, bias] of arena.ranges) {
    if (kernel.length) out.push(params.slice(kernel.start, kernel.start + kernel.length));
    if (bias.length) out.push(params.slice(bias.start, bias.start + bias.length));
  }
  return out;
}

/** Sets the weights from arrays in getWeights' order and sizes (checked before anything is written). */
export function setWeights(arena: ParameterArena, layers: readonly Layer[], weights: ArrayLike<number>[]): void {
  const specs = weightSpecs(layers);
  if (!Array.isArray(weights) || weights.length !== specs.length) {
    throw new RangeError(`setWeights: expected ${specs.length} arrays (${specs.map((s) => s.name).join(', ')}). ` +
      `Received: ${Array.isArray(weights) ? weights.length : typeof weights}`);
  }
  const sizes = specs.map((spec) => spec.shape.reduce((a, b) => a * b, 1));
  specs.forEach((spec, i) => {
    if (weights[i]?.length !== sizes[i]) {
      throw new RangeError(`setWeights: ${spec.name} needs ${sizes[i]} values [${spec.shape.join(', ')}]. Received: ${weights[i]?.length}`);
    }
  });
  const params = arena.params.view;
  let offset = 0;
  specs.forEach((_, i) => {
    params.set(weights[i], offset);
    offset += sizes[i];
  });
}

export function setWeightsFlat(arena: ParameterArena, flat: Float32Array): void {
  if (!(flat instanceof Float32Array) || flat.length !== arena.count) {
    throw new RangeError(`setWeightsFlat: the model has ${arena.count} weights. Received: ${flat?.length}`);
  }
  arena.params.view.set(flat);
}

/** Checks a saved optimizer state against the arena and writes it into the slots. */
export function setOptimizerSlots(arena: ParameterArena, className: string, slotCount: number,
  state: { step: number; slots: ArrayLike<number>[] }): void {
  const where = 'setOptimizerState';
  if (state === null || typeof state !== 'object') throw new TypeError(`${where}: expected { step, slots }. Received: ${state}`);
  if (!Number.isSafeInteger(state.step) || state.step < 1) {
    throw new RangeError(`${where}: \`step\` must be a positive integer. Received: ${state.step}`);
  }
  if (!Array.isArray(state.slots) || state.slots.length !== slotCount) {
    throw new RangeError(`${where}: ${className} keeps ${slotCount} slots. ` +
      `Received: ${Array.isArray(state.slots) ? state.slots.length : typeof state.slots}`);
  }
  state.slots.forEach((slot, i) => {
    if (slot?.length !== arena.count) {
      throw new RangeError(`${where}: slot ${i} needs ${arena.count} values (one per weight). Received: ${slot?.length}`);
    }
  });
  state.slots.forEach((slot, i) => arena.slots[i].view.set(slot));
}

export function getOptimizerSlots(arena: ParameterArena, step: number): OptimizerState {
  return { step, slots: arena.slots.map((slot) => slot.view.slice()) };
}

/** A snapshot's flat weights as one named array per kernel or bias (views into `flat`, in weightSpecs' order). */
export function splitWeights(specs: readonly { name: string; shape: number[] }[], flat: Float32Array): { name: string; shape: number[]; data: Float32Array }[] {
  let at = 0;
  return specs.map((s) => {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const data = flat.subarray(at, at + n);
    at += n;
    return { name: s.name, shape: s.shape, data };
  });
}
