// The training engine, llm.c's shape: plain functions over one explicit state. The state is the layers, the
// parameter arena (weights, gradients, optimizer slots: one flat block each), the workspace (activations, their
// gradients, scratch, targets, probabilities for a batch capacity) and the kernels. A training step is
//
//   loadBatch → forward → softmax cross-entropy (loss and dLogits) → zero grads → backward → update
//
// and reads on one screen below (trainStep). Sequential is the Keras-shaped facade over these functions; it checks
// options and data, and the engine trusts what it is given.
//
// Views: a step takes the workspace's views once (`viewsOf`) and uses them throughout: nothing inside forward,
// backward or update allocates, so kernel memory cannot move under them. The one foreign call inside a step is the
// source's batchInto (a flow may run a user's preprocessingFunction), so views are taken again after it.
import type { Backend } from '../runtime/backend.js';
import { Random } from '../random.js';
import { ParameterArena, Workspace, type WorkspaceViews } from './arenas.js';
import type { BatchSource } from './batch-source.js';
import { EMPTY_F32, EMPTY_I32, type Layer } from './layer.js';
import { countCorrect, indicesToOneHot } from './losses.js';
import type { Optimizer } from './optimizers.js';

export interface Engine {
  readonly backend: Backend;
  readonly layers: readonly Layer[];
  /** The last layer's output size (the classes of a softmax model). */
  readonly classes: number;
  readonly arena: ParameterArena;
  workspace: Workspace | null;
  /** The workspace's views over the heap's current buffer; null when they must be rebuilt. */
  views: WorkspaceViews | null;
  optimizer: Optimizer | null;
  /** Optimizer steps taken (Adam's t; also the count that seeds array data's epoch order). */
  step: number;
}

export interface StepResult {
  /** The batch's mean loss (float64 from the kernel). */
  loss: number;
  /** Samples whose highest probability is their label's class. */
  correct: number;
}

/** Allocates the parameter arena for built layers and initialises the weights from `seed` (Keras' initialisers). */
export function createEngine(backend: Backend, layers: readonly Layer[], seed: number): Engine {
  const arena = new ParameterArena(backend.heap, layers);
  const params = arena.params.view;
  const grads = arena.grads.view;
  const rng = new Random(seed);
  arena.ranges.forEach(([kernel, bias], i) => layers[i].initialize({
    kernel: params.subarray(kernel.start, kernel.start + kernel.length),
    bias: params.subarray(bias.start, bias.start + bias.length),
    dKernel: grads.subarray(kernel.start, kernel.start + kernel.length),
    dBias: grads.subarray(bias.start, bias.start + bias.length),
    scratch: EMPTY_F32,
    ints: EMPTY_I32,
  }, rng));
  const classes = layers[layers.length - 1].outputSize;
  return { backend, layers, classes, arena, workspace: null, views: null, optimizer: null, step: 0 };
}

/** Returns every heap block the engine holds. */
export function freeEngine(e: Engine): void {
  e.workspace?.free();
  e.workspace = null;
  e.views = null;
  e.arena.free();
}

/** Sets the optimizer with zeroed slots and no steps taken (a new compile starts it afresh). */
export function setOptimizer(e: Engine, optimizer: Optimizer): void {
  e.arena.setSlots(optimizer.slots);
  e.optimizer = optimizer;
  e.step = 0;
  e.views = null; // the views hold the previous slots
}

/**
 * Makes the workspace hold batches of up to `capacity` samples, before any step: reused while big enough, else
 * replaced once. Callers size it by min(batchSize, samples): a batch larger than the data is all of the data.
 */
export function reserve(e: Engine, capacity: number): void {
  if (e.workspace !== null && e.workspace.capacity >= capacity) return;
  e.workspace?.free();
  e.views = null;
  e.workspace = new Workspace(e.backend.heap, capacity, e.layers, e.classes);
}

/** The workspace's views over the heap's current buffer (rebuilt only when the heap grew since). */
export function viewsOf(e: Engine): WorkspaceViews {
  if (e.views === null || e.views.buffer !== e.backend.heap.memory.buffer) {
    e.views = (e.workspace as Workspace).views(e.arena);
  }
  return e.views;
}

export function forward(e: Engine, v: WorkspaceViews, count: number): void {
  const k = e.backend.kernels;
  const layers = e.layers;
  for (let i = 0; i < layers.length; i++) layers[i].forward(k, v.acts[i + 1], v.acts[i], v.layers[i], count);
}

