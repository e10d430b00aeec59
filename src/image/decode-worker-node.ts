// The decode pool's worker (decode-pool-node.ts): reads a file (or takes its bytes), decodes it and prepares it as
// loadImg does, and posts the pixels back with their buffer transferred (no copy).
import { parentPort } from 'node:worker_threads';
import { readImageFileSync } from './load-node.js';
import { decodePrepared } from './prepare.js';
import { setThreads } from '../runtime/backend.js';
import type { ResolvedLoadOptions } from './options.js';

// The pool's workers are the parallelism: each runs its kernels on its own thread, whatever the process's default
// thread count (PIXPREP_THREADS, the cores), rather than each starting kernel helper threads of its own.
setThreads(1);

export interface DecodeTask { id: number; path: string | null; bytes: Uint8Array | null; name: string; options: ResolvedLoadOptions }
/** The prepared image, and `decoded`: the file's own shape before colour conversion and resize (its channels). */
export type DecodeReply = { id: number; data: Uint8Array; shape: [number, number, number]; decoded: [number, number, number] }
  | { id: number; error: string; kind: string };

parentPort?.on('message', (task: DecodeTask) => {
  void (async () => {
    try {
      // A synchronous read: a third of an asynchronous one's time (docs/jpeg.md). Given up: this worker's next
      // files being read while it decodes, which only a slow disk notices (more workers read in parallel there).
      const bytes = task.bytes ?? readImageFileSync('decodeMany', task.path as string);
      const { img, decoded } = await decodePrepared(bytes, task.name, task.options);
      parentPort?.postMessage({ id: task.id, data: img.data, shape: img.shape, decoded } satisfies DecodeReply,
        [img.data.buffer as ArrayBuffer]);
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      parentPort?.postMessage({ id: task.id, error: error.message, kind: error.name } satisfies DecodeReply);
    }
  })();
});
