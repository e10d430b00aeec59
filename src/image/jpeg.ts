// JPEG decoding (ITU T.81, baseline and extended Huffman, and progressive), written to give the bytes PIL gives:
// PIL decodes with libjpeg-turbo, whose defaults are the accurate integer IDCT (jidctint.c, "islow"), "fancy"
// triangle-filter chroma upsampling (jdsample.c) and fixed-point YCbCr → RGB tables (jdcolor.c). Each of those is
// reproduced here integer for integer (libjpeg-turbo's SIMD versions are bit-exact with its C code), so the output
// matches PIL's exactly for the files tested (test/image/decode.test.ts); where this file departs from libjpeg it says so.
// Refused with a clear error: arithmetic coding, lossless and hierarchical JPEG, 12-bit samples, CMYK/YCCK.
import { ImageError, type Img } from './img.js';
import {
  buildHuffman, decodeScan, MCU_BLOCKS, NATURAL, SCAN_TABLES, type Component, type Frame, type Huffman, type ScanMemory,
} from './jpeg-scan.js';
import { HUFFMAN_WORDS, MCU_FIELDS } from '../kernels/jpeg-huffman.js';
import { MAX_PIXELS } from './png.js';
import type { Kernels } from '../kernels/types.js';
import type { HeapBlock } from '../runtime/heap.js';
import { currentBackend } from '../runtime/backend.js';

export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** Decodes a JPEG file into L (one component) or RGB; `name` starts every error. */
export function decodeJpeg(bytes: Uint8Array, name: string): Img {
  const { block, shape } = decodeJpegToHeap(bytes, name);
  try {
    return { data: block.view.slice(), shape };
  } finally {
    block.free();
  }
}

/**
 * decodeJpeg's pixels left in kernel memory, for a caller that goes on in kernels (prepare.ts: the resize reads them
 * there, and no decoded image is copied out of wasm memory and back). The caller frees the block.
 */
export function decodeJpegToHeap(bytes: Uint8Array, name: string): { block: HeapBlock<'u8'>; shape: [number, number, number] } {
  const { heap, kernels } = currentBackend();
  // The file's bytes and the small scan buffers first; the coefficients once the frame header gives their count.
  const blocks: HeapBlock[] = [];
  const take = <K extends 'u8' | 'i32'>(kind: K, n: number): HeapBlock<K> => {
    const b = heap.block(kind, n);
    blocks.push(b);
    return b;
  };
  try {
    const memory: ScanMemory = {
      data: take('u8', bytes.length),
      coefficients: null as unknown as HeapBlock<'i32'>,
      tables: take('i32', SCAN_TABLES * HUFFMAN_WORDS),
      mcu: take('i32', MCU_BLOCKS * MCU_FIELDS),
      state: take('i32', 2),
    };
    memory.data.view.set(bytes);
    return decodeWith(bytes, name, memory, (n) => {
      memory.coefficients = take('i32', n);
      memory.coefficients.view.fill(0);
    }, kernels);
  } finally {
    for (const b of blocks) b.free();
  }
}

