// The decoded image every part of src/image/ passes around: 8-bit samples, height × width × channels, rows top to
// bottom, channels interleaved (HWC). Channels are 1 (grayscale), 3 (RGB) or 4 (RGBA), PIL's modes L, RGB and RGBA:
// a decoder turns every other layout (gray + alpha, palette, 16-bit colour) into one of these.
import { describeValue } from '../errors.js';

export type ColorMode = 'grayscale' | 'rgb' | 'rgba';
export type Interpolation = 'nearest' | 'bilinear' | 'bicubic';

export interface Img {
  data: Uint8Array;
  shape: [number, number, number];
}

export const COLOR_MODES: readonly ColorMode[] = ['grayscale', 'rgb', 'rgba'];
export const INTERPOLATIONS: readonly Interpolation[] = ['nearest', 'bilinear', 'bicubic'];

/** Channels of each colour mode. */
export const CHANNELS_OF: Record<ColorMode, number> = { grayscale: 1, rgb: 3, rgba: 4 };

/** A file that cannot be decoded: the message starts with the file's name and says what is wrong. */
export class ImageError extends Error {
  override name = 'ImageError';
}

/** Throws a TypeError naming `where` unless `img` is a well-formed Img. */
export function checkImg(where: string, img: unknown): asserts img is Img {
  const i = img as Img | null;
  if (i === null || typeof i !== 'object' || !(i.data instanceof Uint8Array) || !Array.isArray(i.shape) || i.shape.length !== 3) {
    throw new TypeError(`${where}: expected an image { data: Uint8Array, shape: [height, width, channels] }, received ${describeValue(img)}`);
  }
  const [h, w, c] = i.shape;
  if (![h, w].every((v) => Number.isInteger(v) && v >= 0) || ![1, 3, 4].includes(c)) {
    throw new TypeError(`${where}: shape must be [height, width, channels] with channels 1, 3 or 4, received ${describeValue(i.shape)}`);
  }
  if (i.data.length !== h * w * c) {
    throw new TypeError(`${where}: data has ${i.data.length} bytes, the shape [${h}, ${w}, ${c}] needs ${h * w * c}`);
  }
}
