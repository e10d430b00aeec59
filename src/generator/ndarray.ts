// ndarray interop without depending on ndarray: the caller passes the `ndarray` function they already import.
import type { ImageSet, PixelArray } from './image-set.js';

type NdarrayFactory<T> = (data: PixelArray, shape: number[]) => T;

/** Hands a pixprep result back as an ndarray: `toNdarray(batch.x, ndarray)`. Shares the data, copies nothing. */
export function toNdarray<T>(result: ImageSet, ndarray: NdarrayFactory<T>): T {
  if (typeof ndarray !== 'function') {
    throw new TypeError('toNdarray: pass the ndarray function as the second argument: toNdarray(x, ndarray)');
  }
  return ndarray(result.data, Array.from(result.shape));
}
