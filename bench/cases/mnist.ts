// MNIST scale (60,000 × 28 × 28 × 1 seeded bytes): the scaling kernels, a full generator fit, and one shuffled epoch
// of flow with standardize at batch 64, each against its peers and the memory-bandwidth limit.
import { createRequire } from 'node:module';
import { ImageDataGenerator } from '../../src/generator/index.js';
import { Random } from '../../src/random.js';
import { availableBackends, setBackend, type Backend } from '../../src/runtime/backend.js';
import type { HeapBlock } from '../../src/runtime/heap.js';
import { IMAGE_SIZE, MNIST, seededLabels } from '../data.js';
import { loadTfjs } from '../peers/tfjs.js';
import type { Case, Impl, Tune } from '../runner.js';
import { coefficients, KIND_LABEL, limitImpls, scalingCase, ScalingData, type ScalingKind } from './scaling.js';

const require = createRequire(import.meta.url);
const ndarray = require('ndarray') as typeof import('ndarray');
const ops = require('ndarray-ops') as typeof import('ndarray-ops');

export interface MnistGroup {
  cases: Case[];
  dispose(): void;
}

const RESCALE = 1 / 255;
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
    cases.push(scalingCase(kind, data, wasm, {
      name: `${KIND_LABEL[kind]} ${where}`, section: 'scaling', tune,
      extra: kind === 'standardize' ? [standardizeApi(x, wasm, false), standardizeApi(x, wasm, true)] : [],
    }));
  }
  cases.push(fitCase(`fit (rescale, mean, std) ${where}`, x, data, wasm, js, tune));
  cases.push(flowCase(`flow epoch, standardize, batch ${BATCH}, ${where}`, x, labels, wasm, js, tune));
  return { cases, dispose: () => data.dispose() };
}

/**
 * The public API end to end: ImageDataGenerator.standardize reads the caller's array and allocates its result, or
 * (reuse) writes into one array given as `out` every call.
 */
function standardizeApi(x: { data: Uint8Array; shape: number[] }, wasm: Backend | null, reuse: boolean): Impl {
  let gen: ImageDataGenerator | null = null;
  let out: Float32Array | undefined;
  return {
    name: reuse ? 'pixprep standardize(x, out) API' : 'pixprep standardize() API', role: 'pixprep',
    note: reuse
      ? 'writes into the same caller-owned Float32Array each call, scales from the caller\'s array'
      : 'allocates a new Float32Array result each call, scales from the caller\'s array',
    setup: () => {
      if (wasm === null) throw new Error('WebAssembly SIMD is not available');
      setBackend('wasm-simd');
      gen = new ImageDataGenerator({ ...GENERATOR_OPTIONS }).fit(x);
      out = reuse ? new Float32Array(x.data.length) : undefined;
    },
    // standardize and fit read the current backend at call time; implementations take turns, so set it each call.
    run: () => {
      setBackend('wasm-simd');
      return gen!.standardize(x, out);
    },
    teardown: () => {
      gen = null;
      out = undefined;
    },
  };
}

