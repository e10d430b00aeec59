// The wasm-simd backend: instantiates the embedded module and adapts its pointer-based exports to the Kernels
// interface, so callers pass HeapBlock views and never see a raw pointer.
import { KERNELS, kernelArgs, type KernelEntry, type KernelName, type Kernels } from '../kernels/types.js';
import { base64ToBytes } from '../base64.js';
import { wasmBase64, wasmRelaxedBase64 } from './wasm-binary.js';

/** The module's exports: each kernel of the table takes byte offsets for its arrays (0 for null) and numbers. */
type WasmKernel = (...args: (number | boolean)[]) => number | undefined;
export type PixprepExports = { memory: WebAssembly.Memory; heapBase(): number } & { readonly [N in KernelName]: WasmKernel };

export interface WasmInstance {
  exports: PixprepExports;
  memory: WebAssembly.Memory;
  kernels: Kernels;
}

const imports = {
  env: {
    // Only the debug build imports abort (the release build is compiled with noAssert).
    abort(_message: number, _file: number, line: number, column: number): never {
      throw new Error(`pixprep wasm assertion failed at ${line}:${column}`);
    },
  },
};

/**
 * Compiles and instantiates the embedded module synchronously (backend.ts: why, and where a platform refuses): the
 * strict SIMD build, or with `relaxed` the relaxed-SIMD build (fused multiply-add where the CPU has it).
 */
export function instantiateWasm(relaxed = false): WasmInstance {
  const bytes = base64ToBytes(relaxed ? wasmRelaxedBase64 : wasmBase64) as BufferSource;
  return adaptWasm(new WebAssembly.Instance(new WebAssembly.Module(bytes), imports));
}

/** The same, asynchronously: for platforms that refuse a synchronous compile (backend.ts' ready()). */
export async function instantiateWasmAsync(relaxed = false): Promise<WasmInstance> {
  const bytes = base64ToBytes(relaxed ? wasmRelaxedBase64 : wasmBase64) as BufferSource;
  const { instance } = await WebAssembly.instantiate(bytes, imports);
  return adaptWasm(instance);
}

function adaptWasm(instance: WebAssembly.Instance): WasmInstance {
  const exports = instance.exports as unknown as PixprepExports;
  return adaptExports(exports, exports.memory);
}

/** The Kernels interface over a module's exports (the shared build routes some of them through a worker pool). */
export function adaptExports(exports: PixprepExports, memory: WebAssembly.Memory): WasmInstance {

  const at = (view: ArrayBufferView): number => {
    if (view.buffer !== memory.buffer) {
      throw new Error('pixprep internal error: a wasm kernel was given an array outside wasm memory (use HeapBlock.view)');
    }
    return view.byteOffset;
  };
  const atOrNull = (view: ArrayBufferView | null): number => (view === null ? 0 : at(view));

  const kernels: Record<string, unknown> = {};
  for (const name of Object.keys(KERNELS) as KernelName[]) {
    const entry: KernelEntry = KERNELS[name];
    const wasm = exports[name];
    if (typeof wasm !== 'function' || wasm.length !== entry.args.length || entry.args.length > MAX_ARGS) {
      throw new Error(`pixprep internal error: the wasm module's ${name} does not match the kernel table ` +
        `(${entry.args.length} arguments declared, ${typeof wasm === 'function' ? wasm.length : 'no such export'} found)`);
    }
    const converters = kernelArgs(entry).map((arg) => (arg.array === null ? same : arg.nullable ? atOrNull : at));
    kernels[name] = adapt(wasm, converters as ((value: never) => number | boolean)[]);
  }
  return { exports, memory, kernels: kernels as Kernels };
}

type Converter = (value: never) => number | boolean;
const same = (value: unknown): unknown => value;
/** The longest kernel signature (conv2dDirect's). */
const MAX_ARGS = 17;

/**
 * One kernel's adapter: each argument through its converter (an array to its byte offset, a number as it is), then
 * the wasm export. Closures of fixed arity, built once at instantiation: a call allocates nothing (no rest array).
 */
function adapt(f: WasmKernel, c: Converter[]): unknown {
  const [c0, c1, c2, c3, c4, c5, c6, c7, c8] = c as ((v: unknown) => number)[];
  switch (c.length) {
    case 3: return (a: never, b: never, d: never) => f(c0(a), c1(b), c2(d));
    case 4: return (a: never, b: never, d: never, e: never) => f(c0(a), c1(b), c2(d), c3(e));
    case 5: return (a: never, b: never, d: never, e: never, g: never) => f(c0(a), c1(b), c2(d), c3(e), c4(g));
    case 6: return (a: never, b: never, d: never, e: never, g: never, h: never) =>
      f(c0(a), c1(b), c2(d), c3(e), c4(g), c5(h));
    case 7: return (a: never, b: never, d: never, e: never, g: never, h: never, i: never) =>
      f(c0(a), c1(b), c2(d), c3(e), c4(g), c5(h), c6(i));
    case 9: return (a: never, b: never, d: never, e: never, g: never, h: never, i: never, j: never, k: never) =>
      f(c0(a), c1(b), c2(d), c3(e), c4(g), c5(h), c6(i), c7(j), c8(k));
    default: {
      // The long signatures (convolutions, warps: 10 to 17 arguments, called once per layer or batch): one closure
      // of the longest arity; the unused trailing converters pass undefined on, which the wasm call ignores.
      const [d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13, d14, d15, d16] =
        Array.from({ length: MAX_ARGS }, (_, i) => (c[i] ?? same) as (v: unknown) => number);
      return (a0: never, a1: never, a2: never, a3: never, a4: never, a5: never, a6: never, a7: never, a8: never,
        a9: never, a10: never, a11: never, a12: never, a13: never, a14: never, a15: never, a16: never) =>
        f(d0(a0), d1(a1), d2(a2), d3(a3), d4(a4), d5(a5), d6(a6), d7(a7), d8(a8), d9(a9), d10(a10), d11(a11),
          d12(a12), d13(a13), d14(a14), d15(a15), d16(a16));
    }
  }
}
