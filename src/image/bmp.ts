// Windows BMP decoding: uncompressed 1/4/8-bit palette, 24-bit BGR and 32-bit BGRX/BGRA (BI_RGB and the default
// BI_BITFIELDS masks), bottom-up or top-down rows padded to 4 bytes. Output as PIL gives it: palette and 24-bit
// images as RGB (a palette whose entries are all gray as L, as PIL does), 32-bit as RGB (PIL ignores the fourth byte
// of BI_RGB; BI_BITFIELDS with an alpha mask gives RGBA). RLE-compressed BMPs are refused with a clear error.
import { ImageError, type Img } from './img.js';
import { MAX_PIXELS } from './png.js';

export function isBmp(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

export function decodeBmp(bytes: Uint8Array, name: string): Img {
  if (bytes.length < 26) throw new ImageError(`${name}: truncated BMP: ${bytes.length} bytes, not even a header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  if (headerSize < 40) throw new ImageError(`${name}: unsupported BMP: OS/2 header of ${headerSize} bytes (convert it to PNG)`);
  if (bytes.length < 14 + headerSize) throw new ImageError(`${name}: truncated BMP: the file ends inside its header`);
  const width = view.getInt32(18, true);
  const rawHeight = view.getInt32(22, true);
  const bits = view.getUint16(28, true);
  const compression = view.getUint32(30, true);
  const height = Math.abs(rawHeight);
  const topDown = rawHeight < 0;
  if (width <= 0 || height === 0) throw new ImageError(`${name}: corrupt BMP: size ${width}×${rawHeight}`);
  if (width * height > MAX_PIXELS) throw new ImageError(`${name}: ${width}×${height} pixels is more than the ${MAX_PIXELS} allowed`);
  if (![1, 4, 8, 24, 32].includes(bits)) throw new ImageError(`${name}: unsupported BMP: ${bits} bits per pixel (convert it to PNG)`);
  let masks: number[] | null = null;
  if (compression === 3 && bits === 32) {
    const m = headerSize >= 52 ? 14 + 40 : 14 + headerSize;
    if (bytes.length < m + 12) throw new ImageError(`${name}: truncated BMP: the file ends inside its colour masks`);
    masks = [view.getUint32(m, true), view.getUint32(m + 4, true), view.getUint32(m + 8, true), headerSize >= 56 ? view.getUint32(m + 12, true) : 0];
    if (masks[0] !== 0xff0000 || masks[1] !== 0xff00 || masks[2] !== 0xff) {
      throw new ImageError(`${name}: unsupported BMP: bit-field masks other than 8-bit BGR (convert it to PNG)`);
    }
  } else if (compression !== 0) {
    throw new ImageError(`${name}: unsupported BMP: compression ${compression} (RLE or embedded JPEG/PNG; convert it to PNG)`);
  }
  const stride = Math.ceil((width * bits) / 32) * 4;
  if (dataOffset + stride * height > bytes.length) {
    throw new ImageError(`${name}: truncated BMP: pixel data needs ${dataOffset + stride * height} bytes, the file has ${bytes.length}`);
  }
  let palette: Uint8Array | null = null;
  let gray = false;
  if (bits <= 8) {
    const declared = view.getUint32(46, true);
    const entries = declared === 0 ? 1 << bits : Math.min(declared, 1 << bits);
    const at = 14 + headerSize;
    if (at + 4 * entries > dataOffset) throw new ImageError(`${name}: corrupt BMP: the palette overlaps the pixel data`);
    palette = new Uint8Array(3 * (1 << bits));
    gray = true;
    for (let i = 0; i < entries; i++) {
      palette[3 * i] = bytes[at + 4 * i + 2];
      palette[3 * i + 1] = bytes[at + 4 * i + 1];
      palette[3 * i + 2] = bytes[at + 4 * i];
      if (palette[3 * i] !== palette[3 * i + 1] || palette[3 * i] !== palette[3 * i + 2]) gray = false;
    }
  }
  const alpha = masks !== null && masks[3] === 0xff000000;
  const channels = gray ? 1 : alpha ? 4 : 3;
  const out = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * stride;
    let o = y * width * channels;
    for (let x = 0; x < width; x++, o += channels) {
      if (palette !== null) {
        const k = bits === 8 ? bytes[row + x] : bits === 4 ? (bytes[row + (x >> 1)] >> (4 - 4 * (x & 1))) & 15 : (bytes[row + (x >> 3)] >> (7 - (x & 7))) & 1;
        if (gray) out[o] = palette[3 * k];
        else {
          out[o] = palette[3 * k];
          out[o + 1] = palette[3 * k + 1];
          out[o + 2] = palette[3 * k + 2];
        }
      } else {
        const s = row + x * (bits >> 3);
        out[o] = bytes[s + 2];
        out[o + 1] = bytes[s + 1];
        out[o + 2] = bytes[s];
        if (alpha) out[o + 3] = bytes[s + 3];
      }
    }
  }
  return { data: out, shape: [height, width, channels] };
}
