// loadImg in pixprep/node: a string is a file path (read with node:fs), anything else goes to the browser-safe
// loadImg (Blob, bytes). The pipeline after reading is the same (load.ts).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { decodeImage } from './decode.js';
import type { Img } from './img.js';
import { prepareImg, readSource } from './load.js';
import { resolveLoadOptions, type LoadImgOptions } from './options.js';

/** Reads a file, with a message that names it when it cannot be read. */
export async function readImageFile(where: string, path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory, not a file' : (e as Error).message;
    throw new Error(`${where}: cannot read ${path}: ${why}`);
  }
}

/**
 * readImageFile's synchronous twin, for the decode pool (its workers, and its calling-thread mode, which decodes
 * synchronously anyway): one open, fstat, read and close, measured at a third of fs.promises.readFile's time for
 * a 28 kB file (docs/jpeg.md), which hops to libuv's thread pool and back for each step. Same messages.
 */
export function readImageFileSync(where: string, path: string): Uint8Array {
  let fd = -1;
  try {
    fd = openSync(path, 'r');
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    // A file that grows while read is read to its end as readFile does: in pieces, past the size fstat gave.
    let bytes = new Uint8Array(stat.size);
    let length = 0;
    for (;;) {
      if (length === bytes.length) {
        const wider = new Uint8Array(Math.max(bytes.length * 2, 8192));
        wider.set(bytes);
        bytes = wider;
      }
      const n = readSync(fd, bytes, length, bytes.length - length, null);
      if (n === 0) break;
      length += n;
    }
    return length === bytes.length ? bytes : bytes.slice(0, length);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory, not a file' : (e as Error).message;
    throw new Error(`${where}: cannot read ${path}: ${why}`);
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** Keras' load_img: a path (or a Blob or the file's bytes) → { data: Uint8Array, shape: [h, w, c] }. */
export async function loadImg(pathOrBlob: string | Blob | Uint8Array | ArrayBuffer, options?: LoadImgOptions): Promise<Img> {
  const o = resolveLoadOptions('loadImg', options);
  const { bytes, name } = typeof pathOrBlob === 'string'
    ? { bytes: await readImageFile('loadImg', pathOrBlob), name: pathOrBlob }
    : await readSource('loadImg', pathOrBlob);
  return prepareImg(await decodeImage(bytes, name), o);
}
