// The wasm-simd backend: instantiates the embedded module and adapts its pointer-based exports to the Kernels
// interface, so callers pass HeapBlock views and never see a raw pointer.
import {
  KERNELS, kernelArgs, type ArrayKind, type KernelArg, type KernelEntry, type KernelName, type Kernels,
} from '../kernels/types.js';
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
export function instantiateWasm(relaxed = false, debug = debugKernels()): WasmInstance {
  const bytes = base64ToBytes(relaxed ? wasmRelaxedBase64 : wasmBase64) as BufferSource;
  return adaptWasm(new WebAssembly.Instance(new WebAssembly.Module(bytes), imports), debug);
}

/** The same, asynchronously: for platforms that refuse a synchronous compile (backend.ts' ready()). */
export async function instantiateWasmAsync(relaxed = false, debug = debugKernels()): Promise<WasmInstance> {
  const bytes = base64ToBytes(relaxed ? wasmRelaxedBase64 : wasmBase64) as BufferSource;
  const { instance } = await WebAssembly.instantiate(bytes, imports);
  return adaptWasm(instance, debug);
}

/**
 * PIXPREP_DEBUG_KERNELS=1 (the test suite sets it: vitest.config.ts) turns on the adapter's checks of every call,
 * read once when a module is instantiated. Off, a call costs what the hand-written adapter cost: nothing is checked
 * beyond the arrays being views of wasm memory.
 */
function debugKernels(): boolean {
  return typeof process === 'object' && process?.env?.PIXPREP_DEBUG_KERNELS === '1';
}

function adaptWasm(instance: WebAssembly.Instance, debug: boolean): WasmInstance {
  const exports = instance.exports as unknown as PixprepExports;
  return adaptExports(exports, exports.memory, debug);
}

/** The Kernels interface over a module's exports (the shared build routes some of them through a worker pool). */
export function adaptExports(exports: PixprepExports, memory: WebAssembly.Memory, debug = debugKernels()): WasmInstance {

  const at = (view: ArrayBufferView): number => {
    if (view.buffer !== memory.buffer) {
      throw new Error(
        'pixprep internal error: a wasm kernel was given an array outside wasm memory (use HeapBlock.view)');
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
        `(${entry.args.length} arguments declared, ` +
        `${typeof wasm === 'function' ? wasm.length : 'no such export'} found)`);
    }
    const args = kernelArgs(entry);
    const converters = args.map((arg) => (arg.array === null ? same : arg.nullable ? atOrNull : at));
    const fast = adapt(wasm, converters as Converter[]);
    kernels[name] = debug ? checked(name, entry, args, memory, fast) : fast;
  }
  return { exports, memory, kernels: kernels as Kernels };
}

type Converter = (value: never) => number | boolean;
const same = (value: unknown): unknown => value;
/** The longest kernel signature (conv2dDirectPooledKernelGradientFilters'). */
const MAX_ARGS = 22;

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
      // The long signatures (convolutions, warps: 10 to 22 arguments, called once per layer or batch): one closure
      // of the longest arity; the unused trailing converters pass undefined on, which the wasm call ignores.
      const [d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13, d14, d15, d16, d17, d18, d19, d20, d21] =
        Array.from({ length: MAX_ARGS }, (_, i) => (c[i] ?? same) as (v: unknown) => number);
      return (a0: never, a1: never, a2: never, a3: never, a4: never, a5: never, a6: never, a7: never, a8: never,
        a9: never, a10: never, a11: never, a12: never, a13: never, a14: never, a15: never, a16: never, a17: never,
        a18: never, a19: never, a20: never, a21: never) =>
        f(d0(a0), d1(a1), d2(a2), d3(a3), d4(a4), d5(a5), d6(a6), d7(a7), d8(a8), d9(a9), d10(a10), d11(a11),
          d12(a12), d13(a13), d14(a14), d15(a15), d16(a16), d17(a17), d18(a18), d19(a19), d20(a20), d21(a21));
    }
  }
}

const TYPED: Record<ArrayKind, { new (): ArrayBufferView; name: string }> = {
  u8: Uint8Array, i32: Int32Array, f32: Float32Array, f64: Float64Array,
};
const NONE = new Uint8Array(0);

/**
 * The debug adapter: before the kernel runs, every argument is checked against its declaration (an array of the
 * declared type in wasm memory, or null where allowed; a non-negative integer size; a number; a flag), and every
 * array's extent rule (the table's `extent`) against the length of the view passed. A failure throws an Error naming
 * the kernel, the argument, the rule and both figures, and the kernel does not run: a size one too large would
 * otherwise read or write the neighbouring heap block.
 */
function checked(name: string, entry: KernelEntry, args: KernelArg[], memory: WebAssembly.Memory,
  fast: unknown): unknown {
  const call = fast as (...values: unknown[]) => unknown;
  const rules = args.map((arg) => entry.extent?.[arg.name] ?? null);
  for (const key of Object.keys(entry.extent ?? {})) {
    if (!args.some((arg) => arg.name === key && arg.array !== null)) {
      throw new Error(
        `pixprep internal error: kernel table: ${name}'s extent names ${key}, which is not one of its arrays`);
    }
  }
  return (...values: unknown[]) => {
    const fail = (what: string): never => {
      throw new Error(`pixprep kernel ${name}: ${what}`);
    };
    if (values.length !== args.length) fail(`expected ${args.length} arguments, received ${values.length}`);
    const sizes: Record<string, number> = {};
    const arrays: Record<string, ArrayLike<number>> = {};
    args.forEach((arg, i) => {
      const value = values[i];
      if (arg.array !== null) {
        if (value === null && arg.nullable) arrays[arg.name] = NONE;
        else if (!(value instanceof TYPED[arg.array])) {
          const expected = TYPED[arg.array].name + (arg.nullable ? ' or null' : '');
          fail(`${arg.name} must be a ${expected}, received ${describe(value)}`);
        } else if ((value as ArrayBufferView).buffer !== memory.buffer) {
          fail(`${arg.name} is not a view of wasm memory (use HeapBlock.view)`);
        } else arrays[arg.name] = value as unknown as ArrayLike<number>;
      } else if (arg.kind === 'bool') {
        if (typeof value !== 'boolean') fail(`${arg.name} must be a boolean, received ${describe(value)}`);
        sizes[arg.name] = value ? 1 : 0;
      } else if (arg.kind === 'int') {
        if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 0x7fffffff) {
          fail(`${arg.name} must be an integer in [0, 2^31), received ${describe(value)}`);
        }
        sizes[arg.name] = value as number;
      } else {
        if (typeof value !== 'number') fail(`${arg.name} must be a number, received ${describe(value)}`);
        sizes[arg.name] = value as number;
      }
    });
    args.forEach((arg, i) => {
      const rule = rules[i];
      if (rule === null || values[i] === null) return;
      const need = rule(sizes, arrays);
      const length = arrays[arg.name].length;
      if (!Number.isInteger(need) || need < 0) {
        fail(`the table's extent rule for ${arg.name} (${String(rule)}) gave ${need}, not a count`);
      }
      if (need > length) {
        fail(`${arg.name} needs ${need} elements by ${String(rule)}, but its view holds ${length} ` +
          `(a size argument too large for the array passed?)`);
      }
    });
    return call(...values);
  };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  return typeof value === 'number' ? String(value) : `${typeof value} ${String(value)}`;
}
