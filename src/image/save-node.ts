// Keras' save_img: an array (or an Img) written as a PNG file, atomically (the old file stays whole on failure).
import { writeFileAtomic } from '../write-file-node.js';
import { arrayToImg, type DataFormat } from './array.js';
import { checkImg, type Img } from './img.js';
import { encodePng } from './png-encode.js';

export interface SaveImgOptions {
  dataFormat?: DataFormat;
  /** Stretch float values to 0..255 first (Keras' default, array_to_img's scale); ignored for an Img. */
  scale?: boolean;
}

/** Writes `x` to `path` as PNG (the only format pixprep writes: the path must end in .png). */
export async function saveImg(path: string, x: Img | { data: ArrayLike<number>; shape: readonly number[] },
  { dataFormat = 'channelsLast', scale = true }: SaveImgOptions = {}): Promise<void> {
  if (typeof path !== 'string' || !/\.png$/i.test(path)) {
    throw new TypeError(`saveImg: path must name a .png file (pixprep writes PNG only), received ${JSON.stringify(path)}`);
  }
  let img: Img;
  if (x !== null && typeof x === 'object' && x.data instanceof Uint8Array && dataFormat === 'channelsLast') {
    checkImg('saveImg', x);
    img = x as Img;
  } else img = arrayToImg(x, { dataFormat, scale });
  await writeFileAtomic('saveImg', path, await encodePng(img));
}
