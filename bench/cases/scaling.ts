// The scaling kernels, out = in · scale + offset (normalize, standardize) from bytes or floats to float32, as
// *kernel* cases (each implementation's input in its own native form, made in setup; a preallocated output, no
// readback) and, for the public calls, as *call* cases (what a user writes, on JavaScript arrays). The same
// builders serve MNIST scale and the size sweep.
import { createRequire } from 'node:module';
import type { NdArray } from 'ndarray';
import { ImageDataGenerator } from '../../src/generator/index.js';
import { jsKernels } from '../../src/kernels/index.js';
import { setBackend, type Backend } from '../../src/runtime/backend.js';
import type { HeapBlock } from '../../src/runtime/heap.js';
import { seededBytes, seededFloats } from '../data.js';
import { copyRows, FLOOR, streamFloor } from '../floors.js';
import { pythonImpl } from '../peers/python.js';
import { atThreadCounts } from '../threads.js';
import { loadTfjs } from '../peers/tfjs.js';
import type { Case, Impl, Reference, Tune } from '../runner.js';
import { affineTolerance } from '../verify.js';

const require = createRequire(import.meta.url);
// ndarray-ops fills its exports in a loop, which Node's named-export detection for CommonJS cannot see.
const ndarray = require('ndarray') as typeof import('ndarray');
const ops = require('ndarray-ops') as typeof import('ndarray-ops');

export type ScalingKind = 'normalize' | 'standardize' | 'f32';

export const RESCALE = 1 / 255;
/** Fixed statistics for the kernel cases (uniform bytes): the mean and std a fit would find, in rescaled units. */
const MEAN = 127.5 * RESCALE;
const STD = 73.9 * RESCALE + 1e-6;

