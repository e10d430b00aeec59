/// <reference lib="esnext.disposable" preserve="true" />
// ImageDataGenerator: Keras' pixel scaling (docs/keras-semantics.md) on pixprep's kernels.
//   fit / partialFit → per-channel statistics (kernels: moments*, float64, mergeable)
//   standardize      → scaled copy of the input (pipeline.ts: one fused affine pass)
//   flow             → seeded, shuffled batches through the same pipeline (flow.ts)
// Departures from Keras, on purpose: featurewise options before fit throw instead of warning; statistics merge
// across chunks (streaming fit); integer pixels are scaled straight into the float batch, never copied whole.
import { currentBackend } from '../runtime/backend.js';
import { Scratch } from '../runtime/scratch.js';
import { Ownership } from '../runtime/ownership.js';
import { MOMENT_FIELDS } from '../kernels/types.js';
import { FlowIterator, type FlowOptions } from './flow.js';
import { ImageSource, type ImageInput, type ImageSet } from './image-set.js';
import type { LabelInput } from './labels.js';
import { Moments } from './moments.js';
import { DEFAULT_OPTIONS, resolveOptions, type ImageDataGeneratorOptions, type ResolvedOptions } from './options.js';
import { scaleImages, type ScalingPlan } from './pipeline.js';
import { CovarianceAccumulator } from './zca.js';
import { base64ToFloat32, base64ToFloat64, float32ToBase64, float64ToBase64 } from '../base64.js';
import { checkSameOptions } from './merge.js';
import { isChunkStream, type ChunkStream } from './stream-fit.js';
import type { Heap, HeapBlock } from '../runtime/heap.js';
import { describeValue } from '../errors.js';
import { Random } from '../random.js';
import { drawTransform, type TransformParams } from './augment.js';
import { augments } from './augment-options.js';
import { Augmenter } from './augmenter.js';
import { WARP_PARAMS } from '../kernels/warp.js';
import { checkOptionNames, withContext } from '../unknown-option-error.js';
import { flowFromDirectory, type DirectoryFlowOptions } from './directory.js';
import { flowFromDataframe, type DataframeFlowOptions } from './dataframe.js';
import { fitFiles, type FitFilesOptions } from './fit-files.js';
import type { DirectoryInput } from './file-flow.js';
import type { FileIterator } from './file-iterator.js';

// Images per statistics round: ~1 MiB of input, copied into kernel memory while it is still in cache.
const FIT_CHUNK_BYTES = 1 << 20;
const JSON_FORMAT = 'pixprep.ImageDataGenerator';
const JSON_VERSION = 1;

export interface GeneratorStatistics {
  /** Values per channel seen by fit (images · height · width). */
  count: number;
  mean: Float64Array;
  std: Float64Array;
  min: Float64Array;
  max: Float64Array;
}

export interface ImageDataGeneratorJSON {
  format: typeof JSON_FORMAT;
  version: number;
  options: Omit<ResolvedOptions, 'preprocessingFunction'>;
  statistics: { channels: number; count: number[]; mean: number[]; m2: number[]; min: number[]; max: number[] } | null;
  /**
   * With zcaWhitening: the image shape, and W (D×D float32, little-endian, base64), or (toJSON({ mergeable: true }))
   * the covariance sums instead, from which W is computed when first needed and which merge and partialFit continue.
   */
  zca?: { height: number; width: number; channels: number; matrix?: string; covariance?: CovarianceJSON } | null;
}

/** ZCA's mergeable sums: images folded in, per-pixel mean (D float64) and co-moment (D×D float64), base64 little-endian. */
export interface CovarianceJSON {
  count: number;
  mean: string;
  comoment: string;
}

export interface ToJSONOptions {
  /**
   * Write what merging needs rather than what scaling needs: for ZCA, the float64 covariance sums (8·D² bytes) in
   * place of W, so that the JSON of one shard can be merged with others (ImageDataGenerator.merge, pixprep merge).
   * Moments are always mergeable. Default false.
   */
  mergeable?: boolean;
}

/** What ImageDataGenerator.merge accepts: generators, their toJSON() objects, or that JSON as text. */
export type MergeInput = ImageDataGenerator | ImageDataGeneratorJSON | string;

/** A generator's kernel memory, in a holder that its finalizer can free without keeping the generator alive. */
interface GeneratorMemory {
  /** W's copy in kernel memory, for the pipeline's gemm. */
  zca: HeapBlock<'f32'> | null;
  /** This generator's own working buffers (fit's staging, standardize's pipeline). */
  scratch: Scratch | null;
}

function freeGeneratorMemory(memory: GeneratorMemory): void {
  memory.zca?.free();
  memory.zca = null;
  memory.scratch?.free();
  memory.scratch = null;
}

export class ImageDataGenerator {
  readonly options: Readonly<ResolvedOptions>;
  private moments: Moments | null = null;
  // ZCA: the covariance folded in by fit/partialFit, W computed from it when first needed, W's copy in kernel memory.
  private covariance: CovarianceAccumulator | null = null;
  private zcaMatrix: { height: number; width: number; channels: number; w: Float32Array } | null = null;
  private readonly memory: GeneratorMemory = { zca: null, scratch: null };
  private readonly ownership: Ownership;
  /** The stream getRandomTransform draws from when given no seed (seeded at random on first use). */
  private random: Random | null = null;

  constructor(options?: ImageDataGeneratorOptions) {
    this.options = Object.freeze(resolveOptions(options));
    const memory = this.memory;
    this.ownership = new Ownership('ImageDataGenerator', this, () => freeGeneratorMemory(memory));
  }

