// Decode workers for a directory flow (decodeWorkers > 0): Node's DecodePool (src/image/decode-pool-node.ts), loaded
// on first use by a dynamic import whose name bundlers do not follow, so the browser entry never pulls in
// node:worker_threads. The iterator (file-iterator.ts) sees only OffThreadDecoder: the file's bytes in, the prepared
// image and the file's own shape out, one promise per file, answered in any order and placed by the caller.
import type { ColorMode, Img, Interpolation } from '../image/index.js';

export interface OffThreadDecoder {
  /** Decodes `bytes` (named `name` in errors), converts to colorMode and resizes to targetSize as loadImg does. */
  decode(bytes: Uint8Array, name: string): Promise<{ img: Img; decoded: [number, number, number] }>;
  dispose(): Promise<void>;
}

interface PoolModule {
  DecodePool: new (options: { concurrency: number; prefetch: number }) => {
    decodeOne(source: { bytes: Uint8Array; name: string }, options: object): Promise<{ img: Img; decoded: [number, number, number] }>;
    dispose(): Promise<void>;
  };
}

/** In Node, the number of decode workers a directory flow uses by default (decodeWorkers: README, Image files). */
export function defaultDecodeWorkers(): number {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return proc?.versions?.node === undefined ? 0 : 1;
}

export async function startDecodeWorkers(where: string, count: number, load: {
  colorMode: ColorMode; targetSize: [number, number]; interpolation: Interpolation; keepAspectRatio: boolean;
}): Promise<OffThreadDecoder> {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (proc?.versions?.node === undefined) {
    throw new Error(`${where}: decodeWorkers ${count} needs Node's worker threads; in a browser use decodeWorkers: 0 (the default there)`);
  }
  const name = '../image/decode-pool-node.js';
  const { DecodePool } = (await import(/* @vite-ignore */ /* webpackIgnore: true */ name)) as PoolModule;
  // The iterator bounds what is in flight (its prefetched batches); the pool's own window is not used.
  const pool = new DecodePool({ concurrency: count, prefetch: 1 });
  const options = { ...load };
  return {
    decode: (bytes, shown) => pool.decodeOne({ bytes, name: shown }, options),
    dispose: () => pool.dispose(),
  };
}
