/// <reference lib="esnext.disposable" preserve="true" />
// flow(x, y): Keras' NumpyArrayIterator. ceil(n / batchSize) batches per epoch, the last one partial; with
// shuffle, each epoch's order is a permutation drawn from seed + (batches seen before the epoch), as Keras does, so
// the same seed gives the same batches in every run; validationSplit + subset picks the first floor(n·split)
// samples (validation) or the rest (training). Batches go through the generator's scaling pipeline.
import type { Backend } from '../runtime/backend.js';
import type { HeapBlock } from '../runtime/heap.js';
import { Ownership } from '../runtime/ownership.js';
import { Scratch } from '../runtime/scratch.js';
import { Random } from '../random.js';
import { describeValue, kindOf } from '../errors.js';
import { type ImageSet, type ImageSource } from './image-set.js';
import { Labels, type LabelInput } from './labels.js';
import { reserveScaling, scaleImages, type Gather, type ScalingPlan, type WarpStage } from './pipeline.js';
import type { Augmenter } from './augmenter.js';
import { checkOptionNames } from '../unknown-option-error.js';

export interface FlowOptions {
  batchSize?: number;
  shuffle?: boolean;
  /** Seeds the epoch permutations. Omitted: a random seed (readable afterwards as `iterator.seed`). */
  seed?: number;
  subset?: 'training' | 'validation';
  /** One weight per sample, yielded with each batch. */
  sampleWeight?: ArrayLike<number>;
}

export interface Batch {
  x: ImageSet<Float32Array>;
  /** Class indices (Int32Array) or one-hot rows, as the labels were given; absent when flow had no y. */
  y?: Int32Array | { data: Float32Array; shape: [number, number] };
  sampleWeight?: Float32Array;
}

const FLOW_OPTIONS = ['batchSize', 'shuffle', 'seed', 'subset', 'sampleWeight'];

/**
 * Byte images up to this size are copied into kernel memory once, when the flow is made, so that a shuffled batch is
 * gathered by one memory.copy per image (kernels: gatherRows) instead of one typed-array call each, which cost more
 * than the scaling itself. Larger sets are read from the caller's array batch by batch.
 */
export const RESIDENT_BYTES_LIMIT = 256 * 2 ** 20;


function randomSeed(): number {
  const word = new Uint32Array(1);
  globalThis.crypto.getRandomValues(word);
  return word[0];
}

