// From listed files to a FileIterator: the generator's scaling plan and augmentation, the image size (targetSize, or
// the first image's own), and the decoder. Shared by flowFromDirectory and flowFromDataframe.
import { currentBackend } from '../runtime/backend.js';
import type { ResolvedOptions } from './options.js';
import type { ScalingPlan } from './pipeline.js';
import { Augmenter } from './augmenter.js';
import { FileIterator, type FileFlowSpec } from './file-iterator.js';
import type { CheckedFileFlowOptions } from './file-flow-options.js';
import type { FileTree } from './file-tree.js';
import { fileListTree, handleTree, isDirectoryHandle, isFileList } from './file-tree-browser.js';
import { nodeFileTree } from './file-tree-node.js';
import { defaultDecoder } from './file-decoder.js';

/** What a file flow needs of its generator (the generator's own class imports this module). */
export interface FlowGenerator {
  readonly options: Readonly<ResolvedOptions>;
  readonly augmenting: boolean;
  scalingPlan(where: string, channels: number, shape: readonly [number, number, number]): ScalingPlan;
}

/** A directory path (Node), a FileSystemDirectoryHandle, the FileList of <input webkitdirectory>, or a FileTree. */
export type DirectoryInput = string | FileTree | object;

export async function openTree(directory: unknown, where: string, name = 'directory'): Promise<FileTree> {
  if (typeof directory === 'string') return nodeFileTree(directory, where);
  if (isDirectoryHandle(directory)) return handleTree(directory);
  if (isFileList(directory)) return fileListTree(directory, where);
  const t = directory as FileTree | null;
  if (t !== null && typeof t === 'object' && typeof t.list === 'function' && typeof t.read === 'function') return t;
  throw new TypeError(`${where}: \`${name}\` must be a directory path (Node), a FileSystemDirectoryHandle or the FileList of <input webkitdirectory>. Received: ${t === null ? 'null' : typeof t}`);
}

export async function makeFileIterator(
  gen: FlowGenerator, tree: FileTree, o: CheckedFileFlowOptions,
  listed: Pick<FileFlowSpec, 'where' | 'filenames' | 'classNames' | 'classes' | 'weights' | 'warnings'>,
): Promise<FileIterator> {
  const { where } = listed;
  if (gen.options.dataFormat !== 'channelsLast') {
    throw new RangeError(`${where}: image files are decoded channels last; create the generator with dataFormat 'channelsLast'`);
  }
  if (listed.filenames.length === 0) throw new Error(`${where}: found no image files in ${tree.describe('')}${o.subset ? ` for subset '${o.subset}'` : ''}`);
  const decode = o.decode ?? defaultDecoder();
  let targetSize = o.targetSize;
  if (targetSize === null) {
    const first = listed.filenames[0];
    let img;
    try {
      img = await decode(await tree.read(first), tree.describe(first), o.colorMode);
    } catch (cause) {
      throw new Error(`${where}: targetSize null takes the first image's size, but ${tree.describe(first)} cannot be decoded: ${(cause as Error).message}`, { cause });
    }
    targetSize = [img.shape[0], img.shape[1]];
  }
  const channels = o.colorMode === 'grayscale' ? 1 : o.colorMode === 'rgb' ? 3 : 4;
  const shape: [number, number, number] = [targetSize[0], targetSize[1], channels];
  const plan = gen.scalingPlan(where, channels, shape);
  const augmenter = gen.augmenting ? new Augmenter(gen.options, shape[0], shape[1], channels, false) : null;
  return new FileIterator(currentBackend(), plan, {
    ...listed, tree, classMode: o.classMode, targetSize, colorMode: o.colorMode, interpolation: o.interpolation,
    keepAspectRatio: o.keepAspectRatio, convertColors: o.convertColors, batchSize: o.batchSize, shuffle: o.shuffle, seed: o.seed, onError: o.onError,
    prefetch: o.prefetch, decode, decodeWorkers: o.decodeWorkers,
  }, augmenter);
}

/** Keras' split of a file list by validationSplit: validation (0, split), training (split, 1); null without subset. */
export function splitFor(where: string, subset: 'training' | 'validation' | null, validationSplit: number): [number, number] | null {
  if (subset === null) return null;
  if (!(validationSplit > 0)) {
    throw new RangeError(`${where}: \`subset\` '${subset}' needs a \`validationSplit\` > 0 in the generator's options. Received: validationSplit=${validationSplit}`);
  }
  return subset === 'validation' ? [0, validationSplit] : [validationSplit, 1];
}
