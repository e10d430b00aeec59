// loadImg's pipeline, as Keras' load_img runs it: decode, convert to the colour mode, then resize (so a grayscale
// load resizes one channel, exactly as PIL does after convert('L')). The browser-safe entry: bytes, a Blob or File,
// or a URL (fetched). pixprep/node's loadImg reads paths (load-node.ts) and then runs the same pipeline.
import { toColorMode } from './color.js';
import { decodeImage } from './decode.js';
import type { Img } from './img.js';
import { resolveLoadOptions, type LoadImgOptions, type ResolvedLoadOptions } from './options.js';
import { resizeImage } from './resize.js';
import { describeValue } from '../errors.js';

/** Decoded img → colour mode → target size, as load_img does (a resize only when the size differs). */
export function prepareImg(img: Img, o: ResolvedLoadOptions): Img {
  const converted = toColorMode(img, o.colorMode);
  if (o.targetSize === null) return converted;
  const [h, w] = converted.shape;
  if (h === o.targetSize[0] && w === o.targetSize[1]) return converted;
  return resizeImage(converted, o.targetSize, o.interpolation, o.keepAspectRatio);
}

/** Decodes bytes (named `name` in errors) and prepares them as loadImg does. */
export async function loadImgBytes(bytes: Uint8Array, name: string, options?: LoadImgOptions): Promise<Img> {
  const o = resolveLoadOptions('loadImg', options);
  return prepareImg(await decodeImage(bytes, name), o);
}

/** A Blob or File, bytes, or a URL string: its bytes and a name for messages. */
export async function readSource(where: string, source: unknown): Promise<{ bytes: Uint8Array; name: string }> {
  if (source instanceof Uint8Array) return { bytes: source, name: 'image bytes' };
  if (source instanceof ArrayBuffer) return { bytes: new Uint8Array(source), name: 'image bytes' };
  if (typeof Blob === 'function' && source instanceof Blob) {
    const name = typeof File === 'function' && source instanceof File ? source.name : 'image blob';
    return { bytes: new Uint8Array(await source.arrayBuffer()), name };
  }
  if (typeof source === 'string' || source instanceof URL) {
    const url = String(source);
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${where}: cannot fetch ${url} (HTTP ${response.status})`);
    return { bytes: new Uint8Array(await response.arrayBuffer()), name: url };
  }
  throw new TypeError(`${where}: expected a Blob, File, URL or Uint8Array, received ${describeValue(source)}`);
}

/**
 * Loads an image as Keras' load_img does: { data: Uint8Array, shape: [height, width, channels] }.
 * In the browser entry, `source` is a Blob/File, a URL, or the file's bytes; pixprep/node also takes a path.
 */
export async function loadImg(source: Blob | URL | string | Uint8Array | ArrayBuffer, options?: LoadImgOptions): Promise<Img> {
  const o = resolveLoadOptions('loadImg', options);
  const { bytes, name } = await readSource('loadImg', source);
  return prepareImg(await decodeImage(bytes, name), o);
}
