// Every layer's backward against central finite differences of its forward, and the whole model's gradient.
//
// Why these tolerances hold: the checks run on the js backend, whose gemm sums each dot product in float64 and rounds
// once, so each output carries one f32 rounding (relative 6e-8). The scalar loss Σ out·r is summed in float64, so
// its noise is about √N·6e-8·|out·r| ≈ 1e-6 for the few hundred outputs here; divided by the step 2h = 2e-3 that is
// ~5e-4 absolute at worst, against gradients of order 1: relative errors stay near 1e-4, well under the 1e-3
// bound, while a wrong index, a missing term or a transposed weight gives errors of order 1. Kinks would break the
// differences where a step crosses one: pooling inputs are distinct levels ~0.01 apart (> 2h), and the relu cases
// here cross none. The whole-model check differentiates the mean cross-entropy (gradients ~0.01..0.2) with a step
// of 1e-4: a first-layer weight moves every pre-activation, and with 1e-3 dozens of relus flip sign (measured);
// with 1e-4 none do, but every activation is rounded to f32 on the way (~6e-8 relative), so the loss carries noise
// ~5e-8, i.e. ~3e-4 in a difference over 2e-4: measured 4.9e-4 relative (layers alone: ≤ 1.2e-4).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentBackend, getBackend, setBackend, type BackendName } from '../../src/runtime/backend.js';
import { Conv2D, Dense, Flatten, MaxPooling2D, SGD, Sequential } from '../../src/nn/index.js';
import type { Layer } from '../../src/nn/layer.js';
import { LayerHarness, dot64, gradientErrors, numericGradient, randomArray } from './nn-test-helpers.js';

const H = 1e-3;
const TOLERANCE = 1e-3;

let previous: BackendName;
beforeAll(() => {
  previous = getBackend();
  setBackend('js');
});
afterAll(() => setBackend(previous));

function checkLayer(make: () => Layer, inputShape: number[], batch: number, seed: number, spaced = false) {
  const layer = make();
  const h = new LayerHarness(currentBackend(), layer, inputShape, batch, seed, spaced);
  const r = randomArray(h.outputSize, seed + 1);
  const loss = () => dot64(h.forward(), r);
  const analytic = h.backward(r);
  const results: Record<string, ReturnType<typeof gradientErrors>> = {};
  results.input = gradientErrors(analytic.dInput, numericGradient(() => h.blocks.input.view, loss, H));
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

describe('layer backward equals finite differences of forward (js backend, float64 loss)', () => {
  const conv = [
    { padding: 'same', kernelSize: 3, strides: 1, activation: 'linear' },
    { padding: 'valid', kernelSize: 3, strides: 1, activation: 'relu' },
    { padding: 'same', kernelSize: [2, 3], strides: 1, activation: 'relu' },
    { padding: 'valid', kernelSize: [3, 2], strides: 2, activation: 'linear' },
    { padding: 'same', kernelSize: 3, strides: 2, activation: 'relu' },
  ] as const;
  for (const c of conv) {
    it(`Conv2D ${JSON.stringify(c)} on 2×5×7×3`, () => {
      checkLayer(() => new Conv2D({ filters: 4, ...c, kernelSize: c.kernelSize as never }), [5, 7, 3], 2, 11);
    });
  }

  it('MaxPooling2D 2×2 on odd 5×7×3 (the last row and column are dropped)', () => {
    checkLayer(() => new MaxPooling2D({ poolSize: 2 }), [5, 7, 3], 2, 21, true);
  });

  it('MaxPooling2D 3×3 with stride 2 (overlapping windows accumulate)', () => {
    checkLayer(() => new MaxPooling2D({ poolSize: 3, strides: 2 }), [7, 5, 2], 3, 22, true);
  });

  for (const activation of ['linear', 'relu', 'softmax'] as const) {
    // For softmax the layer's output is the logits (the softmax is fused into the loss), so the check is the affine part.
    it(`Dense 11 → 5 ${activation}`, () => {
      checkLayer(() => new Dense({ units: 5, activation }), [11], 3, 31);
    });
  }

  it('Flatten', () => {
    checkLayer(() => new Flatten(), [3, 5, 2], 2, 41);
  });
});

describe('the whole model', () => {
  it('one SGD step (lr 1) moves the weights by exactly minus the finite-difference gradient of the loss', async () => {
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
    const model = make();
    model.compile({ optimizer: new SGD({ learningRate: 1 }), loss: 'sparseCategoricalCrossentropy' });
    const before = model.getWeightsFlat();
    const arena = () => (model as unknown as { memory: { engine: { arena: { params: { view: Float32Array } } } } }).memory.engine.arena.params.view;
    const numeric = numericGradient(arena, () => model.evaluate({ x, y }).loss, 1e-4);
    await model.fit({ x, y }, { batchSize: n, epochs: 1, shuffle: false, verbose: 0 });
    const after = model.getWeightsFlat();
    const analytic = new Float64Array(before.length);
    for (let i = 0; i < before.length; i++) analytic[i] = before[i] - after[i];
    const e = gradientErrors(analytic, numeric);
    expect(e.norm).toBeGreaterThan(0.01);
    expect(e.relative).toBeLessThan(TOLERANCE);
    expect(e.worst).toBeLessThan(TOLERANCE);
  });
});
