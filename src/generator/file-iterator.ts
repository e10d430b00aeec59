/// <reference lib="esnext.disposable" preserve="true" />
// Batches from image files: what flowFromDirectory and flowFromDataframe return (Keras' DirectoryIterator and
// DataFrameIterator share it too: BatchFromFilesMixin). Per epoch, ceil(samples / batchSize) batches in an order
// shuffled by seed + batches seen (as flow.ts). A batch is read, decoded and resized into bytes first (async:
// prepare(i), which also starts the next `prefetch` batches, so decoding overlaps training and memory stays at a
// few batches whatever the folder's size), then scaled and augmented exactly as flow scales arrays (pipeline.ts).
// A bad file is an error naming it, or with onError 'skip' it is left out of its batch, counted, and reported.
import type { Backend } from '../runtime/backend.js';
import { Ownership } from '../runtime/ownership.js';
import { Scratch } from '../runtime/scratch.js';
import { Random } from '../random.js';
import { ImageSource, type ImageSet } from './image-set.js';
import { reserveScaling, scaleImages, type ScalingPlan, type WarpStage } from './pipeline.js';
import type { Augmenter } from './augmenter.js';
import { imageSeed } from './flow.js';
import type { FileTree } from './file-tree.js';
import { resizeImage, toColorMode, type ColorMode, type Img, type Interpolation } from '../image/index.js';
import { startDecodeWorkers, type OffThreadDecoder } from './decode-workers.js';

export type ClassMode = 'categorical' | 'binary' | 'sparse' | 'input' | null;
/**
 * Decodes one file into its own pixels (HWC bytes, its own channel count, which is then checked against colorMode). A
 * decoder that cannot know the file's channels (a browser canvas is always RGBA) converts to `colorMode` itself.
 */
export type FileDecoder = (bytes: Uint8Array, name: string, colorMode: ColorMode) => Img | Promise<Img>;

export interface FileBatch {
  x: ImageSet<Float32Array>;
  /** categorical: one-hot rows; binary, sparse: class indices; input: the images again; null: absent. */
  y?: Int32Array | { data: Float32Array; shape: [number, number] } | ImageSet<Float32Array>;
  sampleWeight?: Float32Array;
}

export interface SkippedFile {
  file: string;
  /** The epoch (from 0) in which it failed. */
  epoch: number;
  reason: string;
}

/** What the listing (directory or data frame) resolved, and how to load and batch it. */
export interface FileFlowSpec {
  where: string;
  tree: FileTree;
  filenames: string[];
  classNames: string[];
  /** Class index per file; null without labels. */
  classes: Int32Array | null;
  classMode: ClassMode;
  weights: Float32Array | null;
  targetSize: [number, number];
  colorMode: ColorMode;
  interpolation: Interpolation;
  keepAspectRatio: boolean;
  batchSize: number;
  shuffle: boolean;
  seed: number;
  onError: 'throw' | 'skip';
  /** Convert every image to colorMode (Keras' load_img) instead of refusing a file with other channels. */
  convertColors: boolean;
  prefetch: number;
  decode: FileDecoder;
  /**
   * Worker threads that decode, convert and resize (Node, pixprep's own decoders only); 0: this thread. Either way
   * each batch holds the same images in the same order: results are placed by index, not by arrival.
   */
  decodeWorkers: number;
  /** Problems met while listing (onError 'skip'), reported with the first epoch's skips. */
  warnings: string[];
}

interface LoadedBatch {
  /** The decoded images, bytes [count, h, w, c]. */
  bytes: Uint8Array;
  /** Sample index of each image (files that failed under onError 'skip' are left out). */
  samples: Int32Array;
  /** The files that failed under onError 'skip', in batch order: recorded when the batch is taken (prepare). */
  skips: SkippedFile[];
}

const CHANNELS: Record<ColorMode, number> = { grayscale: 1, rgb: 3, rgba: 4 };
/** Files read at once within a batch: enough to keep a disk busy, few enough to bound open files. */
const READ_CONCURRENCY = 8;