  /**
   * Returns the generator's kernel memory (the ZCA matrix, working buffers); any later use throws. Flows made by
   * the generator own their memory and are disposed separately.
   */
  dispose(): void {
    this.ownership.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Kernel bytes the generator holds now (tests: refitting does not grow it). */
  get kernelBytes(): number {
    return (this.memory.zca?.length ?? 0) * 4 + (this.memory.scratch?.bytes ?? 0);
  }

  private scratchFor(heap: Heap): Scratch {
    const m = this.memory;
    if (m.scratch === null || m.scratch.heap !== heap) {
      m.scratch?.free();
      m.scratch = new Scratch(heap);
    }
    return m.scratch;
  }

  /**
   * Computes the per-channel statistics of x (after rescale, as Keras since 2.9), replacing earlier ones. With
   * `{ augment: true, rounds, seed }`: the statistics of `rounds` randomly transformed copies of x, as Keras.
   */
  fit(x: ImageInput, options?: FitOptions): this {
    this.ownership.check();
    const source = ImageSource.from(x, 'fit', this.options.dataFormat);
    const { augment, rounds, seed } = checkFitOptions(options);
    if (augment) {
      if (this.options.zcaWhitening) throw new Error('fit: `augment` with zcaWhitening is not supported (pixprep fits ZCA on the images as given)');
      this.moments = this.augmentedStatisticsOf(source, rounds, new Random(seed ?? randomSeed()));
      this.covariance = null;
      this.forgetZcaMatrix();
      return this;
    }
    const fitted = this.statisticsOf(source, 'fit');
    const covariance = this.options.zcaWhitening ? this.covarianceOf(source, 'fit', null) : null;
    this.moments = fitted;
    this.covariance?.dispose();
    this.covariance = covariance;
    this.forgetZcaMatrix();
    return this;
  }

  /**
   * Folds x into the statistics: fitting chunk by chunk gives the statistics of all the chunks together. Given an
   * async iterable of chunks (a stream: idxImageChunks from pixprep/node, say), folds them one at a time, holding one
   * chunk at a time, and resolves when the stream ends; if a chunk is bad or the stream fails, nothing of the stream
   * is folded in (the statistics stay as they were) and the promise rejects.
   */
  partialFit(x: ImageInput): this;
  partialFit(chunks: ChunkStream): Promise<this>;
  partialFit(x: ImageInput | ChunkStream): this | Promise<this> {
    this.ownership.check();
    if (isChunkStream(x)) return this.foldStream(x, 'partialFit', false);
    return this.foldChunk(x, 'partialFit');
  }

  /**
   * fit for data that arrives as a stream: the statistics of every chunk of `chunks` (an async iterable of image
   * sets), replacing earlier ones once the stream has ended, in memory for one chunk whatever the stream's length.
   * The result equals fit on all the chunks concatenated (to float64 rounding). A stream that yields no image is
   * an error, as fit on an empty set is; on any error the generator keeps its earlier statistics.
   */
  fitStream(chunks: ChunkStream): Promise<this> {
    this.ownership.check();
    if (!isChunkStream(chunks)) {
      throw new TypeError(`fitStream: chunks must be an async iterable of image sets ({ data, shape }). Received: ${describeValue(chunks)}`);
    }
    return this.foldStream(chunks, 'fitStream', true);
  }

  private async foldStream(chunks: ChunkStream, where: string, replace: boolean): Promise<this> {
    if (this.options.zcaWhitening && !replace && this.moments !== null && this.covariance === null) {
      throw new Error(`${where}: this generator was restored by fromJSON with a ZCA matrix but without its covariance; fit it anew`);
    }
    // The stream is folded into a generator of its own and merged in at the end, so that a failure half-way
    // leaves this generator's statistics untouched.
    const { preprocessingFunction: _, ...options } = this.options;
    const part = new ImageDataGenerator(options);
    try {
      let index = 0;
      for await (const chunk of chunks) {
        this.ownership.check();
        part.foldChunk(chunk, `${where}: chunk ${index++} of the stream`);
      }
      if (part.moments === null && replace) throw new RangeError(`${where}: the stream yielded no images; at least one image is needed`);
      if (replace || this.moments === null) {
        this.covariance?.dispose();
        this.moments = part.moments;
        this.covariance = part.covariance;
        part.covariance = null;
      } else if (part.moments !== null) {
        if (part.moments.channels !== this.moments.channels) {
          throw new RangeError(`${where}: the stream has ${part.moments.channels} channels but the generator was fit on ${this.moments.channels}`);
        }
        if (this.covariance !== null && part.covariance !== null) checkSameShape(where, this.covariance, part.covariance);
        this.moments.merge(part.moments);
        this.covariance?.merge(part.covariance!);
      }
      this.forgetZcaMatrix();
      return this;
    } finally {
      part.dispose();
    }
  }

  private foldChunk(x: ImageInput, where: string): this {
    const source = ImageSource.from(x, where, this.options.dataFormat);
    const chunk = this.statisticsOf(source, where);
    if (this.moments !== null && this.moments.channels !== chunk.channels) {
      throw new RangeError(`${where}: x has ${chunk.channels} channels but the generator was fit on ${this.moments.channels}`);
    }
    if (this.options.zcaWhitening) {
      if (this.moments !== null && this.covariance === null) {
        throw new Error(`${where}: this generator was restored by fromJSON with a ZCA matrix but without its covariance; fit it anew`);
      }
      this.covariance = this.covarianceOf(source, where, this.covariance);
      this.forgetZcaMatrix();
    }
    this.moments = this.moments === null ? chunk : this.moments.merge(chunk);
    return this;
  }

  /** Per-channel mean of the fitted data (after rescale), or null before fit. */
  get mean(): Float32Array | null {
    return this.moments ? Float32Array.from(this.moments.mean) : null;
  }

  /** Per-channel population std of the fitted data (after rescale), or null before fit. */
  get std(): Float32Array | null {
    return this.moments ? Float32Array.from(this.moments.mean, (_, c) => this.moments!.std(c)) : null;
  }

  /** The fitted statistics in float64, with min and max; null before fit. */
  get statistics(): GeneratorStatistics | null {
    const m = this.moments;
    if (m === null) return null;
    return {
      count: m.count[0],
      mean: m.mean.slice(),
      std: Float64Array.from(m.mean, (_, c) => m.std(c)),
      min: m.min.slice(),
      max: m.max.slice(),
    };
  }

  /**
   * Scales x (a batch, or one image of rank 3) into a float32 array of the same shape; x is untouched. The result is
   * a new array, or `out` when given (at least as long as x, not overlapping it): reusing one array across calls on
   * large sets saves the page faults of fresh memory, which cost more than the scaling itself.
   */
  standardize(x: ImageInput, out?: Float32Array): ImageSet<Float32Array> {
    this.ownership.check();
    const source = ImageSource.from(x, 'standardize', this.options.dataFormat, true);
    const plan = this.scalingPlan('standardize', source.channels, [source.height, source.width, source.channels]);
    const length = source.n * source.imageSize;
    let data: Float32Array;
    if (out === undefined) data = new Float32Array(length);
    else {
      if (!(out instanceof Float32Array)) throw new TypeError(`standardize: out must be a Float32Array. Received: ${describeValue(out)}`);
      if (out.length < length) throw new RangeError(`standardize: out holds ${out.length} floats but x needs ${length}`);
      if (out.buffer === source.data.buffer) {
        const [a, b] = [out.byteOffset, out.byteOffset + length * 4];
        const [c, d] = [source.data.byteOffset, source.data.byteOffset + source.data.byteLength];
        if (a < d && c < b) throw new RangeError('standardize: out must not overlap x.data');
      }
      data = out.length === length ? out : out.subarray(0, length);
    }
    const backend = currentBackend();
    scaleImages(backend, this.scratchFor(backend.heap), plan, source, (into, from, to) => source.gather(into, null, from, to), 0, source.n, data, 0);
    return { data, shape: Array.from(x.shape) };
  }

  /**
   * Keras' get_random_transform: one draw of every transform parameter for images of `imageShape` ([h, w, c], or
   * [c, h, w] with channelsFirst), from `seed` when given, else from the generator's own random stream.
   */
  getRandomTransform(imageShape: readonly number[], seed?: number): TransformParams {
    this.ownership.check();
    const where = 'getRandomTransform';
    if (!Array.isArray(imageShape) || imageShape.length !== 3 || !imageShape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new TypeError(`${where}: imageShape must be [height, width, channels] (or [channels, height, width] with channelsFirst), three positive integers. Received: ${JSON.stringify(imageShape)}`);
    }
    const [height, width] = this.options.dataFormat === 'channelsLast' ? imageShape : imageShape.slice(1);
    return drawTransform(this.randomFor(where, seed), this.options, height, width);
  }

  /**
   * Keras' apply_transform: one image (rank 3) warped by `params` (theta, tx, ty, shear, zx, zy, flipHorizontal,
   * flipVertical, channelShiftIntensity, brightness; missing ones take Keras' neutral values), as a new float32
   * image. Scaling (standardize) is not applied, as in Keras.
   */
  applyTransform(x: ImageInput, params: Partial<TransformParams>): ImageSet<Float32Array> {
    this.ownership.check();
    const where = 'applyTransform';
    const source = this.singleImage(x, where);
    const p = checkTransformParams(params, where);
    const backend = currentBackend();
    const scratch = this.scratchFor(backend.heap);
    const C = source.channels;
    const size = source.imageSize;
    const inputBlock = source.bytes ? scratch.get('augment.in', 'u8', size) : scratch.get('augment.in', 'f32', size);
    const outBlock = scratch.get('augment.out', 'f32', size);
    const paramsBlock = scratch.get('augment.params', 'f64', WARP_PARAMS);
    const oneBlock = scratch.get('augment.one', 'f32', C);
    const zeroBlock = scratch.get('augment.zero', 'f32', C);
    const input = inputBlock.view.subarray(0, size);
    const out = outBlock.view.subarray(0, size);
    oneBlock.view.fill(1, 0, C);
    zeroBlock.view.fill(0, 0, C);
    source.gather(input, null, 0, 1);
    const augmenter = new Augmenter(this.options, source.height, source.width, C, source.dataFormat === 'channelsFirst');
    augmenter.writeInto(p, paramsBlock.view, 0);
    augmenter.apply(backend.kernels, out, input, paramsBlock.view, 1, oneBlock.view, zeroBlock.view);
    return { data: out.slice(), shape: Array.from(x.shape) };
  }

  /** Keras' random_transform: applyTransform(x, getRandomTransform(x.shape, seed)). */
  randomTransform(x: ImageInput, seed?: number): ImageSet<Float32Array> {
    const source = this.singleImage(x, 'randomTransform');
    const shape = this.options.dataFormat === 'channelsLast'
      ? [source.height, source.width, source.channels]
      : [source.channels, source.height, source.width];
    return this.applyTransform(x, this.getRandomTransform(shape, seed));
  }

  /** True when the options ask for random transforms (flow then draws one per image per epoch). */
  get augmenting(): boolean {
    return augments(this.options);
  }

  private singleImage(x: ImageInput, where: string): ImageSource {
    const shape = (x as { shape?: unknown } | null)?.shape;
    if (!Array.isArray(shape) || shape.length !== 3) {
      throw new RangeError(`${where}: x must be one image of rank 3 ([height, width, channels], or [channels, height, width] with channelsFirst). Received shape: ${JSON.stringify(shape)}`);
    }
    return ImageSource.from(x, where, this.options.dataFormat, true);
  }

  private randomFor(where: string, seed: number | undefined): Random {
    if (seed !== undefined) {
      if (typeof seed !== 'number' || !Number.isInteger(seed)) throw new TypeError(`${where}: \`seed\` must be an integer. Received: seed=${String(seed)}`);
      return new Random(seed);
    }
    if (this.random === null) this.random = new Random(randomSeed());
    return this.random;
  }

  /** Batches of (x, y) scaled by this generator; see FlowIterator. */
  flow(x: ImageInput, y?: LabelInput | null, options?: FlowOptions): FlowIterator {
    this.ownership.check();
    const source = ImageSource.from(x, 'flow', this.options.dataFormat);
    const plan = this.scalingPlan('flow', source.channels, [source.height, source.width, source.channels]);
    const augmenter = this.augmenting
      ? new Augmenter(this.options, source.height, source.width, source.channels, source.dataFormat === 'channelsFirst')
      : null;
    return new FlowIterator(currentBackend(), plan, source, y ?? null, this.options.validationSplit, options, augmenter);
  }

  /**
   * Batches from a folder of image files, one sub-folder per class (Keras' flow_from_directory): a directory path in
   * Node, a FileSystemDirectoryHandle or the FileList of <input webkitdirectory> in a browser. Resolves once the
   * folder is listed; the iterator decodes batch by batch (see FileIterator).
   */
  flowFromDirectory(directory: DirectoryInput, options?: DirectoryFlowOptions): Promise<FileIterator> {
    this.ownership.check();
    return flowFromDirectory(this, directory, options);
  }

  /** Batches from image files named in records (Keras' flow_from_dataframe; readCsv makes records of a CSV file). */
  flowFromDataframe(records: readonly Record<string, unknown>[], options?: DataframeFlowOptions): Promise<FileIterator> {
    this.ownership.check();
    return flowFromDataframe(this, records, options);
  }

  /**
   * fit over image files, streaming: a folder (listed as flowFromDirectory lists it) or a file iterator, decoded
   * batch by batch and folded in with partialFit, so the statistics are those of the whole set without holding it.
   */
  async fitDirectory(directory: DirectoryInput | FileIterator, options?: FitFilesOptions): Promise<this> {
    this.ownership.check();
    await fitFiles(this, directory, options);
    return this;
  }

  /** Options (without preprocessingFunction, which cannot be serialised) and statistics, for reuse in an app. */
  toJSON(how?: ToJSONOptions): ImageDataGeneratorJSON {
    this.ownership.check();
    // JSON.stringify calls toJSON with a key (a string): only an options object asks for the mergeable form.
    if (typeof how === 'object' && how !== null) checkOptionNames('toJSON', how, ['mergeable']);
    const mergeable = typeof how === 'object' && how !== null && how.mergeable === true;
    const { preprocessingFunction: _, ...options } = this.options;
    const m = this.moments;
    return {
      format: JSON_FORMAT,
      version: JSON_VERSION,
      options,
      statistics: m && {
        channels: m.channels,
        count: Array.from(m.count),
        mean: Array.from(m.mean),
        m2: Array.from(m.m2),
        min: Array.from(m.min),
        max: Array.from(m.max),
      },
      zca: this.options.zcaWhitening && m ? this.zcaJSON(mergeable) : null,
    };
  }

  private zcaJSON(mergeable: boolean): NonNullable<ImageDataGeneratorJSON['zca']> {
    if (mergeable) {
      const cov = this.covariance;
      if (cov === null) {
        throw new Error('toJSON: { mergeable: true } needs the ZCA covariance, and this generator was restored by fromJSON ' +
          'from a ZCA matrix alone; fit it anew (or keep the mergeable JSON of its shards)');
      }
      return {
        height: cov.height, width: cov.width, channels: cov.channels,
        covariance: { count: cov.count, mean: float64ToBase64(cov.mean), comoment: float64ToBase64(cov.comoment) },
      };
    }
    const z = this.whitening();
    return { height: z.height, width: z.width, channels: z.channels, matrix: float32ToBase64(z.w) };
  }

  static fromJSON(json: unknown, extra?: Pick<ImageDataGeneratorOptions, 'preprocessingFunction'>): ImageDataGenerator {
    const where = 'ImageDataGenerator.fromJSON';
    let j: Partial<ImageDataGeneratorJSON> | null;
    try {
      j = typeof json === 'string' ? JSON.parse(json) : json;
    } catch (cause) {
      throw new SyntaxError(`${where}: the text is not JSON (${(cause as Error).message})`, { cause });
    }
    if (j === null || typeof j !== 'object' || Array.isArray(j)) {
      throw new TypeError(`${where}: expected an object with format "${JSON_FORMAT}" (or its JSON text). Received: ${describeValue(j)}`);
    }
    if (j.format !== JSON_FORMAT) {
      throw new TypeError(`${where}: expected an object with format "${JSON_FORMAT}". Received format: ${describeValue(j.format)}`);
    }
    if (j.version !== JSON_VERSION) throw new RangeError(`${where}: unsupported version ${describeValue(j.version)} (this pixprep reads version ${JSON_VERSION})`);
    const given = j.options as unknown;
    if (given === undefined) throw new TypeError(`${where}: missing field \`options\``);
    if (given === null || typeof given !== 'object' || Array.isArray(given)) {
      throw new TypeError(`${where}: the field \`options\` must be an object of generator options. Received: ${describeValue(given)}`);
    }
    if (extra !== undefined && (extra === null || typeof extra !== 'object' || Object.keys(extra).some((k) => k !== 'preprocessingFunction'))) {
      throw new TypeError(`${where}: the second argument may only give \`preprocessingFunction\`. Received: ${describeValue(extra)}`);
    }
    // Names first, so that a misspelt one is the same UnknownOptionError as the constructor's, said of the field.
    checkOptionNames(`${where}: the field \`options\``, given, Object.keys(DEFAULT_OPTIONS));
    let gen: ImageDataGenerator;
    try {
      gen = new ImageDataGenerator({ ...given, ...extra });
    } catch (cause) {
      throw withContext(cause, `${where}: the field \`options\``);
    }
    const s = j.statistics as unknown;
    if (s === undefined) throw new TypeError(`${where}: missing field \`statistics\` (null when not fit)`);
    if (s !== null) {
      if (typeof s !== 'object' || Array.isArray(s)) throw new TypeError(`${where}: the field \`statistics\` must be an object or null. Received: ${describeValue(s)}`);
      const stats = s as Record<string, unknown>;
      const c = stats.channels;
      if (c !== 1 && c !== 3 && c !== 4) throw new RangeError(`${where}: statistics.channels must be 1, 3 or 4. Received: ${describeValue(c)}`);
      const m = new Moments(c);
      for (const field of ['count', 'mean', 'm2', 'min', 'max'] as const) {
        const values = stats[field];
        if (!Array.isArray(values) || values.length !== c || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
          throw new TypeError(`${where}: statistics.${field} must be an array of ${c} finite numbers. Received: ${describeValue(values)}`);
        }
        m[field].set(values);
      }
      if (m.count.some((n) => n <= 0) || m.m2.some((v) => v < 0)) {
        throw new RangeError(`${where}: statistics.count must be positive and statistics.m2 non-negative. ` +
          `Received: count=${describeValue(stats.count)}, m2=${describeValue(stats.m2)}`);
      }
      gen.moments = m;
      if (gen.options.zcaWhitening) {
        const z = j.zca as unknown as Record<string, unknown> | null | undefined;
        if (z === undefined || z === null || typeof z !== 'object') throw new TypeError(`${where}: zcaWhitening is on but the field \`zca\` is missing. Received: zca=${describeValue(z)}`);
        const dims = { height: 0, width: 0, channels: 0 };
        for (const dim of ['height', 'width', 'channels'] as const) {
          const v = z[dim];
          if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new TypeError(`${where}: zca.${dim} must be a positive integer. Received: ${describeValue(v)}`);
          dims[dim] = v;
        }
        if (dims.channels !== c) throw new RangeError(`${where}: zca.channels (${dims.channels}) differs from statistics.channels (${c})`);
        const D = dims.height * dims.width * dims.channels;
        if (z.covariance !== undefined) {
          gen.covariance = covarianceFromJSON(z.covariance, dims, where);
          // Both count the same images: one value per pixel of each image for the moments, one row per image here.
          if (gen.covariance.count * dims.height * dims.width !== m.count[0]) {
            throw new RangeError(`${where}: zca.covariance.count (${gen.covariance.count} images of ${dims.height}×${dims.width}) ` +
              `disagrees with statistics.count (${m.count[0]} values per channel)`);
          }
        }
        if (z.matrix === undefined && gen.covariance !== null) return gen; // W is computed from the covariance when needed
        if (typeof z.matrix !== 'string') throw new TypeError(`${where}: zca.matrix must be a base64 string (or zca.covariance given). Received: ${describeValue(z.matrix)}`);
        let w: Float32Array;
        try {
          w = base64ToFloat32(z.matrix, D * D);
        } catch (cause) {
          // base64ToFloat32's message says what is wrong with the text; say which field the text was.
          throw new RangeError(`${where}: zca.matrix (W, ${D}×${D} float32 for images of ${dims.height}×${dims.width}×${dims.channels}): ${(cause as Error).message}`, { cause });
        }
        gen.zcaMatrix = { ...dims, w };
      }
    }
    return gen;
  }

  /**
   * One generator holding the statistics of all of `parts` together: generators, or their JSON (objects or text),
   * fit on separate shards of a data set, in other processes or machines. Moments merge by Chan et al.'s pairwise
   * formula and ZCA's covariance sums with the mean correction, in float64: the result equals one fit on all the
   * shards to float64 rounding, whatever the order or grouping of the merges. Every part must have the same options
   * (an error names the first that differs). An unfit part (an empty shard) adds nothing; when every part is unfit,
   * so is the result. ZCA parts need their covariance: a fitted generator, or toJSON({ mergeable: true }).
   * The parts are not changed; the result has the first part's preprocessingFunction, if any.
   */
  static merge(...parts: MergeInput[]): ImageDataGenerator {
    const where = 'ImageDataGenerator.merge';
    if (parts.length === 0) throw new RangeError(`${where}: needs at least one generator or generator JSON. Received: none`);
    const generators = parts.map((p, i) => {
      if (p instanceof ImageDataGenerator) {
        p.ownership.check();
        return p;
      }
      try {
        return ImageDataGenerator.fromJSON(p);
      } catch (cause) {
        throw withContext(cause, `${where}: argument ${i}`);
      }
    });
    checkSameOptions(where, generators.map((g) => {
      const { preprocessingFunction: _, ...options } = g.options;
      return options;
    }));
    const first = generators[0];
    const merged = new ImageDataGenerator(first.options);
    let moments: Moments | null = null;
    let covariance: CovarianceAccumulator | null = null;
    generators.forEach((g, i) => {
      if (g.moments === null) return;
      if (moments !== null && moments.channels !== g.moments.channels) {
        throw new RangeError(`${where}: argument ${i} was fit on ${g.moments.channels} channels, an earlier one on ${moments.channels}`);
      }
      if (first.options.zcaWhitening) {
        if (g.covariance === null) {
          throw new Error(`${where}: argument ${i} has a ZCA matrix but not its covariance, which merging needs: ` +
            'write shards with toJSON({ mergeable: true }) (pixprep stats --json does)');
        }
        if (covariance !== null) checkSameShape(`${where}: argument ${i}`, covariance, g.covariance);
        covariance = covariance === null ? g.covariance.clone() : covariance.merge(g.covariance);
      }
      moments = moments === null ? g.moments.clone() : moments.merge(g.moments);
    });
    merged.moments = moments;
    merged.covariance = covariance;
    for (let i = 0; i < parts.length; i++) if (!(parts[i] instanceof ImageDataGenerator)) generators[i].dispose();
    return merged;
  }

  /** The folded scaling steps; throws if a featurewise step is asked for before fit or on other channels. */
  scalingPlan(where: string, channels: number, shape: readonly [number, number, number]): ScalingPlan {
    this.ownership.check();
    const o = this.options;
    const featurewise = o.featurewiseCenter || o.featurewiseStdNormalization;
    if (featurewise && this.moments === null) {
      const option = o.featurewiseCenter ? 'featurewiseCenter' : 'featurewiseStdNormalization';
      throw new Error(
        `${where}: this ImageDataGenerator specifies \`${option}\`, but it has not been fit on any training data. ` +
          'Call `.fit(x)` or `.partialFit(x)` first.',
      );
    }
    if (featurewise && this.moments!.channels !== channels) {
      throw new RangeError(`${where}: x has ${channels} channels but the generator was fit on ${this.moments!.channels}`);
    }
    const m = this.moments;
    return {
      rescale: o.rescale ?? 1,
      samplewiseCenter: o.samplewiseCenter,
      samplewiseStdNormalization: o.samplewiseStdNormalization,
      featureMean: o.featurewiseCenter ? m!.mean.slice() : null,
      featureStd: o.featurewiseStdNormalization ? Float64Array.from(m!.mean, (_, c) => m!.std(c)) : null,
      preprocessingFunction: o.preprocessingFunction,
      zca: o.zcaWhitening ? this.zcaBlockFor(currentBackend().heap, where, shape) : null,
    };
  }

  /** W, computed from the covariance on first use after a fit (an eigendecomposition of D×D, D = h·w·c). */
  private whitening(): { height: number; width: number; channels: number; w: Float32Array } {
    if (this.zcaMatrix === null) {
      const cov = this.covariance!;
      const w = cov.finish(this.moments!.mean, cov.channels, this.options.zcaEpsilon);
      this.zcaMatrix = { height: cov.height, width: cov.width, channels: cov.channels, w };
    }
    return this.zcaMatrix;
  }

  private zcaBlockFor(heap: Heap, where: string, shape: readonly [number, number, number]): HeapBlock<'f32'> {
    const z = this.whitening();
    if (z.height !== shape[0] || z.width !== shape[1] || z.channels !== shape[2]) {
      throw new RangeError(
        `${where}: ZCA whitening was fit on images of ${z.height}×${z.width}×${z.channels}; x has images of ${shape.join('×')}`,
      );
    }
    const m = this.memory;
    if (m.zca === null || m.zca.heap !== heap) {
      this.forgetZcaBlock();
      const block = heap.block('f32', z.w.length);
      block.view.set(z.w);
      m.zca = block;
    }
    return m.zca;
  }

  private forgetZcaMatrix(): void {
    this.zcaMatrix = null;
    this.forgetZcaBlock();
  }

  private forgetZcaBlock(): void {
    this.memory.zca?.free();
    this.memory.zca = null;
  }

  /** Folds the images (rescaled, flattened) into a covariance for ZCA; they have already passed statisticsOf's checks. */
  private covarianceOf(source: ImageSource, where: string, into: CovarianceAccumulator | null): CovarianceAccumulator {
    if (into !== null && (into.height !== source.height || into.width !== source.width || into.channels !== source.channels)) {
      throw new RangeError(`${where}: x has images of ${source.height}×${source.width}×${source.channels} but the generator was fit on ${into.height}×${into.width}×${into.channels}`);
    }
    const acc = into ?? new CovarianceAccumulator(source.height, source.width, source.channels);
    const backend = currentBackend();
    const size = source.imageSize;
    const chunk = Math.max(1, Math.min(source.n, acc.chunkRows));
    // The accumulator's heap buffers (D² floats) are needed only while images are folded in: reserved before any
    // heap view is taken (reserving may grow the heap), returned after, so a fitted generator holds no kernel memory
    // for its covariance (it lives on in float64, for partialFit and finish).
    acc.reserve();
    try {
      const scratch = this.scratchFor(backend.heap);
      const bytes = source.bytes;
      const stagingBlock = scratch.get(bytes ? 'fit.u8' : 'fit.f32', bytes ? 'u8' : 'f32', chunk * size);
      const rowsBlock = scratch.get('fit.zca', 'f32', chunk * size);
      // The rescale as affine coefficients (mul, add) = (r, 0), in kernel memory.
      const rescaleBlock = scratch.get('fit.rescale', 'f32', 2);
      rescaleBlock.view.set([this.options.rescale ?? 1, 0]);
      for (let start = 0; start < source.n; start += chunk) {
        const end = Math.min(source.n, start + chunk);
        const n = (end - start) * size;
        const staging = stagingBlock.view.subarray(0, n);
        const rows = rowsBlock.view.subarray(0, n);
        source.gather(staging, null, start, end);
        const mul = rescaleBlock.view.subarray(0, 1), add = rescaleBlock.view.subarray(1, 2);
        if (staging instanceof Uint8Array) backend.kernels.affineU8(rows, staging, n, 1, mul, add);
        else backend.kernels.affineF32(rows, staging, n, 1, mul, add);
        acc.add(rows, end - start);
      }
    } finally {
      acc.dispose();
    }
    return acc;
  }

  /**
   * Keras' fit(augment=True): the images are rescaled, then each round transforms every image with a fresh draw
   * (in order: round, image), and the statistics are those of all the transformed copies. Streamed chunk by chunk
   * through kernel memory; no copy of the augmented set is kept.
   */
  private augmentedStatisticsOf(source: ImageSource, rounds: number, random: Random): Moments {
    const backend = currentBackend();
    const { kernels } = backend;
    const C = source.channels;
    const size = source.imageSize;
    const planar = source.dataFormat === 'channelsFirst';
    const plane = source.height * source.width;
    const chunk = Math.max(1, Math.min(source.n, Math.floor(FIT_CHUNK_BYTES / (size * 4))));
    const scratch = this.scratchFor(backend.heap);
    const bytes = source.bytes;
    const stagingBlock = scratch.get(bytes ? 'fit.u8' : 'fit.f32', bytes ? 'u8' : 'f32', chunk * size);
    const scaledBlock = scratch.get('fit.scaled', 'f32', chunk * size);
    const warpedBlock = scratch.get('fit.warped', 'f32', chunk * size);
    const paramsBlock = scratch.get('fit.params', 'f64', chunk * WARP_PARAMS);
    const oneBlock = scratch.get('fit.one', 'f32', C);
    const zeroBlock = scratch.get('fit.zero', 'f32', C);
    const fieldsBlock = scratch.get('fit.fields', 'f64', MOMENT_FIELDS * C);
    const rescaleBlock = scratch.get('fit.rescale', 'f32', 2);
    oneBlock.view.fill(1);
    zeroBlock.view.fill(0);
    rescaleBlock.view.set([this.options.rescale ?? 1, 0]);
    const augmenter = new Augmenter(this.options, source.height, source.width, C, planar);
    const acc = new Moments(C);
    for (let round = 0; round < rounds; round++) {
      for (let start = 0; start < source.n; start += chunk) {
        const end = Math.min(source.n, start + chunk);
        const k = end - start;
        const staging = stagingBlock.view.subarray(0, k * size);
        const scaled = scaledBlock.view.subarray(0, k * size);
        const warped = warpedBlock.view.subarray(0, k * size);
        const params = paramsBlock.view.subarray(0, k * WARP_PARAMS);
        source.gather(staging, null, start, end);
        const mul = rescaleBlock.view.subarray(0, 1), add = rescaleBlock.view.subarray(1, 2);
        if (staging instanceof Uint8Array) kernels.affineU8(scaled, staging, k * size, 1, mul, add);
        else kernels.affineF32(scaled, staging, k * size, 1, mul, add);
        for (let i = 0; i < k; i++) augmenter.drawInto(random, params, i);
        augmenter.apply(kernels, warped, scaled, params, k, oneBlock.view.subarray(0, C), zeroBlock.view.subarray(0, C));
        const fields = fieldsBlock.view;
        if (!planar) {
          kernels.momentsF32(fields, warped, k * size, C);
          for (let c = 0; c < C; c++) mergeFields(acc, c, fields, c);
          continue;
        }
        for (let i = 0; i < k; i++) {
          for (let c = 0; c < C; c++) {
            const from = i * size + c * plane;
            kernels.momentsF32(fields, warped.subarray(from, from + plane), plane, 1);
            mergeFields(acc, c, fields, 0);
          }
        }
      }
    }
    for (let c = 0; c < C; c++) {
      if (acc.nonFinite[c] > 0) {
        throw new RangeError(`fit: x contains ${acc.nonFinite[c]} NaN or Infinity values in channel ${c}; statistics would be meaningless`);
      }
    }
    return acc;
  }

  private statisticsOf(source: ImageSource, where: string): Moments {
    const backend = currentBackend();
    const C = source.channels;
    const size = source.imageSize;
    const bytes = source.bytes;
    const chunk = Math.max(1, Math.floor(FIT_CHUNK_BYTES / (size * (bytes ? 1 : 4))));
    const scratch = this.scratchFor(backend.heap);
    const stagingBlock = scratch.get(bytes ? 'fit.u8' : 'fit.f32', bytes ? 'u8' : 'f32', Math.min(chunk, source.n) * size);
    const fieldsBlock = scratch.get('fit.fields', 'f64', MOMENT_FIELDS * C);
    const raw = new Moments(C);
    const planar = source.dataFormat === 'channelsFirst';
    const plane = source.height * source.width;
    for (let start = 0; start < source.n; start += chunk) {
      const end = Math.min(source.n, start + chunk);
      const staging = stagingBlock.view.subarray(0, (end - start) * size);
      const fields = fieldsBlock.view;
      source.gather(staging, null, start, end);
      if (!planar) {
        moments(backend.kernels, fields, staging, staging.length, C);
        for (let c = 0; c < C; c++) mergeFields(raw, c, fields, c);
        continue;
      }
      for (let i = 0; i < end - start; i++) {
        for (let c = 0; c < C; c++) {
          const from = i * size + c * plane;
          moments(backend.kernels, fields, staging.subarray(from, from + plane), plane, 1);
          mergeFields(raw, c, fields, 0);
        }
      }
    }
    for (let c = 0; c < C; c++) {
      if (raw.nonFinite[c] > 0) {
        if (source.data instanceof Float64Array) checkFloat32Range(source, where);
        throw new RangeError(`${where}: x contains ${raw.nonFinite[c]} NaN or Infinity values in channel ${c}; statistics would be meaningless`);
      }
    }
    return raw.scaled(this.options.rescale ?? 1);
  }
}

/**
 * Float64 pixels are computed in float32 (as Keras converts its input), where a finite value beyond ±3.4e38 becomes
 * Infinity: the moments then count it as non-finite. Find such a value and name it, rather than call it Infinity.
 */
function checkFloat32Range(source: ImageSource, where: string): void {
  const image = new Float64Array(source.imageSize);
  for (let i = 0; i < source.n; i++) {
    source.gather(image, null, i, i + 1);
    for (let j = 0; j < image.length; j++) {
      const v = image[j];
      if (Number.isFinite(v) && !Number.isFinite(Math.fround(v))) {
        throw new RangeError(
          `${where}: x contains ${v} (image ${i}, value ${j}), beyond the float32 range (±${F32_MAX}): ` +
            'pixprep computes in float32, as Keras does; scale the data into range first',
        );
      }
    }
  }
}

const F32_MAX = 3.4028234663852886e38;

function moments(kernels: ReturnType<typeof currentBackend>['kernels'], out: Float64Array, x: Uint8Array | Float32Array, n: number, channels: number): void {
  if (x instanceof Uint8Array) kernels.momentsU8(out, x, n, channels);
  else kernels.momentsF32(out, x, n, channels);
}

function mergeFields(into: Moments, c: number, fields: Float64Array, fc: number): void {
  const f = fc * MOMENT_FIELDS;
  into.mergeChannel(c, fields[f], fields[f + 1], fields[f + 2], fields[f + 3], fields[f + 4], fields[f + 5]);
}

export interface FitOptions {
  /** Fit on randomly transformed copies of x (Keras' augment=True). */
  augment?: boolean;
  /** With augment: how many transformed copies of x (Keras' rounds, default 1). */
  rounds?: number;
  /** With augment: seeds the transforms (default: a random seed). */
  seed?: number;
}

function checkFitOptions(options: unknown): { augment: boolean; rounds: number; seed: number | undefined } {
  if (options === undefined) return { augment: false, rounds: 1, seed: undefined };
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`fit: options must be an object { augment, rounds, seed }. Received: ${options === null ? 'null' : typeof options}`);
  }
  const o = options as Record<string, unknown>;
  checkOptionNames('fit', o, ['augment', 'rounds', 'seed']);
  const { augment = false, rounds = 1, seed } = o;
  if (typeof augment !== 'boolean') throw new TypeError(`fit: \`augment\` must be true or false. Received: augment=${String(augment)}`);
  if (typeof rounds !== 'number' || !Number.isInteger(rounds) || rounds < 1) {
    throw new RangeError(`fit: \`rounds\` must be a positive integer. Received: rounds=${String(rounds)}`);
  }
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isInteger(seed))) {
    throw new TypeError(`fit: \`seed\` must be an integer. Received: seed=${String(seed)}`);
  }
  return { augment, rounds, seed: seed as number | undefined };
}

