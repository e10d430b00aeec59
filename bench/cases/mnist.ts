// MNIST scale (60,000 × 28 × 28 × 1 seeded bytes): the scaling kernels and calls, fit (kernel and call), and one
// shuffled epoch of flow with standardize at batch 64, each against its peers and its floor.
import { createRequire } from 'node:module';
import { ImageDataGenerator } from '../../src/generator/index.js';
import { jsKernels } from '../../src/kernels/index.js';
import { Random } from '../../src/random.js';
import { availableBackends, setBackend, type Backend } from '../../src/runtime/backend.js';
import type { HeapBlock } from '../../src/runtime/heap.js';
import { IMAGE_SIZE, MNIST, seededLabels } from '../data.js';
import { cacheResidentFloor, copyRows, FLOOR, readOnlyFloor } from '../floors.js';
import { pythonImpl } from '../peers/python.js';
import { loadTfjs } from '../peers/tfjs.js';
import type { Case, Impl, Tune } from '../runner.js';
import { momentsReference, STATISTICS, U } from '../verify.js';
import { KIND_LABEL, RESCALE, ScalingData, scalingCallCase, scalingKernelCase, type ScalingKind } from './scaling.js';

const require = createRequire(import.meta.url);
const ndarray = require('ndarray') as typeof import('ndarray');
const ops = require('ndarray-ops') as typeof import('ndarray-ops');

export interface MnistGroup {
  cases: Case[];
  dispose(): void;
}

const BATCH = 64;
const GENERATOR_OPTIONS = { rescale: RESCALE, featurewiseCenter: true, featurewiseStdNormalization: true } as const;

export function mnistGroup(images: number, tune: Tune): MnistGroup {
  const backends = availableBackends();
  const wasm = backends.find((b) => b.name === 'wasm-simd') ?? null;
  const js = backends.find((b) => b.name === 'js')!;
  const n = images * IMAGE_SIZE;
  const data = new ScalingData(n, wasm, 7);
  const shape = [images, MNIST.height, MNIST.width, MNIST.channels];
  const x = { data: data.bytes, shape };
  const labels = seededLabels(images, 8);
  const where = `${images.toLocaleString('en-US')}×28×28×1`;

  const cases: Case[] = [];
  for (const kind of ['normalize', 'standardize', 'f32'] as ScalingKind[]) {
    const o = { name: `${KIND_LABEL[kind]} ${where}`, section: 'scaling', tune };
    cases.push(scalingKernelCase(kind, data, wasm, o));
    if (kind !== 'f32') cases.push(scalingCallCase(kind, data, shape, wasm, o));
  }
  cases.push(fitKernelCase(`fit (rescale, mean, std) ${where}`, data, wasm, tune));
  cases.push(fitCallCase(`fit (rescale, mean, std) ${where}`, x, wasm, js, tune));
  cases.push(flowCase(`flow epoch, standardize, batch ${BATCH}, ${where}`, x, labels, wasm, js, tune));
  return { cases, dispose: () => data.dispose() };
}

/** [mean, std] of bytes from the one-pass sums, rescaled: Σx and Σx² are exact in float64 for bytes. */
function onePass(bytes: Uint8Array): [number, number] {
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < bytes.length; i++) {
    const v = bytes[i];
    sum += v;
    squares += v * v;
  }
  const n = bytes.length;
  const mean = sum / n;
  return [mean * RESCALE, Math.sqrt(Math.max(0, squares / n - mean * mean)) * RESCALE];
}

