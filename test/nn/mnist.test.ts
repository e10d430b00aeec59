// The tutorial network on the real digits of the `mnist` package (7,996 train / 2,004 test: floor(80%) of each digit): one epoch must reach
// 90% test accuracy. Pixels are only scaled by 1/255 here; the generator's standardization is tested elsewhere.
import { describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/data/mnist.js';
import { tutorialModel } from '../../src/tutorial.js';

function scaled(x: { data: Uint8Array; shape: number[] }) {
  return { data: Float32Array.from(x.data, (v) => v / 255), shape: x.shape };
}

describe('MNIST', () => {
  it('the tutorial network reaches > 90% test accuracy after one epoch on the ~8,000 training digits', async () => {
    const { train, test } = loadMnist();
    expect(train.x.shape).toEqual([7996, 28, 28, 1]); // floor(80%) of each digit's samples
    const model = tutorialModel({ seed: 1 }); // compiled with Adam and categorical cross-entropy; class indices are sparse labels
    const lines: string[] = [];
    await model.fit({ x: scaled(train.x), y: train.y }, { epochs: 1, batchSize: 64, log: (line) => lines.push(line) });
    const result = model.evaluate({ x: scaled(test.x), y: test.y }, { batchSize: 256 });
    console.log(`${lines[0]}; test: loss ${result.loss.toFixed(4)}, accuracy ${result.accuracy.toFixed(4)}`);
    expect(result.accuracy).toBeGreaterThan(0.9);
    model.dispose();
  });
});
