// The tutorial CNN's inference in pixprep against ONNX Runtime's CPU kernels (MLAS) on one intra-op thread, at
// batch 1, 64 and 512, in images/s. ONNX Runtime runs pixprep's own export (model.toOnnx()) of the same model, so
// both compute the same function from the same weights; the runner checks both outputs against the float64 network
// (bench/reference-cnn.ts) before timing.
// Self-contained: the model, its data and the session are made here. pixprep runs on one thread too: its row has
// no thread count, so the runner sets one before its setup (bench/runner.ts), where the model is made (a model keeps
// the backend it was made on).
// What the gap is made of, layer by layer (scripts/profile-onnx.mjs): docs/onnx-gap.md.
import { Sequential } from '../../src/nn/index.js';
import { tutorialModel } from '../../src/tutorial.js';
import { availableBackends, setBackend } from '../../src/runtime/backend.js';
import { IMAGE_SIZE, seededFloats } from '../data.js';
import { tutorialProbabilities } from '../reference-cnn.js';
import type { Case, Impl, Tune } from '../runner.js';
import { PROBABILITIES } from '../verify.js';

type Ort = typeof import('onnxruntime-node');

async function loadOrt(): Promise<Ort> {
  // onnxruntime-node is CommonJS: under Node's ESM loader its exports are the default export.
  const mod = (await import('onnxruntime-node')) as Ort & { default?: Ort };
  return mod.default ?? mod;
}

export function onnxGroup(quick: boolean): { cases: Case[]; dispose(): void } {
  const wasm = availableBackends().find((b) => b.name === 'wasm-simd') ?? null;
  const tune: Tune = quick ? { budgetMs: 2, minSampleMs: 0.2 } : { budgetMs: 2400, minSampleMs: 2 };
  const cases: Case[] = [];
  // One model for every row (made on first use, by the pixprep row's setup, on wasm-simd where available).
  let shared: Sequential | null = null;
  const model = (): Sequential => {
    if (shared === null) {
      if (wasm) setBackend('wasm-simd');
      shared = tutorialModel({ seed: 1 });
    }
    return shared;
  };
  for (const batch of quick ? [1, 8] : [1, 64, 512]) {
    const x = seededFloats(batch * IMAGE_SIZE, 41 + batch);
    const input = { data: x, shape: [batch, 28, 28, 1] };
    const impls: Impl[] = [];
    if (wasm) {
      let last: Float32Array = new Float32Array(0);
      impls.push({
        name: 'pixprep wasm-simd', role: 'pixprep',
        note: `Sequential.predict on ${batch} image${batch === 1 ? '' : 's'} (one batch), one thread`,
        setup: () => model(),
        run: () => { last = model().predict(input, { batchSize: batch }).data; },
        output: () => last,
      });
    }
    let theirs: ArrayLike<number> = [];
    let session: import('onnxruntime-node').InferenceSession | null = null;
    let feeds: Record<string, import('onnxruntime-node').Tensor> = {};
    impls.push({
      name: 'ONNX Runtime cpu, 1 thread', role: 'peer',
      note: 'InferenceSession.run of model.toOnnx() (intraOpNumThreads 1, graph optimizations on), output read',
      setup: async () => {
        const ort = await loadOrt();
        session = await ort.InferenceSession.create(model().toOnnx(), {
          intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
        });
        feeds = { input: new ort.Tensor('float32', x, input.shape) };
      },
      run: async () => { theirs = (await session!.run(feeds)).output.data as Float32Array; },
      output: () => theirs,
      teardown: async () => {
        await session?.release();
        session = null;
      },
    });
    cases.push({
      name: `CNN inference vs ONNX Runtime, batch ${batch}`, section: 'network', kind: 'call', unit: 'images/s',
      work: batch, elements: batch, impls, ...tune,
      verify: { reference: () => tutorialProbabilities(model().getWeightsFlat(), x, batch), tolerance: PROBABILITIES },
    });
  }
  return {
    cases,
    dispose: () => {
      shared?.dispose();
      shared = null;
    },
  };
}
