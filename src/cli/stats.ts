// `pixprep stats`: per-channel statistics of a data set, streamed from IDX files in constant memory.
//   --data FILE   one IDX images file (raw or gzip); with --range or --shard, a part of it. --json prints the
//                 generator JSON of that part (mergeable: ImageDataGenerator.fromJSON, `pixprep merge`), with a
//                 `source` field saying which file, which images and how much kernel memory the fit used.
//   --data DIR    an MNIST-format directory: its training and test images, each streamed; or an image-folder tree
//                 (src/cli/image-folder.ts), decoded and fitted a batch at a time.
//   --data mnist  the embedded digits (in memory: they are 8 MB).
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageDataGenerator, type GeneratorStatistics, type ImageDataGeneratorJSON } from '../generator/image-data-generator.js';
import { idxImageChunks, readIdxImagesHeader } from '../data/idx-stream-node.js';
import { IDX_FILES, idxFileCandidates } from '../data/idx-node.js';
import { currentBackend } from '../runtime/backend.js';
import { SCALING_CHOICES, scalingOptions, type Scaling } from '../tutorial.js';
import { UsageError, parseFlags, type FlagSpec, type Flags } from './args.js';
import { loadData } from './data.js';
import { IMAGE_FOLDER_FLAGS, folderOptions, imageFolderStats, isImageFolder } from './image-folder.js';

export const STATS: Record<string, FlagSpec> = {
  data: { kind: 'string', default: 'mnist', placeholder: 'mnist|DIR|FILE', help: "'mnist' (the embedded digits), a directory of MNIST-format IDX files or an image-folder tree, or one IDX images file (raw or .gz), streamed" },
  ...IMAGE_FOLDER_FLAGS,
  range: { kind: 'string', default: null, placeholder: 'START:END', help: 'with a FILE: only images START to END-1' },
  shard: { kind: 'string', default: null, placeholder: 'I/N', help: 'with a FILE: the I-th (from 0) of N near-equal parts of its images' },
  scaling: { kind: 'choice', choices: SCALING_CHOICES, default: 'standardize', help: "the generator's options (zca: also its covariance, for merging)" },
  'zca-epsilon': { kind: 'number', min: 0, exclusive: true, default: 0.1, help: 'zcaEpsilon for --scaling zca' },
  json: { kind: 'bool', help: 'print JSON: for a FILE, the generator JSON of the images read (for pixprep merge); otherwise the statistics of each part' },
};

interface PartReport { images: number; shape: number[]; min: number[]; max: number[]; mean: number[]; std: number[] }

function report(images: number, shape: readonly number[], s: GeneratorStatistics): PartReport {
  return { images, shape: shape.slice(), min: [...s.min], max: [...s.max], mean: [...s.mean], std: [...s.std] };
}

/** "a:b" → [a, b]; "i/n" → the images floor(i·total/n) .. floor((i+1)·total/n). */
function imageRange(f: Flags, total: number): { start: number; end: number } | null {
  const range = f.range as string | null;
  const shard = f.shard as string | null;
  if (range !== null && shard !== null) throw new UsageError('pixprep stats: give --range or --shard, not both');
  if (range !== null) {
    const m = /^(\d+):(\d+)$/.exec(range);
    if (m === null) throw new UsageError(`pixprep stats: --range must be START:END (image indices, END excluded). Received: ${range}`);
    const [start, end] = [Number(m[1]), Number(m[2])];
    if (start > end || end > total) throw new UsageError(`pixprep stats: --range must satisfy 0 <= START <= END <= ${total} (the file's images). Received: ${range}`);
    return { start, end };
  }
  if (shard !== null) {
    const m = /^(\d+)\/(\d+)$/.exec(shard);
    if (m === null || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) {
      throw new UsageError(`pixprep stats: --shard must be I/N with 0 <= I < N. Received: ${shard}`);
    }
    const [i, n] = [Number(m[1]), Number(m[2])];
    return { start: Math.floor((i * total) / n), end: Math.floor(((i + 1) * total) / n) };
  }
  return null;
}

async function kindOf(data: string): Promise<'mnist' | 'file' | 'dir' | 'other'> {
  if (data === 'mnist') return 'mnist';
  const s = await stat(data).catch(() => null);
  if (s?.isFile()) return 'file';
  if (s?.isDirectory()) return 'dir';
  return 'other'; // loadData names what is wrong with it
}

