// Streaming an IDX images file (raw or gzip) as chunks of images, for partialFit / fitStream: memory for one chunk
// whatever the file's size (loadIdxFile, by contrast, reads a whole file into one array, at most 4 GiB).
// A raw file is read from the byte where the requested range starts; a gzip file is inflated from its start (gzip
// cannot seek) and reading stops after the range's last image. The header's checks are the parser's (idx.ts); a
// file that ends early, or runs on past what its header declares, is an IdxError naming it, raised when reached.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { isGzip } from './gunzip.js';
import { IdxError, parseIdxHeader } from './idx.js';
import type { ByteImages } from './types.js';
import { describeValue } from '../errors.js';
import { checkOptionNames } from '../unknown-option-error.js';

/** What the header of an IDX images file declares. */
export interface IdxImagesHeader {
  /** Images in the file. */
  n: number;
  height: number;
  width: number;
  channels: number;
  /** Bytes before the first image (the header). */
  headerBytes: number;
  gzip: boolean;
}

export interface IdxChunkOptions {
  /** First image to read (default 0). */
  start?: number;
  /** One past the last image to read (default: the file's image count). */
  end?: number;
  /** Bytes of images per chunk, rounded down to whole images, at least one image (default 1 MiB). */
  chunkBytes?: number;
}

const DEFAULT_CHUNK_BYTES = 1 << 20;

/** The byte stream of the file (decompressed when it starts with gzip's magic number), from byte `from` of a raw file. */
function byteStream(path: string, gzip: boolean, from = 0): Readable {
  if (!gzip) return createReadStream(path, { start: from, highWaterMark: 1 << 16 });
  const file = createReadStream(path, { highWaterMark: 1 << 16 });
  const inflate = createGunzip();
  file.on('error', (e) => inflate.destroy(e));
  return file.pipe(inflate);
}

function readError(path: string, gzip: boolean, e: unknown): Error {
  const err = e as NodeJS.ErrnoException;
  if (err instanceof IdxError || err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'EISDIR') return err;
  return new IdxError(`${path}: ${gzip ? 'truncated or corrupt gzip file' : 'cannot read the file'} (${err.message})`);
}

/** Reads and checks the header of an IDX images file (unsigned bytes, [n, h, w] or [n, h, w, c]); reads nothing more. */
export async function readIdxImagesHeader(path: string): Promise<IdxImagesHeader> {
  let first: Uint8Array;
  const handle = await open(path, 'r');
  try {
    first = new Uint8Array(2);
    await handle.read(first, 0, 2, 0);
  } finally {
    await handle.close();
  }
  const gzip = isGzip(first);
  const stream = byteStream(path, gzip);
  let head = new Uint8Array(0);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const joined = new Uint8Array(head.length + chunk.length);
      joined.set(head);
      joined.set(chunk, head.length);
      head = joined;
      const header = parseIdxHeader(head, path);
      if (header !== null) return imagesHeader(path, header, gzip);
    }
  } catch (e) {
    throw readError(path, gzip, e);
  } finally {
    stream.destroy();
  }
  throw new IdxError(`${path}: truncated header: the file ends after ${head.length} bytes`);
}

function imagesHeader(path: string, h: NonNullable<ReturnType<typeof parseIdxHeader>>, gzip: boolean): IdxImagesHeader {
  if (h.dtype !== 'uint8') throw new IdxError(`${path}: images must be unsigned bytes (data type 0x08), this file holds ${h.dtype}`);
  const s = h.shape;
  if (s.length !== 3 && s.length !== 4) {
    throw new IdxError(`${path}: images need 3 dimensions (n, height, width) or 4 (n, height, width, channels), this file has ${s.length}: ${s.join('×')}`);
  }
  const [n, height, width, channels = 1] = s;
  if (height === 0 || width === 0 || channels === 0) {
    throw new IdxError(`${path}: images need a height, width and channel count of at least 1, shape is ${s.join('×')}`);
  }
  return { n, height, width, channels, headerBytes: h.headerBytes, gzip };
}

