// Colour-mode conversion with PIL's formulas (libImaging/Convert.c), which Keras' load_img calls through
// Image.convert: RGB → L is L = (19595 R + 38470 G + 7471 B + 32768) >> 16 (ITU-R 601-2 luma in 16-bit fixed
// point, rounded); L → RGB copies L into each channel; RGB → RGBA adds alpha 255; RGBA → RGB drops alpha (no
// compositing); RGBA → L ignores alpha.
import { CHANNELS_OF, COLOR_MODES, checkImg, type ColorMode, type Img } from './img.js';
import { describeValue } from '../errors.js';

/** img in colour mode `mode`: a new image (img itself when it already has that mode's channels; never modified). */
export function toColorMode(img: Img, mode: ColorMode): Img {
  checkImg('toColorMode', img);
  if (!COLOR_MODES.includes(mode)) {
    throw new TypeError(`toColorMode: colorMode must be one of ${COLOR_MODES.map((m) => `'${m}'`).join(', ')}, received ${describeValue(mode)}`);
  }
  const [h, w, c] = img.shape;
  const k = CHANNELS_OF[mode];
  if (c === k) return img;
  const n = h * w;
  const src = img.data;
  const out = new Uint8Array(n * k);
  if (k === 1) {
    for (let i = 0, s = 0; i < n; i++, s += c) out[i] = (src[s] * 19595 + src[s + 1] * 38470 + src[s + 2] * 7471 + 0x8000) >>> 16;
  } else if (c === 1) {
    for (let i = 0, o = 0; i < n; i++, o += k) {
      out[o] = out[o + 1] = out[o + 2] = src[i];
      if (k === 4) out[o + 3] = 255;
    }
  } else {
    for (let i = 0, s = 0, o = 0; i < n; i++, s += c, o += k) {
      out[o] = src[s];
      out[o + 1] = src[s + 1];
      out[o + 2] = src[s + 2];
      if (k === 4) out[o + 3] = 255;
    }
  }
  return { data: out, shape: [h, w, k] };
}
