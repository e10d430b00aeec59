// Resizing as Keras' load_img does it, through PIL's Image.resize (resample filter, optional source box):
// - nearest: each output pixel takes the source pixel under its centre (ImagingScaleAffine);
// - bilinear / bicubic: PIL's two-pass separable convolution with antialiasing when shrinking, horizontal pass
//   first over just the rows the vertical pass needs, 8-bit fixed point (resample-tables.ts, kernels/resize.ts);
//   RGBA is premultiplied by alpha first and un-premultiplied after, as Image.resize does for "RGBA";
// - keepAspectRatio: the largest centred box of the target's aspect ratio is cut out first (Keras' crop_box).
// The arithmetic runs in the backend's kernels (wasm or js, bit-identical), so Node and browsers agree.
import { describeValue } from '../errors.js';
import type { Kernels } from '../kernels/types.js';
import type { Heap, HeapBlock } from '../runtime/heap.js';
import { currentBackend } from '../runtime/backend.js';
import { INTERPOLATIONS, checkImg, type Img, type Interpolation } from './img.js';
import { FILTERS, nearestTable, resampleTable } from './resample-tables.js';

/** The source box [left, top, right, bottom] Keras' load_img resizes from: the whole image, or its centred crop. */
export function sourceBox(height: number, width: number, targetHeight: number, targetWidth: number,
  keepAspectRatio: boolean): [number, number, number, number] {
  if (!keepAspectRatio) return [0, 0, width, height];
  const cropHeight = Math.min(height, Math.floor((width * targetHeight) / targetWidth));
  const cropWidth = Math.min(width, Math.floor((height * targetWidth) / targetHeight));
  const top = Math.floor((height - cropHeight) / 2);
  const left = Math.floor((width - cropWidth) / 2);
  return [left, top, left + cropWidth, top + cropHeight];
}

/** img resized to targetSize [height, width] as PIL resizes it for Keras; a new image, img untouched. */
export function resizeImage(img: Img, targetSize: readonly [number, number], interpolation: Interpolation = 'nearest',
  keepAspectRatio = false): Img {
  checkImg('resizeImage', img);
  if (!Array.isArray(targetSize) || targetSize.length !== 2 || !targetSize.every((v) => Number.isInteger(v) && v >= 1)) {
    throw new TypeError(`resizeImage: targetSize must be [height, width], two positive integers, received ${describeValue(targetSize)}`);
  }
  if (!INTERPOLATIONS.includes(interpolation)) {
    throw new TypeError(`resizeImage: interpolation must be one of ${INTERPOLATIONS.map((m) => `'${m}'`).join(', ')}, received ${describeValue(interpolation)}`);
  }
  const [height, width, channels] = img.shape;
  const [outH, outW] = targetSize;
  if (height === 0 || width === 0) throw new RangeError(`resizeImage: cannot resize an empty ${height}×${width} image`);
  if (height === outH && width === outW) return { data: img.data.slice(), shape: [outH, outW, channels] };
  const { heap } = currentBackend();
  const premultiplied = channels === 4 && interpolation !== 'nearest' ? premultiply(img.data) : img.data;
  const input = heap.block('u8', img.data.length);
  try {
    input.view.set(premultiplied);
    return resizeInHeap(input, img.shape, [outH, outW], interpolation, keepAspectRatio);
  } finally {
    input.free();
  }
}

/**
 * resizeImage of an image already in kernel memory (`input`, shape [height, width, channels], of another size than
 * targetSize; left as it is, the caller frees it): a decoder's output is resized where it lies (prepare.ts). RGBA
 * for bilinear/bicubic must already be premultiplied; the result is un-premultiplied here.
 */
export function resizeInHeap(input: HeapBlock<'u8'>, shape: readonly [number, number, number], targetSize: readonly [number, number],
  interpolation: Interpolation, keepAspectRatio: boolean): Img {
  const [height, width, channels] = shape;
  const [outH, outW] = targetSize;
  const box = sourceBox(height, width, outH, outW, keepAspectRatio);
  const { heap, kernels } = currentBackend();
  if (interpolation === 'nearest') return nearest(heap, kernels, input, shape, box, outH, outW);
  const out = resample(heap, kernels, input, height, width, channels, box, outH, outW, interpolation);
  if (channels === 4) unpremultiply(out);
  return { data: out, shape: [outH, outW, channels] };
}