export class FlowIterator implements Iterable<Batch> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  /** Samples this iterator yields per epoch (after the subset split). */
  readonly sampleCount: number;
  /** Batches per epoch: ceil(sampleCount / batchSize). */
  readonly length: number;
  /** One sample's shape in the generator's data format: [h, w, c] (channelsLast) or [c, h, w]. */
  readonly imageShape: readonly [number, number, number];
  readonly dataFormat: 'channelsLast' | 'channelsFirst';
  /** 0 without labels, 1 for class indices, k for one-hot rows of k. */
  readonly labelWidth: number;
  /** Epochs completed (onEpochEnd calls). */
  epoch = 0;

  private readonly labels: Labels | null;
  private readonly weights: Float32Array | null;
  private readonly first: number;
  /** The current epoch's sample indices, in kernel memory so that gatherRows can read them. */
  private readonly orderBlock: HeapBlock<'i32'>;
  /** The caller's byte images copied into kernel memory (see RESIDENT_BYTES_LIMIT), or null. */
  private readonly resident: HeapBlock<'u8'> | null;
  private readonly gather: Gather;
  /** The flow's own working buffers for scaling a batch (never shared with its generator or another flow). */
  private readonly scratch: Scratch;
  private readonly ownership: Ownership;
  /** The random transforms, when the generator augments: one per image per epoch (see imageSeed). */
  private readonly warp: WarpStage | null;

  constructor(
    private readonly backend: Backend,
    private readonly plan: ScalingPlan,
    private readonly source: ImageSource,
    y: LabelInput | null,
    validationSplit: number,
    options: FlowOptions = {},
    augmenter: Augmenter | null = null,
  ) {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new TypeError(`flow: options must be an object. Received: ${describeValue(options)}`);
    }
    checkOptionNames('flow', options, FLOW_OPTIONS);
    const { batchSize = 32, shuffle = true, seed, subset, sampleWeight } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`\`batchSize\` must be a positive integer. Received: batchSize=${describeValue(batchSize)}`);
    }
    if (typeof shuffle !== 'boolean') throw new TypeError(`\`shuffle\` must be true or false. Received: shuffle=${describeValue(shuffle)}`);
    if (seed !== undefined && (typeof seed !== 'number' || !Number.isInteger(seed))) {
      throw new TypeError(`\`seed\` must be an integer. Received: seed=${describeValue(seed)}`);
    }
    const n = source.n;
    this.labels = y === null ? null : Labels.from(y, 'flow');
    if (this.labels && this.labels.n !== n) {
      throw new RangeError(
        `flow: \`x\` (images tensor) and \`y\` (labels) should have the same length. Found: x.shape = [${source.shape.join(', ')}], y length = ${this.labels.n}`,
      );
    }
    this.weights = null;
    if (sampleWeight !== undefined) {
      if (sampleWeight === null || typeof sampleWeight !== 'object' || typeof (sampleWeight as ArrayLike<number>).length !== 'number') {
        throw new TypeError(`flow: \`sampleWeight\` must be an array of numbers, one per sample. Received: ${describeValue(sampleWeight)}`);
      }
      if (sampleWeight.length !== n) {
        throw new RangeError(`flow: \`x\` and \`sampleWeight\` should have the same length. Found: x has ${n} samples, sampleWeight has ${sampleWeight.length}`);
      }
      const weights = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const w = sampleWeight[i];
        // Checked after the float32 rounding too: a finite Float64 weight beyond float32's range would be Infinity.
        if (typeof w !== 'number' || !Number.isFinite(w) || !Number.isFinite(Math.fround(w))) {
          const why = typeof w !== 'number' ? ` (${kindOf(w)})` : Number.isFinite(w) ? ' (beyond the float32 range)' : '';
          throw new RangeError(`flow: \`sampleWeight\` must be finite numbers. Received: ${describeValue(w)}${why} at index ${i}`);
        }
        weights[i] = w;
      }
      this.weights = weights;
    }

    let first = 0;
    let end = n;
    if (subset !== undefined) {
      if (subset !== 'training' && subset !== 'validation') {
        throw new RangeError(`\`subset\` must be 'training' or 'validation'. Received: subset=${describeValue(subset)}`);
      }
      if (!(validationSplit > 0)) {
        throw new RangeError(`flow: \`subset\` '${subset}' needs a \`validationSplit\` > 0 in the generator's options. Received: validationSplit=${validationSplit}`);
      }
      const split = Math.floor(n * validationSplit);
      if (split === 0 || split === n) {
        throw new RangeError(`flow: validationSplit=${validationSplit} of ${n} samples leaves the ${split === 0 ? 'validation' : 'training'} subset empty`);
      }
      if (this.labels) checkSameClasses(this.labels, split);
      [first, end] = subset === 'validation' ? [0, split] : [split, n];
    }
    this.first = first;
    this.sampleCount = end - first;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.seed = seed ?? randomSeed();
    this.length = Math.ceil(this.sampleCount / batchSize);
    this.dataFormat = source.dataFormat;
    this.imageShape = source.dataFormat === 'channelsLast'
      ? [source.height, source.width, source.channels]
      : [source.channels, source.height, source.width];
    this.labelWidth = this.labels?.width ?? 0;
    const { heap, kernels } = backend;
    this.orderBlock = heap.block('i32', this.sampleCount);
    const residentBytes = source.n * source.imageSize;
    const copyIn = source.bytes && source.contiguous && plan.preprocessingFunction == null && residentBytes <= RESIDENT_BYTES_LIMIT;
    this.resident = copyIn ? heap.block('u8', residentBytes) : null;
    if (this.resident) {
      const first = source.image(0);
      this.resident.view.set(new Uint8Array(first.buffer, first.byteOffset, residentBytes));
    }
    const scratch = (this.scratch = new Scratch(heap));
    const blocks = this.resident ? [this.orderBlock, this.resident] : [this.orderBlock];
    this.ownership = new Ownership('FlowIterator', this, () => {
      for (const block of blocks) block.free();
      scratch.free();
    });
    const size = source.imageSize;
    this.gather = this.resident
      ? (out, from, to) => kernels.gatherRows(out as Uint8Array, this.resident!.view, this.order.subarray(from, to), to - from, size)
      : (out, from, to) => source.gather(out, this.order, from, to);
    this.arrange();
    this.warp = augmenter && this.warpStage(augmenter);
    // Working memory for a full batch now, so batchInto never grows kernel memory (and never detaches heap views).
    reserveScaling(scratch, plan, source, Math.min(batchSize, this.sampleCount), this.warp);
  }

  private warpStage(augmenter: Augmenter): WarpStage {
    const random = new Random(0);
    return {
      augmenter,
      draw: (params, from, to) => {
        const order = this.order;
        for (let k = from; k < to; k++) augmenter.drawInto(random.reseed(imageSeed(this.seed, this.epoch, order[k])), params, k - from);
      },
    };
  }

  /** The sample indices of the current epoch, in order (a copy). */
  get indexOrder(): Int32Array {
    return this.order.slice();
  }

  /** Releases the kernel memory this flow holds (also released when the iterator is garbage-collected). */
  dispose(): void {
    this.ownership.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  private get order(): Int32Array {
    this.ownership.check();
    return this.orderBlock.view;
  }

  /** Batch i of the current epoch, as new arrays. */
  at(i: number): Batch {
    this.ownership.check();
    const [from, to] = this.range(i);
    const k = to - from;
    this.checkImages('at');
    const data = new Float32Array(k * this.source.imageSize);
    scaleImages(this.backend, this.scratch, this.plan, this.source, this.gather, from, to, data, 0, this.warp);
    const batch: Batch = { x: { data, shape: [k, ...this.imageShape] } };
    if (this.labels) batch.y = this.labels.slice(this.order, from, to);
    if (this.weights) batch.sampleWeight = Float32Array.from(this.order.subarray(from, to), (j) => this.weights![j]);
    return batch;
  }

  /**
   * Writes batch i into x (and its labels, labelWidth floats each, into y) without allocating; returns the number
   * of samples in the batch. x may be a view into kernel memory: the pipeline then writes straight into it.
   */
  batchInto(i: number, x: Float32Array, y: Float32Array | null): number {
    this.ownership.check();
    const [from, to] = this.range(i);
    const k = to - from;
    if (!(x instanceof Float32Array)) throw new TypeError(`batchInto: x must be a Float32Array. Received: ${describeValue(x)}`);
    if (y !== null && y !== undefined && !(y instanceof Float32Array)) {
      throw new TypeError(`batchInto: y must be a Float32Array or null. Received: ${describeValue(y)}`);
    }
    if (x.length < k * this.source.imageSize) {
      throw new RangeError(`batchInto: x holds ${x.length} floats but batch ${i} needs ${k * this.source.imageSize}`);
    }
    this.checkImages('batchInto');
    if (y != null && this.labels) {
      if (y.length < k * this.labelWidth) throw new RangeError(`batchInto: y holds ${y.length} floats but batch ${i} needs ${k * this.labelWidth}`);
      this.labels.gather(y, this.order, from, to);
    }
    scaleImages(this.backend, this.scratch, this.plan, this.source, this.gather, from, to, x, 0, this.warp);
    return k;
  }

  /** Ends the epoch: the next batches come in the next epoch's order (Keras' Sequence.on_epoch_end). */
  onEpochEnd(): void {
    this.epoch++;
    this.arrange();
  }

  /** One epoch of batches; the epoch ends (and the order reshuffles) when the loop finishes or breaks. */
  *[Symbol.iterator](): Iterator<Batch> {
    try {
      for (let i = 0; i < this.length; i++) yield this.at(i);
    } finally {
      this.onEpochEnd();
    }
  }

  /** Images read from the caller's array at each batch must still be there (resident copies always are). */
  private checkImages(where: string): void {
    if (this.resident === null) this.source.checkAttached(where);
  }

  private range(i: number): [number, number] {
    if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= this.length) {
      throw new RangeError(`Asked to retrieve element ${describeValue(i)}, but the Sequence has length ${this.length}`);
    }
    return [i * this.batchSize, Math.min(this.sampleCount, (i + 1) * this.batchSize)];
  }

  private arrange(): void {
    const order = this.order;
    for (let k = 0; k < this.sampleCount; k++) order[k] = this.first + k;
    // Keras seeds each epoch's permutation with seed + total_batches_seen; an epoch is `length` batches.
    if (this.shuffle) new Random(this.seed + this.epoch * this.length).shuffle(order);
  }
}

/**
 * The seed of one image's transform: a hash of (flow seed, epoch, sample index), so that every sample gets its own
 * transform each epoch, the same on every run and backend, whatever the batch size and whichever batch is asked for
 * first (Keras reseeds numpy per batch instead, which ties the draws to the order of the calls).
 */
export function imageSeed(seed: number, epoch: number, sample: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ epoch;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) ^ sample;
  h = Math.imul(h ^ (h >>> 16), 0x27d4eb2f);
  return (h ^ (h >>> 15)) >>> 0;
}

function checkSameClasses(labels: Labels, split: number): void {
  const classes = (from: number, to: number) => {
    const seen = new Set<number>();
    for (let i = from; i < to; i++) seen.add(labels.classOf(i));
    return seen;
  };
  const validation = classes(0, split);
  const training = classes(split, labels.n);
  if (validation.size !== training.size || [...validation].some((c) => !training.has(c))) {
    throw new RangeError(
      'flow: training and validation subsets have different classes after the split ' +
        `(validation has ${validation.size}, training has ${training.size}). If your arrays are sorted by label, shuffle them first.`,
    );
  }
}