function decodeWith(bytes: Uint8Array, name: string, memory: ScanMemory, allocateCoefficients: (n: number) => void,
  kernels: Kernels): Decoded {
  const quant: (Int32Array | null)[] = [null, null, null, null];
  const dcTables: (Huffman | null)[] = [null, null, null, null];
  const acTables: (Huffman | null)[] = [null, null, null, null];
  let frame: Frame | null = null;
  let restartInterval = 0;
  let adobeTransform = -1;
  let scans = 0;
  let at = 2;
  const length = bytes.length;
  const u16 = (i: number) => (bytes[i] << 8) | bytes[i + 1];
  const segment = (marker: string): [number, number] => {
    if (at + 2 > length) throw new ImageError(`${name}: truncated JPEG: the file ends inside a ${marker} segment`);
    const n = u16(at);
    if (n < 2 || at + n > length) throw new ImageError(`${name}: truncated JPEG: the file ends inside a ${marker} segment`);
    const start = at + 2;
    at += n;
    return [start, at];
  };
  for (;;) {
    if (at >= length) {
      if (frame !== null && scans > 0) break; // no EOI after complete scans: accepted, as libjpeg does
      throw new ImageError(`${name}: truncated JPEG: the file ends before ${frame === null ? 'its frame header' : 'any image data'}`);
    }
    if (bytes[at] !== 0xff) throw new ImageError(`${name}: corrupt JPEG: expected a marker at byte ${at}, found 0x${bytes[at].toString(16)}`);
    let marker = bytes[at + 1];
    at += 2;
    while (marker === 0xff && at < length) marker = bytes[at++];
    if (marker === undefined || marker === 0xff) throw new ImageError(`${name}: truncated JPEG: the file ends inside a marker`);
    if (marker === 0xd9) break; // EOI
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue;
    if (marker === 0xdb) {
      const [s, e] = segment('DQT');
      for (let p = s; p < e;) {
        const precision = bytes[p] >> 4;
        const id = bytes[p] & 15;
        if (id > 3 || precision > 1) throw new ImageError(`${name}: corrupt JPEG: quantization table ${id} with precision ${precision}`);
        const table = new Int32Array(64);
        const need = 1 + 64 * (precision + 1);
        if (p + need > e) throw new ImageError(`${name}: corrupt JPEG: a quantization table runs past its segment`);
        for (let k = 0; k < 64; k++) table[NATURAL[k]] = precision === 0 ? bytes[p + 1 + k] : u16(p + 1 + 2 * k);
        quant[id] = table;
        p += need;
      }
    } else if (marker === 0xc4) {
      const [s, e] = segment('DHT');
      for (let p = s; p < e;) {
        const tc = bytes[p] >> 4;
        const id = bytes[p] & 15;
        if (p + 17 > e || tc > 1 || id > 3) throw new ImageError(`${name}: corrupt JPEG: a bad Huffman table header`);
        const counts = bytes.subarray(p + 1, p + 17);
        let total = 0;
        for (const c of counts) total += c;
        if (p + 17 + total > e || total > 256) throw new ImageError(`${name}: corrupt JPEG: a Huffman table runs past its segment`);
        const table = buildHuffman(counts, bytes.slice(p + 17, p + 17 + total), name, tc === 0);
        (tc === 0 ? dcTables : acTables)[id] = table;
        p += 17 + total;
      }
    } else if (marker === 0xdd) {
      const [s] = segment('DRI');
      restartInterval = u16(s);
    } else if (marker === 0xc0 || marker === 0xc1 || marker === 0xc2) {
      if (frame !== null) throw new ImageError(`${name}: corrupt JPEG: a second frame header`);
      const [s, e] = segment('SOF');
      frame = readFrame(bytes, s, e, marker === 0xc2, name);
      allocateCoefficients(frame.components.reduce((n, c) => n + c.blocksPerLine * c.blocksPerColumn * 64, 0));
    } else if (marker === 0xda) {
      if (frame === null) throw new ImageError(`${name}: corrupt JPEG: image data before the frame header`);
      const [s, e] = segment('SOS');
      at = decodeScan(bytes, s, e, frame, dcTables, acTables, restartInterval, name, memory, kernels);
      scans++;
    } else if (marker === 0xee) {
      const [s, e] = segment('APP14');
      if (e - s >= 12 && String.fromCharCode(...bytes.subarray(s, s + 5)) === 'Adobe') adobeTransform = bytes[s + 11];
    } else if ((marker >= 0xc3 && marker <= 0xcf) && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      throw new ImageError(`${name}: unsupported JPEG: ${marker >= 0xc9 ? 'arithmetic coding' : marker === 0xc3 || marker === 0xc7 || marker === 0xcb || marker === 0xcf ? 'lossless' : 'hierarchical'} (SOF${marker - 0xc0}); convert it to PNG or a baseline JPEG`);
    } else if (marker === 0xcc) {
      throw new ImageError(`${name}: unsupported JPEG: arithmetic coding (DAC); convert it to PNG or a baseline JPEG`);
    } else if ((marker >= 0xe0 && marker <= 0xef) || marker === 0xfe || marker === 0xdc || marker === 0xde || marker === 0xdf || (marker >= 0xf0 && marker <= 0xfd)) {
      segment(`0x${marker.toString(16)}`);
    } else {
      throw new ImageError(`${name}: corrupt JPEG: unknown marker 0xff${marker.toString(16)} at byte ${at - 2}`);
    }
  }
  if (frame === null) throw new ImageError(`${name}: corrupt JPEG: no frame header`);
  if (scans === 0) throw new ImageError(`${name}: corrupt JPEG: no image data (SOS)`);
  for (const c of frame.components) {
    if (quant[c.tq] === null) throw new ImageError(`${name}: corrupt JPEG: component ${c.id} uses quantization table ${c.tq}, which is not defined`);
  }
  return output(frame, quant as Int32Array[], adobeTransform, memory);
}

