// Image files (browser-safe part): decoding, colour modes, PIL-exact resizing, Keras' load_img / img_to_array /
// array_to_img. pixprep/node adds loadImg from paths, saveImg, JPEG and decodeMany on worker threads.
export { type Img, type ColorMode, type Interpolation, ImageError, COLOR_MODES, INTERPOLATIONS } from './img.js';
export { decodeImage, imageFormat, type ImageFormat } from './decode.js';
export { toColorMode } from './color.js';
export { resizeImage, sourceBox } from './resize.js';
export { loadImg } from './load.js';
export type { LoadImgOptions } from './options.js';
export { imgToArray, arrayToImg, type FloatImage } from './array.js';
export { encodePng } from './png-encode.js';
