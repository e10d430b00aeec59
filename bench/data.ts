// Seeded synthetic data: MNIST's shape and value range without a download, the same bytes in every run.
import { Random } from '../src/random.js';

export const MNIST = { n: 60_000, height: 28, width: 28, channels: 1 } as const;
export const IMAGE_SIZE = MNIST.height * MNIST.width * MNIST.channels;

/** Uniform bytes 0..255. */
export function seededBytes(n: number, seed: number): Uint8Array {
  const random = new Random(seed);
  const out = new Uint8Array(n);
  const words = Math.floor(n / 4);
  const view = new Uint32Array(out.buffer, 0, words);
  for (let i = 0; i < words; i++) view[i] = random.nextUint32();
  for (let i = words * 4; i < n; i++) out[i] = random.nextUint32() & 255;
  return out;
}

/** Floats in [0, 1), as normalized pixels would be. */
export function seededFloats(n: number, seed: number): Float32Array {
  const bytes = seededBytes(n, seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = bytes[i] / 255;
  return out;
}

/** Class labels 0..9. */
export function seededLabels(n: number, seed: number): Uint8Array {
  const random = new Random(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = random.int(10);
  return out;
}
