// Which implementation of the kernels runs: 'wasm-relaxed-simd' where the runtime has relaxed SIMD (the same kernels
// built with f32x4.relaxed_madd, fused multiply-add where the CPU has it), else 'wasm-simd' where it has WebAssembly
// SIMD, else 'js' (the TypeScript references). `setBackend(name)` (or PIXPREP_BACKEND=name) picks another. The
// relaxed build's results differ from the strict one's by rounding only (one rounding per multiply-add instead of
// two), and may differ between CPUs with and without FMA; on one machine a seed still gives bit-identical weights.
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
import { relaxedSimdSupported, wasmSimdSupported } from './simd.js';
import { instantiateWasm, instantiateWasmAsync, type WasmInstance } from './wasm-kernels.js';
import { coresAvailable, threadsMissing } from './threads/availability.js';
import { compileSharedWasm, instantiateSharedWasm } from './threads/shared-wasm.js';
import type { WorkerPool } from './threads/pool.js';
import type { ThreadPool } from './threads/thread-pool.js';
import { MAX_WORKERS } from './threads/control.js';

export type BackendName = 'wasm-relaxed-simd' | 'wasm-simd' | 'js';
const NAMES: readonly BackendName[] = ['wasm-relaxed-simd', 'wasm-simd', 'js'];
const quoted = (names: readonly string[]) => names.map((n) => `'${n}'`).join(', ');

export interface Backend {
  readonly name: BackendName;
  readonly heap: Heap;
  readonly kernels: Kernels;
  /** The shared-memory build's worker pool (threads/); absent on the one-thread modules and js. */
  readonly shared?: { readonly pool: ThreadPool | null };
}

function makeJsBackend(): Backend {
  return { name: 'js', heap: new Heap(new ArrayBufferMemory(1), 0), kernels: jsKernels };
}

