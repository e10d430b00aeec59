// The model's memory, laid out as llm.c lays it out: every parameter of every layer in one flat heap block (kernel
// then bias, layer after layer: also the order of Keras' get_weights and of TF.js' weights.bin), the gradients in a
// second block of the same layout, each optimizer slot (Adam's m and v) in one more. Activations, their gradients
// and the layers' scratch (im2col columns, Winograd planes; no layer asks for ints since pooling stopped storing an
// argmax) are one block each, sized for a batch capacity and reused for every batch up to it. Typed-array views
// are rebuilt only when the heap's buffer changes (wasm memory growth replaces it), so a training step creates no
// objects at all.
import type { HeapBlock, Heap } from '../runtime/heap.js';
import type { Layer, LayerViews } from './layer.js';
import { EMPTY_F32, EMPTY_I32 } from './layer.js';

interface Range { start: number; length: number }

export class ParameterArena {
  readonly count: number;
  readonly params: HeapBlock<'f32'>;
  readonly grads: HeapBlock<'f32'>;
  slots: HeapBlock<'f32'>[] = [];
  /** Per layer: [kernel, bias] ranges in the blocks. */
  readonly ranges: [Range, Range][];

  constructor(readonly heap: Heap, layers: readonly Layer[]) {
    let offset = 0;
    this.ranges = layers.map((layer) => {
      const specs = layer.paramSpecs();
      const sizes = specs.map((s) => s.shape.reduce((a, b) => a * b, 1));
      const kernel = { start: offset, length: specs[0]?.name === 'kernel' ? sizes[0] : 0 };
      offset += kernel.length;
      const bias = { start: offset, length: specs.find((s) => s.name === 'bias') ? sizes[sizes.length - 1] : 0 };
      offset += bias.length;
      return [kernel, bias];
    });
    this.count = offset;
    this.params = heap.block('f32', offset);
    this.grads = heap.block('f32', offset);
    this.params.view.fill(0);
    this.grads.view.fill(0);
  }

  /** Allocates `n` zeroed optimizer slots (replacing earlier ones: a new compile starts the optimizer afresh). */
  setSlots(n: number): void {
    for (const slot of this.slots) slot.free();
    this.slots = [];
    for (let i = 0; i < n; i++) this.slots.push(this.heap.block('f32', this.count));
    for (const slot of this.slots) slot.view.fill(0);
  }

  free(): void {
    for (const slot of this.slots) slot.free();
    this.slots = [];
    this.params.free();
    this.grads.free();
  }
}

/** Per-batch buffers for a batch capacity: activations, their gradients, scratch, targets and probabilities. */
export class Workspace {
  private readonly acts: HeapBlock<'f32'>;
  private readonly dActs: HeapBlock<'f32'>;
  private readonly scratch: HeapBlock<'f32'>;
  private readonly ints: HeapBlock<'i32'>;
  private readonly targetBlock: HeapBlock<'f32'>;
  private readonly probBlock: HeapBlock<'f32'>;
  /** Class indices from a source with labelWidth 1, before they become one-hot targets (not a kernel argument). */
  readonly labelIndices: Float32Array;
  private readonly actRanges: Range[] = [];
  private readonly dActRanges: (Range | null)[] = [];
  private readonly scratchRanges: Range[] = [];
  private readonly intRanges: Range[] = [];

  constructor(readonly heap: Heap, readonly capacity: number, layers: readonly Layer[], readonly classes: number) {
    const b = capacity;
    let acts = 0;
    let dActs = 0;
    let floats = 0;
    let ints = 0;
    const inputLength = b * layers[0].inputSize;
    this.actRanges.push({ start: 0, length: inputLength });
    this.dActRanges.push(null); // the input needs no gradient
    acts += inputLength;
    layers.forEach((layer, i) => {
      const n = b * layer.outputSize;
      if (layer.aliasesInput) {
        this.actRanges.push(this.actRanges[i]);
      } else {
        this.actRanges.push({ start: acts, length: n });
        acts += n;
      }
      const aliased = layer.aliasesInput ? this.dActRanges[i] : null;
      if (aliased !== null) {
        this.dActRanges.push(aliased);
      } else {
        this.dActRanges.push({ start: dActs, length: n });
        dActs += n;
      }
      const s = layer.scratchFloats(b);
      this.scratchRanges.push({ start: floats, length: s });
      floats += s;
      const k = layer.scratchInts(b);
      this.intRanges.push({ start: ints, length: k });
      ints += k;
    });
    this.acts = heap.block('f32', acts);
    this.dActs = heap.block('f32', dActs);
    this.scratch = heap.block('f32', floats);
    this.ints = heap.block('i32', ints);
    this.targetBlock = heap.block('f32', b * classes);
    this.probBlock = heap.block('f32', b * classes);
    this.labelIndices = new Float32Array(b);
  }

  free(): void {
    for (const block of [this.acts, this.dActs, this.scratch, this.ints, this.targetBlock, this.probBlock]) block.free();
  }

  /** Fresh views over the current buffer (called when it changed). */
  views(parameters: ParameterArena): WorkspaceViews {
    const sub = (block: HeapBlock<'f32'>, r: Range) => block.view.subarray(r.start, r.start + r.length);
    const acts = this.actRanges.map((r) => sub(this.acts, r));
    const dActs = this.dActRanges.map((r) => (r === null ? null : sub(this.dActs, r)));
    const params = parameters.params.view;
    const grads = parameters.grads.view;
    const layers: LayerViews[] = parameters.ranges.map(([kernel, bias], i) => {
      const s = this.scratchRanges[i];
      const n = this.intRanges[i];
      return {
        kernel: kernel.length ? params.subarray(kernel.start, kernel.start + kernel.length) : EMPTY_F32,
        bias: bias.length ? params.subarray(bias.start, bias.start + bias.length) : EMPTY_F32,
        dKernel: kernel.length ? grads.subarray(kernel.start, kernel.start + kernel.length) : EMPTY_F32,
        dBias: bias.length ? grads.subarray(bias.start, bias.start + bias.length) : EMPTY_F32,
        scratch: s.length ? this.scratch.view.subarray(s.start, s.start + s.length) : EMPTY_F32,
        ints: n.length ? this.ints.view.subarray(n.start, n.start + n.length) : EMPTY_I32,
      };
    });
    return {
      buffer: this.heap.memory.buffer, acts, dActs, layers, params, grads,
      slots: parameters.slots.map((slot) => slot.view),
      targets: this.targetBlock.view, probs: this.probBlock.view,
    };
  }
}

export interface WorkspaceViews {
  buffer: ArrayBuffer;
  acts: Float32Array[];
  dActs: (Float32Array | null)[];
  layers: LayerViews[];
  params: Float32Array;
  grads: Float32Array;
  slots: Float32Array[];
  targets: Float32Array;
  probs: Float32Array;
}
