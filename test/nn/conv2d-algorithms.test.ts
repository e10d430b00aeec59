// Conv2D's other kernels (Winograd F(4×4, 3×3) for 3×3 stride-1 layers with enough channels, a direct convolution
// for 1 or 2 channels): the rule that picks
// them, the layer's backward against finite differences of its forward on those shapes (js backend, float64 loss),
// and the wasm layer against the js one.
//
// The step: Winograd's outputs carry ~10× the rounding noise of the js backend's im2col + gemm (~5e-7 relative rather
// than one f32 rounding, see test/kernels/nn-winograd.test.ts), and with gradients.test.ts's step of 1e-3 that noise
// over 2h reached 1.4e-3 relative (measured). The layers here are linear (no relu), so Σ out·r is linear in the input,
// the kernel and the bias and a central difference is exact for any step: a step of 0.05 divides the noise by 50.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentBackend, getBackend, setBackend, type Backend, type BackendName } from '../../src/runtime/backend.js';
import { Conv2D } from '../../src/nn/index.js';
import { chooseConvAlgorithm } from '../../src/nn/conv-algorithm.js';
import { backends } from '../helpers.js';
import { LayerHarness, dot64, gradientErrors, numericGradient, randomArray } from './nn-test-helpers.js';

const H = 0.05;
const TOLERANCE = 1e-3;

describe('the convolution algorithm rule', () => {
  it('picks Winograd for 3×3 stride-1 layers with ≥ 16 channels whose tiles are mostly used, direct for 1–2 channels', () => {
    expect(chooseConvAlgorithm(3, 3, 1, 32, 11, 11, 64)).toBe('winograd');   // the tutorial's second layer
    expect(chooseConvAlgorithm(3, 3, 1, 16, 8, 8, 64)).toBe('winograd');     // 576 direct multiplies ≥ 3·4·36
    expect(chooseConvAlgorithm(3, 3, 1, 16, 7, 7, 64)).toBe('winograd');     // 441 ≥ 432
    expect(chooseConvAlgorithm(3, 3, 1, 16, 6, 6, 64)).toBe('im2col');       // 324 < 432
    expect(chooseConvAlgorithm(3, 3, 1, 32, 3, 3, 64)).toBe('im2col');       // 81 < 108: measured 0.76×
    expect(chooseConvAlgorithm(3, 3, 1, 32, 1, 1, 64)).toBe('im2col');       // one output of a 16-output tile
    expect(chooseConvAlgorithm(3, 3, 1, 32, 2, 2, 64)).toBe('im2col');
    expect(chooseConvAlgorithm(3, 3, 1, 15, 11, 11, 64)).toBe('im2col');
    expect(chooseConvAlgorithm(3, 3, 1, 1, 26, 26, 32)).toBe('direct');     // the tutorial's first layer
    expect(chooseConvAlgorithm(3, 3, 1, 2, 30, 30, 64)).toBe('direct');
    expect(chooseConvAlgorithm(3, 3, 1, 2, 30, 30, 911)).toBe('im2col');    // packed weights past the kernel's panel
    expect(chooseConvAlgorithm(3, 3, 1, 3, 26, 26, 32)).toBe('im2col');     // measured 0.88×
    expect(chooseConvAlgorithm(3, 3, 2, 1, 13, 13, 32)).toBe('im2col');
    expect(chooseConvAlgorithm(3, 3, 2, 32, 11, 11, 64)).toBe('im2col');
    expect(chooseConvAlgorithm(3, 2, 1, 32, 11, 11, 64)).toBe('im2col');
    expect(chooseConvAlgorithm(5, 5, 1, 32, 11, 11, 64)).toBe('im2col');
  });
});