function wasmBackendOf(wasm: WasmInstance, relaxed = false): Backend {
  return {
    name: relaxed ? 'wasm-relaxed-simd' : 'wasm-simd', heap: new Heap(wasm.memory, wasm.exports.heapBase()),
    kernels: wasm.kernels,
  };
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

/** The relaxed-SIMD build where the runtime validates relaxed SIMD and compiles synchronously (else ready() tries). */
function makeRelaxedBackend(): Backend | null {
  if (!relaxedSimdSupported() || refusedSync) return null;
  try {
    return wasmBackendOf(instantiateWasm(true), true);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return null;
  }
}

let wasmBackend = makeWasmBackend();
let relaxedBackend = makeRelaxedBackend();
let jsBackend: Backend | null = null;

function requested(): BackendName | undefined {
  const env = typeof process === 'object' && process?.env ? process.env.PIXPREP_BACKEND : undefined;
  if (env === undefined || env === '') return undefined;
  if (!NAMES.includes(env as BackendName)) {
    throw new Error(`PIXPREP_BACKEND must be one of ${quoted(NAMES)}. Received: ${JSON.stringify(env)}`);
  }
  return env as BackendName;
}

/** The user chose the js backend (PIXPREP_BACKEND=js or setBackend('js')): ready() does not override that. */
let chosenJs = requested() === 'js';
/** PIXPREP_BACKEND=wasm-simd keeps the strict build where the relaxed one would be the default. */
let chosenStrict = requested() === 'wasm-simd';
let current: Backend = requested() === 'js' ? (jsBackend = makeJsBackend())
  : (chosenStrict ? wasmBackend : relaxedBackend ?? wasmBackend) ?? (jsBackend = makeJsBackend());

// ---- threads -------------------------------------------------------------------------------------------------
// With threads > 1 the wasm backends are their shared-memory builds (threads/shared-wasm.ts: the same kernels, the
// same results to the bit, heavy calls shared out over a worker pool); with 1, the one-thread modules above, as
// before threads existed. Like the backend, the choice applies to everything created afterwards.

const sharedBackends = new Map<BackendName, Backend>();
const pools = new Map<BackendName, WorkerPool>();

function sharedBackendFor(name: BackendName, helpers: number): Backend {
  let shared = sharedBackends.get(name);
  if (shared === undefined) {
    const wasm = instantiateSharedWasm(name === 'wasm-relaxed-simd');
    const heap = new Heap(wasm.memory, wasm.exports.heapBase());
    const pool = wasm.attachPool(heap, helpers);
    shared = { name, heap, kernels: wasm.kernels, shared: { pool } };
    sharedBackends.set(name, shared);
    pools.set(name, pool);
  }
  pools.get(name)?.resize(helpers);
  return shared;
}

function requestedThreads(): number | undefined {
  const env = typeof process === 'object' && process?.env ? process.env.PIXPREP_THREADS : undefined;
  if (env === undefined || env === '') return undefined;
  const n = Number(env);
  if (!/^[0-9]+$/.test(env) || n < 1 || n > MAX_WORKERS + 1) {
    throw new Error(`PIXPREP_THREADS must be an integer from 1 to ${MAX_WORKERS + 1}. Received: ${JSON.stringify(env)}`);
  }
  const missing = n > 1 ? threadsMissing() : null;
  if (missing !== null) throw new Error(`PIXPREP_THREADS=${n} cannot be used: ${missing}`);
  return n;
}

/**
 * The thread count when none is asked for (setThreads, PIXPREP_THREADS): the cores where threads can run here
 * (availability.ts: os.availableParallelism() in Node; navigator.hardwareConcurrency in a worker of a cross-origin
 * isolated page), capped at the pool's size; else 1 (a page that is not isolated, a page's main thread). The cores
 * because every heavy kernel of a training step is split (threads/split.ts) and the results are the same bytes on
 * any count: the recorded bench at 5048a27 (a quiet 2-core machine) trained 1.4× and inferred 1.3× faster on two
 * threads than on one (1.29× and 1.16× over three processes). Calls too small to pay a round trip to a worker stay
 * on the calling thread, so a batch of one image costs what it did on one thread. On a machine whose cores are busy
 * with other work a second thread can be slower than one (docs/threads.md); PIXPREP_THREADS=1 is the way out there.
 */
function defaultThreads(): number {
  if (threadsMissing() !== null) return 1;
  return Math.min(coresAvailable(), MAX_WORKERS + 1);
}

/** The thread count asked for (setThreads, PIXPREP_THREADS), else the default. `setThreads(n)` changes it. */
let threadSetting = requestedThreads() ?? defaultThreads();

/**
 * The backend of this name for the thread setting: its shared build with threads > 1, else the plain one (also
 * where the platform refused to compile the shared build synchronously: ready() compiles it asynchronously).
 */
function withThreads(plain: Backend): Backend {
  if (plain.name === 'js' || threadSetting <= 1) return plain;
  try {
    return sharedBackendFor(plain.name, threadSetting - 1);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return plain;
  }
}

/** The thread count the backend in use runs: 1 on js and where the shared build is not (yet) compiled. */
function effectiveThreads(): number {
  return current.shared === undefined ? 1 : threadSetting;
}

current = withThreads(current);

/** The kernels in use: "wasm-relaxed-simd", "wasm-simd", or "js" where SIMD is missing or the fallback was forced. */
export let backend: BackendName = current.name;

/** How many threads the kernels use: 1 on the js backend, else the setting (setThreads, PIXPREP_THREADS, cores). */
export let threads: number = effectiveThreads();

/** The thread count in use (see `threads`). */
export function getThreads(): number {
  return threads;
}

/**
 * Runs the heavy kernels of everything created afterwards on `n` threads (n − 1 workers over shared WebAssembly
 * memory), with the same results to the bit as on one. 1 stops the workers and goes back to the one-thread module.
 * Needs SharedArrayBuffer and a thread that may block (Node; in browsers a worker of a cross-origin isolated page).
 */
export function setThreads(n: number): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_WORKERS + 1) {
    throw new RangeError(`setThreads: n must be an integer from 1 to ${MAX_WORKERS + 1}. Received: ${
      typeof n === 'number' ? n : JSON.stringify(n) ?? String(n)}`);
  }
  if (n > 1) {
    const missing = threadsMissing();
    if (missing !== null) throw new Error(`setThreads: cannot use ${n} threads: ${missing}`);
  }
  threadSetting = n;
  for (const pool of pools.values()) pool.resize(Math.max(0, n - 1));
  const plain = current.name === 'wasm-relaxed-simd' ? relaxedBackend : current.name === 'wasm-simd' ? wasmBackend : current;
  current = withThreads(plain ?? current);
  threads = effectiveThreads();
}

