// Augmented flows: one transform per image per epoch from the flow's seed, applied before standardize as Keras'
// iterator does. Every batch must equal the composition of the public pieces — standardize(applyTransform(x_j,
// getRandomTransform(shape, imageSeed(seed, epoch, j)))) — bit for bit, on both backends (which must also agree with
// each other); the fused one-pass path and the general path (samplewise, colour steps, preprocessing, float input,
// channelsFirst) alike. Plus determinism, fresh draws each epoch, and no growth of kernel memory.
import { describe, expect, it } from 'vitest';
import { ImageDataGenerator, type ImageDataGeneratorOptions } from '../../src/index.js';
import { currentBackend, setBackend } from '../../src/runtime/backend.js';
import { imageSeed } from '../../src/generator/flow.js';
import { backends, randomBytes, randomFloats } from '../helpers.js';

const light: ImageDataGeneratorOptions = { rotationRange: 10, widthShiftRange: 0.1, heightShiftRange: 0.1, zoomRange: 0.1 };

function digits(n: number, h = 12, w = 12, c = 1) {
  return { data: randomBytes(n * h * w * c, 7), shape: [n, h, w, c] };
}

/** The batch the flow should yield, from the public pieces, image by image. */
function expectedBatch(gen: ImageDataGenerator, x: { data: Uint8Array | Float32Array; shape: number[] }, seed: number,
  epoch: number, order: Int32Array, from: number, to: number): Float32Array {
  const [, a, b, c] = x.shape;
  const size = a * b * c;
  const out = new Float32Array((to - from) * size);
  for (let k = from; k < to; k++) {
    const j = order[k];
    const image = { data: x.data.subarray(j * size, (j + 1) * size), shape: [a, b, c] };
    const warped = gen.applyTransform(image, gen.getRandomTransform([a, b, c], imageSeed(seed, epoch, j)));
    out.set(gen.standardize(warped).data, (k - from) * size);
  }
  return out;
}

const CASES: [string, ImageDataGeneratorOptions, boolean][] = [
  ['fused: bytes → scaled floats in one pass (featurewise)', { ...light, featurewiseCenter: true, featurewiseStdNormalization: true }, true],
  ['fused, rescale only, order 0, constant fill', { ...light, rescale: 1 / 255, interpolationOrder: 0, fillMode: 'constant', cval: 9 }, true],
  ['samplewise steps after the warp', { ...light, samplewiseCenter: true, samplewiseStdNormalization: true, horizontalFlip: true }, true],
  ['colour steps + preprocessing function', { ...light, channelShiftRange: 20, brightnessRange: [0.7, 1.3], preprocessingFunction: (im) => im.data.map((v) => v * 0.5) }, true],
  ['float input, channelsFirst, reflect', { ...light, rescale: 2, fillMode: 'reflect', dataFormat: 'channelsFirst', verticalFlip: true }, false],
];

describe('augmented flow', () => {
  for (const [name, options, bytes] of CASES) {
    it(`equals standardize(applyTransform(x, draw)) image by image, on every backend alike: ${name}`, () => {
      const channelsFirst = options.dataFormat === 'channelsFirst';
      const x = bytes ? digits(23, 9, 11, 3) : { data: randomFloats(23 * 3 * 9 * 11, 3, 0, 255), shape: channelsFirst ? [23, 3, 9, 11] : [23, 9, 11, 3] };
      const batches: Float32Array[][] = [];
      for (const backend of backends) {
        setBackend(backend.name);
        const gen = new ImageDataGenerator(options);
        if (options.featurewiseCenter) gen.fit(x);
        const flow = gen.flow(x, null, { batchSize: 5, seed: 77 });
        const seen: Float32Array[] = [];
        for (let epoch = 0; epoch < 2; epoch++) {
          const order = flow.indexOrder;
          for (let i = 0; i < flow.length; i++) {
            const batch = flow.at(i).x.data;
            const from = i * 5;
            expect(batch).toEqual(expectedBatch(gen, x, 77, epoch, order, from, Math.min(23, from + 5)));
            seen.push(batch);
          }
          flow.onEpochEnd();
        }
        flow.dispose();
        batches.push(seen);
      }
      for (const other of batches.slice(1)) expect(other).toEqual(batches[0]);
    });
  }

  it('is deterministic for a seed, draws afresh each epoch, and leaves generators without augmentation alone', () => {
    const x = digits(16);
    const gen = new ImageDataGenerator({ ...light, rescale: 1 / 255 });
    const first = (seed: number) => gen.flow(x, null, { batchSize: 16, shuffle: false, seed }).at(0).x.data;
    expect(first(3)).toEqual(first(3));
    expect(first(3)).not.toEqual(first(4));
    const flow = gen.flow(x, null, { batchSize: 16, shuffle: false, seed: 3 });
    const e0 = flow.at(0).x.data;
    flow.onEpochEnd();
    expect(flow.at(0).x.data).not.toEqual(e0);
    // The same generator without augmentation: plain scaling, as standardize.
    const plain = new ImageDataGenerator({ rescale: 1 / 255 });
    expect(plain.flow(x, null, { batchSize: 16, shuffle: false }).at(0).x.data).toEqual(plain.standardize(x).data);
    // An augmenting flow with the identity draw (zoom [1, 1] only): also plain.
    expect(new ImageDataGenerator({ zoomRange: [1, 1], rescale: 1 / 255 }).flow(x, null, { batchSize: 16, shuffle: false }).at(0).x.data)
      .toEqual(plain.standardize(x).data);
  });

  it('writes batches into kernel memory with batchInto without growing it, epoch after epoch', () => {
    const x = digits(40, 28, 28, 1);
    const gen = new ImageDataGenerator({ ...light, featurewiseCenter: true, featurewiseStdNormalization: true });
    gen.fit(x);
    const flow = gen.flow(x, null, { batchSize: 16, seed: 1 });
    const heap = currentBackend().heap;
    const block = heap.block('f32', 16 * 784);
    block.view.fill(NaN);
    const bytes = () => heap.memory.buffer.byteLength;
    flow.batchInto(0, block.view, null);
    const before = bytes();
    for (let epoch = 0; epoch < 3; epoch++) {
      for (let i = 0; i < flow.length; i++) {
        const k = flow.batchInto(i, block.view, null);
        expect(block.view.subarray(0, k * 784).every(Number.isFinite)).toBe(true);
      }
      flow.onEpochEnd();
    }
    expect(bytes()).toBe(before);
    block.free();
    flow.dispose();
  });
});
