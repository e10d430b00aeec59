// Every layer's backward against central finite differences of its forward, and the whole model's gradient, on
// every backend: finite differences are the reference independent of the kernels both backends share code with.
//
// Why these tolerances hold: the scalar loss Σ out·r is summed in float64 and each output carries the rounding of
// its f32 sum: one rounding on the js backend (its gemm sums in float64), a few more on the wasm backend (f32 sums).
// The loss's noise is then about √N·6e-8·|out·r| ≈ 1e-6 for the few hundred outputs here; divided by the step
// 2h = 2e-3 that is ~5e-4 absolute at worst, against gradients of order 1: relative errors stay near 1e-4 (measured
// ≤ 1.2e-4 on both backends), well under the 1e-3 bound, while a wrong index, a missing term or a transposed weight
// gives errors of order 1. Kinks would break the differences where a step crosses one: pooling inputs are distinct
// levels ~0.01 apart (> 2h), and the relu cases here cross none. The whole-model check differentiates the mean
// cross-entropy (gradients ~0.01..0.2) with a step of 1e-4: a first-layer weight moves every pre-activation, and with
// 1e-3 dozens of relus flip sign (measured); with 1e-4 none do, but every activation is rounded to f32 on the way
// (~6e-8 relative), so the loss carries noise ~5e-8, i.e. ~3e-4 in a difference over 2e-4. Those differences are
// taken once, on the js backend (on wasm, the f32 sums double the noise: 9e-4 measured, too close to the bound), and
// each backend's analytic step is checked against them: measured 4.9e-4 relative on both.
import { afterAll, describe, expect, it } from 'vitest';
import { getBackend, setBackend, type Backend } from '../../src/runtime/backend.js';
import { Conv2D, Dense, Flatten, MaxPooling2D, SGD, Sequential } from '../../src/nn/index.js';
import type { Layer } from '../../src/nn/layer.js';
import { chooseConvAlgorithm } from '../../src/nn/conv-algorithm.js';
import { backends } from '../helpers.js';
import { LayerHarness, dot64, gradientErrors, numericGradient, poisonFreeHeap, randomArray } from './nn-test-helpers.js';

const H = 1e-3;
const TOLERANCE = 1e-3;

const previous = getBackend();
afterAll(() => setBackend(previous));

function checkLayer(backend: Backend, make: () => Layer, inputShape: number[], batch: number, seed: number, spaced = false,
  withInput = true) {
  const layer = make();
  const h = new LayerHarness(backend, layer, inputShape, batch, seed, spaced);
  const r = randomArray(h.outputSize, seed + 1);
  const loss = () => dot64(h.forward(), r);
  const analytic = h.backward(r, withInput);
  const results: Record<string, ReturnType<typeof gradientErrors>> = {};
  if (withInput) results.input = gradientErrors(analytic.dInput, numericGradient(() => h.blocks.input.view, loss, H));
  if (h.blocks.kernel.length) results.kernel = gradientErrors(analytic.dKernel, numericGradient(() => h.blocks.kernel.view, loss, H));
  if (h.blocks.bias.length) results.bias = gradientErrors(analytic.dBias, numericGradient(() => h.blocks.bias.view, loss, H));
  h.free();
  for (const [name, e] of Object.entries(results)) {
    expect(e.norm, `${name}: the gradient is not trivially zero`).toBeGreaterThan(0.1);
    expect(e.relative, `${name} relative error`).toBeLessThan(TOLERANCE);
    expect(e.worst, `${name} worst element`).toBeLessThan(TOLERANCE);
  }
  return results;
}