/** The statistics of images start..end of one IDX file, what was read, and (withJSON) its mergeable generator JSON. */
export async function fileShard(path: string, options: ConstructorParameters<typeof ImageDataGenerator>[0], range: { start: number; end: number } | null, withJSON: boolean) {
  const header = await readIdxImagesHeader(path);
  const { start, end } = range ?? { start: 0, end: header.n };
  const gen = new ImageDataGenerator(options);
  try {
    // An empty range is an unfit generator: merge adds nothing for it.
    if (end > start) await gen.fitStream(idxImageChunks(path, { start, end }));
    const shape = [header.height, header.width, header.channels];
    // The JSON only when asked for: for ZCA it carries the D×D covariance sums (8·D² bytes).
    const json: (ImageDataGeneratorJSON & { source?: unknown }) | null = withJSON ? gen.toJSON({ mergeable: true }) : null;
    if (json !== null) json.source = { file: path, images: header.n, shape, start, end, kernelMemoryBytes: currentBackend().heap.byteLength };
    return { json, statistics: gen.statistics, shape, images: end - start };
  } finally {
    gen.dispose();
  }
}

/** The training and test image files of an MNIST-format directory, or null when it has none. */
async function imageFiles(dir: string): Promise<{ train: string; test: string } | null> {
  const entries = new Set(await readdir(dir).catch(() => [] as string[]));
  const find = (base: string) => idxFileCandidates(base).find((name) => entries.has(name));
  const [train, test] = [find(IDX_FILES[0]), find(IDX_FILES[2])];
  return train && test ? { train: join(dir, train), test: join(dir, test) } : null;
}

export async function statsCommand(rest: readonly string[]): Promise<number> {
  const f = parseFlags('stats', rest, STATS);
  const data = f.data as string;
  const options = scalingOptions(f.scaling as Scaling, f['zca-epsilon'] as number);
  const kind = await kindOf(data);
  if (kind !== 'file' && (f.range !== null || f.shard !== null)) {
    throw new UsageError(`pixprep stats: --range and --shard need --data FILE (one IDX images file). Received: --data ${data}`);
  }
  if (kind === 'file') {
    const header = await readIdxImagesHeader(data);
    const part = await fileShard(data, options, imageRange(f, header.n), f.json as boolean);
    if (f.json) console.log(JSON.stringify(part.json));
    else print({ images: part.statistics === null ? { images: 0, shape: part.shape, min: [], max: [], mean: [], std: [] } : report(part.images, part.shape, part.statistics) });
    return 0;
  }
  const files = kind === 'dir' ? await imageFiles(data) : null;
  let parts: Record<string, PartReport>;
  if (files === null && kind === 'dir' && (await isImageFolder(data))) {
    // Image folders stream too (fitDirectory: one decoded batch at a time).
    const folders = await imageFolderStats(data, folderOptions('stats', f));
    parts = Object.fromEntries(Object.entries(folders).map(([name, p]) => [name, report(p.images, p.shape, p.stats)]));
  } else if (files !== null) {
    parts = {};
    for (const [name, path] of Object.entries(files)) {
      const p = await fileShard(path, options, null, false);
      if (p.statistics === null) throw new Error(`${path}: holds 0 images`);
      parts[name] = report(p.images, p.shape, p.statistics);
    }
  } else {
    const set = await loadData(data);
    parts = Object.fromEntries((['train', 'test'] as const).map((name) => {
      const gen = new ImageDataGenerator(options).fit(set[name].x);
      return [name, report(set[name].y.length, set[name].x.shape.slice(1), gen.statistics!)];
    }));
  }
  if (f.json) console.log(JSON.stringify(parts));
  else print(parts);
  return 0;
}

function print(parts: Record<string, PartReport>): void {
  for (const [part, r] of Object.entries(parts)) {
    console.log(`${part}: ${r.images} images of ${r.shape.join('×')}`);
    r.mean.forEach((_, c) => console.log(
      `  channel ${c}: min=${r.min[c].toFixed(3)}, max=${r.max[c].toFixed(3)}, mean=${r.mean[c].toFixed(3)}, std=${r.std[c].toFixed(3)}`,
    ));
  }
}
