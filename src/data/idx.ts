// The IDX format (MNIST, Fashion-MNIST, EMNIST, KMNIST): a pure parser and writer, no Node imports, safe in browsers.
//
// Layout, all integers big-endian: bytes 0-1 are zero, byte 2 the data type, byte 3 the number of dimensions d;
// then d unsigned 32-bit sizes; then the values, row-major, exactly as many as the sizes multiply to.
// The parser checks every part of that and throws an IdxError naming the file and what is wrong; it never returns
// a partial array.
import { gunzip, isGzip, type OutputCheck } from './gunzip.js';
import type { ByteImages } from './types.js';
import { describeValue } from '../errors.js';

export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  dtype: IdxDtype;
  shape: number[];
  /** Row-major values. For uint8 and int8 a view over the input bytes (no copy); otherwise a new array. */
  data: IdxData;
}

export class IdxError extends Error {
  override name = 'IdxError';
}

interface TypeInfo {
  code: number;
  dtype: IdxDtype;
  bytes: number;
}

const TYPES: readonly TypeInfo[] = [
  { code: 0x08, dtype: 'uint8', bytes: 1 },
  { code: 0x09, dtype: 'int8', bytes: 1 },
  { code: 0x0b, dtype: 'int16', bytes: 2 },
  { code: 0x0c, dtype: 'int32', bytes: 4 },
  { code: 0x0d, dtype: 'float32', bytes: 4 },
  { code: 0x0e, dtype: 'float64', bytes: 8 },
];

const hex = (b: number) => '0x' + b.toString(16).padStart(2, '0').toUpperCase();
const TYPE_LIST = TYPES.map((t) => `${hex(t.code)} (${t.dtype})`).join(', ');

function describeSize(shape: readonly number[], type: TypeInfo, total: number): string {
  const dims = shape.join('×');
  return type.bytes === 1 ? `${dims} = ${total}` : `${dims} × ${type.bytes} bytes (${type.dtype}) = ${total}`;
}

/** Options of the readers that decompress or read whole files. */
export interface IdxReadOptions {
  /**
   * The most bytes (header and values) a file may declare; a larger one is refused from its header alone, before
   * anything is inflated or read. Default DEFAULT_IDX_MAX_BYTES (2 GiB, about 45 times MNIST's training images).
   */
  maxBytes?: number;
}

/** 2 GiB: far above any MNIST-format data set (EMNIST ByClass' training images are 547 MB), far below a bomb. */
export const DEFAULT_IDX_MAX_BYTES = 2 ** 31;

/**
 * The largest Uint8Array Node 20's V8 makes (2^32 bytes, its buffer.constants.MAX_LENGTH; one more is a RangeError).
 * A file is read into one array, so no maxBytes goes past it: past it the read would fail anyway, after the work.
 */
export const LARGEST_ARRAY_BYTES = 2 ** 32;

/** The maxBytes of `options`, checked (a positive integer, or Infinity for no limit but the array's); `where` names the caller. */
export function idxMaxBytes(options: IdxReadOptions | undefined, where: string): number {
  const value = options?.maxBytes ?? DEFAULT_IDX_MAX_BYTES;
  if (typeof value !== 'number' || !(value === Infinity || (Number.isSafeInteger(value) && value > 0))) {
    throw new RangeError(`${where}: options.maxBytes must be a positive integer (bytes). Received: ${typeof value === 'number' ? value : typeof value}`);
  }
  return value;
}

interface IdxHeader {
  type: TypeInfo;
  shape: number[];
  headerBytes: number;
  /** Bytes of values the sizes declare (may exceed 2^53 or be Infinity for a corrupt header). */
  dataBytes: number;
}

/**
 * Reads and checks the header at the start of `bytes`; null when `bytes` ends before the header does (the caller
 * decides whether that is a truncated file or a stream with more to come).
 */
function readHeader(bytes: Uint8Array, fail: (what: string) => never): IdxHeader | null {
  if (bytes.length < 4) return null;
  if (isGzip(bytes)) fail('gzip-compressed: decompress it first (parseIdxAsync does)');
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const magic = Array.from(bytes.subarray(0, 4), hex).join(' ');
    fail(`bad magic number ${magic}: an IDX file starts with 0x00 0x00, the data type, the number of dimensions`);
  }
  const type = TYPES.find((t) => t.code === bytes[2]) ?? fail(`unknown data type ${hex(bytes[2])}: expected one of ${TYPE_LIST}`);
  const rank = bytes[3];
  if (rank === 0) fail('zero dimensions: the header (4th byte) gives 0 dimensions, at least 1 is needed');
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let i = 0; i < rank; i++) {
    const size = view.getUint32(4 + 4 * i, false);
    shape.push(size);
    count *= size;
  }
  return { type, shape, headerBytes, dataBytes: count * type.bytes };
}

/**
 * The header at the start of `head` (data type, shape, header length), or null when `head` ends before the header
 * does. Throws an IdxError naming `name` for bytes that are not an IDX header. Streaming readers use it.
 */
