// The decode pool's worker (decode-pool-node.ts): reads a file (or takes its bytes), decodes it and prepares it as
// loadImg does, and posts the pixels back with their buffer transferred (no copy).
import { parentPort } from 'node:worker_threads';
import { decodeImage } from './decode.js';
import { prepareImg } from './load.js';
import { readImageFile } from './load-node.js';
import type { ResolvedLoadOptions } from './options.js';

export interface DecodeTask { id: number; path: string | null; bytes: Uint8Array | null; name: string; options: ResolvedLoadOptions }
/** The prepared image, and `decoded`: the file's own shape before colour conversion and resize (its channels). */
export type DecodeReply = { id: number; data: Uint8Array; shape: [number, number, number]; decoded: [number, number, number] }
  | { id: number; error: string; kind: string };

parentPort?.on('message', (task: DecodeTask) => {
  void (async () => {
    try {
      const bytes = task.bytes ?? await readImageFile('decodeMany', task.path as string);
      const decoded = await decodeImage(bytes, task.name);
      const img = prepareImg(decoded, task.options);
      parentPort?.postMessage({ id: task.id, data: img.data, shape: img.shape, decoded: decoded.shape } satisfies DecodeReply,
        [img.data.buffer as ArrayBuffer]);
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      parentPort?.postMessage({ id: task.id, error: error.message, kind: error.name } satisfies DecodeReply);
    }
  })();
});
