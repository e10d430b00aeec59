// The decoder a file flow uses unless given one: in a browser the platform's (createImageBitmap, then the pixels of
// an OffscreenCanvas: always RGBA, converted here to the colour mode as PIL converts), elsewhere pixprep's own.
import { decodeImage, type ColorMode, type Img } from './image-shim.js';

interface BitmapLike { width: number; height: number; close(): void }
interface CanvasLike { getContext(kind: '2d'): { drawImage(b: BitmapLike, x: number, y: number): void; getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null }
type Globals = {
  createImageBitmap?: (blob: Blob, options?: object) => Promise<BitmapLike>;
  OffscreenCanvas?: new (w: number, h: number) => CanvasLike;
};

export async function browserDecode(bytes: Uint8Array, name: string, mode: ColorMode): Promise<Img> {
  const g = globalThis as Globals;
  let bitmap: BitmapLike;
  try {
    bitmap = await g.createImageBitmap!(new Blob([bytes as BlobPart]), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch (cause) {
    throw new Error(`${name} is not an image this browser can decode`, { cause });
  }
  const { width, height } = bitmap;
  const context = new g.OffscreenCanvas!(width, height).getContext('2d')!;
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = context.getImageData(0, 0, width, height).data;
  const c = mode === 'grayscale' ? 1 : mode === 'rgb' ? 3 : 4;
  const out = new Uint8Array(width * height * c);
  for (let p = 0; p < width * height; p++) {
    const [r, gr, b] = [rgba[4 * p], rgba[4 * p + 1], rgba[4 * p + 2]];
    // PIL's convert('L'): L = (R·19595 + G·38470 + B·7471 + 2^15) >> 16, the ITU-R 601 weights in 16-bit fixed point.
    if (c === 1) out[p] = (r * 19595 + gr * 38470 + b * 7471 + 0x8000) >>> 16;
    else for (let k = 0; k < c; k++) out[p * c + k] = rgba[4 * p + k];
  }
  return { data: out, shape: [height, width, c] };
}

export function defaultDecoder(): (bytes: Uint8Array, name: string, mode: ColorMode) => Img | Promise<Img> {
  const g = globalThis as Globals & { process?: { versions?: { node?: string } } };
  if (g.process?.versions?.node === undefined && g.createImageBitmap !== undefined && g.OffscreenCanvas !== undefined) return browserDecode;
  return (bytes, name) => decodeImage(bytes, name);
}