export function parseIdxHeader(head: Uint8Array, name = 'IDX data'): { dtype: IdxDtype; shape: number[]; headerBytes: number } | null {
  const header = readHeader(head, (what) => {
    throw new IdxError(`${name}: ${what}`);
  });
  return header === null ? null : { dtype: header.type.dtype, shape: header.shape, headerBytes: header.headerBytes };
}

/**
 * The whole length in bytes (header and values) that an IDX file starting with `head` declares, or null when
 * `head` is shorter than the header. Throws an IdxError for a header that is not IDX. Decompression uses it to
 * stop as soon as a stream outgrows its header, instead of inflating a corrupt or hostile file without bound.
 */
export function idxDeclaredLength(head: Uint8Array, name = 'IDX data'): number | null {
  const header = readHeader(head, (what) => {
    throw new IdxError(`${name}: ${what}`);
  });
  return header === null ? null : header.headerBytes + header.dataBytes;
}

/**
 * Throws an IdxError naming the file and its declared size when the header at the start of `head` declares more
 * than `maxBytes`, or more than one array can hold; returns the declared length (null: header not complete yet).
 */
export function checkIdxDeclaredLength(head: Uint8Array, name: string, maxBytes: number): number | null {
  const header = readHeader(head, (what) => {
    throw new IdxError(`${name}: ${what}`);
  });
  if (header === null) return null;
  const { type, shape, headerBytes, dataBytes } = header;
  const total = headerBytes + dataBytes;
  const limit = Math.min(maxBytes, LARGEST_ARRAY_BYTES);
  if (total > limit) {
    const why = maxBytes <= LARGEST_ARRAY_BYTES
      ? `more than maxBytes = ${maxBytes}; pass a larger maxBytes to read it`
      : `more than the largest array a JavaScript engine can hold (${LARGEST_ARRAY_BYTES} bytes)`;
    throw new IdxError(`${name}: header declares ${describeSize(shape, type, dataBytes)} bytes of data, ${why}`);
  }
  return total;
}

/**
 * A gunzip OutputCheck for an IDX file: refuses a header that declares more than `maxBytes` before anything more is
 * inflated, stops decompression once the output outgrows the length its header declares, and stops at once when
 * the first bytes are not an IDX header.
 */
export function idxOutputCheck(name = 'IDX data', options?: IdxReadOptions): OutputCheck {
  const maxBytes = idxMaxBytes(options, 'idxOutputCheck');
  let declared: number | null = null;
  return (head, total) => {
    declared ??= checkIdxDeclaredLength(head, name, maxBytes);
    if (declared !== null && total > declared) {
      throw new IdxError(`${name}: decompresses to more than the ${declared} bytes its header declares (stopped at ${total})`);
    }
  };
}

/** The input as bytes; anything else (a string, an array of numbers, null) is an error saying so, not an empty file. */
function asBytes(input: unknown, name: string): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  throw new IdxError(`${name}: input must be a Uint8Array or an ArrayBuffer. Received: ${describeValue(input)}`);
}

