// TensorFlow.js with its WebAssembly backend, the peer closest to pixprep in kind. In Node the backend reads its
// .wasm files from node_modules (no network). Loaded on first use so that a failure to load marks its rows as
// failed instead of stopping the run.
import type * as TF from '@tensorflow/tfjs';

export interface TfjsInfo {
  version: string;
  backend: string;
  simd: boolean;
  /** Whether TF.js found multithreading (SharedArrayBuffer + workers) usable; it does not in Node. */
  multithread: boolean;
  threads: number;
}

let loading: Promise<{ tf: typeof TF; info: TfjsInfo }> | null = null;

export function loadTfjs(): Promise<{ tf: typeof TF; info: TfjsInfo }> {
  loading ??= (async () => {
    const tf = await import('@tensorflow/tfjs');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const ok = await tf.setBackend('wasm');
    if (!ok) throw new Error('TensorFlow.js: the wasm backend failed to initialise');
    await tf.ready();
    const info: TfjsInfo = {
      version: tf.version_core,
      backend: tf.getBackend(),
      simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
      multithread: Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')),
      threads: wasm.getThreadsCount(),
    };
    return { tf, info };
  })();
  return loading;
}