const WINOGRAD_LAYERS: [string, () => Conv2D, number[], string][] = [
  ['Winograd: same, linear, 16 channels → 5 filters on 8×7', () => new Conv2D({ filters: 5, kernelSize: 3, padding: 'same' }), [8, 7, 16], 'winograd'],
  ['Winograd: valid, no bias, 17 channels → 3 filters on 10×9', () => new Conv2D({ filters: 3, kernelSize: 3, useBias: false }), [10, 9, 17], 'winograd'],
  ['direct: same, linear, 1 channel → 9 filters on 7×6', () => new Conv2D({ filters: 9, kernelSize: 3, padding: 'same' }), [7, 6, 1], 'direct'],
  ['direct: valid, no bias, 2 channels → 4 filters on 6×9', () => new Conv2D({ filters: 4, kernelSize: 3, useBias: false }), [6, 9, 2], 'direct'],
];

describe('Winograd and direct Conv2D backward equals finite differences of its forward (js backend, float64 loss)', () => {
  let previous: BackendName;
  beforeAll(() => {
    previous = getBackend();
    setBackend('js');
  });
  afterAll(() => setBackend(previous));

  for (const [label, make, shape, algorithm] of WINOGRAD_LAYERS) {
    it(label, () => {
      const layer = make();
      const h = new LayerHarness(currentBackend(), layer, shape, 2, 7);
      expect(chooseConvAlgorithm(3, 3, 1, shape[2], layer.outputShape[0], layer.outputShape[1], layer.filters)).toBe(algorithm);
      const r = randomArray(h.outputSize, 8);
      const loss = () => dot64(h.forward(), r);
      const analytic = h.backward(r);
      const results = [
        gradientErrors(analytic.dInput, numericGradient(() => h.blocks.input.view, loss, H)),
        gradientErrors(analytic.dKernel, numericGradient(() => h.blocks.kernel.view, loss, H)),
      ];
      if (h.blocks.bias.length) results.push(gradientErrors(analytic.dBias, numericGradient(() => h.blocks.bias.view, loss, H)));
      h.free();
      for (const e of results) {
        expect(e.norm).toBeGreaterThan(0.1);
        expect(e.relative).toBeLessThan(TOLERANCE);
        expect(e.worst).toBeLessThan(TOLERANCE);
      }
    });
  }
});

const js = backends.find((b) => b.name === 'js') as Backend;
const others = backends.filter((b) => b.name !== 'js');

describe.each(others)('Winograd and direct Conv2D on $name equals the js backend', (backend) => {
  const layers: [string, () => Conv2D, number[]][] = [
    ...WINOGRAD_LAYERS.map(([l, m, s]) => [l, m, s] as [string, () => Conv2D, number[]]),
    ['direct, relu, the tutorial\'s first layer at batch 3', () => new Conv2D({ filters: 32, kernelSize: 3, activation: 'relu' }), [28, 28, 1]],
    ['valid, relu, the tutorial\'s second layer at batch 3', () => new Conv2D({ filters: 64, kernelSize: 3, activation: 'relu' }), [13, 13, 32]],
    ['Winograd: same, relu, 16 channels on 12×9 (the last tile column a quarter used)', () => new Conv2D({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }), [12, 9, 16]],
  ];
  for (const [label, make, shape] of layers) {
    it(label, () => {
      const run = (b: Backend) => {
        const h = new LayerHarness(b, make(), shape, 3, 3);
        const out = h.forward().slice();
        const grads = h.backward(randomArray(h.outputSize, 4));
        h.free();
        return { out, ...grads };
      };
      const ours = run(backend);
      const ref = run(js);
      for (const key of ['out', 'dInput', 'dKernel', 'dBias'] as const) {
        let worst = 0, scale = 0;
        for (let i = 0; i < ref[key].length; i++) {
          worst = Math.max(worst, Math.abs(ours[key][i] - ref[key][i]));
          scale = Math.max(scale, Math.abs(ref[key][i]));
        }
        expect(worst, key).toBeLessThanOrEqual(1e-4 * scale);
      }
    });
  }
});