function randomSeed(): number {
  const word = new Uint32Array(1);
  globalThis.crypto.getRandomValues(word);
  return word[0];
}

const NEUTRAL: TransformParams = {
  theta: 0, tx: 0, ty: 0, shear: 0, zx: 1, zy: 1, flipHorizontal: false, flipVertical: false, channelShiftIntensity: null, brightness: null,
};

/** Keras reads each parameter with a neutral default; pixprep also checks what it reads. */
function checkTransformParams(params: unknown, where: string): TransformParams {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    throw new TypeError(`${where}: params must be an object of transform parameters (as getRandomTransform returns). Received: ${params === null ? 'null' : typeof params}`);
  }
  const given = params as Record<string, unknown>;
  const out: TransformParams = { ...NEUTRAL };
  checkOptionNames(where, given, Object.keys(NEUTRAL), 'transform parameter');
  for (const name of ['theta', 'tx', 'ty', 'shear', 'zx', 'zy'] as const) {
    const v = given[name];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${where}: params.${name} must be a finite number. Received: ${String(v)}`);
    out[name] = v;
  }
  for (const name of ['flipHorizontal', 'flipVertical'] as const) {
    const v = given[name];
    if (v === undefined) continue;
    if (typeof v !== 'boolean') throw new TypeError(`${where}: params.${name} must be true or false. Received: ${String(v)}`);
    out[name] = v;
  }
  for (const name of ['channelShiftIntensity', 'brightness'] as const) {
    const v = given[name];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${where}: params.${name} must be a finite number or null. Received: ${String(v)}`);
    out[name] = v;
  }
  return out;
}

