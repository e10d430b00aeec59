// Test fixtures: a minimal PNG encoder (node:zlib deflate + CRC-32, 8-bit, no filtering or filter "up") and a
// writer for trees of class folders. Independent of src/: written from the PNG specification (RFC 2083).
import { deflateSync } from 'node:zlib';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Random } from '../../src/random.js';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 255] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, body: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, 'ascii');
  out.set(body, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
  return out;
}

/** PNG bytes of an 8-bit image, HWC, channels 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA). */
export function encodePng(data: Uint8Array, height: number, width: number, channels: number, filter: 0 | 2 = 0): Buffer {
  const colour = { 1: 0, 2: 4, 3: 2, 4: 6 }[channels]!;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = colour;
  const stride = width * channels;
  const raw = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = filter;
    for (let x = 0; x < stride; x++) {
      const v = data[y * stride + x];
      const up = filter === 2 && y > 0 ? data[(y - 1) * stride + x] : 0;
      raw[y * (stride + 1) + 1 + x] = (v - up) & 255;
    }
  }
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `pixprep-${prefix}-`));
}

export function writeFile(root: string, path: string, bytes: Uint8Array | string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), bytes);
}

/** Random pixels of one h×w×c image. */
export function randomImage(h: number, w: number, c: number, seed: number): Uint8Array {
  const rng = new Random(seed);
  return Uint8Array.from({ length: h * w * c }, () => rng.int(256));
}

/**
 * Synthetic shapes for training: class 0 a filled square, class 1 a ring, at a random place and brightness, with
 * noise; h×w×c. A network separates them within an epoch.
 */
export function shapeImage(cls: number, h: number, w: number, c: number, seed: number): Uint8Array {
  const rng = new Random(seed);
  const out = new Uint8Array(h * w * c);
  const r = Math.floor(Math.min(h, w) / 4);
  const cy = r + rng.int(Math.max(1, h - 2 * r));
  const cx = r + rng.int(Math.max(1, w - 2 * r));
  const level = 150 + rng.int(100);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const d = Math.max(Math.abs(y - cy), Math.abs(x - cx));
      const on = cls === 0 ? d <= r : Math.hypot(y - cy, x - cx) <= r && Math.hypot(y - cy, x - cx) >= r - 2;
      for (let k = 0; k < c; k++) out[(y * w + x) * c + k] = on ? level : rng.int(40);
    }
  }
  return out;
}
