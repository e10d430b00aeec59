// The decoder a file flow uses unless given one: pixprep's own (src/image: PNG, BMP, PPM, and JPEG where installed),
// which reports each file's own channels. In a browser, a format it cannot decode there (JPEG) goes to the
// platform's decoder (createImageBitmap, then the pixels of an OffscreenCanvas: always RGBA, so it is converted to
// the colour mode here, as PIL's convert does).
import { decodeImage, imageFormat, toColorMode, type ColorMode, type Img } from '../image/index.js';

interface BitmapLike { width: number; height: number; close(): void }
interface CanvasLike { getContext(kind: '2d'): { drawImage(b: BitmapLike, x: number, y: number): void; getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null }
type Globals = {
  createImageBitmap?: (blob: Blob, options?: object) => Promise<BitmapLike>;
  OffscreenCanvas?: new (w: number, h: number) => CanvasLike;
  process?: { versions?: { node?: string } };
};

async function platformDecode(bytes: Uint8Array, name: string, mode: ColorMode): Promise<Img> {
  const g = globalThis as Globals;
  let bitmap: BitmapLike;
  try {
    bitmap = await g.createImageBitmap!(new Blob([bytes as BlobPart]), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch (cause) {
    throw new Error(`${name}: not an image this browser can decode`, { cause });
  }
  const { width, height } = bitmap;
  const context = new g.OffscreenCanvas!(width, height).getContext('2d')!;
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = new Uint8Array(context.getImageData(0, 0, width, height).data.buffer);
  return toColorMode({ data: rgba, shape: [height, width, 4] }, mode);
}

export function defaultDecoder(): (bytes: Uint8Array, name: string, mode: ColorMode) => Img | Promise<Img> {
  const g = globalThis as Globals;
  const browser = g.process?.versions?.node === undefined && g.createImageBitmap !== undefined && g.OffscreenCanvas !== undefined;
  if (!browser) return (bytes, name) => decodeImage(bytes, name);
  return (bytes, name, mode) => (imageFormat(bytes) === 'jpeg' ? platformDecode(bytes, name, mode) : decodeImage(bytes, name));
}
