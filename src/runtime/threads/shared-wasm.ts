// The shared-memory build, instantiated on a new shared WebAssembly.Memory, with its heavy exports routed through a
// worker pool: a split rule (split.ts) cuts a large call into parts, the pool runs them, one per thread; a small
// call, or any call while the pool has no helper, runs whole on the calling thread, exactly as the one-thread
// module runs it.
import { base64ToBytes } from '../../base64.js';
import type { Heap } from '../heap.js';
import { wasmSharedBase64, wasmSharedRelaxedBase64 } from '../wasm-binary.js';
import { adaptExports, type PixprepExports, type WasmInstance } from '../wasm-kernels.js';
import { WorkerPool } from './pool.js';
import { SPLIT_RULES, type SplitRule } from './split.js';

/** 4 GiB where the platform reserves it (Node), else 1 GiB (browsers on small devices refuse larger shared memories). */
const MAXIMUM_PAGES = [65536, 16384];
const INITIAL_PAGES = 64;

export interface SharedWasm extends WasmInstance {
  /** The pool, once attachPool has given it the heap whose blocks hold the helpers' scratch. */
  pool: WorkerPool | null;
  attachPool(heap: Heap, helpers: number): WorkerPool;
}

function sharedMemory(): WebAssembly.Memory {
  let last: unknown;
  for (const maximum of MAXIMUM_PAGES) {
    try {
      return new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum, shared: true });
    } catch (error) {
      last = error;
    }
  }
  throw last;
}

const bytesOf = (relaxed: boolean) => base64ToBytes(relaxed ? wasmSharedRelaxedBase64 : wasmSharedBase64) as BufferSource;
/** Modules compiled asynchronously by compileSharedWasm, for platforms that refuse a synchronous compile. */
const compiled = new Map<boolean, WebAssembly.Module>();

/** Compiles the shared build asynchronously (backend.ts' ready(), where synchronous compiles are refused). */
export async function compileSharedWasm(relaxed: boolean): Promise<void> {
  if (!compiled.has(relaxed)) compiled.set(relaxed, await WebAssembly.compile(bytesOf(relaxed)));
}

/** Instantiates the shared build; a RangeError where the platform refuses a synchronous compile of it. */
export function instantiateSharedWasm(relaxed: boolean): SharedWasm {
  const module = compiled.get(relaxed) ?? new WebAssembly.Module(bytesOf(relaxed));
  const memory = sharedMemory();
  const instance = new WebAssembly.Instance(module, {
    env: {
      memory,
      abort(_message: number, _file: number, line: number, column: number): never {
        throw new Error(`pixprep wasm assertion failed at ${line}:${column}`);
      },
    },
  });
  const raw = instance.exports as unknown as PixprepExports & Record<string, (...args: number[]) => unknown>;
  let pool: WorkerPool | null = null;
  const routed: Record<string, unknown> = { ...raw };
  for (const [name, rule] of Object.entries(SPLIT_RULES) as [string, SplitRule][]) {
    const whole = raw[name];
    const arity = whole.length;
    const dispatch = (...args: number[]) => {
      // An adapter may pass trailing undefined past the export's own arguments: the rules index from the front.
      if (args.length > arity) args.length = arity;
      if (pool !== null && pool.threads > 1) {
        const parts = rule(args, pool.threads);
        if (parts !== null) return pool.run(name, parts);
      }
      return whole(...args);
    };
    // The same arity as the export it stands for (adapters check it against the kernel table).
    Object.defineProperty(dispatch, 'length', { value: arity });
    routed[name] = dispatch;
  }
  const wasm = adaptExports(routed as unknown as PixprepExports, memory) as SharedWasm;
  wasm.pool = null;
  wasm.attachPool = (heap, helpers) => {
    pool ??= new WorkerPool(module, memory, heap, raw, raw.heapBase(), helpers);
    wasm.pool = pool;
    return pool;
  };
  return wasm;
}
