// The scaling kernels, out = in · scale + offset (normalize, standardize) from bytes or floats to float32, and the
// memory-bandwidth limit they are judged against. The same builders serve MNIST scale and the size sweep.
import { createRequire } from 'node:module';
import type { NdArray } from 'ndarray';
import { jsKernels } from '../../src/kernels/index.js';
import type { Backend } from '../../src/runtime/backend.js';
import type { HeapBlock } from '../../src/runtime/heap.js';
import { seededBytes, seededFloats } from '../data.js';
import { loadTfjs } from '../peers/tfjs.js';
import { LIMIT_SET, type Case, type Impl, type Tune } from '../runner.js';

const require = createRequire(import.meta.url);
// ndarray-ops fills its exports in a loop, which Node's named-export detection for CommonJS cannot see.
const ndarray = require('ndarray') as typeof import('ndarray');
const ops = require('ndarray-ops') as typeof import('ndarray-ops');

export type ScalingKind = 'normalize' | 'standardize' | 'f32';

/** The coefficients each kind applies: rescale 1/255; standardize with a fixed mean and std of uniform bytes. */
export function coefficients(kind: ScalingKind): { scale: number; offset: number } {
  const rescale = 1 / 255;
  const mean = 127.5 * rescale;
  const std = 73.9 * rescale + 1e-6;
  if (kind === 'normalize') return { scale: rescale, offset: 0 };
  if (kind === 'standardize') return { scale: rescale / std, offset: -mean / std };
  return { scale: 2, offset: -1 };
}

export const KIND_LABEL: Record<ScalingKind, string> = {
  normalize: 'normalize u8→f32',
  standardize: 'standardize u8→f32',
  f32: 'scale f32→f32',
};

// One function per input type, so that V8 keeps each loop monomorphic: this is the loop a user would write.
function loopU8(out: Float32Array, input: Uint8Array, n: number, scale: number, offset: number): void {
  for (let i = 0; i < n; i++) out[i] = input[i] * scale + offset;
}
function loopF32(out: Float32Array, input: Float32Array, n: number, scale: number, offset: number): void {
  for (let i = 0; i < n; i++) out[i] = input[i] * scale + offset;
}

/**
 * The inputs and outputs of one size, in plain memory (for the JavaScript peers) and in the wasm heap (for
 * pixprep's kernels). Heap views are taken at call time: any allocation may grow the heap and replace its buffer.
 */
export class ScalingData {
  readonly bytes: Uint8Array;
  readonly floats: Float32Array;
  readonly out: Float32Array;
  private heapBlocks: { bytes: HeapBlock<'u8'>; floats: HeapBlock<'f32'>; out: HeapBlock<'f32'> } | null = null;

  constructor(readonly n: number, readonly wasm: Backend | null, seed: number) {
    this.bytes = seededBytes(n, seed);
    this.floats = seededFloats(n, seed + 1);
    this.out = new Float32Array(n);
  }

  get heap(): { bytes: HeapBlock<'u8'>; floats: HeapBlock<'f32'>; out: HeapBlock<'f32'> } {
    if (this.heapBlocks === null) {
      if (this.wasm === null) throw new Error('WebAssembly SIMD is not available in this runtime');
      const heap = this.wasm.heap;
      const blocks = { bytes: heap.block('u8', this.n), floats: heap.block('f32', this.n), out: heap.block('f32', this.n) };
      blocks.bytes.view.set(this.bytes);
      blocks.floats.view.set(this.floats);
      this.heapBlocks = blocks;
    }
    return this.heapBlocks;
  }

  dispose(): void {
    if (this.heapBlocks) for (const block of Object.values(this.heapBlocks)) block.free();
    this.heapBlocks = null;
  }
}

/**
 * The limit, measured inside every case so that it takes turns with the implementations (a shared machine's load
 * then hits both alike): TypedArray.prototype.set of `bytes` bytes, and a copy of as many bytes in wasm memory.
 */
export function limitImpls(bytes: number, wasm: Backend | null): Impl[] {
  const size = bytes >= 1e6 ? `${(bytes / 1e6).toPrecision(3)} MB` : `${(bytes / 1e3).toPrecision(3)} kB`;
  let src: Uint8Array | null = null;
  let dst: Uint8Array | null = null;
  let block: HeapBlock<'u8'> | null = null;
  const impls: Impl[] = [
    {
      name: LIMIT_SET, role: 'limit',
      note: `dst.set(src) of ${size}`,
      setup: () => {
        src = new Uint8Array(bytes).fill(1); // written, so that no read hits a shared zero page
        dst = new Uint8Array(bytes);
      },
      run: () => dst!.set(src!),
      teardown: () => { src = dst = null; },
    },
  ];
  if (wasm !== null) {
    impls.push({
      name: 'wasm memory copyWithin', role: 'limit',
      note: `copyWithin of ${size} on a Uint8Array over WebAssembly.Memory: a memmove inside wasm memory (nothing added to assembly/)`,
      setup: () => {
        block = wasm.heap.block('u8', 2 * bytes);
        block.view.fill(1, bytes);
      },
      run: () => block!.view.copyWithin(0, bytes, 2 * bytes),
      teardown: () => { block?.free(); block = null; },
    });
  }
  return impls;
}

