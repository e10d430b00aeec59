// The wasm backend's layers and whole training step against the js backend (the TypeScript references), on the
// same weights and data. Where the wasm backend still routes a kernel to the reference, the comparison is exact;
// SIMD kernels sum in another order, hence the 1e-4 (relative to the largest value) bound.
import { afterAll, describe, expect, it } from 'vitest';
import { getBackend, setBackend, type Backend } from '../../src/runtime/backend.js';
import { Conv2D, Dense, Flatten, MaxPooling2D, SGD, Sequential } from '../../src/nn/index.js';
import type { Layer } from '../../src/nn/layer.js';
import { backends } from '../helpers.js';
import { LayerHarness, randomArray } from './nn-test-helpers.js';

const previous = getBackend();
afterAll(() => setBackend(previous));

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

function runLayer(backend: Backend, make: () => Layer, inputShape: number[], batch: number) {
  const h = new LayerHarness(backend, make(), inputShape, batch, 3);
  const out = h.forward().slice();
  const grads = h.backward(randomArray(h.outputSize, 4));
  h.free();
  return { out, ...grads };
}

const js = backends.find((b) => b.name === 'js') as Backend;
const others = backends.filter((b) => b.name !== 'js');

describe.each(others.length ? others : [js])('$name backend equals the js references', (backend) => {
  const layers: [string, () => Layer, number[]][] = [
    ['Conv2D same relu', () => new Conv2D({ filters: 17, kernelSize: 3, padding: 'same', activation: 'relu' }), [13, 11, 3]],
    ['Conv2D valid strides 2', () => new Conv2D({ filters: 5, kernelSize: [3, 2], strides: 2 }), [9, 12, 4]],
    ['MaxPooling2D', () => new MaxPooling2D(), [9, 7, 5]],
    ['Dense relu', () => new Dense({ units: 33, activation: 'relu' }), [71]],
    ['Dense softmax logits', () => new Dense({ units: 10, activation: 'softmax' }), [19]],
  ];
  for (const [label, make, shape] of layers) {
    it(`${label}: forward, dInput, dKernel, dBias`, () => {
      const ours = runLayer(backend, make, shape, 5);
      const ref = runLayer(js, make, shape, 5);
      expect(maxRelative(ours.out, ref.out)).toBeLessThan(1e-4);
      expect(maxRelative(ours.dInput, ref.dInput)).toBeLessThan(1e-4);
      expect(maxRelative(ours.dKernel, ref.dKernel)).toBeLessThan(1e-4);
      expect(maxRelative(ours.dBias, ref.dBias)).toBeLessThan(1e-4);
    });
  }

  it('a whole training step and prediction of the tutorial network (smaller input)', async () => {
    const run = async (b: Backend) => {
      setBackend(b.name);
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
    expect(maxRelative(ours.step, ref.step)).toBeLessThan(1e-4);
    expect(maxRelative(ours.p, ref.p)).toBeLessThan(1e-4);
  });
});
