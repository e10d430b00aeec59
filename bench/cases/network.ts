// The tutorial CNN (Conv 32 3×3 relu, pool 2, Conv 64 3×3 relu, pool 2, Flatten, Dense 64 relu, Dense 10 softmax)
// at batch 64: training steps (forward, backward, Adam) and inference, in images/s, against TensorFlow.js WASM and
// PyTorch (python_peer.py), pixprep and PyTorch each at 1 thread and at all threads (bench/threads.ts) on the same network from the same initial weights; and the matrix multiply
// at the shapes that network gives it, in GFLOP/s, as kernel rows.
import { jsKernels } from '../../src/kernels/index.js';
import { Sequential, type BatchSource } from '../../src/nn/index.js';
import { tutorialModel } from '../../src/tutorial.js';
import { availableBackends, setBackend } from '../../src/runtime/backend.js';
import type { HeapBlock } from '../../src/runtime/heap.js';
import { IMAGE_SIZE, seededFloats, seededLabels } from '../data.js';
import { pythonImpl } from '../peers/python.js';
import { atThreadCounts } from '../threads.js';
import { loadTfjs } from '../peers/tfjs.js';
import { tutorialLoss, tutorialProbabilities } from '../reference-cnn.js';
import type { Case, Impl, Tune } from '../runner.js';
import { gemmReference, gemmTolerance, LOSS, PROBABILITIES } from '../verify.js';

export const BATCH = 64;

/** `steps` batches of ready-scaled images: copying one into the model's input costs next to nothing. */
class FixedBatches implements BatchSource {
  readonly batchSize = BATCH;
  readonly imageShape = [28, 28, 1] as const;
  readonly labelWidth = 1;
  readonly sampleCount: number;
  constructor(readonly length: number, private readonly x: Float32Array, private readonly y: Uint8Array) {
    this.sampleCount = length * BATCH;
  }
  batchInto(i: number, x: Float32Array, y: Float32Array | null): number {
    x.set(this.x.subarray(i * BATCH * IMAGE_SIZE, (i + 1) * BATCH * IMAGE_SIZE));
    if (y !== null) for (let j = 0; j < BATCH; j++) y[j] = this.y[i * BATCH + j];
    return BATCH;
  }
  onEpochEnd(): void {}
}

/** pixprep's seed-1 initial weights, flat in getWeights' order: every network row starts from them. */
function initialWeights(): Float32Array {
  setBackend(availableBackends().some((b) => b.name === 'wasm-simd') ? 'wasm-simd' : 'js');
  const model = tutorialModel({ seed: 1 });
  const flat = model.getWeightsFlat();
  model.dispose();
  return flat;
}