describe.each(backends)('layer backward equals finite differences of forward ($name backend, float64 loss)', (backend) => {
  const conv = [
    { padding: 'same', kernelSize: 3, strides: 1, activation: 'linear' },
    { padding: 'valid', kernelSize: 3, strides: 1, activation: 'relu' },
    { padding: 'same', kernelSize: [2, 3], strides: 1, activation: 'relu' },
    { padding: 'valid', kernelSize: [3, 2], strides: 2, activation: 'linear' },
    { padding: 'same', kernelSize: 3, strides: 2, activation: 'relu' },
  ] as const;
  for (const c of conv) {
    it(`Conv2D ${JSON.stringify(c)} on 2×5×7×3`, () => {
      checkLayer(backend, () => new Conv2D({ filters: 4, ...c, kernelSize: c.kernelSize as never }), [5, 7, 3], 2, 11);
    });
  }

  // 1 and 2 input channels, 3×3 stride 1: the direct convolution (src/nn/conv-algorithm.ts), whose kernel and bias
  // gradients come from conv2dDirectKernelGradient, the relu mask fused into it when there is no input gradient
  // (the first layer) and applied beforehand when there is. Seed 202 + channels puts no relu kink within a step of
  // H of any weight or input (seeds 101 and 303 do: they fail on both backends alike, the input gradient included).
  const direct = [
    { channels: 1, padding: 'valid', activation: 'relu', batch: 3 },
    { channels: 1, padding: 'same', activation: 'relu', batch: 1 },
    { channels: 2, padding: 'same', activation: 'linear', batch: 3 },
    { channels: 2, padding: 'valid', activation: 'relu', batch: 1 },
  ] as const;
  for (const c of direct) {
    for (const first of [true, false]) {
      it(`Conv2D direct, ${c.channels} channel(s) on ${c.batch}×7×9, ${c.padding}, ${c.activation}${first ? ', as the first layer' : ''}`, () => {
        const make = () => new Conv2D({ filters: 5, kernelSize: 3, padding: c.padding, activation: c.activation });
        expect(chooseConvAlgorithm(3, 3, 1, c.channels, 7, 9, 5)).toBe('direct');
        const results = checkLayer(backend, make, [7, 9, c.channels], c.batch, 202 + c.channels, false, !first);
        expect(Object.keys(results)).toEqual(first ? ['kernel', 'bias'] : ['input', 'kernel', 'bias']);
      });
    }
  }

  it('MaxPooling2D 2×2 on odd 5×7×3 (the last row and column are dropped)', () => {
    checkLayer(backend, () => new MaxPooling2D({ poolSize: 2 }), [5, 7, 3], 2, 21, true);
  });

  it('MaxPooling2D 3×3 with stride 2 (overlapping windows accumulate)', () => {
    checkLayer(backend, () => new MaxPooling2D({ poolSize: 3, strides: 2 }), [7, 5, 2], 3, 22, true);
  });

  for (const activation of ['linear', 'relu', 'softmax'] as const) {
    // For softmax the layer's output is the logits (the softmax is fused into the loss), so the check is the affine part.
    it(`Dense 11 → 5 ${activation}`, () => {
      checkLayer(backend, () => new Dense({ units: 5, activation }), [11], 3, 31);
    });
  }

  it('Flatten', () => {
    checkLayer(backend, () => new Flatten(), [3, 5, 2], 2, 41);
  });
});

describe('the whole model', () => {
  const n = 6;
  const make = () => new Sequential([
    new Conv2D({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [5, 7, 3] }),
    new MaxPooling2D({ poolSize: 2 }),
    new Conv2D({ filters: 3, kernelSize: [2, 3], activation: 'relu' }),
    new Flatten(),
    new Dense({ units: 6, activation: 'relu' }),
    new Dense({ units: 3, activation: 'softmax' }),
  ], { seed: 5 });
  const x = { data: randomArray(n * 5 * 7 * 3, 51), shape: [n, 5, 7, 3] };
  const y = new Uint8Array([0, 1, 2, 2, 1, 0]);

  // The finite differences are taken on the js backend, whose loss carries the least rounding noise (see the
  // header); each backend's analytic step from the same initial weights is checked against them.
  let numericOnJs: Float64Array | null = null;
  const numeric = () => {
    if (numericOnJs === null) {
      setBackend('js');
      const model = make();
      model.compile({ optimizer: new SGD({ learningRate: 1 }), loss: 'sparseCategoricalCrossentropy' });
      const arena = () => (model as unknown as { memory: { engine: { arena: { params: { view: Float32Array } } } } }).memory.engine.arena.params.view;
      numericOnJs = numericGradient(arena, () => model.evaluate({ x, y }).loss, 1e-4);
      model.dispose();
    }
    return numericOnJs;
  };

  it.each(backends)('one SGD step (lr 1) on $name moves the weights by exactly minus the finite-difference gradient of the loss', async (backend) => {
    const expected = numeric();
    setBackend(backend.name);
    // The model's activation and gradient buffers start dirty, so a buffer a layer forgets to zero shows.
    poisonFreeHeap(backend);
    const model = make();
    expect(model.backendName).toBe(backend.name);
    model.compile({ optimizer: new SGD({ learningRate: 1 }), loss: 'sparseCategoricalCrossentropy' });
    const before = model.getWeightsFlat();
    await model.fit({ x, y }, { batchSize: n, epochs: 1, shuffle: false, verbose: 0 });
    const after = model.getWeightsFlat();
    model.dispose();
    const analytic = new Float64Array(before.length);
    for (let i = 0; i < before.length; i++) analytic[i] = before[i] - after[i];
    const e = gradientErrors(analytic, expected);
    expect(e.norm).toBeGreaterThan(0.01);
    expect(e.relative).toBeLessThan(TOLERANCE);
    expect(e.worst).toBeLessThan(TOLERANCE);
  });
});
