// loadImg's options, checked once, with Keras' defaults (keras/utils/image_utils.py load_img).
import { describeValue } from '../errors.js';
import { checkOptionNames } from '../unknown-option-error.js';
import { COLOR_MODES, INTERPOLATIONS, type ColorMode, type Interpolation } from './img.js';

export interface LoadImgOptions {
  /** 'grayscale' (1 channel), 'rgb' (3, the default) or 'rgba' (4). */
  colorMode?: ColorMode;
  /** [height, width] to resize to; null or absent: the file's own size. */
  targetSize?: readonly [number, number] | null;
  /** PIL's resampling filter: 'nearest' (Keras' default), 'bilinear' or 'bicubic'. */
  interpolation?: Interpolation;
  /** Crop the centre to the target's aspect ratio before resizing, as Keras does. */
  keepAspectRatio?: boolean;
}

export interface ResolvedLoadOptions {
  colorMode: ColorMode;
  targetSize: [number, number] | null;
  interpolation: Interpolation;
  keepAspectRatio: boolean;
}

const KNOWN = ['colorMode', 'targetSize', 'interpolation', 'keepAspectRatio'];

export function resolveLoadOptions(where: string, options: LoadImgOptions | undefined): ResolvedLoadOptions {
  if (options === undefined) return { colorMode: 'rgb', targetSize: null, interpolation: 'nearest', keepAspectRatio: false };
  if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options must be an object, received ${describeValue(options)}`);
  checkOptionNames(where, options, KNOWN);
  const { colorMode = 'rgb', targetSize = null, interpolation = 'nearest', keepAspectRatio = false } = options;
  if (!COLOR_MODES.includes(colorMode)) {
    throw new TypeError(`${where}: colorMode must be one of ${COLOR_MODES.map((m) => `'${m}'`).join(', ')}, received ${describeValue(colorMode)}`);
  }
  if (targetSize !== null && (!Array.isArray(targetSize) || targetSize.length !== 2 || !targetSize.every((v) => Number.isInteger(v) && v >= 1))) {
    throw new TypeError(`${where}: targetSize must be [height, width], two positive integers, or null, received ${describeValue(targetSize)}`);
  }
  if (!INTERPOLATIONS.includes(interpolation)) {
    throw new TypeError(`${where}: interpolation must be one of ${INTERPOLATIONS.map((m) => `'${m}'`).join(', ')}, received ${describeValue(interpolation)}`);
  }
  if (typeof keepAspectRatio !== 'boolean') throw new TypeError(`${where}: keepAspectRatio must be a boolean, received ${describeValue(keepAspectRatio)}`);
  return { colorMode, targetSize: targetSize === null ? null : [targetSize[0], targetSize[1]], interpolation, keepAspectRatio };
}