/** Accumulates every parameter's gradient into v.grads from the logits' gradient in the last dActs. */
export function backward(e: Engine, v: WorkspaceViews, count: number): void {
  const k = e.backend.kernels;
  const layers = e.layers;
  // A first layer under a pooling takes its gradient straight from the pooling's (Layer.fusesNextBackward): the
  // pooling's backward, which would write that gradient out whole, is skipped.
  const fused = layers.length > 1 && v.dActs[0] === null && layers[0].fusesNextBackward();
  for (let i = layers.length - 1; i >= (fused ? 2 : 0); i--) {
    layers[i].backward(k, v.dActs[i], v.dActs[i + 1] as Float32Array, v.acts[i + 1], v.acts[i], v.layers[i], count);
  }
  if (fused) {
    layers[0].backward(k, null, v.dActs[1] as Float32Array, v.acts[1], v.acts[0], v.layers[0], count,
      v.dActs[2] as Float32Array, v.acts[2]);
  }
}

/** One optimizer step over the whole parameter block. */
export function update(e: Engine, v: WorkspaceViews): void {
  e.step++;
  (e.optimizer as Optimizer).apply(e.backend.kernels, v.params, v.grads, v.slots, v.params.length, e.step);
}

/** Softmax cross-entropy of the logits against v.targets (and, with `gradient`, dLogits); the correct count. */
function loss(e: Engine, v: WorkspaceViews, count: number, gradient: boolean): StepResult {
  const last = e.layers.length;
  const dLogits = gradient ? v.dActs[last] : null;
  const value = e.backend.kernels.softmaxCrossEntropy(v.probs, dLogits, v.acts[last], v.targets, count, e.classes);
  return { loss: value, correct: countCorrect(v.probs, v.targets, count, e.classes) };
}

/** One training step on the loaded batch. A non-finite loss skips the update (fit reports it). */
export function trainStep(e: Engine, count: number): StepResult {
  const v = viewsOf(e);
  forward(e, v, count);
  const result = loss(e, v, count, true);
  if (Number.isFinite(result.loss)) {
    v.grads.fill(0);
    backward(e, v, count);
    update(e, v);
  }
  return result;
}

/** Forward and loss on the loaded batch, no gradient. */
export function testStep(e: Engine, count: number): StepResult {
  const v = viewsOf(e);
  forward(e, v, count);
  return loss(e, v, count, false);
}

/**
 * Reads batch i of `source` into the input buffer, and its labels into the targets (class indices become one-hot
 * rows, checked); returns the batch's sample count.
 */
export function loadBatch(where: string, e: Engine, source: BatchSource, i: number, withLabels: boolean): number {
  const ws = e.workspace as Workspace;
  const width = source.labelWidth;
  const before = viewsOf(e);
  const y = !withLabels ? null : width === 1 ? ws.labelIndices : before.targets;
  const count = source.batchInto(i, before.acts[0], y);
  if (!Number.isInteger(count) || count < 1 || count > Math.min(source.batchSize, ws.capacity)) {
    throw new RangeError(`${where}: batchInto(${i}) returned ${count} samples; expected 1..${Math.min(source.batchSize, ws.capacity)}`);
  }
  if (before.buffer !== e.backend.heap.memory.buffer) {
    // The source grew kernel memory while writing (a preprocessingFunction that allocates): what it wrote went to
    // the old buffer. Say so rather than train on it.
    throw new Error(`${where}: kernel memory grew while batch ${i} was being written, so the batch was lost; ` +
      'create generators and flows before training (their working memory is reserved when they are made)');
  }
  if (withLabels && width === 1) indicesToOneHot(where, before.targets, ws.labelIndices, count, e.classes, i);
  return count;
}

/** Mean loss and accuracy over every batch of `source`. */
export function evaluateLoop(where: string, e: Engine, source: BatchSource): { loss: number; accuracy: number } {
  let lossSum = 0;
  let correct = 0;
  let seen = 0;
  for (let i = 0; i < source.length; i++) {
    const count = loadBatch(where, e, source, i, true);
    const result = testStep(e, count);
    lossSum += result.loss * count;
    correct += result.correct;
    seen += count;
  }
  return { loss: lossSum / seen, accuracy: correct / seen };
}

/** The last layer's outputs (probabilities after a softmax) for every sample of `source`, in order. */
export function predictLoop(where: string, e: Engine, source: BatchSource): Float32Array {
  const units = e.classes;
  const out = new Float32Array(source.sampleCount * units);
  const softmax = e.layers[e.layers.length - 1].activation === 'softmax';
  viewsOf(e).targets.fill(0);
  let row = 0;
  for (let i = 0; i < source.length; i++) {
    const count = loadBatch(where, e, source, i, false);
    const v = viewsOf(e);
    forward(e, v, count);
    const logits = v.acts[e.layers.length];
    // With zero targets the fused kernel is a plain, stable softmax (its loss is ignored).
    if (softmax) e.backend.kernels.softmaxCrossEntropy(v.probs, null, logits, v.targets, count, units);
    const result = softmax ? v.probs : logits;
    if (row + count > source.sampleCount) {
      throw new RangeError(`${where}: the source gave more samples than its sampleCount (${source.sampleCount})`);
    }
    out.set(result.subarray(0, count * units), row * units);
    row += count;
  }
  return row === source.sampleCount ? out : out.slice(0, row * units);
}