/** Kernel rows of fit: the statistics of bytes already in each implementation's native form. */
function fitKernelCase(name: string, data: ScalingData, wasm: Backend | null, tune: Tune): Case {
  const { n, bytes } = data;
  const impls: Impl[] = [];
  let last: ArrayLike<number> = [];
  if (wasm) {
    let fields: HeapBlock<'f64'> | null = null;
    impls.push({
      name: 'pixprep wasm-simd', role: 'pixprep',
      note: 'momentsU8: one pass over bytes in wasm memory (count, mean, M2, min, max), float64 results',
      setup: () => {
        void data.heap; // the input blocks first: allocating them may grow memory and detach earlier views
        fields = wasm.heap.block('f64', 6);
        fields.view.fill(NaN);
      },
      run: () => wasm.kernels.momentsU8(fields!.view, data.heap.bytes.view, n, 1),
      output: () => [fields!.view[1] * RESCALE, Math.sqrt(fields!.view[2] / n) * RESCALE],
      teardown: () => { fields?.free(); fields = null; },
    });
  }
  const tsFields = new Float64Array(6);
  impls.push({
    name: 'pixprep TS reference', role: 'pixprep', note: 'the TypeScript twin (two passes, float64) on the JavaScript array',
    setup: () => tsFields.fill(NaN),
    run: () => jsKernels.momentsU8(tsFields, bytes, n, 1),
    output: () => [tsFields[1] * RESCALE, Math.sqrt(tsFields[2] / n) * RESCALE],
  });
  impls.push({
    name: 'plain JS one-pass', role: 'peer', note: 'Σx and Σx² in one float64 loop (exact for bytes), var = Σx²/n − mean²',
    run: () => { last = onePass(bytes); },
    output: () => last,
  });
  const nd = ndarray(bytes, [n]);
  impls.push({
    name: 'ndarray-ops', role: 'peer', note: 'sum and norm2squared (two passes), var = E[x²] − mean²',
    run: () => {
      const mean = ops.sum(nd) / n;
      const variance = ops.norm2squared(nd) / n - mean * mean;
      last = [mean * RESCALE, Math.sqrt(variance) * RESCALE];
    },
    output: () => last,
  });
  let tfRun: () => unknown = () => { throw new Error('TensorFlow.js not set up'); };
  let tfOut: () => ArrayLike<number> = () => [];
  let tfDispose = () => {};
  impls.push({
    name: 'TF.js wasm', role: 'peer',
    note: 'tf.moments on a float32 tensor of the bytes made in setup; results kept as tensors, not read back',
    setup: async () => {
      const { tf } = await loadTfjs();
      const t = tf.tensor1d(Float32Array.from(bytes), 'float32');
      let m: { mean: import('@tensorflow/tfjs').Tensor; variance: import('@tensorflow/tfjs').Tensor } | null = null;
      tfRun = () => {
        if (m) tf.dispose([m.mean, m.variance]);
        m = tf.moments(t);
      };
      tfOut = () => [m!.mean.dataSync()[0] * RESCALE, Math.sqrt(m!.variance.dataSync()[0]) * RESCALE];
      tfDispose = () => tf.dispose([t, ...(m ? [m.mean, m.variance] : [])]);
    },
    run: () => tfRun(),
    output: () => tfOut(),
    teardown: () => tfDispose(),
  });
  impls.push(pythonImpl({
    name: 'numpy', needs: 'numpy', task: 'fit_kernel',
    note: 'x.mean(dtype=float64), x.std(dtype=float64) on a uint8 array made in setup',
    args: () => ({ path: bytes, n, rescale: RESCALE }),
  }));
  impls.push(readOnlyFloor(n), ...copyRows(n));
  return {
    name: `${name} · kernel`, section: 'fit', kind: 'kernel', unit: 'GB/s', elements: n, work: n,
    traffic: { read: n, written: 0 }, floor: FLOOR.readOnly,
    verify: { reference: () => momentsReference(bytes, RESCALE), tolerance: STATISTICS },
    impls, ...tune,
  };
}

