// Decode + colour mode + resize of one file in one call, as loadImg's pipeline (load.ts: decodeImage, then
// prepareImg) gives it, byte for byte, with fewer copies: a JPEG whose channels already are the colour mode's is
// resized where its decoder left it, in kernel memory, so the only array made per file is the prepared image (the
// decoded one is neither copied out of wasm memory nor back in). The decode pool runs every file through it; with
// many files the arrays it no longer makes are also garbage the collector no longer has to find
// (docs/jpeg.md: the profile before and after).
import { decodeImage } from './decode.js';
import { CHANNELS_OF, type Img } from './img.js';
import { decodeJpegToHeap, isJpeg } from './jpeg.js';
import { prepareImg } from './load.js';
import type { ResolvedLoadOptions } from './options.js';
import { resizeInHeap } from './resize.js';

/** The prepared image, and `decoded`: the file's own shape before conversion and resize (its channels). */
export interface Prepared { img: Img; decoded: [number, number, number] }

/** Decodes `bytes` (named `name` in errors) and prepares the image as loadImg(file, options) does. */
export function decodePrepared(bytes: Uint8Array, name: string, options: ResolvedLoadOptions): Prepared | Promise<Prepared> {
  if (bytes instanceof Uint8Array && isJpeg(bytes)) {
    const { block, shape } = decodeJpegToHeap(bytes, name);
    try {
      const [h, w, c] = shape;
      const size = options.targetSize;
      if (size !== null && c === CHANNELS_OF[options.colorMode] && (h !== size[0] || w !== size[1])) {
        return { img: resizeInHeap(block, shape, size, options.interpolation, options.keepAspectRatio), decoded: shape };
      }
      return { img: prepareImg({ data: block.view.slice(), shape }, options), decoded: shape };
    } finally {
      block.free();
    }
  }
  const decoded = decodeImage(bytes, name);
  const prepare = (img: Img): Prepared => ({ img: prepareImg(img, options), decoded: img.shape });
  return decoded instanceof Promise ? decoded.then(prepare) : prepare(decoded);
}