export interface ScalingOptions {
  name: string;
  section: string;
  tune: Tune;
  /** Skip the TypeScript reference (slow and flat: it adds nothing to the size sweep past cache). */
  withReference?: boolean;
  withTfjs?: boolean;
  /** Extra implementations (e.g. the public API), appended. */
  extra?: Impl[];
}

export function scalingCase(kind: ScalingKind, data: ScalingData, wasm: Backend | null, o: ScalingOptions): Case {
  const { n } = data;
  const { scale, offset } = coefficients(kind);
  const u8 = kind !== 'f32';
  const mul = new Float32Array([scale]);
  const add = new Float32Array([offset]);
  let heapCoefficients: { mul: HeapBlock<'f32'>; add: HeapBlock<'f32'> } | null = null;
  const impls: Impl[] = [];

  if (wasm !== null) {
    const k = wasm.kernels;
    impls.push({
      name: 'pixprep wasm-simd', role: 'pixprep',
      setup: () => {
        void data.heap;
        if (kind === 'standardize') {
          heapCoefficients = { mul: wasm.heap.block('f32', 1), add: wasm.heap.block('f32', 1) };
          heapCoefficients.mul.view[0] = scale;
          heapCoefficients.add.view[0] = offset;
        }
      },
      run: kind === 'normalize'
        ? () => k.scaleU8(data.heap.out.view, data.heap.bytes.view, n, scale, 0)
        : kind === 'standardize'
          ? () => k.affineU8(data.heap.out.view, data.heap.bytes.view, n, 1, heapCoefficients!.mul.view, heapCoefficients!.add.view)
          : () => k.scaleF32(data.heap.out.view, data.heap.floats.view, n, scale, offset),
      teardown: () => {
        heapCoefficients?.mul.free();
        heapCoefficients?.add.free();
        heapCoefficients = null;
      },
      note: kind === 'standardize' ? 'affineU8 (the fused per-channel kernel flow and standardize use)' : undefined,
    });
  }
  if (o.withReference !== false) {
    impls.push({
      name: 'pixprep TS reference', role: 'pixprep',
      run: kind === 'normalize'
        ? () => jsKernels.scaleU8(data.out, data.bytes, n, scale, 0)
        : kind === 'standardize'
          ? () => jsKernels.affineU8(data.out, data.bytes, n, 1, mul, add)
          : () => jsKernels.scaleF32(data.out, data.floats, n, scale, offset),
    });
  }
  impls.push({
    name: 'plain JS loop', role: 'peer',
    run: u8 ? () => loopU8(data.out, data.bytes, n, scale, offset) : () => loopF32(data.out, data.floats, n, scale, offset),
  });
  let ndIn: NdArray | null = null;
  let ndOut: NdArray | null = null;
  impls.push({
    name: 'ndarray-ops', role: 'peer',
    note: offset === 0 ? 'muls' : 'muls then addseq (ndarray-ops has no fused multiply-add: two passes)',
    setup: () => {
      ndIn = ndarray(u8 ? data.bytes : data.floats, [n]);
      ndOut = ndarray(data.out, [n]);
    },
    run: () => {
      ops.muls(ndOut!, ndIn!, scale);
      if (offset !== 0) ops.addseq(ndOut!, offset);
    },
  });
  if (o.withTfjs !== false) impls.push(tfjsScaling(kind, data, scale, offset));
  impls.push(...(o.extra ?? []));
  impls.push(...limitImpls(4 * n, wasm));
  return { name: o.name, section: o.section, unit: 'GB/s', elements: n, work: n * ((u8 ? 1 : 4) + 4), impls, ...o.tune };
}

function tfjsScaling(kind: ScalingKind, data: ScalingData, scale: number, offset: number): Impl {
  let run: () => unknown = () => { throw new Error('TensorFlow.js not set up'); };
  let dispose: () => void = () => {};
  return {
    name: 'TF.js wasm', role: 'peer',
    note: kind === 'f32'
      ? 'tf.tidy(() => x.mul(s).add(o)).dataSync() on a float32 tensor'
      : `tf.tidy(() => x.mul(s)${offset === 0 ? '' : '.add(o)'}).dataSync() on an int32 tensor (TF.js has no uint8 dtype)`,
    setup: async () => {
      const { tf } = await loadTfjs();
      const x = kind === 'f32' ? tf.tensor1d(data.floats, 'float32') : tf.tensor1d(Int32Array.from(data.bytes), 'int32');
      const s = tf.scalar(scale);
      const o = tf.scalar(offset);
      run = () => {
        const y = tf.tidy(() => (offset === 0 ? x.mul(s) : x.mul(s).add(o)));
        const values = y.dataSync();
        y.dispose();
        return values;
      };
      dispose = () => tf.dispose([x, s, o]);
    },
    run: () => run(),
    teardown: () => dispose(),
  };
}