/** Parses one IDX file's bytes (already decompressed; see `parseIdxAsync` for gzip). `name` goes into errors. */
export function parseIdx(input: Uint8Array | ArrayBuffer, name = 'IDX data'): IdxArray {
  const bytes = asBytes(input, name);
  const fail = (what: string): never => {
    throw new IdxError(`${name}: ${what}`);
  };
  const header = readHeader(bytes, fail);
  if (header === null) {
    if (bytes.length < 4) fail(`truncated header: ${bytes.length} bytes, an IDX file starts with a 4-byte magic number`);
    const rank = bytes[3];
    fail(`truncated header: ${rank} dimensions need a ${4 + 4 * rank}-byte header, file has ${bytes.length} bytes`);
  }
  const { type, shape, headerBytes, dataBytes: expected } = header as IdxHeader;
  const available = bytes.length - headerBytes;
  if (expected > available) {
    fail(`truncated: header says ${describeSize(shape, type, expected)} bytes of data, file has ${available}`);
  }
  if (expected < available) {
    fail(`${available - expected} trailing bytes: header says ${describeSize(shape, type, expected)} bytes of data, file has ${available}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { dtype: type.dtype, shape, data: readValues(bytes, view, headerBytes, expected / type.bytes, type) };
}

function readValues(bytes: Uint8Array, view: DataView, at: number, n: number, type: TypeInfo): IdxData {
  switch (type.dtype) {
    case 'uint8':
      return new Uint8Array(bytes.buffer, bytes.byteOffset + at, n);
    case 'int8':
      return new Int8Array(bytes.buffer, bytes.byteOffset + at, n);
    case 'int16': {
      const out = new Int16Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt16(at + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(at + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(at + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(at + 8 * i, false);
      return out;
    }
  }
}

/**
 * Like `parseIdx`, but accepts gzip-compressed bytes too (decompressed with DecompressionStream). A gzip file whose
 * header declares more than `options.maxBytes` (default 2 GiB) is refused before it is inflated past its first chunk.
 */
export async function parseIdxAsync(input: Uint8Array | ArrayBuffer, name = 'IDX data', options?: IdxReadOptions): Promise<IdxArray> {
  const maxBytes = idxMaxBytes(options, 'parseIdxAsync');
  const bytes = asBytes(input, name);
  const check = idxOutputCheck(name, { maxBytes });
  return parseIdx(isGzip(bytes) ? await gunzip(bytes, name, check) : bytes, name);
}

/** An IDX images file as an image set: [n, h, w] becomes [n, h, w, 1]; [n, h, w, c] is kept (NHWC). */
export function idxImages(parsed: IdxArray, name = 'IDX images'): ByteImages {
  if (parsed.dtype !== 'uint8') {
    throw new IdxError(`${name}: images must be unsigned bytes (data type 0x08), this file holds ${parsed.dtype}`);
  }
  const s = parsed.shape;
  if (s.length !== 3 && s.length !== 4) {
    throw new IdxError(
      `${name}: images need 3 dimensions (n, height, width) or 4 (n, height, width, channels), this file has ${s.length}: ${s.join('×')}`,
    );
  }
  const shape: ByteImages['shape'] = [s[0], s[1], s[2], s.length === 4 ? s[3] : 1];
  if (shape[1] === 0 || shape[2] === 0 || shape[3] === 0) {
    throw new IdxError(`${name}: images need a height, width and channel count of at least 1, shape is ${s.join('×')}`);
  }
  return { data: parsed.data as Uint8Array, shape };
}

/** An IDX labels file (one dimension, unsigned bytes) as class indices. */
export function idxLabels(parsed: IdxArray, name = 'IDX labels'): Uint8Array {
  if (parsed.dtype !== 'uint8') {
    throw new IdxError(`${name}: labels must be unsigned bytes (data type 0x08), this file holds ${parsed.dtype}`);
  }
  if (parsed.shape.length !== 1) {
    throw new IdxError(`${name}: labels need 1 dimension, this file has ${parsed.shape.length}: ${parsed.shape.join('×')}`);
  }
  return parsed.data as Uint8Array;
}

function dtypeOf(data: IdxData | Uint8ClampedArray): TypeInfo {
  const dtype: IdxDtype | undefined =
    data instanceof Uint8Array || data instanceof Uint8ClampedArray ? 'uint8'
    : data instanceof Int8Array ? 'int8'
    : data instanceof Int16Array ? 'int16'
    : data instanceof Int32Array ? 'int32'
    : data instanceof Float32Array ? 'float32'
    : data instanceof Float64Array ? 'float64'
    : undefined;
  const type = TYPES.find((t) => t.dtype === dtype);
  if (!type) {
    throw new TypeError(`encodeIdx: data must be a Uint8Array, Int8Array, Int16Array, Int32Array, Float32Array or Float64Array. Received: ${Object.prototype.toString.call(data)}`);
  }
  return type;
}

/**
 * Writes `data` with `shape` as an IDX file (data type from the array's type). For MNIST-compatible images pass
 * shape [n, h, w]; an image set's [n, h, w, c] is written as 4 dimensions.
 */
export function encodeIdx(array: { data: IdxData | Uint8ClampedArray; shape: readonly number[] }): Uint8Array {
  const { data, shape } = array;
  const type = dtypeOf(data);
  if (shape.length < 1 || shape.length > 255) {
    throw new RangeError(`encodeIdx: shape must have 1 to 255 dimensions. Received: [${shape.join(', ')}]`);
  }
  let count = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0 || d > 0xffffffff) {
      throw new RangeError(`encodeIdx: each dimension must be an integer in 0..4294967295. Received: [${shape.join(', ')}]`);
    }
    count *= d;
  }
  if (count !== data.length) {
    throw new RangeError(`encodeIdx: shape [${shape.join(', ')}] holds ${count} values, data has ${data.length}`);
  }
  const header = 4 + 4 * shape.length;
  const out = new Uint8Array(header + count * type.bytes);
  const view = new DataView(out.buffer);
  out[2] = type.code;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const n = data.length;
  switch (type.dtype) {
    case 'uint8':
    case 'int8':
      out.set(new Uint8Array(data.buffer, data.byteOffset, n), header);
      break;
    case 'int16':
      for (let i = 0; i < n; i++) view.setInt16(header + 2 * i, data[i], false);
      break;
    case 'int32':
      for (let i = 0; i < n; i++) view.setInt32(header + 4 * i, data[i], false);
      break;
    case 'float32':
      for (let i = 0; i < n; i++) view.setFloat32(header + 4 * i, data[i], false);
      break;
    case 'float64':
      for (let i = 0; i < n; i++) view.setFloat64(header + 8 * i, data[i], false);
      break;
  }
  return out;
}
