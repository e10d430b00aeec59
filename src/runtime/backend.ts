// Which implementation of the kernels runs: 'wasm-simd' where the runtime has WebAssembly SIMD, else 'js' (the
// TypeScript references). Loading happens once, at import, with top-level await: the module is small and embedded,
// so no init call or path is asked of the user. `setBackend('js')` (or PIXPREP_BACKEND=js) forces the fallback.
import type { Kernels } from '../kernels/types.js';
import { jsKernels } from '../kernels/index.js';
import { ArrayBufferMemory, Heap } from './heap.js';
import { wasmSimdSupported } from './simd.js';
import { instantiateWasm } from './wasm-kernels.js';

export type BackendName = 'wasm-simd' | 'js';

export interface Backend {
  readonly name: BackendName;
  readonly heap: Heap;
  readonly kernels: Kernels;
}

function makeJsBackend(): Backend {
  return { name: 'js', heap: new Heap(new ArrayBufferMemory(1), 0), kernels: jsKernels };
}

async function makeWasmBackend(): Promise<Backend | null> {
  if (!wasmSimdSupported()) return null;
  const wasm = await instantiateWasm();
  return { name: 'wasm-simd', heap: new Heap(wasm.memory, wasm.exports.heapBase()), kernels: wasm.kernels };
}

const wasmBackend = await makeWasmBackend();
let jsBackend: Backend | null = null;

function requested(): BackendName | undefined {
  const env = typeof process === 'object' && process?.env ? process.env.PIXPREP_BACKEND : undefined;
  if (env === undefined || env === '') return undefined;
  if (env !== 'js' && env !== 'wasm-simd') {
    throw new Error(`PIXPREP_BACKEND must be 'wasm-simd' or 'js'. Received: ${JSON.stringify(env)}`);
  }
  return env;
}

let current: Backend = requested() === 'js' || wasmBackend === null ? (jsBackend = makeJsBackend()) : wasmBackend;

/** The kernels in use: "wasm-simd", or "js" where WebAssembly SIMD is missing or the fallback was forced. */
export let backend: BackendName = current.name;

export function getBackend(): Backend {
  return current;
}

/** Chooses the kernels for everything created afterwards. Asking for 'wasm-simd' without SIMD support throws. */
export function setBackend(name: BackendName): void {
  if (name === 'wasm-simd') {
    if (wasmBackend === null) throw new Error('setBackend: WebAssembly SIMD is not available in this runtime');
    current = wasmBackend;
  } else if (name === 'js') {
    current = jsBackend ??= makeJsBackend();
  } else {
    throw new TypeError(`setBackend: name must be 'wasm-simd' or 'js'. Received: ${JSON.stringify(name)}`);
  }
  backend = current.name;
}

/** Both backends that this runtime can run: tests run the same kernel suite against each. */
export function availableBackends(): Backend[] {
  return wasmBackend === null ? [jsBackend ??= makeJsBackend()] : [wasmBackend, jsBackend ??= makeJsBackend()];
}
