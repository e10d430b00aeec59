// model.fit / evaluate / predict over flowFromDirectory's iterator: the same weights, losses and predictions as over
// flow on the same images stacked in memory (the file path changes where pixels come from, nothing else), with a
// file iterator as validationData too.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { Conv2D, Dense, Flatten, ImageDataGenerator, MaxPooling2D, Sequential } from '../../src/index.js';
import { encodePng, shapeImage, tempDir, writeFile } from './png.js';
import { currentBackend } from '../../src/runtime/backend.js';
import { settleFinalizers } from '../helpers.js';

const S = 12;
const PER_CLASS = 13;
let root: string;
const images: Uint8Array[] = [];
const labels: number[] = [];

beforeAll(() => {
  root = tempDir('model');
  for (const [c, name] of ['ring', 'square'].entries()) {
    for (let i = 0; i < PER_CLASS; i++) {
      // Listing order: class 'ring' (0) then 'square' (1), files sorted: names padded so the order is the loop's.
      const img = shapeImage(1 - c, S, S, 1, 1000 * c + i);
      writeFile(root, `${name}/${String(i).padStart(2, '0')}.png`, encodePng(img, S, S, 1));
      images.push(img);
      labels.push(c);
    }
  }
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

// Each test disposes what it made: an object left to the garbage collector returns its kernel memory whenever its
// finalizer runs, which can be in the middle of the memory test below and make its heap figures move.
const made: { dispose(): void }[] = [];
function own<T extends { dispose(): void }>(x: T): T {
  made.push(x);
  return x;
}
afterEach(() => {
  for (const x of made.splice(0).reverse()) x.dispose();
});

function model(): Sequential {
  const m = new Sequential([
    new Conv2D({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [S, S, 1] }),
    new MaxPooling2D({ poolSize: 2 }),
    new Flatten(),
    new Dense({ units: 2, activation: 'softmax' }),
  ], { seed: 3 });
  m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

function stacked(from = 0, to = images.length) {
  const data = new Uint8Array((to - from) * S * S);
  for (let i = from; i < to; i++) data.set(images[i], (i - from) * S * S);
  return { data, shape: [to - from, S, S, 1] };
}

describe('model over a file iterator', () => {
  it('fit, evaluate and predict equal the same over flow on the stacked images', async () => {
    const gen = own(new ImageDataGenerator({ rescale: 1 / 255, horizontalFlip: true }));
    const options = { targetSize: [S, S] as [number, number], colorMode: 'grayscale' as const, batchSize: 5, seed: 9, classMode: 'sparse' as const };
    const files = own(await gen.flowFromDirectory(root, options));
    const validationFiles = own(await gen.flowFromDirectory(root, { ...options, shuffle: false, seed: 4 }));
    const viaFiles = own(model());
    const logs: string[] = [];
    const historyFiles = await viaFiles.fit(files, { epochs: 3, verbose: 0, validationData: validationFiles, log: (l) => logs.push(l) });

    const viaArrays = own(model());
    const flow = own(gen.flow(stacked(), labels, { batchSize: 5, seed: 9 }));
    const validationFlow = own(gen.flow(stacked(), labels, { batchSize: 5, shuffle: false, seed: 4 }));
    const historyArrays = await viaArrays.fit(flow, { epochs: 3, verbose: 0, validationData: validationFlow });

    expect(historyFiles.loss).toEqual(historyArrays.loss);
    expect(historyFiles.valLoss).toEqual(historyArrays.valLoss);
    expect(viaFiles.getWeightsFlat()).toEqual(viaArrays.getWeightsFlat());
    expect(historyFiles.loss[2]).toBeLessThan(historyFiles.loss[0]);
    expect(logs).toEqual([]); // nothing skipped, nothing to report

    const evaluated = viaFiles.evaluate(validationFiles);
    expect(evaluated).toBeInstanceOf(Promise);
    expect(await evaluated).toEqual(viaArrays.evaluate(validationFlow));
    const predicted = await viaFiles.predict(validationFiles);
    expect(predicted).toEqual(viaArrays.predict(gen.flow(stacked(), null, { batchSize: 5, shuffle: false, seed: 4 })));
    expect(predicted.shape).toEqual([2 * PER_CLASS, 2]);
    await expect(async () => viaFiles.predict(files)).rejects.toThrow('predict: the flow shuffles its samples');
  });

  it('categorical labels train a categoricalCrossentropy model', async () => {
    const gen = own(new ImageDataGenerator({ rescale: 1 / 255 }));
    const files = own(await gen.flowFromDirectory(root, { targetSize: [S, S], colorMode: 'grayscale', batchSize: 8, seed: 2 }));
    expect(files.labelWidth).toBe(2);
    const m = own(model());
    m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const history = await m.fit(files, { epochs: 2, verbose: 0 });
    expect(history.loss.every(Number.isFinite)).toBe(true);
  });

  it('kernel memory does not grow from epoch to epoch (decoding, resizing, augmenting, training); dispose returns it', async () => {
    await settleFinalizers();
    const heap = currentBackend().heap;
    const gen = new ImageDataGenerator({ rescale: 1 / 255, rotationRange: 10 });
    const files = await gen.flowFromDirectory(root, { targetSize: [S + 3, S - 1], colorMode: 'grayscale', interpolation: 'bilinear', batchSize: 4, seed: 1, classMode: 'sparse' });
    const m = new Sequential([new Conv2D({ filters: 2, kernelSize: 3, inputShape: [S + 3, S - 1, 1] }), new Flatten(), new Dense({ units: 2, activation: 'softmax' })], { seed: 1 });
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    await m.fit(files, { epochs: 1, verbose: 0 });
    const [used, size] = [heap.usedBytes, heap.byteLength];
    await m.fit(files, { epochs: 3, verbose: 0 });
    expect(heap.usedBytes).toBe(used);
    expect(heap.byteLength).toBe(size);
    m.dispose();
    const beforeDispose = heap.usedBytes;
    files.dispose();
    expect(heap.usedBytes).toBeLessThan(beforeDispose);
  });
});
