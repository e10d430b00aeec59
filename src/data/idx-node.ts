// Node-only IDX loading: single files (raw or gzip, streamed through node:zlib) and the four-file MNIST directory.
// Parsing and validation are the pure parser's (idx.ts); this file only finds and reads bytes.
import { createReadStream } from 'node:fs';
import { open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { HEAD_BYTES, OutputHead, concatChunks, isGzip, type OutputCheck } from './gunzip.js';
import {
  IdxError, LARGEST_ARRAY_BYTES, checkIdxDeclaredLength, idxImages, idxLabels, idxMaxBytes, idxOutputCheck, parseIdx,
  type IdxArray, type IdxReadOptions,
} from './idx.js';
import type { DataSet, LabeledImages } from './types.js';

/**
 * Streams a gzip file through node:zlib into one exactly sized buffer. `check` refuses a header declaring more than
 * maxBytes at the first chunk, and stops as soon as the output outgrows the length the header declares (a corrupt
 * or hostile file cannot inflate without bound).
 */
async function gunzipFile(path: string, check: OutputCheck): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  const head = new OutputHead();
  let total = 0;
  let stopped: unknown = null;
  try {
    await pipeline(createReadStream(path), createGunzip(), async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) {
        chunks.push(chunk);
        total += chunk.length;
        try {
          check(head.add(chunk), total);
        } catch (e) {
          stopped = e; // pipeline reports its own abort, not this error
          throw e;
        }
      }
    });
  } catch (e) {
    if (stopped !== null) throw stopped;
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'EISDIR') throw err;
    throw new IdxError(`${path}: truncated or corrupt gzip file (${err.message})`);
  }
  return concatChunks(chunks, total);
}

/** The file's first bytes (up to HEAD_BYTES, enough for any IDX header) and its size. */
async function readHead(path: string): Promise<{ head: Uint8Array; size: number }> {
  const file = await open(path, 'r');
  try {
    const size = (await file.stat()).size;
    const head = new Uint8Array(HEAD_BYTES);
    const { bytesRead } = await file.read(head, 0, HEAD_BYTES, 0);
    return { head: head.subarray(0, bytesRead), size };
  } finally {
    await file.close();
  }
}

/**
 * The bytes of an IDX file, decompressed when it is gzip (decided by its first two bytes, not by its name). A file
 * whose header declares more than `options.maxBytes` (default 2 GiB) is refused before it is read or inflated.
 */
export async function readIdxBytes(path: string, options?: IdxReadOptions): Promise<Uint8Array> {
  const maxBytes = idxMaxBytes(options, 'loadIdxFile');
  const { head, size } = await readHead(path);
  if (isGzip(head)) return gunzipFile(path, idxOutputCheck(path, { maxBytes }));
  checkIdxDeclaredLength(head, path, maxBytes);
  if (size > Math.min(maxBytes, LARGEST_ARRAY_BYTES)) {
    // A header that declares little, followed by more bytes than can be read: parseIdx would call them trailing.
    throw new IdxError(`${path}: the file is ${size} bytes, more than maxBytes = ${maxBytes}; pass a larger maxBytes to read it`);
  }
  const buf = await readFile(path);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Reads and validates one IDX file, raw or gzip-compressed. Errors name the file. */
export async function loadIdxFile(path: string, options?: IdxReadOptions): Promise<IdxArray> {
  return parseIdx(await readIdxBytes(path, options), path);
}

/** The four standard files, in the order train images, train labels, test images, test labels. */
export const IDX_FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'] as const;

/** Names accepted for a standard file: as is, the `train-images.idx3-ubyte` dot variant, and each with `.gz`. */
export function idxFileCandidates(base: string): string[] {
  const dotted = base.replace(/-(idx\d)-ubyte$/, '.$1-ubyte');
  return [base, `${base}.gz`, dotted, `${dotted}.gz`];
}

/**
 * Loads an MNIST-format directory (MNIST, Fashion-MNIST, KMNIST, EMNIST as distributed): the four standard files,
 * each raw or gzip. Checks that each labels file has as many labels as its images file has images and that train
 * and test images have the same height, width and channels.
 */
export async function loadIdxDirectory(dir: string, options?: IdxReadOptions): Promise<DataSet> {
  idxMaxBytes(options, 'loadIdxDirectory');
  let entries: Set<string>;
  try {
    entries = new Set(await readdir(dir));
  } catch (e) {
    throw new Error(`${dir}: cannot read the directory (${(e as Error).message})`);
  }
  const paths: string[] = [];
  const missing: string[] = [];
  for (const base of IDX_FILES) {
    const names = idxFileCandidates(base);
    const found = names.find((n) => entries.has(n));
    if (found) paths.push(join(dir, found));
    else missing.push(`${base} (looked for ${names.join(', ')})`);
  }
  if (missing.length > 0) {
    throw new Error(`${dir}: missing ${missing.length === 1 ? 'an IDX file' : `${missing.length} IDX files`}: ${missing.join('; ')}`);
  }
  const [trainX, trainY, testX, testY] = await Promise.all(paths.map((path) => loadIdxFile(path, options)));
  const train = labeled(trainX, paths[0], trainY, paths[1]);
  const test = labeled(testX, paths[2], testY, paths[3]);
  const a = train.x.shape;
  const b = test.x.shape;
  if (a[1] !== b[1] || a[2] !== b[2] || a[3] !== b[3]) {
    throw new IdxError(`${paths[0]} holds ${a[1]}×${a[2]}×${a[3]} images but ${paths[2]} holds ${b[1]}×${b[2]}×${b[3]} images`);
  }
  return { train, test };
}

function labeled(images: IdxArray, imagesPath: string, labels: IdxArray, labelsPath: string): LabeledImages {
  const x = idxImages(images, imagesPath);
  // Here, not later as "fit: x is empty": the file that is empty is the one to name.
  if (x.shape[0] === 0) {
    throw new IdxError(`${imagesPath}: holds 0 images (shape ${images.shape.join('×')}); a data set needs at least one training and one test image`);
  }
  const y = idxLabels(labels, labelsPath);
  if (y.length !== x.shape[0]) {
    throw new IdxError(`${labelsPath} has ${y.length} labels but ${imagesPath} has ${x.shape[0]} images`);
  }
  return { x, y };
}