function fitCase(
  name: string, x: { data: Uint8Array; shape: number[] }, data: ScalingData, wasm: Backend | null, js: Backend, tune: Tune,
): Case {
  const n = data.n;
  const bytes = data.bytes;
  const impls: Impl[] = [];
  const generatorImpl = (backend: Backend, label: string): Impl => {
    const gen = new ImageDataGenerator({ ...GENERATOR_OPTIONS });
    return {
      name: label, role: 'pixprep',
      note: backend.name === 'js'
        ? 'ImageDataGenerator.fit on the js backend: the same gather, the TypeScript reference moments (float64, two passes)'
        : 'ImageDataGenerator.fit: gathers 1 MiB chunks into kernel memory, one-pass moments kernel, Chan merges in float64',
      run: () => {
        setBackend(backend.name);
        gen.fit(x);
        setBackend(wasm ? 'wasm-simd' : 'js');
      },
    };
  };
  if (wasm) {
    impls.push(generatorImpl(wasm, 'pixprep wasm-simd'));
    // The kernel alone, on data already in kernel memory: what fit costs beyond it is the gather into staging.
    let fields: HeapBlock<'f64'> | null = null;
    impls.push({
      name: 'pixprep momentsU8 kernel alone', role: 'pixprep',
      note: 'one pass over data already in kernel memory, no gather, no merge (diagnostic)',
      setup: () => {
        void data.heap;
        fields = wasm.heap.block('f64', 6);
      },
      run: () => wasm.kernels.momentsU8(fields!.view, data.heap.bytes.view, n, 1),
      teardown: () => { fields?.free(); fields = null; },
    });
  }
  impls.push(generatorImpl(js, 'pixprep js backend'));
  impls.push({
    name: 'plain JS two-pass', role: 'peer',
    note: 'float64: sum → mean, then Σ(x − mean)², rescaled',
    run: () => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += bytes[i];
      const mean = sum / n;
      let m2 = 0;
      for (let i = 0; i < n; i++) {
        const d = bytes[i] - mean;
        m2 += d * d;
      }
      return [mean * RESCALE, Math.sqrt(m2 / n) * RESCALE];
    },
  });
  const nd = ndarray(bytes, [n]);
  impls.push({
    name: 'ndarray-ops', role: 'peer',
    note: 'sum and norm2squared: var = E[x²] − mean² (exact for bytes in float64)',
    run: () => {
      const mean = ops.sum(nd) / n;
      const variance = ops.norm2squared(nd) / n - mean * mean;
      return [mean * RESCALE, Math.sqrt(variance) * RESCALE];
    },
  });
  let tfRun: () => unknown = () => { throw new Error('TensorFlow.js not set up'); };
  let tfDispose = () => {};
  impls.push({
    name: 'TF.js wasm', role: 'peer',
    note: 'tf.moments(x.mul(1/255)) on an int32 tensor, mean and sqrt(variance) read back',
    setup: async () => {
      const { tf } = await loadTfjs();
      const t = tf.tensor1d(Int32Array.from(bytes), 'int32');
      tfRun = () => {
        const [mean, std] = tf.tidy(() => {
          const m = tf.moments(t.mul(RESCALE));
          return [m.mean, m.variance.sqrt()];
        });
        const out = [mean.dataSync()[0], std.dataSync()[0]];
        tf.dispose([mean, std]);
        return out;
      };
      tfDispose = () => t.dispose();
    },
    run: () => tfRun(),
    teardown: () => tfDispose(),
  });
  impls.push(...limitImpls(n, wasm)); // issue 4: fit within 2× of one copy of its input
  return { name, section: 'fit', unit: 'GB/s', elements: n, work: n, impls, ...tune };
}

function flowCase(
  name: string, x: { data: Uint8Array; shape: number[] }, labels: Uint8Array, wasm: Backend | null, js: Backend, tune: Tune,
): Case {
  const images = x.shape[0];
  const impls: Impl[] = [];
  const flowImpl = (backend: Backend, label: string): Impl => {
    let it: ReturnType<ImageDataGenerator['flow']> | null = null;
    let xb: HeapBlock<'f32'> | null = null;
    const yb = new Float32Array(BATCH);
    return {
      name: label, role: 'pixprep',
      note: backend.name === 'js'
        ? 'the same on the js backend (TypeScript reference kernels, ArrayBuffer heap)'
        : 'FlowIterator.batchInto into a kernel-memory batch (gather + fused affine kernel), onEpochEnd reshuffles',
      setup: () => {
        setBackend(backend.name);
        const gen = new ImageDataGenerator({ ...GENERATOR_OPTIONS }).fit(x);
        it = gen.flow(x, labels, { batchSize: BATCH, shuffle: true, seed: 1 }); // keeps its backend
        xb = backend.heap.block('f32', BATCH * IMAGE_SIZE); // after flow(), which reserves its working memory
        setBackend(wasm ? 'wasm-simd' : 'js');
      },
      run: () => {
        const iterator = it!;
        for (let i = 0; i < iterator.length; i++) iterator.batchInto(i, xb!.view, yb);
        iterator.onEpochEnd();
      },
      teardown: () => {
        xb?.free();
        xb = it = null;
      },
    };
  };
  if (wasm) impls.push(flowImpl(wasm, 'pixprep wasm-simd'));
  impls.push(flowImpl(js, 'pixprep js backend'));

  const { scale, offset } = coefficients('standardize');
  const order = new Int32Array(images);
  const batch = new Float32Array(BATCH * IMAGE_SIZE);
  const batchLabels = new Float32Array(BATCH);
  let epoch = 0;
  impls.push({
    name: 'plain JS loop', role: 'peer',
    note: 'seeded Fisher-Yates, then per batch: gather each image and scale it, copy its label',
    run: () => {
      for (let i = 0; i < images; i++) order[i] = i;
      new Random(1 + epoch++).shuffle(order);
      const pixels = x.data;
      for (let start = 0; start < images; start += BATCH) {
        const end = Math.min(images, start + BATCH);
        for (let j = start; j < end; j++) {
          const from = order[j] * IMAGE_SIZE;
          const to = (j - start) * IMAGE_SIZE;
          for (let p = 0; p < IMAGE_SIZE; p++) batch[to + p] = pixels[from + p] * scale + offset;
          batchLabels[j - start] = labels[order[j]];
        }
      }
    },
  });
  impls.push(...limitImpls(4 * images * IMAGE_SIZE, wasm)); // issue 4: an epoch within 2× of writing its output once
  return { name, section: 'flow', unit: 'images/s', elements: images * IMAGE_SIZE, work: images, impls, ...tune };
}
