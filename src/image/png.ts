// PNG decoding (ISO/IEC 15948): chunks with their CRCs checked, the IDAT stream inflated (inflate.ts), the scanline
// filters undone, and the samples turned into 8-bit L, RGB or RGBA as PIL's PngImagePlugin + convert do:
// - 1, 2, 4-bit gray scaled to 0..255 (v · 255 / (2^bits − 1)), 16-bit colour reduced to its high byte (PIL's
//   "RGB;16B" unpackers); 16-bit grayscale is refused (PIL keeps it as 32-bit "I", which pixprep does not model);
// - gray + alpha becomes RGBA (g, g, g, a): convert('L') of that gives g back exactly (19595 + 38470 + 7471 = 65536);
// - a palette is looked up (entries past its end are black, as in PIL), with tRNS alpha giving RGBA;
// - a tRNS colour key on gray or RGB gives RGBA, as PIL's convert('RGBA') applies it;
// - Adam7-interlaced images are de-interlaced.
import { crc32 } from './crc32.js';
import { ImageError, type Img } from './img.js';
import { inflate } from './inflate.js';

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

/** PIL's decompression-bomb limit (2 × Image.MAX_IMAGE_PIXELS): larger images are refused, not allocated. */
export const MAX_PIXELS = 178956970;

interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced: boolean;
}

interface PngChunks {
  header: PngHeader;
  palette: Uint8Array | null;
  transparency: Uint8Array | null;
  idat: Uint8Array;
}

/** Samples per pixel of each PNG colour type. */
const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

/** Decodes a PNG file; `name` starts every error message. Synchronous where node:zlib exists (inflate.ts). */
export function decodePng(bytes: Uint8Array, name: string,
  inflater: (data: Uint8Array, maxBytes: number, what: string) => Uint8Array | Promise<Uint8Array> = inflate): Img | Promise<Img> {
  const png = readChunks(bytes, name);
  const { width, height, bitDepth, colorType, interlaced } = png.header;
  const samples = SAMPLES[colorType];
  let need = 0;
  for (const [w, h] of passSizes(width, height, interlaced)) if (w > 0 && h > 0) need += h * (1 + Math.ceil((w * samples * bitDepth) / 8));
  const what = `${name}: corrupt PNG image data (zlib)`;
  const raw = inflater(png.idat, need, what);
  return raw instanceof Promise ? raw.then((r) => pixels(png, r, need, name)) : pixels(png, raw, need, name);
}

