// The wasm-simd backend: instantiates the embedded module and adapts its pointer-based exports to the Kernels
// interface, so callers pass HeapBlock views and never see a raw pointer.
import type { Kernels } from '../kernels/types.js';
import { wasmBase64 } from './wasm-binary.js';
// Temporary: the network kernels run as their TypeScript references on views into wasm memory until the
// AssemblyScript versions land.
import { jsNnKernels } from '../kernels/nn/index.js';

interface PixprepExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  scaleU8(out: number, input: number, n: number, scale: number, offset: number): void;
  scaleF32(out: number, input: number, n: number, scale: number, offset: number): void;
  affineU8(out: number, input: number, n: number, channels: number, mul: number, add: number): void;
  affineF32(out: number, input: number, n: number, channels: number, mul: number, add: number): void;
  momentsU8(out: number, input: number, n: number, channels: number): void;
  momentsF32(out: number, input: number, n: number, channels: number): void;
  sampleMomentsU8(out: number, input: number, nImages: number, imageSize: number): void;
  sampleMomentsF32(out: number, input: number, nImages: number, imageSize: number): void;
}

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export interface WasmInstance {
  exports: PixprepExports;
  memory: WebAssembly.Memory;
  kernels: Kernels;
}

export async function instantiateWasm(): Promise<WasmInstance> {
  const bytes = decodeBase64(wasmBase64);
  const imports = {
    env: {
      // Only the debug build imports abort (the release build is compiled with noAssert).
      abort(_message: number, _file: number, line: number, column: number): never {
        throw new Error(`pixprep wasm assertion failed at ${line}:${column}`);
      },
    },
  };
  const { instance } = await WebAssembly.instantiate(bytes as BufferSource, imports);
  const exports = instance.exports as unknown as PixprepExports;
  const memory = exports.memory;

  const at = (view: ArrayBufferView): number => {
    if (view.buffer !== memory.buffer) {
      throw new Error('pixprep internal error: a wasm kernel was given an array outside wasm memory (use HeapBlock.view)');
    }
    return view.byteOffset;
  };

  const kernels: Kernels = {
    scaleU8: (out, input, n, scale, offset) => exports.scaleU8(at(out), at(input), n, scale, offset),
    scaleF32: (out, input, n, scale, offset) => exports.scaleF32(at(out), at(input), n, scale, offset),
    affineU8: (out, input, n, channels, mul, add) => exports.affineU8(at(out), at(input), n, channels, at(mul), at(add)),
    affineF32: (out, input, n, channels, mul, add) => exports.affineF32(at(out), at(input), n, channels, at(mul), at(add)),
    momentsU8: (out, input, n, channels) => exports.momentsU8(at(out), at(input), n, channels),
    momentsF32: (out, input, n, channels) => exports.momentsF32(at(out), at(input), n, channels),
    sampleMomentsU8: (out, input, nImages, imageSize) => exports.sampleMomentsU8(at(out), at(input), nImages, imageSize),
    sampleMomentsF32: (out, input, nImages, imageSize) => exports.sampleMomentsF32(at(out), at(input), nImages, imageSize),
    ...jsNnKernels,
  };
  return { exports, memory, kernels };
}
