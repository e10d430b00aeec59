// The wasm backend's layers and whole training step against the js backend (the TypeScript references), on the
// same weights and data. Both backends run the same layer code, so this checks the kernels under it; each layer is
// also checked against an independent reference, finite differences in float64, on both backends (gradients.test.ts).
//
// Bounds: where no arithmetic is involved (max pooling, which only compares and copies) or both backends add in the
// same order (the bias gradient's column sums), the results must be bit-identical. Elsewhere the js gemm sums each
// dot product in float64 and rounds once, the wasm gemm sums in f32 in its own order: the two differ by summation
// noise, at most a few f32 rounding units (2⁻²⁴ ≈ 6e-8) of the sum of the magnitudes of the terms, |x|·|w| summed,
// for each element (computed here by running the js layer on |x|, |w|, |b| and |dOut|). The bound is 1e-6 of that
// sum: measured ≤ 2e-7 on these layers, while a wrong index, a dropped term or an unzeroed buffer is off by the
// size of a term.
import { afterAll, describe, expect, it } from 'vitest';
import { getBackend, setBackend, type Backend } from '../../src/runtime/backend.js';
import { Conv2D, Dense, Flatten, MaxPooling2D, SGD, Sequential } from '../../src/nn/index.js';
import type { Layer } from '../../src/nn/layer.js';
import { backends } from '../helpers.js';
import { relaxedSimdSupported } from '../../src/runtime/simd.js';
import { LayerHarness, poisonFreeHeap, randomArray } from './nn-test-helpers.js';

const previous = getBackend();
afterAll(() => setBackend(previous));

const NOISE = 1e-6;

type LayerResult = Record<'out' | 'dInput' | 'dKernel' | 'dBias', Float32Array>;

/** Forward and backward of one layer on a backend; with `absolute`, on |input|, |kernel|, |bias| and |dOut|. */
function runLayer(backend: Backend, make: () => Layer, inputShape: number[], batch: number, absolute = false): LayerResult {
  const h = new LayerHarness(backend, make(), inputShape, batch, 3);
  if (absolute) for (const b of [h.blocks.kernel, h.blocks.bias, h.blocks.input]) b.view.set(b.view.map(Math.abs));
  const r = randomArray(h.outputSize, 4).map((v) => (absolute ? Math.abs(v) : v));
  const out = h.forward().slice();
  const grads = h.backward(r);
  h.free();
  return { out, ...grads };
}

/** |actual[i] − expected[i]| ≤ NOISE · scale[i] for every element (scale 0 where exactness is required). */
function expectWithinNoise(actual: Float32Array, expected: Float32Array, scale: ArrayLike<number> | null, what: string) {
  expect(actual.length, what).toBe(expected.length);
  expect(expected.length, `${what} is not empty`).toBeGreaterThan(0);
  for (let i = 0; i < expected.length; i++) {
    const bound = scale === null ? 0 : NOISE * scale[i];
    if (!(Math.abs(actual[i] - expected[i]) <= bound)) {
      expect.fail(`${what}[${i}] = ${actual[i]}, js reference ${expected[i]} (bound ${bound})`);
    }
  }
}

const js = backends.find((b) => b.name === 'js') as Backend;
const others = backends.filter((b) => b.name !== 'js');

it('this Node has a backend other than js to compare (wasm-simd, and wasm-relaxed-simd where it has relaxed SIMD)', () => {
  expect(others.map((b) => b.name)).toEqual([...(relaxedSimdSupported() ? ['wasm-relaxed-simd'] : []), 'wasm-simd']);
});

describe.each(others)('$name backend equals the js references', (backend) => {
  const layers: [string, () => Layer, number[]][] = [
    ['Conv2D same relu', () => new Conv2D({ filters: 17, kernelSize: 3, padding: 'same', activation: 'relu' }), [13, 11, 3]],
    ['Conv2D valid strides 2', () => new Conv2D({ filters: 5, kernelSize: [3, 2], strides: 2 }), [9, 12, 4]],
    ['Dense relu', () => new Dense({ units: 33, activation: 'relu' }), [71]],
    ['Dense softmax logits', () => new Dense({ units: 10, activation: 'softmax' }), [19]],
  ];
  for (const [label, make, shape] of layers) {
    it(`${label}: forward, dInput, dKernel to summation noise, dBias exactly`, () => {
      const ours = runLayer(backend, make, shape, 5);
      const ref = runLayer(js, make, shape, 5);
      const scale = runLayer(js, make, shape, 5, true);
      expectWithinNoise(ours.out, ref.out, scale.out, 'out');
      expectWithinNoise(ours.dInput, ref.dInput, scale.dInput, 'dInput');
      expectWithinNoise(ours.dKernel, ref.dKernel, scale.dKernel, 'dKernel');
      expectWithinNoise(ours.dBias, ref.dBias, null, 'dBias');
    });
  }

  it('MaxPooling2D: forward and dInput bit-identical', () => {
    const make = () => new MaxPooling2D();
    const ours = runLayer(backend, make, [9, 7, 5], 5);
    const ref = runLayer(js, make, [9, 7, 5], 5);
    expectWithinNoise(ours.out, ref.out, null, 'out');
    expectWithinNoise(ours.dInput, ref.dInput, null, 'dInput');
  });

  it('a whole training step and prediction of the tutorial network (smaller input)', async () => {
    const run = async (b: Backend) => {
      setBackend(b.name);
      poisonFreeHeap(b);
      const model = new Sequential([
        new Conv2D({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [14, 14, 1] }), new MaxPooling2D(),
        new Conv2D({ filters: 16, kernelSize: 3, activation: 'relu' }), new MaxPooling2D(),
        new Flatten(), new Dense({ units: 16, activation: 'relu' }), new Dense({ units: 10, activation: 'softmax' }),
      ], { seed: 9 });
      expect(model.backendName).toBe(b.name);
      model.compile({ optimizer: new SGD({ learningRate: 1 }), loss: 'sparseCategoricalCrossentropy' });
      const x = { data: randomArray(20 * 14 * 14, 10), shape: [20, 14, 14, 1] };
      const y = Uint8Array.from({ length: 20 }, (_, i) => i % 10);
      const before = model.getWeightsFlat();
      await model.fit({ x, y }, { batchSize: 20, verbose: 0, shuffle: false });
      const step = model.getWeightsFlat().map((w, i) => before[i] - w);
      const p = model.predict(x).data;
      model.dispose();
      return { before, step, p };
    };
    const ours = await run(backend);
    const ref = await run(js);
    expect(ours.before).toEqual(ref.before);
    // Four layers' summation noise (each within 1e-6 of its terms' magnitudes, above) passes through the network
    // forward and back: measured 2.7e-7 of the largest weight step and 1.5e-7 of the largest probability. The bound,
    // 3e-6, leaves a factor 10 for kernels that sum in yet another order (a Winograd convolution, more lanes).
    expect(maxRelative(ours.step, ref.step)).toBeLessThan(3e-6);
    expect(maxRelative(ours.p, ref.p)).toBeLessThan(3e-6);
  });
});

function maxRelative(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return scale === 0 ? worst : worst / scale;
}