function readChunks(bytes: Uint8Array, name: string): PngChunks {
  if (!isPng(bytes)) throw new ImageError(`${name}: not a PNG file (its first bytes are not the PNG signature)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: PngHeader | null = null;
  let palette: Uint8Array | null = null;
  let transparency: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  let at = 8;
  let ended = false;
  while (at < bytes.length) {
    if (at + 8 > bytes.length) throw new ImageError(`${name}: truncated PNG: the file ends inside a chunk header at byte ${at} of ${bytes.length}`);
    const length = view.getUint32(at);
    const type = String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]);
    if (!/^[A-Za-z]{4}$/.test(type)) throw new ImageError(`${name}: corrupt PNG: a chunk at byte ${at} has no valid type`);
    const end = at + 12 + length;
    if (length > 0x7fffffff || end > bytes.length) {
      throw new ImageError(`${name}: truncated PNG: the file ends inside chunk ${type} (it needs ${end} bytes, the file has ${bytes.length})`);
    }
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (crc32(bytes, at + 4, at + 8 + length) !== view.getUint32(at + 8 + length)) {
      throw new ImageError(`${name}: corrupt PNG: chunk ${type} at byte ${at} fails its CRC check`);
    }
    if (header === null && type !== 'IHDR') throw new ImageError(`${name}: corrupt PNG: the first chunk is ${type}, not IHDR`);
    if (type === 'IHDR') header = readHeader(data, name);
    else if (type === 'PLTE') palette = data;
    else if (type === 'tRNS') transparency = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') {
      ended = true;
      break;
    }
    at = end;
  }
  if (header === null) throw new ImageError(`${name}: truncated PNG: no IHDR chunk`);
  if (idat.length === 0) throw new ImageError(`${name}: ${ended ? 'corrupt' : 'truncated'} PNG: no image data (IDAT chunk)`);
  if (header.colorType === 3 && palette === null) throw new ImageError(`${name}: corrupt PNG: a palette image without a PLTE chunk`);
  let total = 0;
  for (const c of idat) total += c.length;
  const joined = new Uint8Array(total);
  total = 0;
  for (const c of idat) {
    joined.set(c, total);
    total += c.length;
  }
  return { header, palette, transparency, idat: joined };
}

function readHeader(data: Uint8Array, name: string): PngHeader {
  if (data.length !== 13) throw new ImageError(`${name}: corrupt PNG: IHDR has ${data.length} bytes, not 13`);
  const view = new DataView(data.buffer, data.byteOffset, 13);
  const width = view.getUint32(0);
  const height = view.getUint32(4);
  const [bitDepth, colorType, compression, filter, interlace] = data.subarray(8, 13);
  if (width === 0 || height === 0) throw new ImageError(`${name}: corrupt PNG: size ${width}×${height}`);
  if (!(colorType in SAMPLES) || !DEPTHS[colorType].includes(bitDepth)) {
    throw new ImageError(`${name}: corrupt PNG: colour type ${colorType} with bit depth ${bitDepth} is not a PNG format`);
  }
  if (colorType === 0 && bitDepth === 16) {
    throw new ImageError(`${name}: unsupported PNG: 16-bit grayscale (convert it to 8 bits, e.g. PIL's convert('L') or ImageMagick -depth 8)`);
  }
  if (compression !== 0 || filter !== 0 || interlace > 1) {
    throw new ImageError(`${name}: corrupt PNG: compression ${compression}, filter ${filter}, interlace ${interlace} (PNG defines 0, 0, 0 or 1)`);
  }
  if (width * height > MAX_PIXELS) {
    throw new ImageError(`${name}: ${width}×${height} pixels is more than the ${MAX_PIXELS} allowed (PIL's decompression-bomb limit)`);
  }
  return { width, height, bitDepth, colorType, interlaced: interlace === 1 };
}

// Adam7: each pass's first column and row, and its steps.
const X0 = [0, 4, 0, 2, 0, 1, 0];
const Y0 = [0, 0, 4, 0, 2, 0, 1];
const DX = [8, 8, 4, 4, 2, 2, 1];
const DY = [8, 8, 8, 4, 4, 2, 2];

function passSizes(width: number, height: number, interlaced: boolean): [number, number][] {
  if (!interlaced) return [[width, height]];
  return X0.map((x0, p) => [Math.ceil((width - x0) / DX[p]), Math.ceil((height - Y0[p]) / DY[p])]);
}

function pixels(png: PngChunks, raw: Uint8Array, need: number, name: string): Img {
  if (raw.length < need) {
    throw new ImageError(`${name}: truncated PNG: the image data inflates to ${raw.length} bytes, its header needs ${need}`);
  }
  const { width, height, bitDepth, colorType, interlaced } = png.header;
  const samples = SAMPLES[colorType];
  const channels = outputChannels(png);
  const out = new Uint8Array(width * height * channels);
  const bpp = Math.max(1, (samples * bitDepth) >> 3);
  const expand = expander(png, channels);
  let at = 0;
  const passes = passSizes(width, height, interlaced);
  for (let p = 0; p < passes.length; p++) {
    const [w, h] = passes[p];
    if (w === 0 || h === 0) continue;
    const stride = Math.ceil((w * samples * bitDepth) / 8);
    let previous = new Uint8Array(stride);
    let row = new Uint8Array(stride);
    const x0 = interlaced ? X0[p] : 0;
    const dx = interlaced ? DX[p] : 1;
    for (let y = 0; y < h; y++) {
      const filter = raw[at];
      if (filter > 4) throw new ImageError(`${name}: corrupt PNG: row ${y} has filter type ${filter} (PNG defines 0 to 4)`);
      unfilter(row, raw.subarray(at + 1, at + 1 + stride), previous, filter, bpp);
      at += 1 + stride;
      const oy = interlaced ? Y0[p] + y * DY[p] : y;
      expand(out, oy * width, x0, dx, row, w);
      [previous, row] = [row, previous];
    }
  }
  return { data: out, shape: [height, width, channels] };
}

function unfilter(row: Uint8Array, line: Uint8Array, up: Uint8Array, filter: number, bpp: number): void {
  const n = line.length;
  switch (filter) {
    case 0: row.set(line); break;
    case 1:
      for (let i = 0; i < n; i++) row[i] = line[i] + (i >= bpp ? row[i - bpp] : 0);
      break;
    case 2:
      for (let i = 0; i < n; i++) row[i] = line[i] + up[i];
      break;
    case 3:
      for (let i = 0; i < n; i++) row[i] = line[i] + (((i >= bpp ? row[i - bpp] : 0) + up[i]) >> 1);
      break;
    default:
      for (let i = 0; i < n; i++) {
        const a = i >= bpp ? row[i - bpp] : 0;
        const b = up[i];
        const c = i >= bpp ? up[i - bpp] : 0;
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        row[i] = line[i] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
      }
  }
}

function outputChannels(png: PngChunks): number {
  const { colorType } = png.header;
  if (colorType === 4 || colorType === 6) return 4;
  if (png.transparency !== null) return 4;
  return colorType === 0 ? 1 : 3;
}

type Expand = (out: Uint8Array, rowStart: number, x0: number, dx: number, row: Uint8Array, w: number) => void;

/** Writes w pixels of one unfiltered row into out at columns x0, x0 + dx, … of the output row starting at rowStart. */
function expander(png: PngChunks, channels: number): Expand {
  const { bitDepth, colorType } = png.header;
  const samples = SAMPLES[colorType];
  const sample = sampleReader(bitDepth);
  const trns = png.transparency;
  if (colorType === 3) {
    const palette = png.palette as Uint8Array;
    const entries = Math.floor(palette.length / 3);
    return (out, rowStart, x0, dx, row, w) => {
      for (let i = 0, o = (rowStart + x0) * channels; i < w; i++, o += dx * channels) {
        const k = sample(row, i);
        const inside = k < entries;
        out[o] = inside ? palette[3 * k] : 0;
        out[o + 1] = inside ? palette[3 * k + 1] : 0;
        out[o + 2] = inside ? palette[3 * k + 2] : 0;
        if (channels === 4) out[o + 3] = trns !== null && k < trns.length ? trns[k] : 255;
      }
    };
  }
  const scale = bitDepth < 8 ? 255 / ((1 << bitDepth) - 1) : 1;
  // tRNS on gray or RGB: one 16-bit sample per channel, compared before the reduction to 8 bits.
  const key = trns !== null && (colorType === 0 || colorType === 2)
    ? Array.from({ length: samples }, (_, c) => (trns[2 * c] << 8) | trns[2 * c + 1]) : null;
  return (out, rowStart, x0, dx, row, w) => {
    for (let i = 0, o = (rowStart + x0) * channels; i < w; i++, o += dx * channels) {
      let transparent = key !== null;
      for (let c = 0; c < samples; c++) {
        const v = sample(row, i * samples + c);
        if (key !== null && v !== key[c]) transparent = false;
        const v8 = bitDepth === 16 ? v >> 8 : Math.round(v * scale);
        if (colorType === 4) {
          if (c === 0) out[o] = out[o + 1] = out[o + 2] = v8;
          else out[o + 3] = v8;
        } else if (colorType === 0 && channels === 4) out[o] = out[o + 1] = out[o + 2] = v8;
        else out[o + c] = v8;
      }
      if (key !== null) out[o + 3] = transparent ? 0 : 255;
    }
  };
}

function sampleReader(bitDepth: number): (row: Uint8Array, i: number) => number {
  switch (bitDepth) {
    case 16: return (row, i) => (row[2 * i] << 8) | row[2 * i + 1];
    case 8: return (row, i) => row[i];
    case 4: return (row, i) => (row[i >> 1] >> (4 - 4 * (i & 1))) & 15;
    case 2: return (row, i) => (row[i >> 2] >> (6 - 2 * (i & 3))) & 3;
    default: return (row, i) => (row[i >> 3] >> (7 - (i & 7))) & 1;
  }
}
