// Which implementation of the kernels runs: 'wasm-simd' where the runtime has WebAssembly SIMD, else 'js' (the
// TypeScript references). `setBackend('js')` (or PIXPREP_BACKEND=js) forces the fallback.
//
// Loading happens once, at import, and synchronously (new WebAssembly.Module/Instance, no top-level await): the module
// is embedded and small (about 26 KB), so no init call, path or await is asked of the user, and CommonJS code can
// require() the package where Node loads ES modules that way (20.19+, 22.12+). Synchronous compilation is allowed in
// Node, in workers, and on a browser's main thread for modules this size (current Chromium refuses it only above
// 8 MB; test/package/consumer.test.ts checks a page). Some Chromium builds (reported for Edge and Android WebViews)
// still refuse anything above 4 KB on the main thread, with a RangeError. There pixprep starts on the js backend
// (same API and results, slower), and `await ready()` compiles the module asynchronously and switches to it: a lazy
// path that the caller triggers, so that the switch happens at a point of its choosing, never between two batches.
import type { Kernels } from '../kernels/types.js';
import { jsKernels } from '../kernels/index.js';
import { ArrayBufferMemory, Heap } from './heap.js';
import { wasmSimdSupported } from './simd.js';
import { instantiateWasm, instantiateWasmAsync, type WasmInstance } from './wasm-kernels.js';

export type BackendName = 'wasm-simd' | 'js';

export interface Backend {
  readonly name: BackendName;
  readonly heap: Heap;
  readonly kernels: Kernels;
}

function makeJsBackend(): Backend {
  return { name: 'js', heap: new Heap(new ArrayBufferMemory(1), 0), kernels: jsKernels };
}

function wasmBackendOf(wasm: WasmInstance): Backend {
  return { name: 'wasm-simd', heap: new Heap(wasm.memory, wasm.exports.heapBase()), kernels: wasm.kernels };
}

/** Why there is no wasm-simd backend, for setBackend's error; null when there is one. */
let wasmMissing: string | null = null;
/** The platform refused a synchronous compile: ready() may still instantiate asynchronously. */
let refusedSync = false;

function makeWasmBackend(): Backend | null {
  if (!wasmSimdSupported()) {
    wasmMissing = 'WebAssembly SIMD is not available in this runtime';
    return null;
  }
  try {
    return wasmBackendOf(instantiateWasm());
  } catch (error) {
    // A refused synchronous compile (or a memory the platform cannot allocate) is a RangeError; anything else is a
    // broken build, which must not pass unnoticed.
    if (!(error instanceof RangeError)) throw error;
    refusedSync = true;
    wasmMissing = `this runtime refused to compile the WebAssembly module synchronously (${error.message}); ` +
      'await ready() first, which compiles it asynchronously';
    return null;
  }
}

let wasmBackend = makeWasmBackend();
let jsBackend: Backend | null = null;

function requested(): BackendName | undefined {
  const env = typeof process === 'object' && process?.env ? process.env.PIXPREP_BACKEND : undefined;
  if (env === undefined || env === '') return undefined;
  if (env !== 'js' && env !== 'wasm-simd') {
    throw new Error(`PIXPREP_BACKEND must be 'wasm-simd' or 'js'. Received: ${JSON.stringify(env)}`);
  }
  return env;
}

/** The user chose the js backend (PIXPREP_BACKEND=js or setBackend('js')): ready() does not override that. */
let chosenJs = requested() === 'js';
let current: Backend = requested() === 'js' || wasmBackend === null ? (jsBackend = makeJsBackend()) : wasmBackend;

/** The kernels in use: "wasm-simd", or "js" where WebAssembly SIMD is missing or the fallback was forced. */
export let backend: BackendName = current.name;

/** The backend in use, by name ("wasm-simd" or "js"), as TF.js' tf.getBackend() returns it. */
export function getBackend(): BackendName {
  return current.name;
}

/** The backend object in use (its heap and kernels): internal, for the library and its tests and benchmarks. */
export function currentBackend(): Backend {
  return current;
}

/** Chooses the kernels for everything created afterwards. Asking for 'wasm-simd' without SIMD support throws. */
export function setBackend(name: BackendName): void {
  if (name === 'wasm-simd') {
    if (wasmBackend === null) throw new Error(`setBackend: cannot use 'wasm-simd': ${wasmMissing}`);
    current = wasmBackend;
  } else if (name === 'js') {
    current = jsBackend ??= makeJsBackend();
  } else {
    throw new TypeError(`setBackend: name must be 'wasm-simd' or 'js'. Received: ${JSON.stringify(name)}`);
  }
  chosenJs = name === 'js';
  backend = current.name;
}

let loading: Promise<void> | null = null;

/**
 * Resolves to the backend in use once loading is complete. Loading is synchronous almost everywhere, and then this
 * resolves at once. Where the platform refused a synchronous compile, it compiles the module asynchronously and,
 * unless 'js' was chosen (setBackend('js'), PIXPREP_BACKEND=js), switches to 'wasm-simd' for everything created
 * afterwards: await it before creating generators, flows and models. Never rejects: a failure leaves 'js'.
 */
export async function ready(): Promise<BackendName> {
  if (refusedSync && wasmBackend === null) {
    loading ??= instantiateWasmAsync().then(
      (wasm) => {
        wasmBackend = wasmBackendOf(wasm);
        wasmMissing = null;
      },
      (error: unknown) => {
        wasmMissing = `the WebAssembly module failed to instantiate (${error instanceof Error ? error.message : String(error)})`;
      },
    );
    await loading;
    if (wasmBackend !== null && !chosenJs) {
      current = wasmBackend;
      backend = current.name;
    }
  }
  return current.name;
}

/** Both backends that this runtime can run: tests run the same kernel suite against each. */
export function availableBackends(): Backend[] {
  return wasmBackend === null ? [jsBackend ??= makeJsBackend()] : [wasmBackend, jsBackend ??= makeJsBackend()];
}
