// Bad input fails at once with a message that names the option (or the data), what was expected and what was
// received. The messages are pinned: they are part of the API.
import { describe, expect, it } from 'vitest';
import { Adam, Conv2D, Dense, Flatten, MaxPooling2D, Sequential } from '../../src/nn/index.js';
import { ImageDataGenerator } from '../../src/generator/index.js';
import { patterns } from './nn-test-helpers.js';

function model() {
  return new Sequential([
    new Conv2D({ filters: 2, kernelSize: 3, activation: 'relu', inputShape: [8, 8, 1] }),
    new MaxPooling2D(),
    new Flatten(),
    new Dense({ units: 3, activation: 'softmax' }),
  ], { seed: 1 });
}

function compiled() {
  const m = model();
  m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

describe('layer options', () => {
  it('rejects unknown option names, naming the known ones', () => {
    expect(() => new Conv2D({ filters: 2, kernelSize: 3, kernel_size: 3 } as never)).toThrow(
      'Conv2D: unknown option `kernel_size`. Did you mean `kernelSize`? Known options: filters, kernelSize, strides, padding, activation, useBias, inputShape, name');
    expect(() => new Dense({ units: 2, activations: 'relu' } as never)).toThrow('Dense: unknown option `activations`');
    expect(() => new MaxPooling2D({ pool: 2 } as never)).toThrow('MaxPooling2D: unknown option `pool`');
    expect(() => new Flatten({ dataFormat: 'channelsLast' } as never)).toThrow('Flatten: unknown option `dataFormat`');
  });

  it('rejects invalid values in Keras\' message shape', () => {
    expect(() => new Conv2D({ filters: 0, kernelSize: 3 })).toThrow('Conv2D: `filters` must be a positive integer. Received: filters=0');
    expect(() => new Conv2D({ filters: 2, kernelSize: 3, padding: 'full' as never })).toThrow(
      "Conv2D: `padding` must be one of 'valid', 'same'. Received: padding=\"full\"");
    expect(() => new Conv2D({ filters: 2, kernelSize: [3, 0] })).toThrow(
      'Conv2D: `kernelSize` must be a positive integer or a pair [height, width] of them. Received: kernelSize=[3, 0]');
    expect(() => new Conv2D({ filters: 2, kernelSize: 3, activation: 'tanh' as never })).toThrow(
      "Conv2D: `activation` must be one of 'relu', 'linear'. Received: activation=\"tanh\"");
    expect(() => new Conv2D({ filters: 2, kernelSize: 3, inputShape: [8, 8] as never })).toThrow(
      'Conv2D: `inputShape` must be a shape [height, width, channels] of positive integers. Received: inputShape=[8, 8]');
    expect(() => new Conv2D({ filters: 2 } as never)).toThrow('Conv2D: `kernelSize` is required');
    expect(() => new Dense({ units: 2.5 })).toThrow('Dense: `units` must be a positive integer. Received: units=2.5');
    expect(() => new MaxPooling2D({ poolSize: [2, 3] })).toThrow('MaxPooling2D: `poolSize` must be square. Received: poolSize=[2, 3]');
    expect(() => new Adam({ learningRate: -1 })).toThrow('Adam: `learningRate` must be a positive finite number. Received: learningRate=-1');
    expect(() => new Adam({ beta1: 1 })).toThrow('Adam: `beta1` must be a number in [0, 1). Received: beta1=1');
  });

  it('rejects stacks whose shapes do not fit', () => {
    expect(() => new Sequential([new Conv2D({ filters: 2, kernelSize: 3, inputShape: [8, 8, 1] }), new Dense({ units: 2 })])).toThrow(
      'Dense dense: expects flat inputs of shape [features] (add a Flatten layer before it). Received: [6, 6, 2]');
    expect(() => new Sequential([new Conv2D({ filters: 2, kernelSize: 5, inputShape: [4, 6, 1] })])).toThrow(
      "Conv2D conv2d: a 5×5 kernel with 'valid' padding does not fit an input of 4×6");
    expect(() => new Sequential([new Dense({ units: 3, activation: 'softmax', inputShape: [4] }), new Dense({ units: 2 })])).toThrow(
      "Sequential: layer dense has activation 'softmax', which pixprep supports only on the last layer");
    expect(() => new Sequential([])).toThrow('Sequential: `layers` must be a non-empty array of layers');
    expect(() => new Sequential([new Flatten({ name: 'a' }), new Dense({ units: 2, name: 'a' })])).toThrow("Sequential: two layers are named 'a'");
    expect(() => new Sequential([new Flatten()], { seed: -1 })).toThrow('Sequential: `seed` must be a non-negative integer. Received: seed=-1');
    expect(() => new Sequential([new Flatten()]).summary()).toThrow('Sequential sequential: the model is not built yet');
  });
});

describe('compile', () => {
  it('rejects unknown options, optimizers, losses and metrics', () => {
    expect(() => model().compile({ optimizer: 'adam', lr: 0.1 } as never)).toThrow(
      'compile: unknown option `lr`. Known options: optimizer, loss, metrics');
    expect(() => model().compile({ optimizer: 'rmsprop' as never })).toThrow(
      "compile: `optimizer` must be 'adam', 'sgd', or an Adam or SGD instance. Received: optimizer=\"rmsprop\"");
    expect(() => model().compile({ loss: 'mse' as never })).toThrow(
      "compile: `loss` must be 'categoricalCrossentropy' or 'sparseCategoricalCrossentropy'. Received: loss=\"mse\"");
    expect(() => model().compile({ metrics: ['auc'] })).toThrow("compile: `metrics` must be a list of metric names (pixprep has 'accuracy')");
  });

  it('needs a softmax Dense last layer for the fused cross-entropy', () => {
    const m = new Sequential([new Dense({ units: 3, inputShape: [4] })]);
    expect(() => m.compile({ optimizer: 'sgd' })).toThrow(
      "compile: loss 'categoricalCrossentropy' needs a last Dense layer with activation 'softmax' (pixprep fuses the two). " +
      "Received: last layer dense (Dense) with activation 'linear'");
  });

  it('fit and evaluate before compile say to compile', async () => {
    const data = patterns(8, 1);
    await expect(model().fit(data)).rejects.toThrow('fit: the model must be compiled first: call model.compile({ optimizer, loss, metrics })');
    expect(() => model().evaluate(data)).toThrow('evaluate: the model must be compiled first');
  });
});

describe('fit, evaluate and predict data', () => {
  it('rejects unknown fit options and invalid values', async () => {
    const data = patterns(8, 1);
    await expect(compiled().fit(data, { batch_size: 4 } as never)).rejects.toThrow(
      'fit: unknown option `batch_size`. Did you mean `batchSize`? Known options: epochs, batchSize, validationData, verbose, shuffle, onEpochEnd, onBatchEnd, log');
    await expect(compiled().fit(data, { epochs: 0 })).rejects.toThrow('fit: `epochs` must be a positive integer. Received: epochs=0');
    await expect(compiled().fit(data, { batchSize: 1.5 })).rejects.toThrow('fit: `batchSize` must be a positive integer. Received: batchSize=1.5');
    await expect(compiled().fit(data, { verbose: 3 as never })).rejects.toThrow('fit: `verbose` must be one of 0, 1, 2. Received: verbose=3');
    await expect(compiled().fit(data, { onEpochEnd: 'log' as never })).rejects.toThrow('fit: `onEpochEnd` must be a function');
    const flow = new ImageDataGenerator().flow(data.x, data.y, { batchSize: 4, seed: 1 });
    await expect(compiled().fit(flow, { batchSize: 4 })).rejects.toThrow(
      'fit: `batchSize` applies to array data only; the flow iterator has its own batchSize');
  });

  it("rejects images that do not match the first layer's input shape", async () => {
    const rgb = { x: { data: new Float32Array(2 * 8 * 8 * 3), shape: [2, 8, 8, 3] }, y: [0, 1] };
    await expect(compiled().fit(rgb, { verbose: 0 })).rejects.toThrow(
      "fit: the data's images have shape [8, 8, 3] but the model's first layer (conv2d) expects [8, 8, 1]");
    expect(() => compiled().predict({ data: new Float32Array(7 * 7), shape: [1, 7, 7, 1] })).toThrow(
      "predict: the data's images have shape [7, 7, 1] but the model's first layer (conv2d) expects [8, 8, 1]");
    expect(() => compiled().predict({ data: new Float32Array(10), shape: [1, 8, 8, 1] })).toThrow(
      'predict: x.data has 10 elements but shape [1, 8, 8, 1] needs 64');
    // The images go through the generator's input path: its messages, its types.
    expect(() => compiled().predict({ data: new Int16Array(64), shape: [1, 8, 8, 1] } as never)).toThrow(
      'predict: x.data must be a Uint8Array, Uint8ClampedArray, Float32Array or Float64Array. Received: Int16Array');
  });

  it('predict refuses a shuffling flow (its rows could not be matched to the samples) and takes an ordered one', () => {
    const data = patterns(8, 1);
    const generator = new ImageDataGenerator();
    const shuffled = generator.flow(data.x, data.y, { batchSize: 4, seed: 1 });
    expect(() => compiled().predict(shuffled)).toThrow(
      'predict: the flow shuffles its samples, so the rows of the predictions could not be matched to them; ' +
      'predict on a flow made with { shuffle: false } (or on the images)');
    const m = compiled();
    const ordered = m.predict(generator.flow(data.x, null, { batchSize: 3, shuffle: false }));
    expect(ordered.shape).toEqual([8, 3]);
    expect(ordered.data).toEqual(m.predict(data.x).data);
  });

  it('rejects labels of the wrong length or class count', async () => {
    const { x } = patterns(12, 1);
    await expect(compiled().fit({ x, y: new Uint8Array(10) }, { verbose: 0 })).rejects.toThrow(
      'fit: `x` (images tensor) and `y` (labels) should have the same length. Found: x.shape = [12, 8, 8, 1], y length = 10');
    const y = new Uint8Array(12);
    y[7] = 3;
    await expect(compiled().fit({ x, y }, { verbose: 0, batchSize: 4, shuffle: false })).rejects.toThrow(
      'fit: class labels must be integers in [0, 3) for a model with 3 outputs. Received: 3 at index 7');
    expect(() => compiled().evaluate({ x, y: [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, -1] })).toThrow(
      'evaluate: class labels must be non-negative integers. Received: -1 at index 11');
    const m = model();
    m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    await expect(m.fit({ x, y: { data: new Float32Array(48), shape: [12, 4] } }, { verbose: 0 })).rejects.toThrow(
      "fit: the labels are one-hot rows of 4 classes but the model's last layer has 3 units");
    await expect(compiled().fit({ x, y: { data: new Float32Array(36), shape: [12, 3] } }, { verbose: 0 })).rejects.toThrow(
      "fit: loss 'sparseCategoricalCrossentropy' expects class indices, but the labels are rows of 3");
    await expect(compiled().fit({ x }, { verbose: 0 })).rejects.toThrow('fit: array data needs labels `y`');
  });

  it('stops on a NaN loss, naming the epoch and batch, without applying that update', async () => {
    const data = patterns(64, 2);
    const m = compiled();
    const seen: Float32Array[] = [];
    const run = m.fit(data, {
      epochs: 3, batchSize: 16, shuffle: false, verbose: 0,
      // After the first epoch, sample 40 (batch 3 of 4 without shuffling) becomes non-finite.
      onEpochEnd: () => void data.x.data.fill(Number.NaN, 40 * 64, 41 * 64),
      onBatchEnd: () => void seen.push(m.getWeightsFlat()),
    });
    await expect(run).rejects.toThrow(
      "fit: the loss became NaN at epoch 2, batch 3 of 4; training stopped before that batch's update. " +
      'Check the data for non-finite values or lower the learning rate');
    expect(seen).toHaveLength(6);
    const w = m.getWeightsFlat();
    expect(w.every(Number.isFinite)).toBe(true);
    expect(w).toEqual(seen[5]);
  });
});
