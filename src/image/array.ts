// Keras' img_to_array and array_to_img (keras/utils/image_utils.py): an image as a float32 array and back.
import { describeValue } from '../errors.js';
import { checkImg, type Img } from './img.js';

import type { DataFormat } from '../generator/image-set.js';
export type { DataFormat };

export interface FloatImage {
  data: Float32Array;
  shape: [number, number, number];
}

function checkFormat(where: string, dataFormat: unknown): asserts dataFormat is DataFormat {
  if (dataFormat !== 'channelsLast' && dataFormat !== 'channelsFirst') {
    throw new TypeError(`${where}: dataFormat must be 'channelsLast' or 'channelsFirst', received ${describeValue(dataFormat)}`);
  }
}

/** The image as float32 values 0..255, [h, w, c] (or [c, h, w] with channelsFirst): Keras' img_to_array. */
export function imgToArray(img: Img, { dataFormat = 'channelsLast' }: { dataFormat?: DataFormat } = {}): FloatImage {
  checkImg('imgToArray', img);
  checkFormat('imgToArray', dataFormat);
  const [h, w, c] = img.shape;
  if (dataFormat === 'channelsLast') return { data: Float32Array.from(img.data), shape: [h, w, c] };
  const out = new Float32Array(h * w * c);
  for (let i = 0; i < h * w; i++) for (let k = 0; k < c; k++) out[k * h * w + i] = img.data[i * c + k];
  return { data: out, shape: [c, h, w] };
}

/**
 * An array [h, w, c] (or [c, h, w] with channelsFirst) back into an 8-bit image: Keras' array_to_img. With `scale`
 * (the default) the values are shifted to a minimum of 0 and stretched to a maximum of 255 in float32, as Keras
 * does; the conversion to 8 bits then truncates (numpy's astype). Without scale, values are clipped to 0..255 and
 * truncated (numpy would wrap out-of-range values; pixprep does not make that silently).
 */
export function arrayToImg(x: { data: ArrayLike<number>; shape: readonly number[] },
  { dataFormat = 'channelsLast', scale = true }: { dataFormat?: DataFormat; scale?: boolean } = {}): Img {
  checkFormat('arrayToImg', dataFormat);
  if (x === null || typeof x !== 'object' || !Array.isArray(x.shape) || x.shape.length !== 3 || typeof x.data?.length !== 'number') {
    throw new TypeError(`arrayToImg: expected { data, shape } with a 3-dimensional shape, received ${describeValue(x)}`);
  }
  const [a, b, cc] = x.shape;
  const [h, w, c] = dataFormat === 'channelsLast' ? [a, b, cc] : [b, cc, a];
  if (![1, 3, 4].includes(c)) throw new TypeError(`arrayToImg: unsupported channel count ${c} (1, 3 or 4), shape ${describeValue(x.shape)}`);
  const n = h * w * c;
  if (x.data.length !== n) throw new TypeError(`arrayToImg: data has ${x.data.length} values, the shape ${describeValue(x.shape)} needs ${n}`);
  const v = new Float32Array(n);
  for (let i = 0; i < h * w; i++) {
    for (let k = 0; k < c; k++) v[i * c + k] = dataFormat === 'channelsLast' ? x.data[i * c + k] : x.data[k * h * w + i];
  }
  for (let i = 0; i < n; i++) if (!Number.isFinite(v[i])) throw new RangeError(`arrayToImg: value ${v[i]} at index ${i} is not finite`);
  if (scale && n > 0) {
    let min = Infinity;
    for (let i = 0; i < n; i++) min = Math.min(min, v[i]);
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      v[i] = Math.fround(v[i] - min);
      max = Math.max(max, v[i]);
    }
    for (let i = 0; i < n; i++) v[i] = Math.fround((max !== 0 ? Math.fround(v[i] / max) : v[i]) * 255);
  }
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.min(255, Math.max(0, Math.trunc(v[i])));
  return { data: out, shape: [h, w, c] };
}
