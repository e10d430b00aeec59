// --data DIR when DIR is a tree of image files (one sub-folder per class), beside the IDX layout: the tutorial's
// data set from it. Training images come from DIR/train if present, else from DIR's class folders (DIR/test
// excluded); test images from DIR/test if present, else the first --validation-split of each class (Keras' split).
// The tutorial holds its data in memory (as for MNIST), so train and compare decode every file once, here; stats
// streams instead (fitDirectory: one batch in memory at a time).
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageDataGenerator } from '../generator/image-data-generator.js';
import type { FileIterator } from '../generator/file-iterator.js';
import { compareCodePoints, hasImageExtension } from '../generator/directory-listing.js';
import { decodeImage, type ColorMode } from '../image/index.js';
import type { DataSet, LabeledImages } from '../data/types.js';
import { UsageError, type FlagSpec, type Flags } from './args.js';

export const IMAGE_FOLDER_FLAGS: Record<string, FlagSpec> = {
  'target-size': { kind: 'string', default: null, placeholder: 'HxW', help: 'image folders: resize every image to H×W (default: the first image\'s size)' },
  'color-mode': { kind: 'choice', choices: ['auto', 'grayscale', 'rgb'], default: 'auto', help: 'image folders: channels (auto: those of the first image)' },
  'validation-split': { kind: 'number', min: 0, exclusive: true, default: 0.2, help: 'image folders without a test/ sub-folder: the fraction of each class kept for testing' },
};

export interface FolderOptions {
  targetSize: [number, number] | null;
  colorMode: 'auto' | 'grayscale' | 'rgb';
  validationSplit: number;
}

export function folderOptions(command: string, f: Flags): FolderOptions {
  const size = f['target-size'] as string | null;
  let targetSize: [number, number] | null = null;
  if (size !== null) {
    const m = /^(\d+)x(\d+)$/.exec(size);
    if (m === null || Number(m[1]) < 1 || Number(m[2]) < 1) throw new UsageError(`pixprep ${command}: --target-size must be HxW (e.g. 28x28), two positive integers. Received: ${size}`);
    targetSize = [Number(m[1]), Number(m[2])];
  }
  const split = f['validation-split'] as number;
  if (!(split < 1)) throw new UsageError(`pixprep ${command}: --validation-split must be between 0 and 1 (exclusive). Received: ${split}`);
  return { targetSize, colorMode: f['color-mode'] as FolderOptions['colorMode'], validationSplit: split };
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** True when dir has a sub-folder holding an image file (at any depth one level down), the image-folder layout. */
export async function isImageFolder(dir: string): Promise<boolean> {
  if (!(await isDirectory(dir))) return false;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const inner = await readdir(join(dir, entry.name), { withFileTypes: true });
    if (inner.some((e) => e.isFile() && hasImageExtension(e.name))) return true;
    if (inner.some((e) => e.isDirectory()) && (await isImageFolder(join(dir, entry.name)))) return true;
  }
  return false;
}

interface Parts {
  train: string;
  test: string | null;
  /** Classes of the training folder, which the test folder must use too (DIR/test is never a class). */
  classes: string[] | undefined;
}

async function parts(dir: string): Promise<Parts> {
  const hasTrain = await isDirectory(join(dir, 'train'));
  const hasTest = await isDirectory(join(dir, 'test'));
  let classes: string[] | undefined;
  if (!hasTrain && hasTest) {
    classes = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory() && e.name !== 'test').map((e) => e.name).sort(compareCodePoints);
  }
  return { train: hasTrain ? join(dir, 'train') : dir, test: hasTest ? join(dir, 'test') : null, classes };
}

async function firstImageMode(iterator: FileIterator, dir: string): Promise<ColorMode> {
  const first = iterator.filenames[0];
  const img = await decodeImage(new Uint8Array(await (await import('node:fs/promises')).readFile(join(dir, first))), join(dir, first));
  return img.shape[2] === 1 ? 'grayscale' : 'rgb';
}

/** The listing flows of the train and test parts, with the colour mode and size resolved from the first image. */
async function flows(dir: string, o: FolderOptions, batchSize: number): Promise<{ train: FileIterator; test: FileIterator; mode: ColorMode }> {
  const p = await parts(dir);
  const split = p.test === null ? o.validationSplit : 0;
  const gen = new ImageDataGenerator({ validationSplit: split });
  const base = { targetSize: o.targetSize, shuffle: false, batchSize, classMode: 'sparse' as const, convertColors: true, ...(p.classes ? { classes: p.classes } : {}) };
  const probe = await gen.flowFromDirectory(p.train, { ...base, colorMode: 'rgb', subset: split > 0 ? 'training' : undefined });
  const mode = o.colorMode === 'auto' ? await firstImageMode(probe, p.train) : o.colorMode;
  probe.dispose();
  const targetSize = o.targetSize ?? null;
  const train = await gen.flowFromDirectory(p.train, { ...base, targetSize, colorMode: mode, subset: split > 0 ? 'training' : undefined });
  const size: [number, number] = [train.imageShape[0], train.imageShape[1]];
  const classes = Object.keys(train.classIndices);
  const test = p.test === null
    ? await gen.flowFromDirectory(p.train, { ...base, targetSize: size, colorMode: mode, subset: 'validation' })
    : await new ImageDataGenerator().flowFromDirectory(p.test, { ...base, targetSize: size, colorMode: mode, classes });
  return { train, test, mode };
}

async function decodeAll(files: FileIterator): Promise<LabeledImages> {
  if (files.classes.some((c) => c > 255)) throw new Error(`--data: more than 256 classes (${Object.keys(files.classIndices).length}); the tutorial's labels are bytes`);
  const [h, w, c] = files.imageShape;
  const data = new Uint8Array(files.samples * h * w * c);
  for (let i = 0; i < files.length; i++) {
    await files.prepare(i);
    data.set(files.decodedBatch(i).data, i * files.batchSize * h * w * c);
  }
  files.dispose();
  return { x: { data, shape: [files.samples, h, w, c] }, y: Uint8Array.from(files.classes) };
}

/** The folder as the tutorial's data set (decoded into memory, bytes). */
export async function loadImageFolder(dir: string, o: FolderOptions): Promise<DataSet & { classNames: string[] }> {
  const { train, test } = await flows(dir, o, 64);
  const classNames = Object.keys(train.classIndices);
  return { train: await decodeAll(train), test: await decodeAll(test), classNames };
}

/** Per-part statistics, streamed: fitDirectory over each part's files, batch by batch. */
export async function imageFolderStats(dir: string, o: FolderOptions): Promise<Record<'train' | 'test', { images: number; shape: number[]; stats: NonNullable<ImageDataGenerator['statistics']> }>> {
  const { train, test } = await flows(dir, o, 64);
  const out = {} as Record<'train' | 'test', { images: number; shape: number[]; stats: NonNullable<ImageDataGenerator['statistics']> }>;
  for (const [part, files] of [['train', train], ['test', test]] as const) {
    const gen = await new ImageDataGenerator().fitDirectory(files);
    out[part] = { images: files.samples, shape: [...files.imageShape], stats: gen.statistics! };
    files.dispose();
  }
  return out;
}
