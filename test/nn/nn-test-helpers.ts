// Helpers for the network tests: a harness that runs one layer alone on a backend's heap (the model's arenas are
// tested through the model), central finite differences, and the relative error measures the tests share.
// The harness fills every buffer a layer writes (out, scratch, ints before forward; dInput before backward) with
// poison (NaN, an invalid index) first, so that a layer that forgets to zero or to write an element fails the tests
// on either backend, whatever memory the heap happens to hand out.
import type { Backend } from '../../src/runtime/backend.js';
import type { Layer, LayerViews } from '../../src/nn/layer.js';
import { Random } from '../../src/random.js';
import { poison } from '../helpers.js';
import { Conv2D, Dense, Flatten, MaxPooling2D, Sequential } from '../../src/nn/index.js';

export class LayerHarness {
  readonly blocks;
  readonly inputSize: number;
  readonly outputSize: number;

  /** `spaced`: inputs are distinct levels 2/n apart, shuffled, so no pooling window holds two values within a step. */
  constructor(readonly backend: Backend, readonly layer: Layer, inputShape: number[], readonly batch: number, seed: number,
    spaced = false) {
    layer.build(inputShape);
    const specs = layer.paramSpecs();
    const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
    const kernelSize = specs.find((p) => p.name === 'kernel') ? size(specs[0].shape) : 0;
    const biasSize = specs.find((p) => p.name === 'bias') ? size(specs[specs.length - 1].shape) : 0;
    this.inputSize = batch * layer.inputSize;
    this.outputSize = batch * layer.outputSize;
    const heap = backend.heap;
    this.blocks = {
      kernel: heap.block('f32', kernelSize), bias: heap.block('f32', biasSize),
      dKernel: heap.block('f32', kernelSize), dBias: heap.block('f32', biasSize),
      scratch: heap.block('f32', layer.scratchFloats(batch)), ints: heap.block('i32', layer.scratchInts(batch)),
      input: heap.block('f32', this.inputSize), out: heap.block('f32', this.outputSize),
      dOut: heap.block('f32', this.outputSize), dInput: heap.block('f32', this.inputSize),
    };
    const rng = new Random(seed);
    layer.initialize(this.views(), rng);
    // Non-zero biases, so that the bias path is exercised by the checks too.
    const bias = this.blocks.bias.view;
    for (let i = 0; i < bias.length; i++) bias[i] = rng.uniform(-0.5, 0.5);
    const input = this.blocks.input.view;
    for (let i = 0; i < input.length; i++) input[i] = spaced ? -1 + (2 * i) / input.length : rng.uniform(-1, 1);
    if (spaced) rng.shuffle(input);
  }

  views(): LayerViews {
    const b = this.blocks;
    return { kernel: b.kernel.view, bias: b.bias.view, dKernel: b.dKernel.view, dBias: b.dBias.view, scratch: b.scratch.view, ints: b.ints.view };
  }

  forward(): Float32Array {
    poison(this.blocks.out.view);
    poison(this.blocks.scratch.view);
    poison(this.blocks.ints.view);
    this.layer.forward(this.backend.kernels, this.blocks.out.view, this.blocks.input.view, this.views(), this.batch);
    return this.blocks.out.view;
  }

  /**
   * Gradients of Σ out·r: runs forward then backward with dOut = r. The parameter gradients start at zero (layers
   * accumulate into them: zeroing them is the model's job), dInput as poison (the layer must write all of it).
   * `withInput` false runs the layer as a first layer, with no input gradient (dInput null; returned as poison).
   */
  backward(r: Float32Array, withInput = true): { dInput: Float32Array; dKernel: Float32Array; dBias: Float32Array } {
    this.forward();
    this.blocks.dKernel.view.fill(0);
    this.blocks.dBias.view.fill(0);
    poison(this.blocks.dInput.view);
    this.blocks.dOut.view.set(r);
    this.layer.backward(this.backend.kernels, withInput ? this.blocks.dInput.view : null, this.blocks.dOut.view, this.blocks.out.view,
      this.blocks.input.view, this.views(), this.batch);
    return { dInput: this.blocks.dInput.view.slice(), dKernel: this.blocks.dKernel.view.slice(), dBias: this.blocks.dBias.view.slice() };
  }

