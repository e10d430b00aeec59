// Netpbm decoding: binary PBM (P4), PGM (P5) and PPM (P6), and their ASCII forms (P1, P2, P3), with '#' comments in
// the header. maxval < 255 is scaled to 0..255 as PIL does (v · 255 / maxval, rounded); 16-bit (maxval > 255) is
// refused. PBM's 1 is black.
import { ImageError, type Img } from './img.js';
import { MAX_PIXELS } from './png.js';

export function isPpm(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x50 && bytes[1] >= 0x31 && bytes[1] <= 0x36;
}

export function decodePpm(bytes: Uint8Array, name: string): Img {
  const kind = bytes[1] - 0x30;
  const bitmap = kind === 1 || kind === 4;
  const channels = kind === 3 || kind === 6 ? 3 : 1;
  const ascii = kind <= 3;
  let at = 2;
  const token = (what: string): number => {
    for (;;) {
      while (at < bytes.length && /\s/.test(String.fromCharCode(bytes[at]))) at++;
      if (bytes[at] !== 0x23) break;
      while (at < bytes.length && bytes[at] !== 0x0a && bytes[at] !== 0x0d) at++;
    }
    const start = at;
    while (at < bytes.length && bytes[at] >= 0x30 && bytes[at] <= 0x39) at++;
    if (at === start) {
      throw new ImageError(at >= bytes.length ? `${name}: truncated P${kind} image: the file ends before its ${what}`
        : `${name}: corrupt P${kind} image: expected its ${what}, found '${String.fromCharCode(bytes[at])}'`);
    }
    return Number(new TextDecoder().decode(bytes.subarray(start, at)));
  };
  const width = token('width');
  const height = token('height');
  const maxval = bitmap ? 1 : token('maximum value');
  if (width === 0 || height === 0) throw new ImageError(`${name}: corrupt P${kind} image: size ${width}×${height}`);
  if (width * height > MAX_PIXELS) throw new ImageError(`${name}: ${width}×${height} pixels is more than the ${MAX_PIXELS} allowed`);
  if (maxval < 1 || maxval > 255) throw new ImageError(`${name}: unsupported P${kind} image: maximum value ${maxval} (pixprep reads 8-bit Netpbm; 1..255)`);
  const n = width * height * channels;
  const out = new Uint8Array(n);
  const scale = (v: number) => (maxval === 255 ? v : Math.round((v * 255) / maxval));
  if (ascii) {
    for (let i = 0; i < n; i++) {
      if (bitmap) {
        while (at < bytes.length && bytes[at] !== 0x30 && bytes[at] !== 0x31) {
          if (!/\s/.test(String.fromCharCode(bytes[at]))) throw new ImageError(`${name}: corrupt P1 image: unexpected '${String.fromCharCode(bytes[at])}'`);
          at++;
        }
        if (at >= bytes.length) throw new ImageError(`${name}: truncated P1 image: ${i} of ${n} pixels`);
        out[i] = bytes[at++] === 0x31 ? 0 : 255;
      } else {
        const v = token(`pixel value ${i}`);
        if (v > maxval) throw new ImageError(`${name}: corrupt P${kind} image: value ${v} above its maximum ${maxval}`);
        out[i] = scale(v);
      }
    }
    return { data: out, shape: [height, width, channels] };
  }
  at++; // the single whitespace byte after the header
  if (bitmap) {
    const stride = Math.ceil(width / 8);
    if (at + stride * height > bytes.length) throw new ImageError(`${name}: truncated P4 image: pixel data needs ${at + stride * height} bytes, the file has ${bytes.length}`);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) out[y * width + x] = (bytes[at + y * stride + (x >> 3)] >> (7 - (x & 7))) & 1 ? 0 : 255;
    }
    return { data: out, shape: [height, width, 1] };
  }
  if (at + n > bytes.length) throw new ImageError(`${name}: truncated P${kind} image: pixel data needs ${at + n} bytes, the file has ${bytes.length}`);
  for (let i = 0; i < n; i++) out[i] = scale(bytes[at + i]);
  return { data: out, shape: [height, width, channels] };
}