/** Call rows of fit: from the caller's JavaScript array to the statistics. */
function fitCallCase(name: string, x: { data: Uint8Array; shape: number[] }, wasm: Backend | null, js: Backend, tune: Tune): Case {
  const bytes = x.data;
  const n = bytes.length;
  const impls: Impl[] = [];
  let last: ArrayLike<number> = [];
  const generatorImpl = (backend: Backend, label: string): Impl => {
    const gen = new ImageDataGenerator({ ...GENERATOR_OPTIONS });
    return {
      name: label, role: 'pixprep',
      note: backend.name === 'js'
        ? 'ImageDataGenerator.fit on the js backend: the same gather, the TypeScript moments (float64, two passes)'
        : 'ImageDataGenerator.fit: gathers 1 MiB chunks into wasm memory, one-pass moments kernel, Chan merges in float64',
      run: () => {
        setBackend(backend.name);
        gen.fit(x);
        last = [gen.mean![0], gen.std![0]];
      },
      output: () => last,
    };
  };
  if (wasm) impls.push(generatorImpl(wasm, 'pixprep fit(x)'));
  impls.push(generatorImpl(js, 'pixprep fit(x), js backend'));
  impls.push({
    name: 'plain JS one-pass', role: 'peer', note: 'Σx and Σx² in one float64 loop over the array (exact for bytes)',
    run: () => { last = onePass(bytes); },
    output: () => last,
  });
  impls.push({
    name: 'TF.js wasm', role: 'peer',
    note: "tf.moments(tf.tensor1d(bytes, 'float32').mul(1/255)), mean and sqrt(variance) read back with dataSync",
    setup: async () => { await loadTfjs(); },
    run: async () => {
      const { tf } = await loadTfjs();
      const [mean, std] = tf.tidy(() => {
        const m = tf.moments(tf.tensor1d(bytes, 'float32').mul(RESCALE));
        return [m.mean, m.variance.sqrt()];
      });
      last = [mean.dataSync()[0], std.dataSync()[0]];
      tf.dispose([mean, std]);
    },
    output: () => last,
  });
  impls.push(pythonImpl({
    name: 'numpy (Keras recipe)', needs: 'numpy', task: 'fit_call',
    note: "Keras' fit: x.astype(float32) * 1/255, then np.mean and np.std (float32, pairwise sums)",
    args: () => ({ path: bytes, n, rescale: RESCALE }),
  }));
  impls.push(readOnlyFloor(n));
  return {
    name: `${name} · call`, section: 'fit', kind: 'call', unit: 'GB/s', elements: n, work: n,
    traffic: { read: n, written: 0 }, floor: FLOOR.readOnly,
    verify: { reference: () => momentsReference(bytes, RESCALE), tolerance: STATISTICS },
    impls, ...tune,
  };
}

/** One epoch through a batch writer, folding each batch into the order-free sums the verification compares. */
type EpochWriter = (onBatch?: (x: Float32Array, y: Float32Array, count: number) => void) => void;

/**
 * The sums a flow epoch must produce whatever its order: per pixel position, Σ over images of the scaled pixel
 * and Σ of label × scaled pixel, then Σ labels. A missing, doubled or misscaled image, or a label paired with the
 * wrong image, changes them.
 */
function epochSums(write: EpochWriter): Float64Array {
  const sums = new Float64Array(2 * IMAGE_SIZE + 1);
  write((x, y, count) => {
    for (let j = 0; j < count; j++) {
      const label = y[j];
      sums[2 * IMAGE_SIZE] += label;
      for (let p = 0; p < IMAGE_SIZE; p++) {
        const v = x[j * IMAGE_SIZE + p];
        sums[p] += v;
        sums[IMAGE_SIZE + p] += label * v;
      }
    }
  });
  return sums;
}