type Decoded = { block: HeapBlock<'u8'>; shape: [number, number, number] };

function readFrame(bytes: Uint8Array, s: number, e: number, progressive: boolean, name: string): Frame {
  const precision = bytes[s];
  const height = (bytes[s + 1] << 8) | bytes[s + 2];
  const width = (bytes[s + 3] << 8) | bytes[s + 4];
  const count = bytes[s + 5];
  if (precision !== 8) throw new ImageError(`${name}: unsupported JPEG: ${precision}-bit samples (pixprep reads 8-bit JPEG)`);
  if (width === 0 || height === 0) throw new ImageError(`${name}: unsupported JPEG: size ${width}×${height} (a height of 0 means a DNL marker, which pixprep does not read)`);
  if (width * height > MAX_PIXELS) throw new ImageError(`${name}: ${width}×${height} pixels is more than the ${MAX_PIXELS} allowed`);
  if (count !== 1 && count !== 3) throw new ImageError(`${name}: unsupported JPEG: ${count} colour components (CMYK/YCCK); convert it to RGB`);
  if (e - s < 6 + 3 * count) throw new ImageError(`${name}: corrupt JPEG: the frame header is too short`);
  const components: Component[] = [];
  for (let i = 0; i < count; i++) {
    const p = s + 6 + 3 * i;
    const h = count === 1 ? 1 : bytes[p + 1] >> 4;
    const v = count === 1 ? 1 : bytes[p + 1] & 15;
    if (h < 1 || h > 4 || v < 1 || v > 4) throw new ImageError(`${name}: corrupt JPEG: sampling factors ${h}×${v}`);
    components.push({ id: bytes[p], h, v, tq: bytes[p + 2] & 3, blocksPerLine: 0, blocksPerColumn: 0, width: 0, height: 0,
      coefficientOffset: 0, coefficients: new Int32Array(0), dcPredictor: 0 });
  }
  const hMax = Math.max(...components.map((c) => c.h));
  const vMax = Math.max(...components.map((c) => c.v));
  const mcusPerLine = Math.ceil(width / (8 * hMax));
  const mcusPerColumn = Math.ceil(height / (8 * vMax));
  for (const c of components) {
    if (hMax % c.h !== 0 || vMax % c.v !== 0) throw new ImageError(`${name}: unsupported JPEG: fractional chroma sampling ${c.h}×${c.v} of ${hMax}×${vMax}`);
    c.blocksPerLine = mcusPerLine * c.h;
    c.blocksPerColumn = mcusPerColumn * c.v;
    c.width = Math.ceil((width * c.h) / hMax);
    c.height = Math.ceil((height * c.v) / vMax);
  }
  let offset = 0;
  for (const c of components) {
    c.coefficientOffset = offset;
    offset += c.blocksPerLine * c.blocksPerColumn * 64;
  }
  return { width, height, progressive, components, hMax, vMax, mcusPerLine, mcusPerColumn };
}

/**
 * IDCT every block, upsample the chroma as libjpeg does ("fancy"), convert to RGB (or L), in the backend's kernels
 * (src/kernels/jpeg.ts and its wasm twin). Full-size planes share one stride: the frame's MCU-padded width.
 */
