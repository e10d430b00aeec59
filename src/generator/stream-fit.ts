// Streaming fit: what partialFit and fitStream accept as a stream of chunks. Any async iterable of image sets works
// (an async generator, a Node Readable in object mode, idxImageChunks from pixprep/node); the generator folds one
// chunk at a time, so memory is that of one chunk whatever the length of the stream.
import type { ImageInput } from './image-set.js';

/** Chunks of images, each an image set ({ data, shape }) of any number of images of the same channels. */
export type ChunkStream = AsyncIterable<ImageInput>;

/** True for an async iterable (what partialFit treats as a stream rather than as one image set). */
export function isChunkStream(x: unknown): x is ChunkStream {
  return x !== null && typeof x === 'object' && typeof (x as Record<symbol, unknown>)[Symbol.asyncIterator] === 'function';
}