function checkRange(where: string, header: IdxImagesHeader, options: IdxChunkOptions): { start: number; end: number; perChunk: number } {
  const { start = 0, end = header.n, chunkBytes = DEFAULT_CHUNK_BYTES } = options;
  for (const [name, value] of [['start', start], ['end', end], ['chunkBytes', chunkBytes]] as const) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < (name === 'chunkBytes' ? 1 : 0)) {
      throw new RangeError(`${where}: options.${name} must be a ${name === 'chunkBytes' ? 'positive' : 'non-negative'} integer. Received: ${name}=${describeValue(value)}`);
    }
  }
  if (start > end || end > header.n) {
    throw new RangeError(`${where}: the range start..end must satisfy 0 <= start <= end <= ${header.n} (the file's images). Received: start=${start}, end=${end}`);
  }
  const imageBytes = header.height * header.width * header.channels;
  return { start, end, perChunk: Math.max(1, Math.floor(chunkBytes / imageBytes)) };
}

/**
 * The images start..end of an IDX images file, raw or gzip, as a stream of `{ data, shape: [k, h, w, c] }` chunks
 * of about `chunkBytes` each (a fresh array per chunk: a consumer may keep it). For partialFit and fitStream:
 * `await gen.fitStream(idxImageChunks('train-images-idx3-ubyte.gz'))` fits a file of any size in constant memory.
 */
export async function* idxImageChunks(path: string, options: IdxChunkOptions = {}): AsyncGenerator<ByteImages, void, undefined> {
  const where = 'idxImageChunks';
  if (typeof path !== 'string' || path === '') throw new TypeError(`${where}: path must be a file path. Received: ${describeValue(path)}`);
  if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options must be an object { start, end, chunkBytes }. Received: ${describeValue(options)}`);
  checkOptionNames(where, options, ['start', 'end', 'chunkBytes']);
  const header = await readIdxImagesHeader(path);
  const { start, end, perChunk } = checkRange(where, header, options);
  if (start === end) return;
  const { height, width, channels, gzip } = header;
  const imageBytes = height * width * channels;
  // A raw file is read from the range's first byte; a gzip one from its start, skipping the bytes before it.
  const firstByte = header.headerBytes + start * imageBytes;
  const stream = byteStream(path, gzip, gzip ? 0 : firstByte);
  let skip = gzip ? firstByte : 0;
  let next = start; // first image of the chunk being filled
  let chunk = new Uint8Array(Math.min(perChunk, end - next) * imageBytes);
  let filled = 0;
  // Bytes past the range's end: reading the whole file, they are trailing bytes the header does not declare.
  let beyond = 0;
  try {
    for await (const buf of stream as AsyncIterable<Buffer>) {
      let at = 0;
      if (skip > 0) {
        const s = Math.min(skip, buf.length);
        skip -= s;
        at = s;
      }
      while (at < buf.length) {
        if (next === end) {
          beyond += buf.length - at;
          break;
        }
        const take = Math.min(chunk.length - filled, buf.length - at);
        chunk.set(buf.subarray(at, at + take), filled);
        filled += take;
        at += take;
        if (filled === chunk.length) {
          const k = chunk.length / imageBytes;
          const full = chunk;
          next += k;
          chunk = new Uint8Array(Math.min(perChunk, end - next) * imageBytes);
          filled = 0;
          yield { data: full, shape: [k, height, width, channels] };
        }
      }
      if (next === end && end < header.n) return; // the range is read: no need to read (or inflate) the rest
      if (beyond > 0) break;
    }
  } catch (e) {
    throw readError(path, gzip, e);
  } finally {
    stream.destroy();
  }
  if (next < end) {
    const got = (next - start) * imageBytes + filled;
    throw new IdxError(`${path}: truncated: the header declares ${header.n} images of ${height}×${width}×${channels}, ` +
      `the data ends ${((end - start) * imageBytes) - got} bytes early (in image ${next + Math.floor(filled / imageBytes)})`);
  }
  if (beyond > 0) throw new IdxError(`${path}: trailing bytes: the file runs on past the ${header.n} images its header declares`);
}