/** The coefficients each kind applies: rescale 1/255; standardize with a fixed mean and std of uniform bytes. */
export function coefficients(kind: ScalingKind): { scale: number; offset: number } {
  if (kind === 'normalize') return { scale: RESCALE, offset: 0 };
  if (kind === 'standardize') return { scale: RESCALE / STD, offset: -MEAN / STD };
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

/** x·scale + offset for every element, computed when asked (an array would be 8n bytes at 10^8). */
export function affineAt(x: ArrayLike<number>, scale: number, offset: number): Reference {
  return { length: x.length, at: (i: number) => x[i] * scale + offset };
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

export interface ScalingOptions {
  name: string;
  section: string;
  tune: Tune;
  /** Skip the TypeScript reference (slow and flat: it adds nothing to the size sweep past cache). */
  withReference?: boolean;
  withTfjs?: boolean;
  withNumpy?: boolean;
}

/** Kernel rows: inputs in native form, made in setup; outputs preallocated and not read back while timed. */
export function scalingKernelCase(kind: ScalingKind, data: ScalingData, wasm: Backend | null, o: ScalingOptions): Case {
  const { n } = data;
  const { scale, offset } = coefficients(kind);
  const u8 = kind !== 'f32';
  const input = u8 ? data.bytes : data.floats;
  const mul = new Float32Array([scale]);
  const add = new Float32Array([offset]);
  let heapCoefficients: { mul: HeapBlock<'f32'>; add: HeapBlock<'f32'> } | null = null;
  const poison = () => data.out.fill(NaN); // a row that writes nothing fails verification
  const impls: Impl[] = [];

  if (wasm !== null) {
    const k = wasm.kernels;
    impls.push({
      name: 'pixprep wasm-simd', role: 'pixprep',
      note: kind === 'standardize' ? 'affineU8 on blocks in wasm memory (the fused per-channel kernel flow and standardize use)'
        : kind === 'normalize' ? 'affineU8 (one channel) on blocks in wasm memory' : 'affineF32 (one channel) on blocks in wasm memory',
      setup: () => {
        data.heap.out.view.fill(NaN);
        heapCoefficients = { mul: wasm.heap.block('f32', 1), add: wasm.heap.block('f32', 1) };
        heapCoefficients.mul.view[0] = scale;
        heapCoefficients.add.view[0] = offset;
      },
      run: u8
        ? () => k.affineU8(data.heap.out.view, data.heap.bytes.view, n, 1, heapCoefficients!.mul.view, heapCoefficients!.add.view)
        : () => k.affineF32(data.heap.out.view, data.heap.floats.view, n, 1, heapCoefficients!.mul.view, heapCoefficients!.add.view),
      output: () => data.heap.out.view,
      teardown: () => {
        heapCoefficients?.mul.free();
        heapCoefficients?.add.free();
        heapCoefficients = null;
      },
    });
  }
  if (o.withReference !== false) {
    impls.push({
      name: 'pixprep TS reference', role: 'pixprep', note: 'the TypeScript twin (the js backend) on JavaScript arrays',
      setup: poison,
      run: u8
        ? () => jsKernels.affineU8(data.out, data.bytes, n, 1, mul, add)
        : () => jsKernels.affineF32(data.out, data.floats, n, 1, mul, add),
      output: () => data.out,
    });
  }
  impls.push({
    name: 'plain JS loop', role: 'peer', note: 'out[i] = x[i] * scale + offset into a preallocated Float32Array',
    setup: poison,
    run: u8 ? () => loopU8(data.out, data.bytes, n, scale, offset) : () => loopF32(data.out, data.floats, n, scale, offset),
    output: () => data.out,
  });
  let ndIn: NdArray | null = null;
  let ndOut: NdArray | null = null;
  impls.push({
    name: 'ndarray-ops', role: 'peer',
    note: offset === 0 ? 'muls into a preallocated array' : 'muls then addseq (ndarray-ops has no fused multiply-add: two passes)',
    setup: () => {
      poison();
      ndIn = ndarray(input, [n]);
      ndOut = ndarray(data.out, [n]);
    },
    run: () => {
      ops.muls(ndOut!, ndIn!, scale);
      if (offset !== 0) ops.addseq(ndOut!, offset);
    },
    output: () => data.out,
  });
  if (o.withTfjs !== false) impls.push(tfjsKernel(kind, data, scale, offset));
  if (o.withNumpy !== false) {
    impls.push(pythonImpl({
      name: 'numpy', needs: 'numpy', task: 'scale_kernel',
      note: `np.multiply(x, s, out=out, dtype=float32)${offset === 0 ? '' : ' then np.add(out, o, out=out)'} on a ${u8 ? 'uint8' : 'float32'} array made in setup`,
      args: () => ({ path: input, dtype: u8 ? 'u8' : 'f32', n, scale, offset }),
    }));
  }
  const read = n * (u8 ? 1 : 4);
  impls.push(streamFloor(read, 4 * n), ...copyRows(4 * n));
  return {
    name: `${o.name} · kernel`, section: o.section, kind: 'kernel', unit: 'GB/s', elements: n, work: read + 4 * n,
    traffic: { read, written: 4 * n }, floor: FLOOR.stream,
    verify: { reference: () => affineAt(input, scale, offset), tolerance: affineTolerance(offset) },
    impls, ...o.tune,
  };
}

function tfjsKernel(kind: ScalingKind, data: ScalingData, scale: number, offset: number): Impl {
  let run: () => unknown = () => { throw new Error('TensorFlow.js not set up'); };
  let output: () => ArrayLike<number> = () => [];
  let dispose: () => void = () => {};
  return {
    name: 'TF.js wasm', role: 'peer',
    note: `x.mul(s)${offset === 0 ? '' : '.add(o)'} on a float32 tensor made in setup${kind === 'f32' ? '' : ' from the bytes (TF.js has no uint8 dtype)'}; ` +
      'the previous result is disposed each call (TF.js reuses its memory), nothing read back',
    setup: async () => {
      const { tf } = await loadTfjs();
      const x = tf.tensor1d(kind === 'f32' ? data.floats : Float32Array.from(data.bytes), 'float32');
      const s = tf.scalar(scale);
      const o = tf.scalar(offset);
      let last: import('@tensorflow/tfjs').Tensor | null = null;
      run = () => {
        last?.dispose();
        last = tf.tidy(() => (offset === 0 ? x.mul(s) : x.mul(s).add(o)));
      };
      output = () => last!.dataSync() as Float32Array;
      dispose = () => tf.dispose([x, s, o, ...(last ? [last] : [])]);
    },
    run: () => run(),
    output: () => output(),
    teardown: () => dispose(),
  };
}

/**
 * Call rows: what a user writes to scale a JavaScript array of bytes, fresh result or into a reused array. The
 * statistics are the generator's own (fit on the data), so that every row computes the same map.
 */
export function scalingCallCase(kind: 'normalize' | 'standardize', data: ScalingData, shape: number[], wasm: Backend | null, o: ScalingOptions): Case {
  const { n, bytes } = data;
  const x = { data: bytes, shape };
  const options = kind === 'normalize' ? { rescale: RESCALE } : { rescale: RESCALE, featurewiseCenter: true, featurewiseStdNormalization: true };
  const gen = new ImageDataGenerator(options);
  if (kind === 'standardize') {
    setBackend(wasm ? 'wasm-simd' : 'js');
    gen.fit(x);
  }
  const mean = kind === 'standardize' ? gen.mean![0] : 0;
  const std = kind === 'standardize' ? gen.std![0] : 1;
  const divisor = kind === 'standardize' ? std + 1e-6 : 1;
  const scale = RESCALE / divisor;
  const offset = -mean / divisor;
  const impls: Impl[] = [];
  let last: ArrayLike<number> = [];
  let reused: Float32Array | null = null;
  const api = (reuse: boolean): Impl => ({
    name: reuse ? 'pixprep standardize(x, out)' : 'pixprep standardize(x)', role: 'pixprep',
    note: `ImageDataGenerator(${JSON.stringify(options)}).standardize on the caller's Uint8Array, ` +
      (reuse ? 'into the same caller-owned Float32Array each call' : 'a new Float32Array each call'),
    setup: () => {
      if (wasm === null) throw new Error('WebAssembly SIMD is not available');
      reused = reuse ? new Float32Array(n).fill(NaN) : null;
    },
    // standardize reads the current backend at call time; other rows may change it, so set it each call.
    run: () => {
      setBackend('wasm-simd');
      last = gen.standardize(x, reused ?? undefined).data;
    },
    output: () => last,
    teardown: () => { reused = null; last = []; },
  });
  // The reused-output call at 1 thread and at all threads too (the scaling passes are shared out: bench/threads.ts).
  impls.push(api(false), api(true), ...atThreadCounts(() => api(true)));
  impls.push({
    name: 'plain JS loop, new array', role: 'peer', note: 'new Float32Array(n), then out[i] = x[i] * scale + offset',
    run: () => {
      const out = new Float32Array(n);
      loopU8(out, bytes, n, scale, offset);
      last = out;
    },
    output: () => last,
  });
  impls.push({
    name: 'plain JS loop, reused array', role: 'peer', note: 'out[i] = x[i] * scale + offset into one Float32Array made once',
    setup: () => { reused = new Float32Array(n).fill(NaN); },
    run: () => loopU8(reused!, bytes, n, scale, offset),
    output: () => reused!,
    teardown: () => { reused = null; },
  });
  if (o.withTfjs !== false) {
    impls.push({
      name: 'TF.js wasm', role: 'peer',
      note: `tf.tidy(() => tf.tensor1d(bytes, 'float32').mul(s)${offset === 0 ? '' : '.add(o)'}).dataSync(): from the JavaScript array to a JavaScript array`,
      setup: async () => { await loadTfjs(); },
      run: async () => {
        const { tf } = await loadTfjs();
        const y = tf.tidy(() => {
          const t = tf.tensor1d(bytes, 'float32').mul(scale);
          return offset === 0 ? t : t.add(offset);
        });
        last = y.dataSync() as Float32Array;
        y.dispose();
      },
      output: () => last,
    });
  }
  if (o.withNumpy !== false) {
    const steps = kind === 'normalize' ? [['mul', RESCALE]] : [['mul', RESCALE], ['sub', mean], ['div', divisor]];
    impls.push(pythonImpl({
      name: 'numpy (Keras recipe)', needs: 'numpy', task: 'scale_call',
      note: `x.astype(float32), then ${kind === 'normalize' ? 'x *= 1/255' : 'x *= 1/255; x -= mean; x /= std + 1e-6'} in place, as Keras' standardize does`,
      args: () => ({ path: bytes, dtype: 'u8', n, steps }),
    }));
  }
  impls.push(streamFloor(n, 4 * n), ...copyRows(4 * n));
  return {
    name: `${o.name} · call`, section: o.section, kind: 'call', unit: 'GB/s', elements: n, work: 5 * n,
    traffic: { read: n, written: 4 * n }, floor: FLOOR.stream,
    verify: { reference: () => affineAt(bytes, scale, offset), tolerance: affineTolerance(offset) },
    impls, ...o.tune,
  };
}