export function networkGroup(quick: boolean): { cases: Case[]; dispose(): void } {
  const wasm = availableBackends().find((b) => b.name === 'wasm-simd') ?? null;
  const steps = quick ? 1 : 8;
  const images = steps * BATCH;
  const x = seededFloats(images * IMAGE_SIZE, 21);
  const y = seededLabels(images, 22);
  const weights = initialWeights();
  const first = x.subarray(0, BATCH * IMAGE_SIZE);
  const tune: Tune = quick ? { budgetMs: 2, minSampleMs: 0.2 } : { budgetMs: 2400, minSampleMs: 2 };
  const cases: Case[] = [];
  const per = `${steps} batch${steps === 1 ? '' : 'es'} of ${BATCH} per call`;

  // ------------------------------------------------------------------------------------------------ training
  const train: Impl[] = [];
  if (wasm) {
    train.push(...atThreadCounts(() => {
      let model: Sequential | null = null;
      let firstLoss = NaN;
      const source = new FixedBatches(steps, x, y);
      return {
        name: 'pixprep wasm-simd', role: 'pixprep',
        note: `Sequential.fit, ${per} (forward, backward, Adam), sparse labels`,
        setup: () => {
          setBackend('wasm-simd'); // the model keeps the backend it was built on
          model = tutorialModel({ seed: 1 });
          model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
        },
        // An async function, so that tinybench awaits it rather than probing it with an extra, unawaited call (which
        // overlapped two fits on one model: fit now refuses that).
        run: async () => {
          await model!.fit(source, {
            epochs: 1, verbose: 0,
            onBatchEnd: (i, logs) => { if (i === 0 && Number.isNaN(firstLoss)) firstLoss = logs.loss; },
          });
        },
        output: () => [firstLoss],
        teardown: () => { model?.dispose(); model = null; },
      };
    }));
  }
  train.push(tfjsTraining(x, y, images, weights));
  train.push(...atThreadCounts((threads) => pythonImpl({
    name: 'PyTorch', needs: 'torch', task: 'torch_train',
    note: `the network of scripts/reference/tutorial_torch.py (autograd, Keras' Adam), torch.set_num_threads(${threads}), ${per}, tensors made in setup`,
    args: () => ({ weights, images: x, labels: y, steps, batch: BATCH, threads }),
  })));
  cases.push({
    name: `CNN training step, batch ${BATCH}`, section: 'network', kind: 'call', unit: 'images/s', work: images, elements: images,
    impls: train, ...tune,
    verify: { reference: () => [tutorialLoss(weights, first, y, BATCH)], tolerance: LOSS },
  });

  // ----------------------------------------------------------------------------------------------- inference
  const infer: Impl[] = [];
  if (wasm) {
    const input = { data: x, shape: [images, 28, 28, 1] };
    infer.push(...atThreadCounts(() => {
      let model: Sequential | null = null;
      let last: Float32Array = new Float32Array(0);
      return {
        name: 'pixprep wasm-simd', role: 'pixprep',
        note: `Sequential.predict, ${per}`,
        setup: () => {
          setBackend('wasm-simd');
          model = tutorialModel({ seed: 1 });
        },
        run: () => { last = model!.predict(input, { batchSize: BATCH }).data; },
        output: () => last.subarray(0, BATCH * 10),
        teardown: () => { model?.dispose(); model = null; },
      };
    }));
  }
  infer.push(tfjsInference(x, images, weights));
  infer.push(...atThreadCounts((threads) => pythonImpl({
    name: 'PyTorch', needs: 'torch', task: 'torch_infer',
    note: `the same network, softmax of the logits under torch.no_grad(), torch.set_num_threads(${threads}), ${per}`,
    args: () => ({ weights, images: x, steps, batch: BATCH, threads }),
  })));
  cases.push({
    name: `CNN inference, batch ${BATCH}`, section: 'network', kind: 'call', unit: 'images/s', work: images, elements: images,
    impls: infer, ...tune,
    verify: { reference: () => tutorialProbabilities(weights, first, BATCH), tolerance: PROBABILITIES },
  });

  // -------------------------------------------------------------------------------------------------- gemm
  // [label, m, n, k, transA, transB]: the calls Conv2D and Dense make for one batch (of 2 with --quick).
  const b = quick ? 2 : BATCH;
  const shapes: [string, number, number, number, boolean, boolean][] = [
    ['conv1 forward', b * 26 * 26, 32, 9, false, false],
    ['conv2 forward', b * 11 * 11, 64, 288, false, false],
    ['conv2 dKernel (Aᵀ·B)', 288, 64, b * 11 * 11, true, false],
    ['conv2 dInput (A·Bᵀ)', b * 11 * 11, 288, 64, false, true],
    ['dense1 forward', b, 64, 1600, false, false],
  ];
  const gemmTune: Tune = quick ? { budgetMs: 2, minSampleMs: 0.2 } : { budgetMs: 450, minSampleMs: 2 };
  for (const [label, m, n, k, transA, transB] of shapes) {
    cases.push(gemmCase(label, m, n, k, transA, transB, gemmTune, wasm !== null));
  }
  return { cases, dispose: () => {} };
}

