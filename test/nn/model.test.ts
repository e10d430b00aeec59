// The model's Keras-facing surface: summary, names, parameter counts and initialisation, weights in and out,
// building from the data, predict's batching.
import { describe, expect, it } from 'vitest';
import { Conv2D, Dense, Flatten, MaxPooling2D, Sequential } from '../../src/nn/index.js';
import { patterns, randomArray } from './nn-test-helpers.js';

function tutorial(seed = 1) {
  return new Sequential([
    new Conv2D({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
    new MaxPooling2D({ poolSize: 2 }),
    new Conv2D({ filters: 64, kernelSize: 3, activation: 'relu' }),
    new MaxPooling2D({ poolSize: 2 }),
    new Flatten(),
    new Dense({ units: 64, activation: 'relu' }),
    new Dense({ units: 10, activation: 'softmax' }),
  ], { seed });
}

describe('Sequential', () => {
  it("summarises the tutorial network as Keras does (Keras' own counts: 320, 18496, 102464, 650)", () => {
    const model = tutorial();
    expect(model.summary()).toBe([
      'Model: "sequential"',
      '____________________________________________________________________',
      ' Layer (type)                    Output Shape              Param #',
      '====================================================================',
      ' conv2d (Conv2D)                 (None, 26, 26, 32)        320',
      ' max_pooling2d (MaxPooling2D)    (None, 13, 13, 32)        0',
      ' conv2d_1 (Conv2D)               (None, 11, 11, 64)        18496',
      ' max_pooling2d_1 (MaxPooling2D)  (None, 5, 5, 64)          0',
      ' flatten (Flatten)               (None, 1600)              0',
      ' dense (Dense)                   (None, 64)                102464',
      ' dense_1 (Dense)                 (None, 10)                650',
      '====================================================================',
      'Total params: 121930 (476.29 KB)',
      'Trainable params: 121930 (476.29 KB)',
      'Non-trainable params: 0 (0.00 Byte)',
      '____________________________________________________________________',
    ].join('\n'));
    expect(model.countParams()).toBe(121930);
    expect(model.weightSpecs().map((s) => `${s.name} ${s.shape.join('x')}`)).toEqual([
      'conv2d/kernel 3x3x1x32', 'conv2d/bias 32', 'conv2d_1/kernel 3x3x32x64', 'conv2d_1/bias 64',
      'dense/kernel 1600x64', 'dense/bias 64', 'dense_1/kernel 64x10', 'dense_1/bias 10',
    ]);
    model.dispose();
  });

  it('initialises kernels Glorot-uniform (within ±sqrt(6/(fanIn+fanOut)), spread like it) and biases to zero', () => {
    const model = tutorial(2);
    const [k1, b1, k2, , k3] = model.getWeights();
    const check = (k: Float32Array, fanIn: number, fanOut: number) => {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      expect(Math.max(...k.map(Math.abs))).toBeLessThanOrEqual(limit);
      // Uniform on ±limit has variance limit²/3.
      const variance = k.reduce((s, v) => s + v * v, 0) / k.length;
      expect(variance / (limit * limit / 3)).toBeGreaterThan(0.9);
      expect(variance / (limit * limit / 3)).toBeLessThan(1.1);
    };
    check(k1, 9, 9 * 32);
    check(k2, 9 * 32, 9 * 64);
    check(k3, 1600, 64);
    expect(b1.every((v) => v === 0)).toBe(true);
    model.dispose();
  });

  it('sets and gets weights in Keras order', () => {
    const model = new Sequential([new Dense({ units: 2, inputShape: [3] }), new Dense({ units: 2, activation: 'softmax' })]);
    const w = [Float32Array.of(1, 2, 3, 4, 5, 6), Float32Array.of(7, 8), Float32Array.of(1, 0, 0, 1), Float32Array.of(0, 0)];
    model.setWeights(w);
    expect(model.getWeights()).toEqual(w);
    expect(model.getWeightsFlat()).toEqual(Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 1, 0, 0, 1, 0, 0));
    expect(() => model.setWeights(w.slice(1))).toThrow(
      'setWeights: expected 4 arrays (dense/kernel, dense/bias, dense_1/kernel, dense_1/bias). Received: 3');
    expect(() => model.setWeights([w[0], w[0], w[2], w[3]])).toThrow('setWeights: dense/bias needs 2 values [2]. Received: 6');
  });

  it('builds from the data when no layer declares an input shape', async () => {
    const model = new Sequential([new Conv2D({ filters: 2, kernelSize: 3 }), new Flatten(), new Dense({ units: 3, activation: 'softmax' })]);
    expect(model.built).toBe(false);
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    await model.fit(patterns(9, 1), { verbose: 0 });
    expect(model.inputShape).toEqual([8, 8, 1]);
    expect(model.outputShape).toEqual([3]);
    expect(model.countParams()).toBe(3 * 3 * 2 + 2 + 72 * 3 + 3);
  });

  it('predicts the same whatever the batch size, and probabilities sum to 1', () => {
    const model = tutorial(3);
    const x = { data: randomArray(13 * 784, 5), shape: [13, 28, 28, 1] };
    const a = model.predict(x);
    const b = model.predict(x, { batchSize: 4 });
    expect(a.shape).toEqual([13, 10]);
    for (let i = 0; i < a.data.length; i++) expect(Math.abs(a.data[i] - b.data[i])).toBeLessThan(1e-6);
    for (let r = 0; r < 13; r++) expect(a.data.subarray(r * 10, r * 10 + 10).reduce((s, v) => s + v)).toBeCloseTo(1, 5);
    model.dispose();
  });
});
