// The options flowFromDirectory and flowFromDataframe share (Keras' names and defaults), checked before any file is
// read: a typo fails at once, naming the option, what was expected and what was received.
import { describeValue } from '../errors.js';
import { checkOptionNames } from '../unknown-option-error.js';
import type { ColorMode, Interpolation } from '../image/index.js';
import type { ClassMode, FileDecoder } from './file-iterator.js';
import { defaultDecodeWorkers } from './decode-workers.js';

export interface FileFlowOptions {
  /** [height, width] every image is resized to (Keras' default [256, 256]); null keeps the first image's size. */
  targetSize?: [number, number] | null;
  colorMode?: ColorMode;
  /** The class names, in index order; default: the sub-folders sorted (directory) or the labels sorted (data frame). */
  classes?: string[];
  classMode?: ClassMode;
  batchSize?: number;
  shuffle?: boolean;
  seed?: number;
  subset?: 'training' | 'validation';
  interpolation?: Interpolation;
  keepAspectRatio?: boolean;
  /** 'throw' (default): a bad file is an error naming it; 'skip': left out of its batch, counted, reported per epoch. */
  onError?: 'throw' | 'skip';
  /**
   * false (default): a file whose channels differ from colorMode (a grayscale PNG in an 'rgb' flow) is an error
   * naming it; true: every image is converted to colorMode with PIL's formulas, as Keras' load_img does.
   */
  convertColors?: boolean;
  /** Batches decoded ahead of the one in use (default 2): memory is (1 + prefetch) batches of decoded bytes. */
  prefetch?: number;
  /** Decodes one file (default: pixprep's decoders); may return a promise. */
  decode?: FileDecoder;
  /**
   * Node: worker threads that decode, convert and resize the files (pixprep's own decoders; not with `decode`);
   * 0 decodes on the calling thread. Default: 1 in Node (README, Image files: why), 0 in browsers.
   */
  decodeWorkers?: number;
}

export const FILE_FLOW_OPTIONS = ['targetSize', 'colorMode', 'classes', 'classMode', 'batchSize', 'shuffle', 'seed', 'subset',
  'interpolation', 'keepAspectRatio', 'onError', 'convertColors', 'prefetch', 'decode', 'decodeWorkers'];

export type CheckedFileFlowOptions = Required<Omit<FileFlowOptions, 'classes' | 'subset' | 'seed' | 'decode' | 'targetSize' | 'decodeWorkers'>> & {
  decodeWorkers: number;
  targetSize: [number, number] | null; classes: string[] | null; subset: 'training' | 'validation' | null; seed: number;
  decode: FileDecoder | null;
};

function bad(where: string, name: string, expected: string, value: unknown): never {
  throw new RangeError(`${where}: \`${name}\` must be ${expected}. Received: ${name}=${describeValue(value)}`);
}

function oneOf<T>(where: string, name: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) bad(where, name, `one of ${allowed.map((a) => (a === null ? 'null' : `'${String(a)}'`)).join(', ')}`, value);
  return value as T;
}

function flag(where: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') bad(where, name, 'true or false', value);
  return value;
}

function randomSeed(): number {
  const word = new Uint32Array(1);
  globalThis.crypto.getRandomValues(word);
  return word[0];
}

export function checkFileFlowOptions(where: string, options: unknown, extra: readonly string[]): CheckedFileFlowOptions & Record<string, unknown> {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${where}: options must be an object. Received: ${describeValue(options)}`);
  }
  checkOptionNames(where, options, [...FILE_FLOW_OPTIONS, ...extra]);
  const o = options as Record<string, unknown>;
  const targetSize = o.targetSize === undefined ? [256, 256] : o.targetSize;
  if (targetSize !== null && !(Array.isArray(targetSize) && targetSize.length === 2 && targetSize.every((d) => Number.isInteger(d) && d >= 1))) {
    bad(where, 'targetSize', '[height, width], two positive integers (or null: the first image\'s size)', targetSize);
  }
  const classes = o.classes ?? null;
  if (classes !== null && !(Array.isArray(classes) && classes.length > 0 && classes.every((c) => typeof c === 'string' && c !== ''))) {
    bad(where, 'classes', 'a non-empty list of class names (strings)', classes);
  }
  if (classes !== null && new Set(classes as string[]).size !== (classes as string[]).length) bad(where, 'classes', 'a list without repeats', classes);
  const batchSize = o.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || (batchSize as number) < 1) bad(where, 'batchSize', 'a positive integer', batchSize);
  const seed = o.seed ?? randomSeed();
  if (!Number.isInteger(seed)) bad(where, 'seed', 'an integer', seed);
  const prefetch = o.prefetch ?? 2;
  if (!Number.isInteger(prefetch) || (prefetch as number) < 0) bad(where, 'prefetch', 'a non-negative integer', prefetch);
  if (o.decode !== undefined && typeof o.decode !== 'function') bad(where, 'decode', 'a function (bytes, name) => { data, shape }', o.decode);
  const decodeWorkers = o.decodeWorkers ?? (o.decode === undefined ? defaultDecodeWorkers() : 0);
  if (!Number.isInteger(decodeWorkers) || (decodeWorkers as number) < 0 || (decodeWorkers as number) > 256) {
    bad(where, 'decodeWorkers', 'an integer from 0 to 256', decodeWorkers);
  }
  if ((decodeWorkers as number) > 0 && o.decode !== undefined) {
    bad(where, 'decodeWorkers', "0 with a `decode` function (a function given by the caller runs on the calling thread; decode workers run pixprep's own decoders)", decodeWorkers);
  }
  return {
    ...o,
    targetSize: targetSize === null ? null : [(targetSize as number[])[0], (targetSize as number[])[1]],
    colorMode: oneOf(where, 'colorMode', o.colorMode ?? 'rgb', ['grayscale', 'rgb', 'rgba'] as const),
    classes: classes === null ? null : [...(classes as string[])],
    classMode: oneOf(where, 'classMode', o.classMode === undefined ? 'categorical' : o.classMode, ['categorical', 'binary', 'sparse', 'input', null] as const),
    batchSize: batchSize as number,
    shuffle: flag(where, 'shuffle', o.shuffle ?? true),
    seed: seed as number,
    subset: o.subset === undefined ? null : oneOf(where, 'subset', o.subset, ['training', 'validation'] as const),
    interpolation: oneOf(where, 'interpolation', o.interpolation ?? 'nearest', ['nearest', 'bilinear', 'bicubic'] as const),
    keepAspectRatio: flag(where, 'keepAspectRatio', o.keepAspectRatio ?? false),
    onError: oneOf(where, 'onError', o.onError ?? 'throw', ['throw', 'skip'] as const),
    convertColors: flag(where, 'convertColors', o.convertColors ?? false),
    prefetch: prefetch as number,
    decode: (o.decode as FileDecoder | undefined) ?? null,
    decodeWorkers: decodeWorkers as number,
  };
}
