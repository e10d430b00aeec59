// TEMPORARY stand-in for the images helper's src/image/* (decodeImage, toColorMode, resizeImage), with the same
// names and types, so the directory iterators can be built and tested before it lands: 8-bit non-interlaced PNG only
// (through node:zlib), nearest resizing as PIL maps pixel centres. Deleted when src/image/ is merged.
export type ColorMode = 'grayscale' | 'rgb' | 'rgba';
export type Interpolation = 'nearest' | 'bilinear' | 'bicubic';
export interface Img { data: Uint8Array; shape: [number, number, number] }

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

function inflate(bytes: Uint8Array): Uint8Array {
  const zlib = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:zlib') as
    { inflateSync(b: Uint8Array): Uint8Array } | undefined;
  if (zlib === undefined) throw new Error('decodeImage: this temporary PNG decoder needs node:zlib');
  return zlib.inflateSync(bytes);
}

export function decodeImage(bytes: Uint8Array, name = 'image'): Img {
  if (bytes.length === 0) throw new Error(`decodeImage: ${name} is empty (0 bytes)`);
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw new Error(`decodeImage: ${name} is not a PNG file (this build decodes PNG only)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8;
  let width = 0, height = 0, channels = 0;
  const idat: Uint8Array[] = [];
  let ended = false;
  while (at + 8 <= bytes.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (at + 12 + length > bytes.length) throw new Error(`decodeImage: ${name} is truncated (chunk ${type} runs past the end)`);
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      const depth = body[8], colour = body[9], interlace = body[12];
      channels = CHANNELS[colour] ?? 0;
      if (depth !== 8 || channels === 0 || interlace !== 0) throw new Error(`decodeImage: ${name}: unsupported PNG (bit depth ${depth}, colour type ${colour}, interlace ${interlace})`);
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') { ended = true; break; }
    at += 12 + length;
  }
  if (!ended || width === 0 || height === 0) throw new Error(`decodeImage: ${name} is truncated or corrupt (no IHDR/IEND)`);
  let raw: Uint8Array;
  try {
    const joined = new Uint8Array(idat.reduce((s, c) => s + c.length, 0));
    let o = 0;
    for (const c of idat) { joined.set(c, o); o += c.length; }
    raw = inflate(joined);
  } catch (cause) {
    throw new Error(`decodeImage: ${name} is corrupt (its pixel data does not inflate)`, { cause });
  }
  const stride = width * channels;
  if (raw.length < height * (stride + 1)) throw new Error(`decodeImage: ${name} is truncated (pixel data too short)`);
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[row + x - channels] : 0;
      const b = y > 0 ? out[row - stride + x] : 0;
      const c = x >= channels && y > 0 ? out[row - stride + x - channels] : 0;
      let p = line[x];
      if (filter === 1) p += a;
      else if (filter === 2) p += b;
      else if (filter === 3) p += (a + b) >> 1;
      else if (filter === 4) {
        const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c);
        p += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (filter !== 0) throw new Error(`decodeImage: ${name} is corrupt (filter ${filter} on row ${y})`);
      out[row + x] = p & 255;
    }
  }
  return { data: out, shape: [height, width, channels] };
}

export function toColorMode(img: Img, mode: ColorMode): Img {
  const want = mode === 'grayscale' ? 1 : mode === 'rgb' ? 3 : 4;
  if (img.shape[2] === want) return img;
  throw new Error(`toColorMode: the temporary decoder does not convert ${img.shape[2]} channels to ${mode}`);
}

export function resizeImage(img: Img, size: [number, number], interpolation: Interpolation, keepAspectRatio: boolean): Img {
  const [h, w, c] = img.shape;
  const [th, tw] = size;
  if (interpolation !== 'nearest') throw new Error(`resizeImage: the temporary resizer does nearest only, not ${interpolation}`);
  let [x0, y0, bw, bh] = [0, 0, w, h];
  if (keepAspectRatio) {
    bh = Math.min(h, Math.floor((w * th) / tw));
    bw = Math.min(w, Math.floor((h * tw) / th));
    y0 = Math.floor((h - bh) / 2);
    x0 = Math.floor((w - bw) / 2);
  }
  if (th === h && tw === w && bw === w && bh === h) return img;
  const out = new Uint8Array(th * tw * c);
  for (let y = 0; y < th; y++) {
    const sy = Math.min(h - 1, Math.floor(y0 + ((y + 0.5) * bh) / th));
    for (let x = 0; x < tw; x++) {
      const sx = Math.min(w - 1, Math.floor(x0 + ((x + 0.5) * bw) / tw));
      for (let k = 0; k < c; k++) out[(y * tw + x) * c + k] = img.data[(sy * w + sx) * c + k];
    }
  }
  return { data: out, shape: [th, tw, c] };
}