function flowCase(
  name: string, x: { data: Uint8Array; shape: number[] }, labels: Uint8Array, wasm: Backend | null, js: Backend, tune: Tune,
): Case {
  const images = x.shape[0];
  const pixels = x.data;
  setBackend(wasm ? 'wasm-simd' : 'js');
  const fitted = new ImageDataGenerator({ ...GENERATOR_OPTIONS }).fit(x);
  const divisor = fitted.std![0] + 1e-6;
  const scale = RESCALE / divisor;
  const offset = -fitted.mean![0] / divisor;
  const impls: Impl[] = [];
  const flowImpl = (backend: Backend, label: string): Impl => {
    let it: ReturnType<ImageDataGenerator['flow']> | null = null;
    let xb: HeapBlock<'f32'> | null = null;
    const yb = new Float32Array(BATCH);
    const epoch: EpochWriter = (onBatch) => {
      const iterator = it!;
      for (let i = 0; i < iterator.length; i++) {
        const count = iterator.batchInto(i, xb!.view, yb);
        onBatch?.(xb!.view, yb, count);
      }
      iterator.onEpochEnd();
    };
    return {
      name: label, role: 'pixprep',
      note: backend.name === 'js'
        ? 'the same on the js backend (TypeScript kernels, ArrayBuffer heap)'
        : 'FlowIterator.batchInto into one wasm-memory batch (gather + fused affine kernel), onEpochEnd reshuffles',
      setup: () => {
        setBackend(backend.name);
        const gen = new ImageDataGenerator({ ...GENERATOR_OPTIONS }).fit(x);
        it = gen.flow(x, labels, { batchSize: BATCH, shuffle: true, seed: 1 }); // keeps its backend
        xb = backend.heap.block('f32', BATCH * IMAGE_SIZE); // after flow(), which reserves its working memory
        xb.view.fill(NaN);
        setBackend(wasm ? 'wasm-simd' : 'js');
      },
      run: () => epoch(),
      output: () => epochSums(epoch),
      teardown: () => {
        it?.dispose();
        xb?.free();
        xb = it = null;
      },
    };
  };
  if (wasm) impls.push(flowImpl(wasm, 'pixprep wasm-simd'));
  impls.push(flowImpl(js, 'pixprep js backend'));

  const order = new Int32Array(images);
  const batch = new Float32Array(BATCH * IMAGE_SIZE);
  const batchLabels = new Float32Array(BATCH);
  let epochs = 0;
  const loop: EpochWriter = (onBatch) => {
    for (let i = 0; i < images; i++) order[i] = i;
    new Random(1 + epochs++).shuffle(order);
    for (let start = 0; start < images; start += BATCH) {
      const end = Math.min(images, start + BATCH);
      for (let j = start; j < end; j++) {
        const from = order[j] * IMAGE_SIZE;
        const to = (j - start) * IMAGE_SIZE;
        for (let p = 0; p < IMAGE_SIZE; p++) batch[to + p] = pixels[from + p] * scale + offset;
        batchLabels[j - start] = labels[order[j]];
      }
      onBatch?.(batch, batchLabels, end - start);
    }
  };
  impls.push({
    name: 'plain JS loop', role: 'peer',
    note: 'seeded Fisher-Yates, then per batch: gather each image and scale it, copy its label',
    run: () => loop(),
    output: () => epochSums(loop),
  });
  impls.push(cacheResidentFloor(images * IMAGE_SIZE, BATCH * IMAGE_SIZE));
  // The reference sums, and the sums of absolute values that bound each one's float32 error.
  const reference = (): Float64Array => {
    const sums = new Float64Array(2 * IMAGE_SIZE + 1);
    for (let j = 0; j < images; j++) {
      const label = labels[j];
      sums[2 * IMAGE_SIZE] += label;
      for (let p = 0; p < IMAGE_SIZE; p++) {
        const v = pixels[j * IMAGE_SIZE + p] * scale + offset;
        sums[p] += v;
        sums[IMAGE_SIZE + p] += label * v;
      }
    }
    return sums;
  };
  const largest = 255 * scale + Math.abs(offset);
  return {
    name: `${name} · call`, section: 'flow', kind: 'call', unit: 'images/s', elements: images * IMAGE_SIZE, work: images,
    traffic: { read: images * IMAGE_SIZE, written: 4 * images * IMAGE_SIZE }, floor: FLOOR.cacheResident,
    verify: {
      reference,
      tolerance: {
        text: 'order-free sums over the epoch of each pixel position (plain and times the label), and of the labels: ' +
          '|sum − ref| ≤ 4u·n·9·max|scaled pixel| + 1e-9·n (float32 pixels, float64 sums)',
        bound: () => 4 * U * images * 9 * largest + 1e-9 * images,
      },
    },
    impls, ...tune,
  };
}

