// loadImg in pixprep/node: a string is a file path (read with node:fs), anything else goes to the browser-safe
// loadImg (Blob, bytes). The pipeline after reading is the same (load.ts).
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

/** Keras' load_img: a path (or a Blob or the file's bytes) → { data: Uint8Array, shape: [h, w, c] }. */
export async function loadImg(pathOrBlob: string | Blob | Uint8Array | ArrayBuffer, options?: LoadImgOptions): Promise<Img> {
  const o = resolveLoadOptions('loadImg', options);
  const { bytes, name } = typeof pathOrBlob === 'string'
    ? { bytes: await readImageFile('loadImg', pathOrBlob), name: pathOrBlob }
    : await readSource('loadImg', pathOrBlob);
  return prepareImg(await decodeImage(bytes, name), o);
}