  free(): void {
    for (const block of Object.values(this.blocks)) block.free();
  }
}

/**
 * Fills the backend's free heap memory with poison (at least `bytes` of it, growing the heap if needed), so that a
 * model built next gets its activation and gradient buffers dirty, as a long-running heap would give them, and a
 * buffer it forgets to zero or to write shows in its results. Reads the allocator's free list (src/runtime/heap.ts):
 * if that changes shape, this fails loudly rather than poisoning nothing.
 */
export function poisonFreeHeap(backend: Backend, bytes = 1 << 22): void {
  backend.heap.block('u8', bytes).free();
  const spans = (backend.heap as unknown as { free_?: { offset: number; bytes: number }[] }).free_;
  if (!Array.isArray(spans) || spans.length === 0) {
    throw new Error('poisonFreeHeap: Heap no longer keeps its free spans in `free_` (src/runtime/heap.ts): update this helper');
  }
  let poisoned = 0;
  for (const span of spans) {
    poison(new Uint8Array(backend.heap.memory.buffer, span.offset, span.bytes));
    poisoned += span.bytes;
  }
  if (poisoned < bytes) throw new Error(`poisonFreeHeap: poisoned ${poisoned} bytes, fewer than the ${bytes} asked for`);
}

/** Σ a·b in float64. */
export function dot64(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Central differences (f(x + h) − f(x − h)) / 2h of a scalar function for every element of `x` (a view the
 * function reads), restoring each element afterwards.
 */
export function numericGradient(x: () => Float32Array, f: () => number, h: number): Float64Array {
  const n = x().length;
  const grad = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const saved = x()[i];
    x()[i] = saved + h;
    const plus = f();
    x()[i] = saved - h;
    const minus = f();
    x()[i] = saved;
    // The step actually taken is what f32 could represent, not h itself.
    grad[i] = (plus - minus) / (Math.fround(saved + h) - Math.fround(saved - h));
  }
  return grad;
}

/** ‖a − b‖ / ‖b‖, and the worst element's error relative to the largest |b| (catches one wrong element). */
export function gradientErrors(analytic: ArrayLike<number>, numeric: ArrayLike<number>) {
  let diff = 0;
  let norm = 0;
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < numeric.length; i++) {
    const d = analytic[i] - numeric[i];
    diff += d * d;
    norm += numeric[i] * numeric[i];
    worst = Math.max(worst, Math.abs(d));
    scale = Math.max(scale, Math.abs(numeric[i]));
  }
  return { relative: Math.sqrt(diff) / Math.sqrt(norm), worst: worst / scale, norm: Math.sqrt(norm) };
}

export function randomArray(n: number, seed: number, low = -1, high = 1): Float32Array {
  const rng = new Random(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(low, high);
  return a;
}

/** n images 8×8×1 of three classes: a horizontal line, a vertical line, a diagonal; random place, noise. */
export function patterns(n: number, seed: number) {
  const rng = new Random(seed);
  const data = new Float32Array(n * 64);
  const y = new Uint8Array(n);
  for (let s = 0; s < n; s++) {
    const label = s % 3;
    y[s] = label;
    const at = 1 + rng.int(6);
    for (let p = 0; p < 64; p++) {
      const r = p >> 3;
      const c = p & 7;
      const on = label === 0 ? r === at : label === 1 ? c === at : (r + at) % 8 === c;
      data[s * 64 + p] = (on ? 1 : 0) + rng.uniform(-0.3, 0.3);
    }
  }
  return { x: { data, shape: [n, 8, 8, 1] }, y };
}


/** The small network the training, engine and memory tests share: 8×8×1 images of `patterns`, 3 classes. */
export function smallModel(seed: number): Sequential {
  return new Sequential([
    new Conv2D({ filters: 6, kernelSize: 3, activation: 'relu', inputShape: [8, 8, 1] }),
    new MaxPooling2D({ poolSize: 2 }),
    new Flatten(),
    new Dense({ units: 3, activation: 'softmax' }),
  ], { seed });
}

/** smallModel compiled with Adam and the sparse cross-entropy. */
export function compiledSmallModel(seed = 1): Sequential {
  const model = smallModel(seed);
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