function checkSameShape(where: string, a: CovarianceAccumulator, b: CovarianceAccumulator): void {
  if (a.height !== b.height || a.width !== b.width || a.channels !== b.channels) {
    throw new RangeError(`${where}: ZCA statistics of images of ${b.height}×${b.width}×${b.channels} cannot merge with ` +
      `those of images of ${a.height}×${a.width}×${a.channels}`);
  }
}

function covarianceFromJSON(json: unknown, dims: { height: number; width: number; channels: number }, where: string): CovarianceAccumulator {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new TypeError(`${where}: zca.covariance must be an object { count, mean, comoment }. Received: ${describeValue(json)}`);
  }
  const { count, mean, comoment } = json as Record<string, unknown>;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
    throw new TypeError(`${where}: zca.covariance.count must be a positive integer. Received: ${describeValue(count)}`);
  }
  const D = dims.height * dims.width * dims.channels;
  const decode = (name: string, text: unknown, length: number): Float64Array => {
    if (typeof text !== 'string') throw new TypeError(`${where}: zca.covariance.${name} must be a base64 string. Received: ${describeValue(text)}`);
    let values: Float64Array;
    try {
      values = base64ToFloat64(text, length);
    } catch (cause) {
      throw new RangeError(`${where}: zca.covariance.${name} (${length} float64 for images of ${dims.height}×${dims.width}×${dims.channels}): ${(cause as Error).message}`, { cause });
    }
    if (!values.every(Number.isFinite)) throw new RangeError(`${where}: zca.covariance.${name} must hold finite numbers`);
    return values;
  };
  return CovarianceAccumulator.fromSums(dims.height, dims.width, dims.channels, count, decode('mean', mean, D), decode('comoment', comoment, D * D));
}