function nearest(heap: Heap, kernels: Kernels, inBlock: HeapBlock<'u8'>, shape: readonly [number, number, number], box: number[],
  outH: number, outW: number): Img {
  const [height, width, channels] = shape;
  const rows = nearestTable(height, box[1], box[3], outH);
  const cols = nearestTable(width, box[0], box[2], outW);
  const outBlock = heap.block('u8', outH * outW * channels);
  const rowBlock = heap.block('i32', outH);
  const colBlock = heap.block('i32', outW);
  try {
    rowBlock.view.set(rows);
    colBlock.view.set(cols);
    kernels.resizeNearestU8(outBlock.view, inBlock.view, rowBlock.view, colBlock.view, outH, outW, width, channels);
    return { data: outBlock.view.slice(), shape: [outH, outW, channels] };
  } finally {
    for (const b of [outBlock, rowBlock, colBlock]) b.free();
  }
}

function resample(heap: Heap, kernels: Kernels, input: HeapBlock<'u8'>, height: number, width: number, channels: number,
  box: number[], outH: number, outW: number, interpolation: 'bilinear' | 'bicubic'): Uint8Array {
  const filter = FILTERS[interpolation];
  // ImagingResampleInner: a pass runs only when it changes something.
  const needHorizontal = outW !== width || box[0] !== 0 || box[2] !== outW;
  const needVertical = outH !== height || box[1] !== 0 || box[3] !== outH;
  const horizontal = resampleTable(width, box[0], box[2], outW, filter);
  const vertical = resampleTable(height, box[1], box[3], outH, filter);
  const firstRow = vertical.bounds[0];
  const lastRow = vertical.bounds[2 * outH - 2] + vertical.bounds[2 * outH - 1];
  const blocks = [];
  try {
    let source = input;
    let sourceWidth = width;
    if (needHorizontal) {
      for (let y = 0; y < outH; y++) vertical.bounds[2 * y] -= firstRow;
      const rows = lastRow - firstRow;
      const temp = heap.block('u8', rows * outW * channels);
      const hb = heap.block('i32', horizontal.bounds.length);
      const hw = heap.block('i32', horizontal.weights.length);
      blocks.push(temp, hb, hw);
      hb.view.set(horizontal.bounds);
      hw.view.set(horizontal.weights);
      kernels.resampleHorizontalU8(temp.view, input.view, hb.view, hw.view, horizontal.taps, rows, firstRow, width, outW, channels);
      source = temp;
      sourceWidth = outW;
    }
    if (!needVertical) return source.view.slice(0, outH * outW * channels);
    const out = heap.block('u8', outH * sourceWidth * channels);
    const vb = heap.block('i32', vertical.bounds.length);
    const vw = heap.block('i32', vertical.weights.length);
    blocks.push(out, vb, vw);
    vb.view.set(vertical.bounds);
    vw.view.set(vertical.weights);
    kernels.resampleVerticalU8(out.view, source.view, vb.view, vw.view, vertical.taps, outH, sourceWidth * channels);
    return out.view.slice();
  } finally {
    for (const b of blocks) b.free();
  }
}

// PIL's RGBA → RGBa (Convert.c rgbA2rgba): c · a / 255 rounded with MULDIV255.
function premultiply(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i += 4) {
    const a = data[i + 3];
    for (let k = 0; k < 3; k++) {
      const t = data[i + k] * a + 128;
      out[i + k] = ((t >> 8) + t) >> 8;
    }
    out[i + 3] = a;
  }
  return out;
}

// PIL's RGBa → RGBA (Convert.c rgba2rgbA): c · 255 / a, truncated and clipped; alpha 0 and 255 left as they are.
function unpremultiply(data: Uint8Array): void {
  for (let i = 0; i < data.length; i += 4) {
    const a = data[i + 3];
    if (a === 0 || a === 255) continue;
    for (let k = 0; k < 3; k++) data[i + k] = Math.min(255, Math.floor((255 * data[i + k]) / a));
  }
}