function gemmCase(label: string, m: number, n: number, k: number, transA: boolean, transB: boolean,
  tune: Tune, withWasm: boolean): Case {
  const a = seededFloats(m * k, 31);
  const b = seededFloats(k * n, 32);
  const c = new Float32Array(m * n);
  const impls: Impl[] = [];
  if (withWasm) {
    const wasm = availableBackends().find((be) => be.name === 'wasm-simd')!;
    let blocks: { a: HeapBlock<'f32'>; b: HeapBlock<'f32'>; c: HeapBlock<'f32'> } | null = null;
    impls.push({
      name: 'pixprep wasm-simd', role: 'pixprep', note: 'gemm on blocks in wasm memory',
      setup: () => {
        blocks = { a: wasm.heap.block('f32', m * k), b: wasm.heap.block('f32', k * n), c: wasm.heap.block('f32', m * n) };
        blocks.a.view.set(a);
        blocks.b.view.set(b);
        blocks.c.view.fill(NaN);
      },
      run: () => wasm.kernels.gemm(blocks!.c.view, blocks!.a.view, blocks!.b.view, m, n, k, transA, transB, false),
      output: () => blocks!.c.view,
      teardown: () => {
        if (blocks) for (const block of Object.values(blocks)) block.free();
        blocks = null;
      },
    });
  }
  impls.push({
    name: 'pixprep TS reference', role: 'pixprep', note: 'the TypeScript twin on JavaScript arrays',
    setup: () => c.fill(NaN),
    run: () => jsKernels.gemm(c, a, b, m, n, k, transA, transB, false),
    output: () => c,
  });
  let tfRun: () => unknown = () => { throw new Error('TensorFlow.js not set up'); };
  let tfOut: () => ArrayLike<number> = () => [];
  let tfDispose = () => {};
  impls.push({
    name: 'TF.js wasm', role: 'peer',
    note: 'tf.matMul (XNNPACK) on tensors made in setup; the previous result disposed each call, nothing read back',
    setup: async () => {
      const { tf } = await loadTfjs();
      const ta = tf.tensor2d(a, transA ? [k, m] : [m, k]);
      const tb = tf.tensor2d(b, transB ? [n, k] : [k, n]);
      let last: import('@tensorflow/tfjs').Tensor | null = null;
      tfRun = () => {
        last?.dispose();
        last = tf.matMul(ta, tb, transA, transB);
      };
      tfOut = () => last!.dataSync() as Float32Array;
      tfDispose = () => tf.dispose([ta, tb, ...(last ? [last] : [])]);
    },
    run: () => tfRun(),
    output: () => tfOut(),
    teardown: () => tfDispose(),
  });
  return {
    name: `gemm ${label} ${m}×${n}×${k} · kernel`, section: 'gemm', kind: 'kernel', unit: 'GFLOP/s', work: 2 * m * n * k,
    elements: m * n * k, impls, ...tune,
    verify: { reference: () => gemmReference(a, b, m, n, k, transA, transB), tolerance: gemmTolerance(k) },
  };
}

async function tfjsModel(weights: Float32Array) {
  const { tf } = await loadTfjs();
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 64, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  // pixprep's initial weights, in the same (Keras) layouts and order.
  let at = 0;
  model.setWeights(model.weights.map((w) => {
    const size = w.shape.reduce((p: number, q) => p * (q as number), 1);
    const t = tf.tensor(weights.subarray(at, at + size), w.shape as number[]);
    at += size;
    return t;
  }));
  return { tf, model };
}

function tfjsInference(x: Float32Array, images: number, weights: Float32Array): Impl {
  let run: () => unknown = () => { throw new Error('TensorFlow.js not set up'); };
  let last: Float32Array = new Float32Array(0);
  let dispose = () => {};
  return {
    name: 'TF.js wasm', role: 'peer',
    note: 'tf.LayersModel.predict(x, {batchSize: 64}) on a tensor made in setup, result read back with dataSync',
    setup: async () => {
      const { tf, model } = await tfjsModel(weights);
      const input = tf.tensor4d(x, [images, 28, 28, 1]);
      run = () => {
        const out = model.predict(input, { batchSize: BATCH }) as import('@tensorflow/tfjs').Tensor;
        last = out.dataSync() as Float32Array;
        out.dispose();
      };
      dispose = () => {
        input.dispose();
        model.dispose();
      };
    },
    run: () => run(),
    output: () => last.subarray(0, BATCH * 10),
    teardown: () => dispose(),
  };
}

function tfjsTraining(x: Float32Array, y: Uint8Array, images: number, weights: Float32Array): Impl {
  let run: () => Promise<unknown> = async () => { throw new Error('TensorFlow.js not set up'); };
  let firstLoss = NaN;
  let dispose = () => {};
  return {
    name: 'TF.js wasm', role: 'peer',
    note: 'tf.LayersModel.trainOnBatch per batch of 64, Adam, sparse categorical cross-entropy',
    setup: async () => {
      const { tf, model } = await tfjsModel(weights);
      model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy' });
      const batches: { xs: import('@tensorflow/tfjs').Tensor; ys: import('@tensorflow/tfjs').Tensor }[] = [];
      for (let i = 0; i < images / BATCH; i++) {
        batches.push({
          xs: tf.tensor4d(x.subarray(i * BATCH * IMAGE_SIZE, (i + 1) * BATCH * IMAGE_SIZE), [BATCH, 28, 28, 1]),
          ys: tf.tensor2d(Float32Array.from(y.subarray(i * BATCH, (i + 1) * BATCH)), [BATCH, 1]),
        });
      }
      dispose = () => {
        for (const b of batches) tf.dispose([b.xs, b.ys]);
        model.dispose();
      };
      run = async () => {
        for (const b of batches) {
          const loss = await model.trainOnBatch(b.xs, b.ys);
          if (Number.isNaN(firstLoss)) firstLoss = Array.isArray(loss) ? loss[0] : loss;
        }
      };
    },
    run: () => run(),
    output: () => [firstLoss],
    teardown: () => dispose(),
  };
}
