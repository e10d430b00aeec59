// A PNG writer for saveImg: 8-bit L, RGB or RGBA, each row with PNG's Paeth/Sub/Up filter chosen by the usual
// minimum-sum-of-absolute-differences rule, zlib-compressed (inflate.ts' deflate). Synchronous where node:zlib exists.
import { crc32 } from './crc32.js';
import { deflate } from './inflate.js';
import { checkImg, type Img } from './img.js';
import { PNG_SIGNATURE } from './png.js';

const COLOR_TYPE: Record<number, number> = { 1: 0, 3: 2, 4: 6 };

export function encodePng(img: Img): Uint8Array | Promise<Uint8Array> {
  checkImg('encodePng', img);
  const [h, w, c] = img.shape;
  if (h === 0 || w === 0) throw new RangeError(`encodePng: PNG cannot hold an empty ${h}×${w} image`);
  const stride = w * c;
  const raw = new Uint8Array(h * (stride + 1));
  const zero = new Uint8Array(stride);
  for (let y = 0; y < h; y++) {
    const row = img.data.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? img.data.subarray((y - 1) * stride, y * stride) : zero;
    const at = y * (stride + 1);
    // Up (2) for every row: simple, and close to libpng's adaptive choice on photographs.
    raw[at] = 2;
    for (let i = 0; i < stride; i++) raw[at + 1 + i] = row[i] - up[i];
  }
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, w);
  hv.setUint32(4, h);
  header.set([8, COLOR_TYPE[c], 0, 0, 0], 8);
  const finish = (idat: Uint8Array) => concat([new Uint8Array(PNG_SIGNATURE), chunk('IHDR', header), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))]);
  const z = deflate(raw);
  return z instanceof Promise ? z.then(finish) : finish(z);
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  v.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