/** The backend in use, by name ("wasm-simd" or "js"), as TF.js' tf.getBackend() returns it. */
export function getBackend(): BackendName {
  return current.name;
}

/** The backend object in use (its heap and kernels): internal, for the library and its tests and benchmarks. */
export function currentBackend(): Backend {
  return current;
}

/** Chooses the kernels for everything created afterwards. Asking for a build this runtime cannot run throws. */
export function setBackend(name: BackendName): void {
  if (name === 'wasm-relaxed-simd') {
    if (relaxedBackend === null) {
      throw new Error("setBackend: cannot use 'wasm-relaxed-simd': WebAssembly relaxed SIMD is not available in this runtime");
    }
    current = relaxedBackend;
  } else if (name === 'wasm-simd') {
    if (wasmBackend === null) throw new Error(`setBackend: cannot use 'wasm-simd': ${wasmMissing}`);
    current = wasmBackend;
  } else if (name === 'js') {
    current = jsBackend ??= makeJsBackend();
  } else {
    throw new TypeError(`setBackend: name must be one of ${quoted(NAMES)}. Received: ${JSON.stringify(name)}`);
  }
  chosenJs = name === 'js';
  chosenStrict = name === 'wasm-simd';
  current = withThreads(current);
  backend = current.name;
  threads = effectiveThreads();
}

let loading: Promise<void> | null = null;

/**
 * Resolves to the backend in use once loading is complete. Loading is synchronous almost everywhere, and then this
 * resolves at once. Where the platform refused a synchronous compile, it compiles the modules asynchronously and,
 * unless 'js' was chosen (setBackend('js'), PIXPREP_BACKEND=js), switches to 'wasm-relaxed-simd' (or 'wasm-simd')
 * for everything created afterwards: await it before creating generators, flows and models. Never rejects: a
 * failure leaves 'js'.
 */
export async function ready(): Promise<BackendName> {
  if (refusedSync && wasmBackend === null) {
    loading ??= instantiateWasmAsync().then(
      async (wasm) => {
        wasmBackend = wasmBackendOf(wasm);
        wasmMissing = null;
        if (relaxedSimdSupported()) relaxedBackend = wasmBackendOf(await instantiateWasmAsync(true), true);
      },
      (error: unknown) => {
        wasmMissing = `the WebAssembly module failed to instantiate (${error instanceof Error ? error.message : String(error)})`;
      },
    ).catch(() => undefined);
    await loading;
    if (wasmBackend !== null && !chosenJs) {
      const plain = chosenStrict ? wasmBackend : relaxedBackend ?? wasmBackend;
      if (threadSetting > 1) await compileSharedWasm(plain.name === 'wasm-relaxed-simd').catch(() => undefined);
      current = withThreads(plain);
      backend = current.name;
      threads = effectiveThreads();
    }
  }
  await current.shared?.pool?.started();
  return current.name;
}

/** Every backend this runtime can run (relaxed SIMD, SIMD, js): tests run the same kernel suite against each. */
export function availableBackends(): Backend[] {
  // At the thread setting: the objects setBackend(name) would choose (the shared builds with threads > 1).
  const wasm = [relaxedBackend, wasmBackend].filter((b): b is Backend => b !== null).map(withThreads);
  return [...wasm, jsBackend ??= makeJsBackend()];
}
