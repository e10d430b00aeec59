// One entry for every format: the format is recognised by its first bytes (never by the file's extension, which
// Keras only uses to choose files), and every error starts with the file's name.
import { decodeBmp, isBmp } from './bmp.js';
import { ImageError, type Img } from './img.js';
import { decodeJpeg, isJpeg } from './jpeg.js';
import { decodePng, isPng } from './png.js';
import { decodePpm, isPpm } from './ppm.js';

export type ImageFormat = 'png' | 'jpeg' | 'bmp' | 'ppm' | 'tiff' | 'gif' | 'webp' | 'unknown';

export function imageFormat(bytes: Uint8Array): ImageFormat {
  if (isPng(bytes)) return 'png';
  if (isJpeg(bytes)) return 'jpeg';
  if (isBmp(bytes)) return 'bmp';
  if (isPpm(bytes)) return 'ppm';
  if (bytes.length >= 4 && ((bytes[0] === 0x49 && bytes[1] === 0x49 && bytes[2] === 42 && bytes[3] === 0) ||
    (bytes[0] === 0x4d && bytes[1] === 0x4d && bytes[2] === 0 && bytes[3] === 42))) return 'tiff';
  if (bytes.length >= 4 && bytes[0] === 0x47 && bytes[1] === 0x49 && bytes[2] === 0x46 && bytes[3] === 0x38) return 'gif';
  if (bytes.length >= 12 && String.fromCharCode(...bytes.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...bytes.subarray(8, 12)) === 'WEBP') return 'webp';
  return 'unknown';
}

/**
 * Decodes a PNG, JPEG, BMP or PPM/PGM/PBM file into an Img (pixprep's own decoders, the same bytes in Node and
 * browsers). Synchronous where it can be (PNG needs node:zlib for that); `name` (the file's path) starts every error.
 */
export function decodeImage(bytes: Uint8Array, name = 'image'): Img | Promise<Img> {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`decodeImage: bytes must be a Uint8Array (the file's contents), received ${bytes === null ? 'null' : typeof bytes}`);
  }
  if (bytes.length === 0) throw new ImageError(`${name}: empty file (0 bytes)`);
  const format = imageFormat(bytes);
  switch (format) {
    case 'png': return decodePng(bytes, name);
    case 'jpeg': return decodeJpeg(bytes, name);
    case 'bmp': return decodeBmp(bytes, name);
    case 'ppm': return decodePpm(bytes, name);
    case 'tiff': throw new ImageError(`${name}: unsupported format TIFF (convert it to PNG)`);
    case 'unknown': throw new ImageError(`${name}: not an image pixprep can read: its first bytes match no PNG, JPEG, BMP or PPM/PGM signature`);
    default: throw new ImageError(`${name}: unsupported format ${format.toUpperCase()} (convert it to PNG)`);
  }
}