function output(frame: Frame, quant: Int32Array[], adobeTransform: number, memory: ScanMemory): Decoded {
  const { width, height, components, hMax, vMax } = frame;
  const { heap, kernels } = currentBackend();
  const fullStride = frame.mcusPerLine * hMax * 8;
  const blocks: HeapBlock[] = [];
  const take = (kind: 'u8' | 'i32', n: number) => {
    const b = heap.block(kind, n);
    blocks.push(b);
    return b;
  };
  let image: HeapBlock<'u8'> | null = null;
  let handed = false;
  try {
    const parts = components.map((c) => {
      const upsampled = c.h !== hMax || c.v !== vMax;
      return {
        c,
        q: take('i32', 64),
        plane: take('u8', c.blocksPerLine * 8 * c.blocksPerColumn * 8),
        full: upsampled ? take('u8', fullStride * height) : null,
      };
    });
    // The image itself is the caller's to free once handed over.
    const out = heap.block('u8', width * height * components.length);
    image = out;
    const done = (shape: [number, number, number]): Decoded => {
      handed = true;
      return { block: out, shape };
    };
    // Views only now: an allocation above may have grown (and detached) the memory.
    for (const p of parts) {
      const n = p.c.blocksPerLine * p.c.blocksPerColumn * 64;
      const coef = memory.coefficients.view.subarray(p.c.coefficientOffset, p.c.coefficientOffset + n);
      (p.q.view as Int32Array).set(quant[p.c.tq]);
      kernels.jpegIdctIslow(p.plane.view as Uint8Array, coef, p.q.view as Int32Array, p.c.blocksPerLine, p.c.blocksPerColumn);
      if (p.full !== null) upsample(kernels, p.full.view as Uint8Array, fullStride, p.plane.view as Uint8Array, p.c, frame);
    }
    const planeOf = (i: number) => (parts[i].full ?? parts[i].plane).view as Uint8Array;
    const result = out.view as Uint8Array;
    if (components.length === 1) {
      const stride = parts[0].c.blocksPerLine * 8;
      const plane = planeOf(0);
      for (let y = 0; y < height; y++) result.set(plane.subarray(y * stride, y * stride + width), y * width);
      return done([height, width, 1]);
    }
    // RGB stored as is: an Adobe marker saying so, or no Adobe marker and components named 'R', 'G', 'B'.
    const rgb = adobeTransform === 0 || (adobeTransform < 0 && components[0].id === 82 && components[1].id === 71 && components[2].id === 66);
    const [p0, p1, p2] = [planeOf(0), planeOf(1), planeOf(2)];
    if (rgb) {
      for (let y = 0; y < height; y++) {
        for (let x = 0, i = y * fullStride, o = y * width * 3; x < width; x++, i++, o += 3) {
          result[o] = p0[i];
          result[o + 1] = p1[i];
          result[o + 2] = p2[i];
        }
      }
    } else kernels.jpegYccToRgb(result, p0, p1, p2, width, height, fullStride);
    return done([height, width, 3]);
  } finally {
    for (const b of blocks) b.free();
    if (!handed) image?.free();
  }
}

/** A component upsampled to the frame's size into out (outStride per row), as libjpeg-turbo's jdsample.c does. */
function upsample(kernels: Kernels, out: Uint8Array, outStride: number, plane: Uint8Array, c: Component, frame: Frame): void {
  const { width, height, hMax, vMax } = frame;
  const hx = hMax / c.h;
  const vx = vMax / c.v;
  const stride = c.blocksPerLine * 8;
  if (hx === 2 && (vx === 1 || vx === 2) && c.width > 2) {
    kernels.jpegUpsampleFancy(out, outStride, plane, stride, c.width, c.height, width, height, vx === 2);
  } else if (hx === 1 && vx === 2) {
    // jdsample.c h1v2_fancy_upsample: 3/4 of the nearer row and 1/4 of the next nearest, rounding bias 1 for the
    // upper output row of a pair and 2 for the lower (tested against PIL on cjpeg's 4:4:0 files).
    for (let y = 0; y < height; y++) {
      const upper = (y & 1) === 0;
      const near = Math.min(y >> 1, c.height - 1) * stride;
      const far = Math.min(Math.max(upper ? (y >> 1) - 1 : (y >> 1) + 1, 0), c.height - 1) * stride;
      const bias = upper ? 1 : 2;
      for (let x = 0; x < width; x++) out[y * outStride + x] = (plane[near + x] * 3 + plane[far + x] + bias) >> 2;
    }
  } else {
    // Box replication: libjpeg's int_upsample, and h2v1/h2v2 for components at most 2 samples wide.
    for (let y = 0; y < height; y++) {
      const r = Math.floor(y / vx) * stride;
      for (let x = 0; x < width; x++) out[y * outStride + x] = plane[r + Math.floor(x / hx)];
    }
  }
}
