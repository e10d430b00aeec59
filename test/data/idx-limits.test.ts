// Files that declare more than can be held are refused from their header, before anything is inflated or read:
// a few-KB gzip whose IDX header declares 3e9 × 28 × 28 bytes (2.35 TB), on both paths (node:zlib and the
// browser's DecompressionStream), with the error naming the file and the declared size. And the 0-image file.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_IDX_MAX_BYTES, IdxError, LARGEST_ARRAY_BYTES, encodeIdx, idxOutputCheck, parseIdxAsync,
} from '../../src/data/idx.js';
import { loadIdxDirectory, loadIdxFile } from '../../src/data/idx-node.js';

const work = mkdtempSync(join(tmpdir(), 'pixprep-idx-limits-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** An IDX header by hand: magic, type, rank, big-endian sizes. */
function header(type: number, dims: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length);
  out[2] = type;
  out[3] = dims.length;
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  return out;
}

/** The header, then `zeros` zero bytes, gzipped: 64 MiB of zeros deflate to ~64 KB. */
function crafted(dims: number[], zeros: number): Uint8Array {
  const h = header(0x08, dims);
  const raw = new Uint8Array(h.length + zeros);
  raw.set(h);
  return new Uint8Array(gzipSync(raw));
}

const HUGE = [3e9, 28, 28];
const declared = (name: string) =>
  `${name}: header declares 3000000000×28×28 = 2352000000000 bytes of data, more than maxBytes = 2147483648; pass a larger maxBytes to read it`;

describe('declared sizes beyond maxBytes (default 2 GiB) are refused before inflating', () => {
  it('the default is 2 GiB, under the largest array an engine holds', () => {
    expect(DEFAULT_IDX_MAX_BYTES).toBe(2 * 1024 ** 3);
    expect(LARGEST_ARRAY_BYTES).toBe(2 ** 32);
  });

  it('the check refuses from the header alone: 16 bytes seen, nothing more inflated', () => {
    const check = idxOutputCheck('h.gz');
    expect(() => check(header(0x08, HUGE), 16)).toThrow(declared('h.gz'));
    expect(() => idxOutputCheck('h.gz', { maxBytes: 1000 })(header(0x08, [10, 10, 10]), 16)).toThrow(
      'h.gz: header declares 10×10×10 = 1000 bytes of data, more than maxBytes = 1000; pass a larger maxBytes to read it');
    // 16 bytes of header + 1000: within 1016, accepted.
    expect(() => idxOutputCheck('h.gz', { maxBytes: 1016 })(header(0x08, [10, 10, 10]), 16)).not.toThrow();
    // Multi-byte types count their bytes.
    expect(() => idxOutputCheck('f.gz')(header(0x0e, [2 ** 28 + 1]), 8)).toThrow(
      'f.gz: header declares 268435457 × 8 bytes (float64) = 2147483656 bytes of data, more than maxBytes');
  });

  it('loadIdxFile (node:zlib): a tiny gzip declaring 3e9×28×28 is refused at its first chunk, naming the file and size', async () => {
    const path = join(work, 'huge-idx3-ubyte.gz');
    const gz = crafted(HUGE, 64 * 1024 * 1024);
    expect(gz.length).toBeLessThan(200_000);
    writeFileSync(path, gz);
    const error = await loadIdxFile(path).then(() => null, (e: unknown) => e as Error);
    expect(error).toBeInstanceOf(IdxError);
    // Not "truncated" (what inflating all 64 MiB and comparing with the header would say): it stopped at the header.
    expect(error!.message).toBe(declared(path));
  });

  it('parseIdxAsync (DecompressionStream): the same refusal', async () => {
    const error = await parseIdxAsync(crafted(HUGE, 64 * 1024 * 1024), 'huge.gz').then(() => null, (e: unknown) => e as Error);
    expect(error).toBeInstanceOf(IdxError);
    expect(error!.message).toBe(declared('huge.gz'));
  });

  it('raw files too: refused from the header before the file is read', async () => {
    const path = join(work, 'huge-raw');
    writeFileSync(path, header(0x08, HUGE));
    await expect(loadIdxFile(path)).rejects.toThrow(declared(path));
    // A small header followed by more bytes than maxBytes: refused by the file's size, not read.
    const padded = join(work, 'padded-raw');
    const file = new Uint8Array(2000);
    file.set(header(0x08, [4]));
    writeFileSync(padded, file);
    await expect(loadIdxFile(padded, { maxBytes: 1000 })).rejects.toThrow(
      `${padded}: the file is 2000 bytes, more than maxBytes = 1000; pass a larger maxBytes to read it`);
  });

  it('maxBytes: a smaller limit refuses a real file; a larger one reads it; beyond the array limit says so', async () => {
    const data = new Uint8Array(20 * 28 * 28).map((_, i) => i % 251);
    const file = encodeIdx({ data, shape: [20, 28, 28] });
    const path = join(work, 'small.gz');
    writeFileSync(path, gzipSync(file));
    await expect(loadIdxFile(path, { maxBytes: 15_000 })).rejects.toThrow(
      `${path}: header declares 20×28×28 = 15680 bytes of data, more than maxBytes = 15000`);
    await expect(parseIdxAsync(gzipSync(file), 'small.gz', { maxBytes: 15_000 })).rejects.toThrow('small.gz: header declares 20×28×28');
    expect(Array.from((await loadIdxFile(path, { maxBytes: 15_696 })).data)).toEqual(Array.from(data));
    expect((await parseIdxAsync(gzipSync(file), 'small.gz', { maxBytes: 15_696 })).shape).toEqual([20, 28, 28]);
    // No maxBytes limit: the largest array still is one.
    await expect(parseIdxAsync(crafted(HUGE, 1000), 'huge.gz', { maxBytes: Infinity })).rejects.toThrow(
      'huge.gz: header declares 3000000000×28×28 = 2352000000000 bytes of data, more than the largest array a JavaScript engine can hold (4294967296 bytes)');
  });

  it('a bad maxBytes is refused by name before any work', async () => {
    for (const bad of [0, -1, 1.5, NaN, '2' as unknown as number]) {
      const shown = typeof bad === 'number' ? String(bad) : 'string';
      await expect(loadIdxFile(join(work, 'missing-file'), { maxBytes: bad })).rejects.toThrow(
        `loadIdxFile: options.maxBytes must be a positive integer (bytes). Received: ${shown}`);
      await expect(parseIdxAsync(new Uint8Array(0), 'x', { maxBytes: bad })).rejects.toThrow(
        `parseIdxAsync: options.maxBytes must be a positive integer (bytes). Received: ${shown}`);
      await expect(loadIdxDirectory(join(work, 'missing-dir'), { maxBytes: bad })).rejects.toThrow(
        `loadIdxDirectory: options.maxBytes must be a positive integer (bytes). Received: ${shown}`);
    }
  });

  it('loadIdxDirectory passes maxBytes to every file', async () => {
    const dir = join(work, 'dir');
    mkdirSync(dir);
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), encodeIdx({ data: new Uint8Array(3 * 100), shape: [3, 10, 10] }));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), encodeIdx({ data: new Uint8Array(3), shape: [3] }));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), encodeIdx({ data: new Uint8Array(2 * 100), shape: [2, 10, 10] }));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), encodeIdx({ data: new Uint8Array(2), shape: [2] }));
    expect((await loadIdxDirectory(dir)).train.x.shape).toEqual([3, 10, 10, 1]);
    await expect(loadIdxDirectory(dir, { maxBytes: 250 })).rejects.toThrow(
      `${join(dir, 'train-images-idx3-ubyte')}: header declares 3×10×10 = 300 bytes of data, more than maxBytes = 250`);
  });
});

describe('an IDX images file with 0 images', () => {
  it('is reported by loadIdxDirectory with the file\'s name', async () => {
    const dir = join(work, 'empty');
    mkdirSync(dir);
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), encodeIdx({ data: new Uint8Array(0), shape: [0, 28, 28] }));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), encodeIdx({ data: new Uint8Array(0), shape: [0] }));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), encodeIdx({ data: new Uint8Array(784), shape: [1, 28, 28] }));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), encodeIdx({ data: new Uint8Array(1), shape: [1] }));
    await expect(loadIdxDirectory(dir)).rejects.toThrow(
      `${join(dir, 'train-images-idx3-ubyte')}: holds 0 images (shape 0×28×28); a data set needs at least one training and one test image`);
  });
});
