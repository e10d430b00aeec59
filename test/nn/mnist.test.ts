// The tutorial network on the real digits of the `mnist` package (7,996 train / 2,004 test: floor(80%) of each digit): one epoch must reach
// 90% test accuracy. Pixels are only scaled by 1/255 here; the generator's standardization is tested elsewhere.
import { describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/data/mnist.js';
import { Conv2D, Dense, Flatten, MaxPooling2D, Sequential } from '../../src/nn/index.js';

function scaled(x: { data: Uint8Array; shape: number[] }) {
  return { data: Float32Array.from(x.data, (v) => v / 255), shape: x.shape };
}

describe('MNIST', () => {
  it('the tutorial network reaches > 90% test accuracy after one epoch on the ~8,000 training digits', async () => {
    const { train, test } = loadMnist();
    expect(train.x.shape).toEqual([7996, 28, 28, 1]); // floor(80%) of each digit's samples
    const model = new Sequential([
      new Conv2D({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
      new MaxPooling2D({ poolSize: 2 }),
      new Conv2D({ filters: 64, kernelSize: 3, activation: 'relu' }),
      new MaxPooling2D({ poolSize: 2 }),
      new Flatten(),
      new Dense({ units: 64, activation: 'relu' }),
      new Dense({ units: 10, activation: 'softmax' }),
    ], { seed: 1 });
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const lines: string[] = [];
    await model.fit({ x: scaled(train.x), y: train.y }, { epochs: 1, batchSize: 64, log: (line) => lines.push(line) });
    const result = model.evaluate({ x: scaled(test.x), y: test.y }, { batchSize: 256 });
    console.log(`${lines[0]}; test: loss ${result.loss.toFixed(4)}, accuracy ${result.accuracy.toFixed(4)}`);
    expect(result.accuracy).toBeGreaterThan(0.9);
    model.dispose();
  });
});