export class FileIterator implements AsyncIterable<FileBatch> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  /** Keras' `samples`: images per epoch. */
  readonly samples: number;
  /** Batches per epoch: ceil(samples / batchSize). */
  readonly length: number;
  /** `samples`, under the name the network's sources use. */
  get sampleCount(): number {
    return this.samples;
  }
  /** Keras' `class_indices`: class name → index. */
  readonly classIndices: Readonly<Record<string, number>>;
  /** Keras' `classes`: the class index of every file, in filenames' order (unshuffled). */
  readonly classes: Int32Array;
  /** Keras' `filenames`: paths relative to the directory, in listing order. */
  readonly filenames: readonly string[];
  readonly imageShape: readonly [number, number, number];
  readonly dataFormat = 'channelsLast' as const;
  /** For the network: one-hot rows of the class count (categorical), 1 (class indices), 0 (no labels). */
  readonly labelWidth: number;
  readonly classMode: ClassMode;
  /** Epochs completed. */
  epoch = 0;
  /** Files skipped (onError 'skip') so far, every epoch counted; skippedFiles says which, when and why. */
  get skipped(): number {
    return this.skippedFiles.length;
  }
  readonly skippedFiles: SkippedFile[] = [];
  /** skippedFiles already reported in a warning. */
  private reported = 0;
  /** Listing problems and each epoch's skip summary, for the caller (fit prints them through its log). */
  readonly warnings: string[];

  private readonly spec: FileFlowSpec;
  private readonly order: Int32Array;
  private readonly imageSize: number;
  private readonly scratch: Scratch;
  private readonly ownership: Ownership;
  private readonly warp: WarpStage | null;
  /** Batches of the current epoch being decoded or decoded, by index; at most 1 + prefetch of them. */
  private pending = new Map<number, Promise<LoadedBatch>>();
  private ready: { index: number; batch: LoadedBatch } | null = null;
  /** The decode workers, started by the first file decoded with decodeWorkers > 0, ended by dispose(). */
  private readonly workers: { pool: Promise<OffThreadDecoder> | null } = { pool: null };

  constructor(private readonly backend: Backend, private readonly plan: ScalingPlan, spec: FileFlowSpec, augmenter: Augmenter | null) {
    this.spec = spec;
    this.batchSize = spec.batchSize;
    this.shuffle = spec.shuffle;
    this.seed = spec.seed;
    this.samples = spec.filenames.length;
    this.length = Math.ceil(this.samples / this.batchSize);
    this.classIndices = Object.freeze(Object.fromEntries(spec.classNames.map((name, i) => [name, i])));
    this.classes = spec.classes ?? new Int32Array(0);
    this.filenames = Object.freeze([...spec.filenames]);
    this.classMode = spec.classMode;
    const [h, w] = spec.targetSize;
    const c = CHANNELS[spec.colorMode];
    this.imageShape = [h, w, c];
    this.imageSize = h * w * c;
    this.labelWidth = spec.classMode === 'categorical' ? spec.classNames.length
      : spec.classMode === 'binary' || spec.classMode === 'sparse' ? 1 : 0;
    this.warnings = [...spec.warnings];
    this.order = new Int32Array(this.samples);
    const scratch = (this.scratch = new Scratch(backend.heap));
    const workers = this.workers;
    this.ownership = new Ownership('FileIterator', this, () => {
      scratch.free();
      // Idle workers do not keep the process alive (they are unref'd); this ends their threads too.
      workers.pool?.then((p) => p.dispose(), () => {}).catch(() => {});
      workers.pool = null;
    });
    this.warp = augmenter && {
      augmenter,
      draw: (params, from, to) => {
        const random = new Random(0);
        const samples = this.ready!.batch.samples;
        for (let k = from; k < to; k++) augmenter.drawInto(random.reseed(imageSeed(this.seed, this.epoch, samples[k])), params, k - from);
      },
    };
    this.arrange();
    // Working memory for a full batch now, so batchInto never grows kernel memory while a model trains.
    const full = this.batchSource(new Uint8Array(Math.min(this.batchSize, this.samples) * this.imageSize));
    reserveScaling(scratch, plan, full, full.n, this.warp);
  }

  dispose(): void {
    this.ownership.dispose();
    this.pending.clear();
    this.ready = null;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** The sample indices of the current epoch, in order (a copy). */
  get indexOrder(): Int32Array {
    return this.order.slice();
  }

  /**
   * Reads and decodes batch i of the current epoch (and starts the next `prefetch` batches); resolves to the number
   * of images it holds (fewer than the batch when files were skipped; 0 when all were). batchInto(i) then scales it.
   */
  async prepare(i: number): Promise<number> {
    this.ownership.check();
    this.checkIndex(i);
    if (this.ready?.index === i) return this.ready.batch.samples.length;
    for (const key of this.pending.keys()) if (key < i) this.pending.delete(key);
    for (let j = i; j <= Math.min(this.length - 1, i + this.spec.prefetch); j++) {
      if (!this.pending.has(j)) {
        const load = this.load(j);
        load.catch(() => {}); // a prefetched batch that fails is reported when it is asked for, not as an unhandled rejection
        this.pending.set(j, load);
      }
    }
    const batch = await this.pending.get(i)!;
    this.pending.delete(i);
    // Skips are recorded as batches are taken, not as their loads finish: a prefetched later batch can fail first.
    this.skippedFiles.push(...batch.skips);
    this.ready = { index: i, batch };
    return batch.samples.length;
  }

  /** The decoded bytes of batch i after prepare(i): [k, h, w, c], unscaled (streaming fit reads these). */
  decodedBatch(i: number): ImageSet<Uint8Array> {
    const ready = this.ready;
    if (ready === null || ready.index !== i) throw new Error(`${this.spec.where}: batch ${i} has not been decoded yet; await iterator.prepare(${i}) first`);
    return { data: ready.batch.bytes, shape: [ready.batch.samples.length, ...this.imageShape] };
  }

  /** The same files in listing order, unscaled and unlabelled: what fitDirectory reads from a caller's iterator. */
  unscaled(): FileIterator {
    const plan: ScalingPlan = {
      rescale: 1, samplewiseCenter: false, samplewiseStdNormalization: false, featureMean: null, featureStd: null,
      preprocessingFunction: null, zca: null,
    };
    return new FileIterator(this.backend, plan, { ...this.spec, shuffle: false, classMode: null, warnings: [] }, null);
  }

  /** Scales the decoded batch i (prepare(i) first) into x, its labels into y; returns its image count. */
  batchInto(i: number, x: Float32Array, y: Float32Array | null): number {
    this.ownership.check();
    const ready = this.ready;
    if (ready === null || ready.index !== i) {
      throw new Error(`${this.spec.where}: batch ${i} has not been decoded yet; await iterator.prepare(${i}) before batchInto(${i})`);
    }
    const { bytes, samples } = ready.batch;
    const k = samples.length;
    if (k === 0) return 0;
    if (x.length < k * this.imageSize) throw new RangeError(`batchInto: x holds ${x.length} floats but batch ${i} needs ${k * this.imageSize}`);
    const source = this.batchSource(bytes.subarray(0, k * this.imageSize));
    scaleImages(this.backend, this.scratch, this.plan, source, (into, from, to) => source.gather(into, null, from, to), 0, k, x, 0, this.warp);
    if (y !== null && this.labelWidth > 0) this.labelsInto(y, samples);
    return k;
  }

  /** Batch i of the current epoch as new arrays. */
  async at(i: number): Promise<FileBatch> {
    const k = await this.prepare(i);
    const data = new Float32Array(k * this.imageSize);
    this.batchInto(i, data, null);
    const batch: FileBatch = { x: { data, shape: [k, ...this.imageShape] } };
    const samples = this.ready!.batch.samples;
    const mode = this.classMode;
    if (mode === 'categorical') {
      const rows = new Float32Array(k * this.labelWidth);
      this.labelsInto(rows, samples);
      batch.y = { data: rows, shape: [k, this.labelWidth] };
    } else if (mode === 'binary' || mode === 'sparse') batch.y = Int32Array.from(samples, (s) => this.classes[s]);
    else if (mode === 'input') batch.y = { data: data.slice(), shape: [k, ...this.imageShape] };
    if (this.spec.weights) batch.sampleWeight = Float32Array.from(samples, (s) => this.spec.weights![s]);
    return batch;
  }

  /** Ends the epoch: reshuffles and reports the files skipped since the last report (one warning line). */
  onEpochEnd(): void {
    this.reportSkips();
    this.epoch++;
    this.pending.clear();
    this.ready = null;
    this.arrange();
  }

  /** Warnings not yet handed out, the skips since the last report included (fit writes them at each epoch's end). */
  takeWarnings(): string[] {
    this.reportSkips();
    return this.warnings.splice(0);
  }

  /**
   * The files a fitDirectory pass over this iterator's files (through unscaled()) skipped: counted in skippedFiles
   * and reported in a warning of their own, so a caller who fits and then trains sees them.
   */
  adoptSkips(pass: FileIterator): void {
    if (pass.skippedFiles.length === 0) return;
    this.reportSkips(); // the epoch's own skips first, in their line
    this.skippedFiles.push(...pass.skippedFiles);
    this.reported = this.skippedFiles.length;
    this.warnings.push(this.skipLine('fitDirectory', pass.skippedFiles, 'while fitting'));
  }

  private reportSkips(): void {
    const fresh = this.skippedFiles.slice(this.reported);
    this.reported = this.skippedFiles.length;
    if (fresh.length === 0) return;
    this.warnings.push(this.skipLine(this.spec.where, fresh, `in epoch ${this.epoch + 1}`));
  }

  private skipLine(where: string, skips: SkippedFile[], when: string): string {
    const first = skips.slice(0, 3).map((s) => `${s.file} (${s.reason})`).join('; ');
    return `${where}: skipped ${skips.length} of ${this.samples} files ${when} (onError 'skip'): ${first}${skips.length > 3 ? '; …' : ''}`;
  }

  /** One epoch of batches (decoding ahead); the epoch ends when the loop finishes or breaks. */
  async *[Symbol.asyncIterator](): AsyncIterator<FileBatch> {
    try {
      for (let i = 0; i < this.length; i++) {
        const batch = await this.at(i);
        if (batch.x.shape[0] > 0) yield batch;
      }
    } finally {
      this.onEpochEnd();
    }
  }

  private batchSource(bytes: Uint8Array): ImageSource {
    return ImageSource.from({ data: bytes, shape: [bytes.length / this.imageSize, ...this.imageShape] }, this.spec.where, 'channelsLast');
  }

  private labelsInto(y: Float32Array, samples: Int32Array): void {
    const width = this.labelWidth;
    if (width === 1) {
      for (let r = 0; r < samples.length; r++) y[r] = this.classes[samples[r]];
      return;
    }
    y.fill(0, 0, samples.length * width);
    for (let r = 0; r < samples.length; r++) y[r * width + this.classes[samples[r]]] = 1;
  }

  private checkIndex(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) {
      throw new RangeError(`Asked to retrieve element ${String(i)}, but the Sequence has length ${this.length}`);
    }
  }

  private arrange(): void {
    const order = this.order;
    for (let k = 0; k < this.samples; k++) order[k] = k;
    if (this.shuffle) new Random(this.seed + this.epoch * this.length).shuffle(order);
  }

  private async load(i: number): Promise<LoadedBatch> {
    const from = i * this.batchSize;
    const wanted = this.order.slice(from, Math.min(this.samples, from + this.batchSize));
    const epoch = this.epoch;
    const bytes = new Uint8Array(wanted.length * this.imageSize);
    const ok = new Uint8Array(wanted.length);
    // Failures by position: the batch's first bad file is the error, and skips are recorded in batch order, however
    // the reads and decodes (on workers) happened to finish.
    const failures = new Map<number, unknown>();
    let next = 0;
    const worker = async () => {
      while (next < wanted.length) {
        const k = next++;
        try {
          bytes.set(await this.loadFile(wanted[k]), k * this.imageSize);
          ok[k] = 1;
        } catch (error) {
          failures.set(k, error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, wanted.length) }, worker));
    const skips: SkippedFile[] = [];
    for (const k of [...failures.keys()].sort((a, b) => a - b)) {
      const error = failures.get(k);
      if (this.spec.onError === 'throw' || this.epoch !== epoch) throw error;
      skips.push({ file: this.spec.filenames[wanted[k]], epoch, reason: (error as Error).message });
    }
    const kept = ok.reduce((s, v) => s + v, 0);
    if (kept === wanted.length) return { bytes, samples: wanted, skips };
    // Close the gaps the skipped files left, keeping the batch's order.
    const samples = new Int32Array(kept);
    let j = 0;
    for (let k = 0; k < wanted.length; k++) {
      if (!ok[k]) continue;
      if (j !== k) bytes.copyWithin(j * this.imageSize, k * this.imageSize, (k + 1) * this.imageSize);
      samples[j++] = wanted[k];
    }
    return { bytes: bytes.subarray(0, kept * this.imageSize), samples, skips };
  }

  /** One file: read, decoded, checked against colorMode, resized to targetSize. Errors name the file. */
  private async loadFile(sample: number): Promise<Uint8Array> {
    const { tree, where, targetSize, colorMode, interpolation, keepAspectRatio } = this.spec;
    const name = this.spec.filenames[sample];
    const shown = tree.describe(name);
    let bytes: Uint8Array;
    try {
      bytes = await tree.read(name);
    } catch (cause) {
      throw new Error(`${where}: cannot read ${shown} (${(cause as { code?: string }).code ?? (cause as Error).message})`, { cause });
    }
    if (bytes.length === 0) throw new Error(`${where}: ${shown} is empty (0 bytes)`);
    let img: Img;
    let prepared: Img | null = null;
    try {
      if (this.spec.decodeWorkers > 0) {
        this.workers.pool ??= startDecodeWorkers(where, this.spec.decodeWorkers, { colorMode, targetSize, interpolation, keepAspectRatio });
        const r = await (await this.workers.pool).decode(bytes, shown);
        prepared = r.img;
        img = { data: r.img.data, shape: r.decoded }; // only its shape is read below
      } else img = await this.spec.decode(bytes, shown, colorMode);
    } catch (cause) {
      // pixprep's decoders start their messages with the name they were given: not twice.
      const why = (cause as Error).message;
      throw new Error(`${where}: cannot decode ${shown}: ${why.startsWith(`${shown}: `) ? why.slice(shown.length + 2) : why}`, { cause });
    }
    const want = CHANNELS[colorMode];
    if (img.shape[2] !== want && !this.spec.convertColors) {
      const [h, w, c] = img.shape;
      throw new Error(`${where}: ${shown} has ${c} channel${c === 1 ? '' : 's'} (${h}×${w}×${c}) but colorMode '${colorMode}' expects ${want}; ` +
        "pass convertColors: true to convert as Keras' load_img does, or choose the colorMode of the files");
    }
    if (prepared !== null) return prepared.data;
    const converted = toColorMode(img, colorMode);
    // As load_img: a resize only when the size differs (or a crop is asked for).
    if (converted.shape[0] === targetSize[0] && converted.shape[1] === targetSize[1]) return converted.data;
    return resizeImage(converted, targetSize, interpolation, keepAspectRatio).data;
  }
}
